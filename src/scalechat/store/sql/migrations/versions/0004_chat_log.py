"""The prompt log (`chat_log`) for analytics.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from scalechat.store.sql.tables import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_log",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("chat_session_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(200), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("deployment", sa.String(200), nullable=True),
        sa.Column("provider", sa.String(32), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("finish_reason", sa.String(32), nullable=True),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("prompt_tokens", sa.Integer, nullable=True),
        sa.Column("completion_tokens", sa.Integer, nullable=True),
        sa.Column("total_tokens", sa.Integer, nullable=True),
        sa.Column("first_token_ms", sa.Float, nullable=True),
        sa.Column("total_ms", sa.Float, nullable=True),
        sa.Column("content_mode", sa.String(16), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("document", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
    )
    op.create_index("ix_chat_log_created", "chat_log", ["created_at"])
    op.create_index("ix_chat_log_user_created", "chat_log", ["user_id", "created_at"])
    op.create_index("ix_chat_log_session", "chat_log", ["chat_session_id"])


def downgrade() -> None:
    op.drop_index("ix_chat_log_session", "chat_log")
    op.drop_index("ix_chat_log_user_created", "chat_log")
    op.drop_index("ix_chat_log_created", "chat_log")
    op.drop_table("chat_log")

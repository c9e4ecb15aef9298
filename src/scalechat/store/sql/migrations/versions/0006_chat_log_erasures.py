"""Erasure tombstones for the prompt log (`chat_log_erasures`).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_log_erasures",
        sa.Column("user_key", sa.String(64), primary_key=True),
        sa.Column("erased_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("chat_log_erasures")

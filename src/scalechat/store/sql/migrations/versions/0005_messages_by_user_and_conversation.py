"""Messages indexed by (user_id, conversation_id) instead of user_id alone.

On PostgreSQL, asyncpg prepares every statement, and after a few runs the server may switch
to a generic plan that does not know the user id. With `ix_messages_user` that plan ANDed a
bitmap of all of a heavy user's messages into every conversation it checked: a search miss
of a user with 20,000 messages took 2.5 s at p50. With the composite index both plans look
up (user, conversation) exactly: 106 ms (bench/store_bench.py, see bench/README.md).
Queries by user alone (erasure, export) still use it, as it starts with `user_id`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_messages_user_conversation", "messages", ["user_id", "conversation_id"])
    op.drop_index("ix_messages_user", table_name="messages")


def downgrade() -> None:
    op.create_index("ix_messages_user", "messages", ["user_id"])
    op.drop_index("ix_messages_user_conversation", table_name="messages")

"""Messages indexed by (user_id, conversation_id) instead of user_id alone.

On PostgreSQL, asyncpg prepares every statement, and after a few runs the server may switch
to a generic plan that does not know the user id. With `ix_messages_user` that plan ANDed a
bitmap of all of a heavy user's messages into every conversation it checked: a search miss
of a user with 20,000 messages took 2.5 s at p50. With the composite index both plans look
up (user, conversation) exactly: 106 ms (bench/store_bench.py, see bench/README.md).
Queries by user alone (erasure, export) still use it, as it starts with `user_id`.

On PostgreSQL the index is built CONCURRENTLY, outside a transaction: `messages` is the biggest
table, and a plain CREATE INDEX would stop every chat's writes for as long as the build takes
(about 2 s per million rows here) while the old instances still serve. A build that failed
part-way leaves an INVALID index behind; it is dropped and built again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


NEW = "ix_messages_user_conversation"
OLD = "ix_messages_user"


def _replace(build: str, columns: list[str], drop: str) -> None:
    if op.get_context().dialect.name != "postgresql":
        op.create_index(build, "messages", columns)
        op.drop_index(drop, table_name="messages")
        return
    with op.get_context().autocommit_block():
        invalid = op.get_bind().execute(
            sa.text("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(:name)"), {"name": build}
        )
        if invalid.scalar():
            op.drop_index(build, table_name="messages", postgresql_concurrently=True)
        op.create_index(build, "messages", columns, postgresql_concurrently=True, if_not_exists=True)
        op.drop_index(drop, table_name="messages", postgresql_concurrently=True, if_exists=True)


def upgrade() -> None:
    _replace(NEW, ["user_id", "conversation_id"], OLD)


def downgrade() -> None:
    _replace(OLD, ["user_id"], NEW)

"""Table definitions; the schema itself is owned by the Alembic migrations next to this file."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out; SQLite would hand back naive ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if dialect.name != "sqlite" else value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if not isinstance(value, datetime):
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(200), nullable=False),
    Column("title", String(1000), nullable=False),
    Column("system_prompt", Text, nullable=False),
    Column("parameters", JSON, nullable=False),
    Column("model", String(200), nullable=True),
    Column("current_message_id", String(32), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_conversations_user_updated", "user_id", "updated_at", "id"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "conversation_id",
        String(32),
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("user_id", String(200), nullable=False),
    Column("parent_id", String(32), nullable=True),
    Column("role", String(16), nullable=False),
    Column("content", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("model", String(200), nullable=True),
    Column("usage", JSON, nullable=True),
    Column("finish_reason", String(32), nullable=True),
    Column("error_code", String(64), nullable=True),
    Column("error_detail", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("original_content", Text, nullable=True),
    Column("edited_at", UTCDateTime(), nullable=True),
    Index("ix_messages_conversation_created", "conversation_id", "created_at"),
    Index("ix_messages_user_conversation", "user_id", "conversation_id"),
    Index("ix_messages_status", "status"),
)

message_feedback = Table(
    "message_feedback",
    metadata,
    Column("message_id", String(32), ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", String(200), nullable=False),
    Column("rating", String(8), nullable=False),
    Column("reason", String(100), nullable=True),
    Column("comment", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("message_id", "user_id", name="pk_message_feedback"),
)

presets = Table(
    "presets",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(200), nullable=False),
    Column("name", String(100), nullable=False),
    Column("system_prompt", Text, nullable=False),
    Column("parameters", JSON, nullable=False),
    Column("model", String(200), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    # Also the index for listing a user's presets.
    UniqueConstraint("user_id", "name", name="uq_presets_user_name"),
)

users = Table(
    "users",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("tenant_id", String(64), nullable=True),
    Column("name", String(500), nullable=False),
    Column("email", String(500), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=False),
)

# A browser session: the row is keyed by a hash of the cookie, and the tokens in it are
# encrypted with a key derived from the cookie, so a copy of the database signs nobody in.
auth_sessions = Table(
    "auth_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(200), nullable=False),
    Column("claims", JSON, nullable=False),
    Column("secrets", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Index("ix_auth_sessions_user", "user_id"),
    Index("ix_auth_sessions_expires", "expires_at"),
)

# The prompt log (`PROMPTLOG_SINK=sql`): the whole record as JSON (JSONB on PostgreSQL, for
# analysts' queries), plus the fields analytics filter and group on as columns.
chat_log = Table(
    "chat_log",
    metadata,
    Column("id", String(32), primary_key=True),  # the answer's message id
    Column("chat_session_id", String(32), nullable=False),
    Column("user_id", String(200), nullable=False),
    Column("tenant_id", String(64), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("model", String(200), nullable=True),
    Column("deployment", String(200), nullable=True),
    Column("provider", String(32), nullable=True),
    Column("status", String(16), nullable=False),
    Column("finish_reason", String(32), nullable=True),
    Column("error_code", String(64), nullable=True),
    Column("prompt_tokens", Integer, nullable=True),
    Column("completion_tokens", Integer, nullable=True),
    Column("total_tokens", Integer, nullable=True),
    Column("first_token_ms", Float, nullable=True),
    Column("total_ms", Float, nullable=True),
    Column("content_mode", String(16), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("document", JSON().with_variant(JSONB(), "postgresql"), nullable=False),
    Index("ix_chat_log_created", "created_at"),
    Index("ix_chat_log_user_created", "user_id", "created_at"),
    Index("ix_chat_log_session", "chat_session_id"),
)

# Users erased from the prompt log (a hash of the id, and when): records of theirs that arrive
# later (from a server's memory or outbox) and were made before that moment are not stored.
chat_log_erasures = Table(
    "chat_log_erasures",
    metadata,
    Column("user_key", String(64), primary_key=True),
    Column("erased_at", String(32), nullable=False),  # the records' own fixed-width UTC text
)

"""Pure types shared by every layer: no I/O, no framework imports."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_TITLE = "New chat"
INTERRUPTED_DETAIL = "The server stopped before this answer was finished."


class Role(enum.StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"


class MessageStatus(enum.StrEnum):
    STREAMING = "streaming"
    COMPLETED = "completed"
    STOPPED = "stopped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class Parameters(BaseModel):
    """The knobs of the original app, with the bounds the model APIs accept."""

    model_config = ConfigDict(extra="forbid", strict=True)

    max_tokens: int = Field(default=1024, ge=1, le=32768, description="Longest answer, in tokens.")
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    top_p: float = Field(default=0.95, ge=0.0, le=1.0)
    past_messages: int = Field(
        default=10, ge=0, le=100, description="How many earlier messages are sent with a question."
    )


class ParametersUpdate(BaseModel):
    """A partial change of parameters: absent fields keep their value."""

    model_config = ConfigDict(extra="forbid", strict=True)

    max_tokens: int | None = Field(default=None, ge=1, le=32768)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, ge=0.0, le=1.0)
    past_messages: int | None = Field(default=None, ge=0, le=100)

    def apply_to(self, base: Parameters) -> Parameters:
        return base.model_copy(update=self.model_dump(exclude_none=True))


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking. Every service call carries one; every row is scoped by `user_id`."""

    user_id: str
    name: str
    email: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)  # the app's own: "user", "admin"
    tenant_id: str | None = None


@dataclass(frozen=True, slots=True)
class User:
    """A person who has signed in at least once; the id is Entra's object id (`oid`)."""

    id: str
    tenant_id: str | None
    name: str
    email: str | None
    created_at: datetime
    last_seen_at: datetime


@dataclass(slots=True)
class Conversation:
    id: str
    user_id: str
    title: str
    system_prompt: str
    parameters: Parameters
    model: str | None
    created_at: datetime
    updated_at: datetime
    current_message_id: str | None = None


Rating = Literal["up", "down"]


@dataclass(frozen=True, slots=True)
class Feedback:
    """A user's verdict on an answer: one per user per answer, replaced when given again."""

    message_id: str
    user_id: str
    rating: Rating
    reason: str | None
    comment: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(slots=True)
class Message:
    id: str
    conversation_id: str
    user_id: str
    parent_id: str | None
    role: Role
    content: str
    status: MessageStatus
    model: str | None
    created_at: datetime
    usage: Usage | None = None
    finish_reason: str | None = None
    error_code: str | None = None
    error_detail: str | None = None
    # Set when the owner edited an answer by hand: the model's own text is kept in `original_content`.
    original_content: str | None = None
    edited_at: datetime | None = None
    feedback: Feedback | None = None


@dataclass(slots=True)
class Preset:
    """A saved system prompt, parameters and model under a name the user chose."""

    id: str
    user_id: str
    name: str
    system_prompt: str
    parameters: Parameters
    model: str | None
    created_at: datetime
    updated_at: datetime


def new_id() -> str:
    return uuid.uuid4().hex


_last_timestamp = datetime.min.replace(tzinfo=UTC)


def now() -> datetime:
    """UTC now, strictly increasing within this process so creation order is total.

    A question and the answer placeholder are created in the same microsecond;
    ordering messages by time alone would otherwise be ambiguous.
    """
    global _last_timestamp
    current = datetime.now(UTC)
    if current <= _last_timestamp:
        current = _last_timestamp + timedelta(microseconds=1)
    _last_timestamp = current
    return current


# Times stored as text (Cosmos DB items, prompt-log records): UTC, microseconds always written, so
# that text order is time order (`isoformat()` drops `.000000` when they are zero).
UTC_TEXT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).strftime(UTC_TEXT_FORMAT)


def parse_utc_text(text: str) -> datetime:
    return datetime.strptime(text, UTC_TEXT_FORMAT).replace(tzinfo=UTC)

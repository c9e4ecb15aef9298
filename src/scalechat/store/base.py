"""The `ConversationStore` protocol. Every method is scoped by the owner's user id:
a row of another user is indistinguishable from a missing one."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import orjson

from scalechat.domain import Conversation, Message, MessageStatus, Parameters, Usage
from scalechat.errors import InvalidRequest


@dataclass(frozen=True, slots=True)
class Cursor:
    """Position in a newest-first list: the last item's `updated_at` and id."""

    updated_at: datetime
    id: str

    def encode(self) -> str:
        raw = orjson.dumps([self.updated_at.isoformat(), self.id])
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            stamp, ident = orjson.loads(raw)
            if not isinstance(stamp, str) or not isinstance(ident, str):
                raise ValueError
            parsed = datetime.fromisoformat(stamp)
            if parsed.tzinfo is None:
                raise ValueError
            return cls(parsed, ident)
        except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
            raise InvalidRequest(
                "The cursor is not one this API gave out; start again without it.", code="invalid_cursor"
            ) from None


@dataclass(frozen=True, slots=True)
class ConversationPage:
    items: list[Conversation]
    next_cursor: Cursor | None


@dataclass(frozen=True, slots=True)
class ConversationChanges:
    """A partial update: only the fields that are not None are written (never the whole row,
    so a rename and a new answer arriving at the same moment both survive)."""

    updated_at: datetime
    title: str | None = None
    system_prompt: str | None = None
    parameters: Parameters | None = None
    model: str | None = None
    current_message_id: str | None = None


@dataclass(frozen=True, slots=True)
class NewExchange:
    """Messages to add, and how the conversation moves to them.

    Written only if the conversation still shows `expected_current_id`: of two
    questions sent at once (a double click, two tabs), one wins and the other
    gets a conflict instead of a second branch nobody asked for.
    """

    messages: list[Message]
    expected_current_id: str | None
    current_message_id: str
    updated_at: datetime
    title_if_untitled: str | None = None


@dataclass(frozen=True, slots=True)
class Checkpoint:
    user_id: str
    message_id: str
    content: str


@dataclass(frozen=True, slots=True)
class FinishedMessage:
    user_id: str
    message_id: str
    outcome: MessageOutcome


@dataclass(frozen=True, slots=True)
class MessageOutcome:
    """How a streamed answer ended, as stored."""

    content: str
    status: MessageStatus
    usage: Usage | None = None
    finish_reason: str | None = None
    error_code: str | None = None
    error_detail: str | None = None


class ConversationStore(Protocol):
    async def create_conversation(self, conversation: Conversation) -> None: ...

    async def get_conversation(self, user_id: str, conversation_id: str) -> Conversation | None: ...

    async def list_conversations(
        self, user_id: str, *, limit: int, cursor: Cursor | None, query: str | None
    ) -> ConversationPage: ...

    async def update_conversation(
        self, user_id: str, conversation_id: str, changes: ConversationChanges
    ) -> Conversation | None:
        """Write the given fields; return the conversation as stored, None if there is none."""
        ...

    async def delete_conversation(self, user_id: str, conversation_id: str) -> bool: ...

    async def get_conversation_with_messages(
        self, user_id: str, conversation_id: str
    ) -> tuple[Conversation, list[Message]] | None:
        """One conversation and all its messages in creation order, read together."""
        ...

    async def get_message(self, user_id: str, message_id: str) -> Message | None: ...

    async def add_exchange(self, user_id: str, conversation_id: str, exchange: NewExchange) -> bool:
        """Insert the messages and move the conversation, in one transaction.

        False (and nothing written) when the conversation is gone or no longer
        shows `exchange.expected_current_id`.
        """
        ...

    async def save_checkpoints(self, checkpoints: list[Checkpoint]) -> None:
        """Store the text streamed so far of several answers at once."""
        ...

    async def finish_messages(self, finished: list[FinishedMessage]) -> None:
        """Store how several answers ended, in one transaction."""
        ...

    async def interrupt_streaming(self, detail: str) -> int:
        """Mark answers left `streaming` by a previous process as `interrupted`; return how many.

        Assumes one instance per database. Several instances need an owner and a
        lease per answer being written (the multi-instance work).
        """
        ...

    async def ping(self) -> None: ...

    async def aclose(self) -> None: ...

"""The storage protocols: `ConversationStore` (conversations, messages, feedback) and
`PresetStore`; `Store` is both, as one backend provides them. Every method is scoped by
the owner's user id: a row of another user is indistinguishable from a missing one."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import orjson

from scalechat.domain import Conversation, Feedback, Message, MessageStatus, Parameters, Preset, Usage, User
from scalechat.errors import Conflict, InvalidRequest


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
    so a rename and a new answer arriving at the same moment both survive).

    `updated_at` orders the history list, so it marks activity (a question, an answer),
    not edits of the conversation's settings: a renamed chat stays where it was, as in ChatGPT.
    """

    updated_at: datetime | None = None
    title: str | None = None
    system_prompt: str | None = None
    parameters: Parameters | None = None
    model: str | None = None
    current_message_id: str | None = None


@dataclass(frozen=True, slots=True)
class PresetChanges:
    """A partial update of a preset: fields that are None keep their value."""

    updated_at: datetime
    name: str | None = None
    system_prompt: str | None = None
    parameters: Parameters | None = None
    model: str | None = None
    clear_model: bool = False  # back to the default model (`model` None alone means "unchanged")


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

    async def get_message(self, user_id: str, message_id: str) -> Message | None:
        """The message with the owner's feedback, None if the user has no such message."""
        ...

    async def edit_message(self, user_id: str, message_id: str, content: str, edited_at: datetime) -> Message | None:
        """Replace an answer's text, keeping the model's text on the first edit; return it as stored.

        Conditional, not read-then-write: None (and nothing written) unless `message_id`
        is the user's answer and is not streaming.
        """
        ...

    async def set_feedback(self, feedback: Feedback) -> Feedback | None:
        """Store the user's feedback on an answer, replacing an earlier one (whose `created_at` stays).

        Conditional like `edit_message`: None (and nothing written) unless the message is
        the user's answer and is not streaming.
        """
        ...

    async def delete_feedback(self, user_id: str, message_id: str) -> bool:
        """Remove the user's feedback on a message, if any; False if the user has no such message."""
        ...

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

    async def delete_user_data(self, user_id: str) -> int:
        """Remove all the user's conversations, messages, feedback and presets (a data-subject
        request); return how many items went. Safe to run again after a failure part-way."""
        ...

    async def ping(self) -> None: ...

    async def aclose(self) -> None: ...


class PresetStore(Protocol):
    async def list_presets(self, user_id: str) -> list[Preset]:
        """All the user's presets, by name case-insensitively."""
        ...

    async def get_preset(self, user_id: str, preset_id: str) -> Preset | None: ...

    async def create_preset(self, preset: Preset, *, limit: int) -> None:
        """Insert the preset.

        Raises Conflict `preset_name_taken` when the user has a preset of that name, and
        `too_many_presets` when the user already has `limit`; nothing is written then.
        """
        ...

    async def update_preset(self, user_id: str, preset_id: str, changes: PresetChanges) -> Preset | None:
        """Write the given fields; return the preset as stored, None if there is none.

        Raises Conflict `preset_name_taken` on a rename to a name the user has.
        """
        ...

    async def delete_preset(self, user_id: str, preset_id: str) -> bool: ...


def preset_name_taken(name: str) -> Conflict:
    """What `create_preset` and `update_preset` raise on a name the user has (every backend)."""
    return Conflict(f"You already have a preset named {name!r}.", code="preset_name_taken")


def too_many_presets(limit: int) -> Conflict:
    """What `create_preset` raises when the user has `limit` presets (every backend)."""
    return Conflict(f"You have {limit} presets, the most there can be; delete one first.", code="too_many_presets")


class Store(ConversationStore, PresetStore, Protocol):
    """Everything a storage backend provides."""


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A browser session as stored. `id` is a hash of the cookie; `secrets` holds the tokens,
    encrypted with a key only the cookie gives (see auth/sessions.py). `version` grows with
    each token renewal, so that of two concurrent renewals only one is written."""

    id: str
    user_id: str
    claims: dict[str, Any]
    secrets: str
    version: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


class IdentityStore(Protocol):
    """Users and browser sessions. Not scoped by user: the caller holds the
    session's hash, which only the cookie's owner can produce."""

    async def save_user(self, user: User) -> None:
        """Create the user, or update name, e-mail, tenant and last-seen time."""
        ...

    async def get_user(self, user_id: str) -> User | None: ...

    async def delete_user(self, user_id: str) -> bool:
        """Remove the user and all their sessions (signed out everywhere); False if there was no user."""
        ...

    async def create_session(self, session: StoredSession) -> None: ...

    async def get_session(self, session_id: str) -> StoredSession | None: ...

    async def touch_session(self, session_id: str, last_seen_at: datetime) -> None: ...

    async def renew_session(
        self, session_id: str, *, expected_version: int, claims: dict[str, Any], secrets: str
    ) -> bool:
        """Store renewed tokens if the session is still at `expected_version`; False if not."""
        ...

    async def delete_session(self, session_id: str) -> bool: ...

    async def purge(self, *, expired_before: datetime, idle_before: datetime) -> int:
        """Remove sessions past their absolute or idle limit; return how many."""
        ...

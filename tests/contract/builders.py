"""Objects for the contract tests: fresh ids for every test, times the test controls."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from scalechat.domain import (
    DEFAULT_TITLE,
    Conversation,
    Message,
    MessageStatus,
    Parameters,
    Preset,
    Role,
    User,
    new_id,
    now,
)
from scalechat.store.base import NewExchange, Store, StoredSession

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def fresh_user() -> str:
    return f"user-{uuid.uuid4().hex}"


def conversation(user_id: str, *, title: str = DEFAULT_TITLE, updated_at: datetime | None = None) -> Conversation:
    stamp = updated_at or now()
    return Conversation(
        id=new_id(),
        user_id=user_id,
        title=title,
        system_prompt="You are terse.",
        parameters=Parameters(max_tokens=321, temperature=0.25, top_p=0.5, past_messages=3),
        model="gpt-test",
        created_at=stamp,
        updated_at=stamp,
    )


def question(chat: Conversation, content: str, *, parent_id: str | None = None) -> Message:
    return Message(
        id=new_id(),
        conversation_id=chat.id,
        user_id=chat.user_id,
        parent_id=parent_id,
        role=Role.USER,
        content=content,
        status=MessageStatus.COMPLETED,
        model=None,
        created_at=now(),
    )


def answer(chat: Conversation, asked: Message, *, status: MessageStatus = MessageStatus.STREAMING) -> Message:
    return Message(
        id=new_id(),
        conversation_id=chat.id,
        user_id=chat.user_id,
        parent_id=asked.id,
        role=Role.ASSISTANT,
        content="",
        status=status,
        model="gpt-test",
        created_at=now(),
    )


def exchange(
    chat: Conversation, asked: Message, answered: Message, *, expected: str | None, title: str | None = None
) -> NewExchange:
    return NewExchange(
        messages=[asked, answered],
        expected_current_id=expected,
        current_message_id=answered.id,
        updated_at=answered.created_at,
        title_if_untitled=title,
    )


async def chat_with_answer(
    store: Store, user_id: str, text: str = "What is 2 + 2?", *, status: MessageStatus = MessageStatus.STREAMING
) -> tuple[Conversation, Message, Message]:
    """A stored conversation with one question and its answer (streaming unless `status` says otherwise)."""
    chat = conversation(user_id)
    await store.create_conversation(chat)
    asked = question(chat, text)
    answered = answer(chat, asked, status=status)
    assert await store.add_exchange(user_id, chat.id, exchange(chat, asked, answered, expected=None))
    return chat, asked, answered


def preset(user_id: str, name: str, *, model: str | None = "gpt-test") -> Preset:
    stamp = now()
    return Preset(
        id=new_id(),
        user_id=user_id,
        name=name,
        system_prompt=f"Act as {name}.",
        parameters=Parameters(temperature=0.1),
        model=model,
        created_at=stamp,
        updated_at=stamp,
    )


def user(user_id: str, *, name: str = "Ada Lovelace", seen: datetime = T0) -> User:
    return User(
        id=user_id, tenant_id="tenant-1", name=name, email="ada@example.com", created_at=seen, last_seen_at=seen
    )


def session(
    user_id: str, *, last_seen_at: datetime = T0, expires_at: datetime | None = None, version: int = 1
) -> StoredSession:
    return StoredSession(
        id=uuid.uuid4().hex + uuid.uuid4().hex,
        user_id=user_id,
        claims={"name": "Ada", "roles": ["user"], "nested": {"n": 1}},
        secrets="ciphertext-1",
        version=version,
        created_at=last_seen_at,
        last_seen_at=last_seen_at,
        expires_at=expires_at or last_seen_at + timedelta(hours=24),
    )

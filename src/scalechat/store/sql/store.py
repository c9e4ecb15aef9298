"""`ConversationStore` on SQLAlchemy Core (async). Right for SQLite and for PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, event, exists, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from scalechat.domain import Conversation, Message, MessageStatus, Parameters, Role, Usage
from scalechat.store.base import ConversationPage, Cursor, MessageOutcome
from scalechat.store.sql.tables import conversations, messages


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, pool_size=4, max_overflow=4, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_async_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)


def _like_pattern(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conversation(row: Row[Any]) -> Conversation:
    return Conversation(
        id=row.id,
        user_id=row.user_id,
        title=row.title,
        system_prompt=row.system_prompt,
        parameters=Parameters.model_validate(row.parameters),
        model=row.model,
        created_at=row.created_at,
        updated_at=row.updated_at,
        current_message_id=row.current_message_id,
    )


def _message(row: Row[Any]) -> Message:
    return Message(
        id=row.id,
        conversation_id=row.conversation_id,
        user_id=row.user_id,
        parent_id=row.parent_id,
        role=Role(row.role),
        content=row.content,
        status=MessageStatus(row.status),
        model=row.model,
        created_at=row.created_at,
        usage=Usage.model_validate(row.usage) if row.usage else None,
        finish_reason=row.finish_reason,
        error_code=row.error_code,
        error_detail=row.error_detail,
    )


def _conversation_values(conversation: Conversation) -> dict[str, Any]:
    return {
        "title": conversation.title,
        "system_prompt": conversation.system_prompt,
        "parameters": conversation.parameters.model_dump(),
        "model": conversation.model,
        "current_message_id": conversation.current_message_id,
        "updated_at": conversation.updated_at,
    }


class SqlConversationStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create_conversation(self, conversation: Conversation) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(conversations).values(
                    id=conversation.id,
                    user_id=conversation.user_id,
                    created_at=conversation.created_at,
                    **_conversation_values(conversation),
                )
            )

    async def get_conversation(self, user_id: str, conversation_id: str) -> Conversation | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    select(conversations).where(
                        conversations.c.id == conversation_id, conversations.c.user_id == user_id
                    )
                )
            ).first()
        return _conversation(row) if row else None

    async def list_conversations(
        self, user_id: str, *, limit: int, cursor: Cursor | None, query: str | None
    ) -> ConversationPage:
        statement = select(conversations).where(conversations.c.user_id == user_id)
        if cursor is not None:
            statement = statement.where(
                or_(
                    conversations.c.updated_at < cursor.updated_at,
                    and_(conversations.c.updated_at == cursor.updated_at, conversations.c.id < cursor.id),
                )
            )
        if query:
            pattern = _like_pattern(query.lower())
            in_messages = exists().where(
                messages.c.conversation_id == conversations.c.id,
                messages.c.user_id == user_id,
                func.lower(messages.c.content).like(pattern, escape="\\"),
            )
            statement = statement.where(or_(func.lower(conversations.c.title).like(pattern, escape="\\"), in_messages))
        statement = statement.order_by(conversations.c.updated_at.desc(), conversations.c.id.desc()).limit(limit + 1)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(statement)).all()
        items = [_conversation(row) for row in rows[:limit]]
        next_cursor = Cursor(items[-1].updated_at, items[-1].id) if len(rows) > limit else None
        return ConversationPage(items, next_cursor)

    async def update_conversation(self, conversation: Conversation) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(conversations)
                .where(conversations.c.id == conversation.id, conversations.c.user_id == conversation.user_id)
                .values(**_conversation_values(conversation))
            )

    async def delete_conversation(self, user_id: str, conversation_id: str) -> bool:
        async with self._engine.begin() as conn:
            owned = (
                await conn.execute(
                    select(conversations.c.id).where(
                        conversations.c.id == conversation_id, conversations.c.user_id == user_id
                    )
                )
            ).first()
            if owned is None:
                return False
            await conn.execute(delete(messages).where(messages.c.conversation_id == conversation_id))
            await conn.execute(delete(conversations).where(conversations.c.id == conversation_id))
        return True

    async def list_messages(self, user_id: str, conversation_id: str) -> list[Message]:
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(messages)
                    .where(messages.c.conversation_id == conversation_id, messages.c.user_id == user_id)
                    .order_by(messages.c.created_at, messages.c.id)
                )
            ).all()
        return [_message(row) for row in rows]

    async def get_message(self, user_id: str, message_id: str) -> Message | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(messages).where(messages.c.id == message_id, messages.c.user_id == user_id))
            ).first()
        return _message(row) if row else None

    async def add_messages(self, conversation: Conversation, new_messages: list[Message]) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(messages),
                [
                    {
                        "id": m.id,
                        "conversation_id": m.conversation_id,
                        "user_id": m.user_id,
                        "parent_id": m.parent_id,
                        "role": m.role.value,
                        "content": m.content,
                        "status": m.status.value,
                        "model": m.model,
                        "usage": m.usage.model_dump() if m.usage else None,
                        "finish_reason": m.finish_reason,
                        "error_code": m.error_code,
                        "error_detail": m.error_detail,
                        "created_at": m.created_at,
                    }
                    for m in new_messages
                ],
            )
            await conn.execute(
                update(conversations)
                .where(conversations.c.id == conversation.id, conversations.c.user_id == conversation.user_id)
                .values(**_conversation_values(conversation))
            )

    async def save_checkpoints(self, contents: dict[str, str]) -> None:
        if not contents:
            return
        async with self._engine.begin() as conn:
            for message_id, content in contents.items():
                await conn.execute(
                    update(messages)
                    .where(messages.c.id == message_id, messages.c.status == MessageStatus.STREAMING.value)
                    .values(content=content)
                )

    async def finish_message(self, message_id: str, outcome: MessageOutcome) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(messages)
                .where(messages.c.id == message_id)
                .values(
                    content=outcome.content,
                    status=outcome.status.value,
                    usage=outcome.usage.model_dump() if outcome.usage else None,
                    finish_reason=outcome.finish_reason,
                    error_code=outcome.error_code,
                    error_detail=outcome.error_detail,
                )
            )

    async def interrupt_streaming(self) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(messages)
                .where(messages.c.status == MessageStatus.STREAMING.value)
                .values(
                    status=MessageStatus.INTERRUPTED.value,
                    error_code="interrupted",
                    error_detail="The server stopped before this answer was finished.",
                )
            )
        return int(result.rowcount or 0)

    async def ping(self) -> None:
        async with self._engine.connect() as conn:
            await conn.execute(select(1))

    async def aclose(self) -> None:
        await self._engine.dispose()

"""`Store` (conversations, messages, feedback, presets) on SQLAlchemy Core (async).
Right for SQLite and for PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Select

from scalechat.domain import (
    DEFAULT_TITLE,
    Conversation,
    Feedback,
    Message,
    MessageStatus,
    Parameters,
    Preset,
    Role,
    Usage,
)
from scalechat.store.base import (
    Checkpoint,
    ConversationChanges,
    ConversationPage,
    Cursor,
    FinishedMessage,
    NewExchange,
    PresetChanges,
    preset_name_taken,
    too_many_presets,
)
from scalechat.store.sql.engine import TokenCredential, create_engine
from scalechat.store.sql.tables import conversations, message_feedback, messages, presets

__all__ = ["SqlConversationStore", "create_engine"]


def _conversation_of(user_id: str, conversation_id: str) -> Select[Any]:
    return select(conversations).where(conversations.c.id == conversation_id, conversations.c.user_id == user_id)


# The owner's feedback rides along with each message (a left join): no query per message.
_FEEDBACK_PREFIX = "feedback_"
_FEEDBACK_COLUMNS = [column.label(_FEEDBACK_PREFIX + column.name) for column in message_feedback.c]


def _messages_with_feedback(*where: ColumnElement[bool]) -> Select[Any]:
    owners_feedback = and_(
        message_feedback.c.message_id == messages.c.id, message_feedback.c.user_id == messages.c.user_id
    )
    return select(messages, *_FEEDBACK_COLUMNS).outerjoin(message_feedback, owners_feedback).where(*where)


def _messages_of(user_id: str, conversation_id: str) -> Select[Any]:
    return _messages_with_feedback(
        messages.c.conversation_id == conversation_id, messages.c.user_id == user_id
    ).order_by(messages.c.created_at, messages.c.id)


def _answer_open_to_changes(user_id: str, message_id: str) -> ColumnElement[bool]:
    """The user's answer, finished: only such a message takes an edit or feedback."""
    return and_(
        messages.c.id == message_id,
        messages.c.user_id == user_id,
        messages.c.role == Role.ASSISTANT.value,
        messages.c.status != MessageStatus.STREAMING.value,
    )


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


def _feedback(row: Row[Any], prefix: str = "") -> Feedback | None:
    values = row._mapping
    if values[prefix + "rating"] is None:  # no feedback in a left join
        return None
    return Feedback(
        message_id=values[prefix + "message_id"],
        user_id=values[prefix + "user_id"],
        rating=values[prefix + "rating"],
        reason=values[prefix + "reason"],
        comment=values[prefix + "comment"],
        created_at=values[prefix + "created_at"],
        updated_at=values[prefix + "updated_at"],
    )


def _preset(row: Row[Any]) -> Preset:
    return Preset(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        system_prompt=row.system_prompt,
        parameters=Parameters.model_validate(row.parameters),
        model=row.model,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _message(row: Row[Any]) -> Message:
    """A row of `_messages_with_feedback`."""
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
        original_content=row.original_content,
        edited_at=row.edited_at,
        feedback=_feedback(row, _FEEDBACK_PREFIX),
    )


def _message_values(m: Message) -> dict[str, Any]:
    return {
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
        "original_content": m.original_content,
        "edited_at": m.edited_at,
    }


class SqlConversationStore:
    """Implements `Store`: the conversation protocol and the preset protocol."""

    def __init__(self, engine: AsyncEngine, *, credential: TokenCredential | None = None) -> None:
        self._engine = engine
        self._credential = credential  # Entra ID sign-in: closed with the engine

    async def create_conversation(self, conversation: Conversation) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(conversations).values(
                    id=conversation.id,
                    user_id=conversation.user_id,
                    title=conversation.title,
                    system_prompt=conversation.system_prompt,
                    parameters=conversation.parameters.model_dump(),
                    model=conversation.model,
                    current_message_id=conversation.current_message_id,
                    created_at=conversation.created_at,
                    updated_at=conversation.updated_at,
                )
            )

    async def get_conversation(self, user_id: str, conversation_id: str) -> Conversation | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(_conversation_of(user_id, conversation_id))).first()
        return _conversation(row) if row else None

    async def list_conversations(
        self, user_id: str, *, limit: int, cursor: Cursor | None, query: str | None
    ) -> ConversationPage:
        statement = select(conversations).where(conversations.c.user_id == user_id)
        if cursor is not None:
            # A row-value comparison: PostgreSQL makes it an index condition on
            # ix_conversations_user_updated (an OR of the two cases is a filter after the scan).
            statement = statement.where(
                tuple_(conversations.c.updated_at, conversations.c.id) < tuple_(cursor.updated_at, cursor.id)
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

    async def update_conversation(
        self, user_id: str, conversation_id: str, changes: ConversationChanges
    ) -> Conversation | None:
        values: dict[str, Any] = {}
        for name in ("updated_at", "title", "system_prompt", "model", "current_message_id"):
            value = getattr(changes, name)
            if value is not None:
                values[name] = value
        if changes.parameters is not None:
            values["parameters"] = changes.parameters.model_dump()
        if not values:
            return await self.get_conversation(user_id, conversation_id)
        async with self._engine.begin() as conn:
            row = (
                await conn.execute(
                    update(conversations)
                    .where(conversations.c.id == conversation_id, conversations.c.user_id == user_id)
                    .values(**values)
                    .returning(*conversations.c)
                )
            ).first()
        return _conversation(row) if row else None

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
            in_conversation = select(messages.c.id).where(messages.c.conversation_id == conversation_id)
            await conn.execute(delete(message_feedback).where(message_feedback.c.message_id.in_(in_conversation)))
            await conn.execute(delete(messages).where(messages.c.conversation_id == conversation_id))
            await conn.execute(delete(conversations).where(conversations.c.id == conversation_id))
        return True

    async def get_conversation_with_messages(
        self, user_id: str, conversation_id: str
    ) -> tuple[Conversation, list[Message]] | None:
        # One connection, one read transaction: a consistent pair, one pool checkout on the hot path.
        async with self._engine.connect() as conn:
            row = (await conn.execute(_conversation_of(user_id, conversation_id))).first()
            if row is None:
                return None
            rows = (await conn.execute(_messages_of(user_id, conversation_id))).all()
        return _conversation(row), [_message(r) for r in rows]

    async def get_message(self, user_id: str, message_id: str) -> Message | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(_messages_with_feedback(messages.c.id == message_id, messages.c.user_id == user_id))
            ).first()
        return _message(row) if row else None

    async def edit_message(self, user_id: str, message_id: str, content: str, edited_at: datetime) -> Message | None:
        async with self._engine.begin() as conn:
            edited = await conn.execute(
                update(messages)
                .where(_answer_open_to_changes(user_id, message_id))
                .values(
                    content=content,
                    edited_at=edited_at,
                    # SET expressions see the row as it was: on the first edit this keeps the model's text.
                    original_content=func.coalesce(messages.c.original_content, messages.c.content),
                )
            )
            if edited.rowcount != 1:
                return None
            row = (
                await conn.execute(_messages_with_feedback(messages.c.id == message_id, messages.c.user_id == user_id))
            ).first()
        return _message(row) if row else None

    async def set_feedback(self, feedback: Feedback) -> Feedback | None:
        upsert = postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        c = message_feedback.c
        # INSERT ... SELECT from the message itself: the row is written only if the message is
        # the user's finished answer, decided in the same statement as the write.
        source = select(
            messages.c.id,
            messages.c.user_id,
            literal(feedback.rating, c.rating.type),
            literal(feedback.reason, c.reason.type),
            literal(feedback.comment, c.comment.type),
            literal(feedback.created_at, c.created_at.type),
            literal(feedback.updated_at, c.updated_at.type),
        ).where(_answer_open_to_changes(feedback.user_id, feedback.message_id))
        inserting = upsert(message_feedback).from_select(
            ["message_id", "user_id", "rating", "reason", "comment", "created_at", "updated_at"], source
        )
        replacing = inserting.on_conflict_do_update(
            index_elements=[c.message_id, c.user_id],
            set_={
                "rating": inserting.excluded.rating,
                "reason": inserting.excluded.reason,
                "comment": inserting.excluded.comment,
                "updated_at": inserting.excluded.updated_at,  # created_at stays
            },
        )
        async with self._engine.begin() as conn:
            row = (await conn.execute(replacing.returning(*c))).first()
        return _feedback(row) if row else None

    async def delete_feedback(self, user_id: str, message_id: str) -> bool:
        async with self._engine.begin() as conn:
            owned = (
                await conn.execute(
                    select(messages.c.id).where(messages.c.id == message_id, messages.c.user_id == user_id)
                )
            ).first()
            if owned is None:
                return False
            await conn.execute(
                delete(message_feedback).where(
                    message_feedback.c.message_id == message_id, message_feedback.c.user_id == user_id
                )
            )
        return True

    async def add_exchange(self, user_id: str, conversation_id: str, exchange: NewExchange) -> bool:
        values: dict[str, Any] = {
            "current_message_id": exchange.current_message_id,
            "updated_at": exchange.updated_at,
        }
        if exchange.title_if_untitled is not None:
            values["title"] = case(
                (conversations.c.title == DEFAULT_TITLE, exchange.title_if_untitled), else_=conversations.c.title
            )
        async with self._engine.begin() as conn:
            # The conditional update first: it takes the row's write lock, so a concurrent
            # question or delete either happened before (no row matches) or waits for us.
            moved = await conn.execute(
                update(conversations)
                .where(
                    conversations.c.id == conversation_id,
                    conversations.c.user_id == user_id,
                    conversations.c.current_message_id.is_(None)
                    if exchange.expected_current_id is None
                    else conversations.c.current_message_id == exchange.expected_current_id,
                )
                .values(**values)
            )
            if moved.rowcount != 1:
                await conn.rollback()
                return False
            await conn.execute(insert(messages), [_message_values(m) for m in exchange.messages])
        return True

    async def save_checkpoints(self, checkpoints: list[Checkpoint]) -> None:
        if not checkpoints:
            return
        statement = (
            update(messages)
            .where(
                messages.c.id == bindparam("message_id"),
                messages.c.user_id == bindparam("owner"),
                messages.c.status == MessageStatus.STREAMING.value,
            )
            .values(content=bindparam("text"))
        )
        async with self._engine.begin() as conn:
            await conn.execute(
                statement,
                [{"message_id": c.message_id, "owner": c.user_id, "text": c.content} for c in checkpoints],
            )

    async def finish_messages(self, finished: list[FinishedMessage]) -> None:
        if not finished:
            return
        statement = (
            update(messages)
            .where(messages.c.id == bindparam("message_id"), messages.c.user_id == bindparam("owner"))
            .values(
                content=bindparam("text"),
                status=bindparam("end_status"),
                usage=bindparam("end_usage", type_=messages.c.usage.type),
                finish_reason=bindparam("end_reason"),
                error_code=bindparam("end_code"),
                error_detail=bindparam("end_detail"),
            )
        )
        rows = [
            {
                "message_id": f.message_id,
                "owner": f.user_id,
                "text": f.outcome.content,
                "end_status": f.outcome.status.value,
                "end_usage": f.outcome.usage.model_dump() if f.outcome.usage else None,
                "end_reason": f.outcome.finish_reason,
                "end_code": f.outcome.error_code,
                "end_detail": f.outcome.error_detail,
            }
            for f in finished
        ]
        async with self._engine.begin() as conn:
            await conn.execute(statement, rows)

    async def interrupt_streaming(self, detail: str) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(messages)
                .where(messages.c.status == MessageStatus.STREAMING.value)
                .values(status=MessageStatus.INTERRUPTED.value, error_code="interrupted", error_detail=detail)
            )
        return int(result.rowcount or 0)

    async def delete_user_data(self, user_id: str) -> int:
        # Counts conversations, messages and presets; feedback goes with its message (as on Cosmos DB,
        # where it is part of the message's document). One transaction: all of it or none.
        async with self._engine.begin() as conn:
            await conn.execute(delete(message_feedback).where(message_feedback.c.user_id == user_id))
            removed = 0
            for table in (messages, conversations, presets):
                result = await conn.execute(delete(table).where(table.c.user_id == user_id))
                removed += int(result.rowcount or 0)
        return removed

    # -- presets -------------------------------------------------------------

    async def list_presets(self, user_id: str) -> list[Preset]:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(presets).where(presets.c.user_id == user_id))).all()
        # Sorted here, not in SQL: SQLite's lower() folds ASCII only; a user has at most a few hundred.
        return sorted((_preset(row) for row in rows), key=lambda p: (p.name.casefold(), p.name, p.id))

    async def get_preset(self, user_id: str, preset_id: str) -> Preset | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(presets).where(presets.c.id == preset_id, presets.c.user_id == user_id))
            ).first()
        return _preset(row) if row else None

    async def create_preset(self, preset: Preset, *, limit: int) -> None:
        values: dict[str, Any] = {
            "id": preset.id,
            "user_id": preset.user_id,
            "name": preset.name,
            "system_prompt": preset.system_prompt,
            "parameters": preset.parameters.model_dump(),
            "model": preset.model,
            "created_at": preset.created_at,
            "updated_at": preset.updated_at,
        }
        owned = select(func.count()).select_from(presets).where(presets.c.user_id == preset.user_id).scalar_subquery()
        # One statement: the count and the insert cannot be split by another request on SQLite
        # (one writer). On PostgreSQL two creates at the very same moment may both pass the count.
        source = select(*(literal(values[column.name], column.type) for column in presets.c)).where(owned < limit)
        statement = insert(presets).from_select(list(values), source).returning(presets.c.id)
        try:
            async with self._engine.begin() as conn:
                inserted = (await conn.execute(statement)).first()
        except IntegrityError:
            # The only constraint a preset write can break: ids are fresh uuids, every column is given.
            raise preset_name_taken(preset.name) from None
        if inserted is None:
            raise too_many_presets(limit)

    async def update_preset(self, user_id: str, preset_id: str, changes: PresetChanges) -> Preset | None:
        values: dict[str, Any] = {"updated_at": changes.updated_at}
        for name in ("name", "system_prompt", "model"):
            value = getattr(changes, name)
            if value is not None:
                values[name] = value
        if changes.clear_model:
            values["model"] = None
        if changes.parameters is not None:
            values["parameters"] = changes.parameters.model_dump()
        try:
            async with self._engine.begin() as conn:
                row = (
                    await conn.execute(
                        update(presets)
                        .where(presets.c.id == preset_id, presets.c.user_id == user_id)
                        .values(**values)
                        .returning(*presets.c)
                    )
                ).first()
        except IntegrityError:
            raise preset_name_taken(changes.name or "") from None
        return _preset(row) if row else None

    async def delete_preset(self, user_id: str, preset_id: str) -> bool:
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(presets).where(presets.c.id == preset_id, presets.c.user_id == user_id))
        return bool(result.rowcount)

    async def ping(self) -> None:
        async with self._engine.connect() as conn:
            await conn.execute(select(1))

    async def aclose(self) -> None:
        await self._engine.dispose()
        if self._credential is not None:
            await self._credential.close()

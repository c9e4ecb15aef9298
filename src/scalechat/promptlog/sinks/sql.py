"""The `chat_log` table in the SQL database (SQLite or PostgreSQL): one row per record, upserted by id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Insert, delete, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from scalechat.promptlog.record import parse_timestamp
from scalechat.promptlog.sinks.base import Document
from scalechat.store.sql.engine import TokenCredential
from scalechat.store.sql.tables import chat_log

# Reads go page by page: a long export must not hold SQLite's one pooled connection.
READ_PAGE = 500


def _row(document: Document) -> dict[str, Any]:
    usage = document["message"]["other_attr"][0].get("usage") or {}
    latency = document.get("latency_ms") or {}
    return {
        "id": document["id"],
        "chat_session_id": document["chat_session_id"],
        "user_id": document["user"]["user_id"],
        "tenant_id": document.get("tenant_id"),
        "created_at": parse_timestamp(document["created_at"]),
        "model": document["message"]["other_attr"][0].get("model"),
        "deployment": document.get("deployment"),
        "provider": document.get("provider"),
        "status": document["status"],
        "finish_reason": document.get("finish_reason"),
        "error_code": document.get("error_code"),
        "prompt_tokens": usage.get("prompt_tokens"),
        "completion_tokens": usage.get("completion_tokens"),
        "total_tokens": usage.get("total_tokens"),
        "first_token_ms": latency.get("first_token"),
        "total_ms": latency.get("total"),
        "content_mode": document["content_mode"],
        "schema_version": document["schema_version"],
        "document": document,
    }


# About 4 ms of SQLite's connection per transaction with 3 KB prompts (6,000 records/s).
ROWS_PER_TRANSACTION = 25


class SqlSink:
    name = "sql"

    def __init__(self, engine: AsyncEngine, *, owned: bool = False, credential: TokenCredential | None = None) -> None:
        self._engine = engine
        self._owned = owned  # False: the conversation store's engine, closed by the store
        self._credential = credential

    async def open(self) -> None:
        return None  # the table comes with the migrations

    def _upsert(self) -> Insert:
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(chat_log)
        changed = {column.name: statement.excluded[column.name] for column in chat_log.c if column.name != "id"}
        upsert: Insert = statement.on_conflict_do_update(index_elements=[chat_log.c.id], set_=changed)
        return upsert

    async def write(self, documents: list[Document]) -> None:
        # One row per id: PostgreSQL refuses to update the same row twice in one statement.
        rows = list({document["id"]: _row(document) for document in documents}.values())
        # Short transactions: on SQLite the log shares the chats' one connection, and a chat waits
        # for the whole of a transaction in front of it. A failure part-way fails the batch, and
        # writing the rows that landed again is harmless (upsert by id).
        for start in range(0, len(rows), ROWS_PER_TRANSACTION):
            async with self._engine.begin() as conn:
                await conn.execute(self._upsert(), rows[start : start + ROWS_PER_TRANSACTION])

    async def purge(self, older_than: datetime) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(chat_log).where(chat_log.c.created_at < older_than))
            return result.rowcount

    async def delete_user(self, user_id: str) -> int:
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(chat_log).where(chat_log.c.user_id == user_id))
            return result.rowcount

    async def records(self, since: datetime, until: datetime | None = None) -> AsyncIterator[Document]:
        where = [chat_log.c.created_at >= since]
        if until is not None:
            where.append(chat_log.c.created_at < until)
        async for document in self._pages(where):
            yield document

    async def records_of_user(self, user_id: str) -> AsyncIterator[Document]:
        async for document in self._pages([chat_log.c.user_id == user_id]):
            yield document

    async def _pages(self, where: list[ColumnElement[bool]]) -> AsyncIterator[Document]:
        after: tuple[datetime, str] | None = None
        while True:
            query = select(chat_log.c.created_at, chat_log.c.id, chat_log.c.document).where(*where)
            if after is not None:
                query = query.where(tuple_(chat_log.c.created_at, chat_log.c.id) > after)
            query = query.order_by(chat_log.c.created_at, chat_log.c.id).limit(READ_PAGE)
            async with self._engine.connect() as conn:
                rows = (await conn.execute(query)).all()
            for row in rows:
                yield row.document
            if len(rows) < READ_PAGE:
                return
            after = (rows[-1].created_at, rows[-1].id)

    async def aclose(self) -> None:
        if self._owned:
            await self._engine.dispose()
        if self._credential is not None:
            await self._credential.close()

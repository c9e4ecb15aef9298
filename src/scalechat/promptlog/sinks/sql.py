"""The `chat_log` table in the SQL database (SQLite or PostgreSQL): one row per record, upserted by id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Insert, delete, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from scalechat.domain import now, utc_text
from scalechat.promptlog.record import analytics_columns
from scalechat.promptlog.sinks.base import Document, RecordRejected, keys_of, user_key, without_erased
from scalechat.store.sql.engine import TokenCredential
from scalechat.store.sql.tables import chat_log, chat_log_erasures

# Reads go page by page: a long export must not hold SQLite's one pooled connection.
READ_PAGE = 500
# Purges and erasures delete this many rows per transaction, for the same reason.
DELETE_CHUNK = 1_000


def without_nul(value: Any) -> Any:
    """`value` without U+0000, which PostgreSQL stores neither in text nor in JSONB (and a model's
    or user's text may hold). Dropped rather than escaped: it carries nothing a reader needs."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    return value


def refuses_the_values(error: DBAPIError) -> bool:
    """The database refuses the values themselves (a column's length, a missing value), as it will
    at every retry: SQLSTATE classes 22 (data exception) and 23 (integrity constraint). asyncpg's
    adapter reports class 22 as a plain DBAPIError, hence the code as well as the type."""
    if isinstance(error, DataError | IntegrityError):
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate[:2] in {"22", "23"}


def _row(document: Document) -> dict[str, Any]:
    document = without_nul(document)
    columns = analytics_columns(document)
    return {
        **{column.name: columns[column.name] for column in chat_log.c if column.name != "document"},
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
        documents = without_erased(documents, await self._erasures(documents))
        # One row per id: PostgreSQL refuses to update the same row twice in one statement.
        rows = list({document["id"]: _row(document) for document in documents}.values())
        # Short transactions: on SQLite the log shares the chats' one connection, and a chat waits
        # for the whole of a transaction in front of it. A failure part-way fails the batch, and
        # writing the rows that landed again is harmless (upsert by id).
        try:
            for start in range(0, len(rows), ROWS_PER_TRANSACTION):
                async with self._engine.begin() as conn:
                    await conn.execute(self._upsert(), rows[start : start + ROWS_PER_TRANSACTION])
        except DBAPIError as error:
            if not refuses_the_values(error):
                raise
            # The driver's message may quote the values, so it is not repeated.
            raise RecordRejected(f"the database refused a record ({type(error.orig).__name__})") from error

    async def purge(self, older_than: datetime) -> int:
        return await self._delete_in_chunks(chat_log.c.created_at < older_than)

    async def delete_user(self, user_id: str) -> int:
        # The tombstone first: a record written between the two steps is then dropped, not kept.
        upsert = (postgresql if self._engine.dialect.name == "postgresql" else sqlite).insert(chat_log_erasures)
        tombstone = upsert.values(user_key=user_key(user_id), erased_at=utc_text(now()))
        async with self._engine.begin() as conn:
            await conn.execute(
                tombstone.on_conflict_do_update(
                    index_elements=[chat_log_erasures.c.user_key], set_={"erased_at": tombstone.excluded.erased_at}
                )
            )
        return await self._delete_in_chunks(chat_log.c.user_id == user_id)

    async def _erasures(self, documents: list[Document]) -> dict[str, str]:
        keys = set(keys_of(documents).values())
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(chat_log_erasures).where(chat_log_erasures.c.user_key.in_(keys)))).all()
        return {row.user_key: row.erased_at for row in rows}

    async def _delete_in_chunks(self, condition: ColumnElement[bool]) -> int:
        """Many short transactions rather than one long one: the purge runs at every start and
        daily on every instance, and on SQLite the chats wait for the one connection meanwhile."""
        removed = 0
        while True:
            async with self._engine.begin() as conn:
                ids = select(chat_log.c.id).where(condition).limit(DELETE_CHUNK).scalar_subquery()
                result = await conn.execute(delete(chat_log).where(chat_log.c.id.in_(ids)))
            removed += result.rowcount
            if result.rowcount < DELETE_CHUNK:
                return removed

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

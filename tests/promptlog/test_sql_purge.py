"""The SQL sink's purge and erasure delete in short transactions of at most `DELETE_CHUNK` rows:
they run at every start and daily on every instance, and on SQLite the chats share the one
connection with them. Real SQLite and PostgreSQL databases."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from scalechat.promptlog.record import build_document
from scalechat.promptlog.sinks import sql
from scalechat.promptlog.sinks.sql import SqlSink
from scalechat.store.sql.engine import create_engine
from scalechat.store.sql.migrate import upgrade
from tests.promptlog.entries import make_entry

pytestmark = pytest.mark.anyio

CHUNK = 40  # small, so a test needs few rows


@pytest.fixture(params=["sqlite", "postgresql"])
async def sink(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SqlSink]:
    monkeypatch.setattr(sql, "DELETE_CHUNK", CHUNK)
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'log.db'}"
        await asyncio.to_thread(upgrade, url)
    else:
        url = request.getfixturevalue("postgres_url")
    made = SqlSink(create_engine(url), owned=True)
    try:
        yield made
    finally:
        await made.aclose()


def deleted_per_statement(sink: SqlSink) -> list[int]:
    """Rows each DELETE statement removed, as the database reports them."""
    counts: list[int] = []

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE"):
            counts.append(cursor.rowcount)

    event.listen(sink._engine.sync_engine, "after_cursor_execute", after)
    return counts


async def test_purge_deletes_in_chunks_until_nothing_old_is_left(sink: SqlSink) -> None:
    now = datetime.now(UTC)
    old = [build_document(make_entry(started_at=now - timedelta(days=40)), "full") for _ in range(CHUNK * 2 + 5)]
    recent = build_document(make_entry(started_at=now), "full")
    await sink.write([*old, recent])
    statements = deleted_per_statement(sink)
    assert await sink.purge(now - timedelta(days=30)) == len(old)
    assert statements == [CHUNK, CHUNK, 5]
    remaining = [d["id"] async for d in sink.records(now - timedelta(days=100))]
    assert remaining == [recent["id"]]


async def test_erasing_a_user_deletes_in_chunks_and_only_that_user(sink: SqlSink) -> None:
    stamp = datetime.now(UTC).timestamp()
    gone, kept = f"gone-{stamp}", f"kept-{stamp}"
    await sink.write([build_document(make_entry(user_id=gone), "full") for _ in range(CHUNK + 1)])
    await sink.write([build_document(make_entry(user_id=kept), "full")])
    statements = deleted_per_statement(sink)
    assert await sink.delete_user(gone) == CHUNK + 1
    assert statements == [CHUNK, 1]
    assert [d async for d in sink.records_of_user(gone)] == []
    assert len([d async for d in sink.records_of_user(kept)]) == 1

"""Every prompt-log sink, against the real thing: JSON-lines files, SQLite, PostgreSQL and the
Cosmos DB test server. Writes are upserts by id; reads, purges and a user's erasure work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scalechat.promptlog.record import build_document
from scalechat.promptlog.sinks.base import Document, PromptLogSink
from scalechat.promptlog.sinks.cosmos import CosmosSink
from scalechat.promptlog.sinks.jsonl import JsonlSink
from scalechat.promptlog.sinks.sql import SqlSink
from scalechat.store.sql.engine import create_engine
from scalechat.store.sql.migrate import upgrade
from tests.cosmos_server import CosmosServer, cosmos_settings
from tests.promptlog.entries import make_entry

pytestmark = pytest.mark.anyio

SINKS = ["jsonl", "sqlite", "postgresql", "cosmos"]


@pytest.fixture(params=SINKS)
async def sink(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[PromptLogSink]:
    made: PromptLogSink
    if request.param == "jsonl":
        made = JsonlSink(tmp_path / "promptlog")
    elif request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'log.db'}"
        await asyncio.to_thread(upgrade, url)  # alembic runs an event loop of its own
        made = SqlSink(create_engine(url), owned=True)
    elif request.param == "postgresql":
        made = SqlSink(create_engine(request.getfixturevalue("postgres_url")), owned=True)
    else:
        server: CosmosServer = request.getfixturevalue("cosmos_server")
        made = CosmosSink(cosmos_settings(server, request.getfixturevalue("cosmos_database")))
    await made.open()
    try:
        yield made
    finally:
        await made.aclose()


def doc(**kwargs: object) -> Document:
    return build_document(make_entry(**kwargs), "full")  # type: ignore[arg-type]


async def collect(records: AsyncIterator[Document]) -> list[Document]:
    return [record async for record in records]


async def test_a_written_record_reads_back_as_written(sink: PromptLogSink) -> None:
    user = f"u-{datetime.now(UTC).timestamp()}"
    written = doc(user_id=user)
    await sink.write([written])
    assert await collect(sink.records_of_user(user)) == [written]


async def test_writing_the_same_id_again_stores_it_once(sink: PromptLogSink) -> None:
    user = f"u-{datetime.now(UTC).timestamp()}"
    first = doc(user_id=user)
    again = {**first, "status": "stopped"}
    await sink.write([first])
    await sink.write([first, again])  # a replayed batch, and a duplicate inside one batch
    assert await collect(sink.records_of_user(user)) == [again]


async def test_records_in_a_time_range_oldest_first(sink: PromptLogSink) -> None:
    base = datetime(2031, 5, 1, 12, tzinfo=UTC) + timedelta(minutes=datetime.now(UTC).microsecond)
    times = [base + timedelta(hours=h) for h in (30, 0, 5, 50)]  # across days, not in order
    documents = [doc(started_at=t, answer=f"answer {i}") for i, t in enumerate(times)]
    await sink.write(documents)
    found = await collect(sink.records(base + timedelta(hours=1), base + timedelta(hours=50)))
    assert [d["id"] for d in found] == [documents[2]["id"], documents[0]["id"]]
    everything_since = await collect(sink.records(base))
    assert [d["id"] for d in everything_since] == [documents[i]["id"] for i in (1, 2, 0, 3)]


async def test_delete_user_removes_only_that_users_records(sink: PromptLogSink) -> None:
    stamp = datetime.now(UTC).timestamp()
    gone, kept = f"gone-{stamp}", f"kept-{stamp}"
    await sink.write([doc(user_id=gone), doc(user_id=kept), doc(user_id=gone)])
    assert await sink.delete_user(gone) == 2
    assert await collect(sink.records_of_user(gone)) == []
    assert len(await collect(sink.records_of_user(kept))) == 1
    assert await sink.delete_user(gone) == 0


async def test_records_made_before_an_erasure_that_arrive_after_it_are_not_stored(sink: PromptLogSink) -> None:
    """A server still holding the user's records (memory, outbox) writes them after `users delete`."""
    stamp = datetime.now(UTC).timestamp()
    gone, other = f"gone-{stamp}", f"other-{stamp}"
    in_flight = doc(user_id=gone, started_at=datetime.now(UTC) - timedelta(seconds=5))
    await sink.delete_user(gone)
    later = doc(user_id=gone, started_at=datetime.now(UTC) + timedelta(seconds=1))  # the user came back
    bystander = doc(user_id=other, started_at=datetime.now(UTC) - timedelta(seconds=5))
    await sink.write([in_flight, bystander, later])
    assert [d["id"] for d in await collect(sink.records_of_user(gone))] == [later["id"]]
    assert [d["id"] for d in await collect(sink.records_of_user(other))] == [bystander["id"]]
    # The tombstone is not a record: nothing else reads it back.
    since = datetime.now(UTC) - timedelta(days=1)
    assert {d["id"] for d in await collect(sink.records(since))} >= {later["id"], bystander["id"]}
    assert all("user_key" not in d for d in await collect(sink.records(since)))


async def test_purge_removes_records_past_retention(sink: PromptLogSink) -> None:
    user = f"u-{datetime.now(UTC).timestamp()}"
    now = datetime.now(UTC)
    old, recent = doc(user_id=user, started_at=now - timedelta(days=40)), doc(user_id=user, started_at=now)
    await sink.write([old, recent])
    # Whole days for files: a cut-off 30 days back removes a 40-day-old record everywhere.
    assert await sink.purge(now - timedelta(days=30)) >= 1
    assert [d["id"] for d in await collect(sink.records_of_user(user))] == [recent["id"]]

"""Records a sink refuses for good (too long for a column, too large for Cosmos DB) are set aside in
the dead-letter file; every other record still reaches the sink, in order, and the log goes on.
The sink is a real PostgreSQL database, whose column limits do the refusing. Records over Cosmos
DB's 2 MB are cut to fit rather than refused (the test server itself accepts larger items)."""

from __future__ import annotations

import stat
import uuid
from dataclasses import replace
from pathlib import Path

import orjson
import pytest
from azure.cosmos.exceptions import CosmosHttpResponseError
from sqlalchemy import text

from scalechat.promptlog.outbox import Outbox
from scalechat.promptlog.record import LoggedTurn, build_document
from scalechat.promptlog.redaction import Redactor
from scalechat.promptlog.sinks.cosmos import MAX_ITEM_BYTES, CosmosSink, fit, refused_for_good
from scalechat.promptlog.sinks.sql import SqlSink
from scalechat.promptlog.writer import PromptLog
from scalechat.store.sql.engine import create_engine
from tests.cosmos_server import CosmosServer, cosmos_settings
from tests.promptlog.entries import eventually, make_entry

pytestmark = pytest.mark.anyio

TOO_LONG_USER_ID = "u" * 300  # chat_log.user_id is VARCHAR(200): PostgreSQL refuses it


def make_log(postgres_url: str, tmp_path: Path) -> PromptLog:
    return PromptLog(
        SqlSink(create_engine(postgres_url), owned=True),
        Outbox(tmp_path / "outbox", instance="test-instance"),
        Redactor("full"),
        queue_size=1000,
        batch_size=20,
        retry_base=0.01,
        retry_max=0.05,
        linger=0.01,
    )


async def stored_ids(postgres_url: str) -> list[str]:
    engine = create_engine(postgres_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT id FROM chat_log ORDER BY xmin::text::bigint, created_at"))
            return [row.id for row in rows]
    finally:
        await engine.dispose()


def dead_letters(tmp_path: Path) -> list[dict[str, object]]:
    files = (tmp_path / "outbox" / "dead").glob("*.jsonl")
    return [orjson.loads(line) for path in files for line in path.read_bytes().splitlines()]


async def test_a_refused_record_is_dead_lettered_and_every_other_record_is_stored(
    postgres_url: str, tmp_path: Path
) -> None:
    log = make_log(postgres_url, tmp_path)
    await log.start()
    good = [make_entry(answer=f"#{i}") for i in range(50)]
    bad = make_entry(user_id=TOO_LONG_USER_ID)
    for entry in good[:25]:
        log.record(entry)
    log.record(bad)  # in the middle of a batch
    for entry in good[25:]:
        log.record(entry)
    await eventually(lambda: log.waiting == 0)
    later = make_entry()  # the log still works afterwards
    log.record(later)
    await eventually(lambda: log.waiting == 0)
    await log.close(5)

    assert set(await stored_ids(postgres_url)) == {e.message_id for e in [*good, later]}
    assert [d["id"] for d in dead_letters(tmp_path)] == [bad.message_id]
    assert log.stats.dead_lettered == 1 and log.stats.written == 51 and log.outbox.empty
    dead_file = next((tmp_path / "outbox" / "dead").glob("*.jsonl"))
    assert stat.S_IMODE(dead_file.stat().st_mode) == 0o600  # it holds users' text


async def test_a_refused_record_in_the_outbox_does_not_block_the_replay(postgres_url: str, tmp_path: Path) -> None:
    # What an earlier run left in its outbox (the sink was down), with a refused record among them.
    entries = [make_entry(answer=f"#{i}") for i in range(40)]
    entries[17] = make_entry(user_id=TOO_LONG_USER_ID)
    left = Outbox(tmp_path / "outbox", instance="test-instance", segment_records=15)
    left.load()
    left.append([build_document(entry, "full") for entry in entries])
    left.close()

    log = make_log(postgres_url, tmp_path)
    await log.start()
    await eventually(lambda: log.outbox.empty)
    await log.close(5)

    good = [e.message_id for i, e in enumerate(entries) if i != 17]
    assert await stored_ids(postgres_url) == good  # in order, too
    assert [d["id"] for d in dead_letters(tmp_path)] == [entries[17].message_id]
    assert log.stats.replayed == 39 and log.stats.dead_lettered == 1
    assert not list((tmp_path / "outbox").rglob("segment-*"))


async def test_nul_characters_are_dropped_so_postgresql_stores_the_record(postgres_url: str) -> None:
    sink = SqlSink(create_engine(postgres_url), owned=True)
    entry = make_entry(question="before\x00after", answer="a\x00b")
    try:
        await sink.write([build_document(entry, "full")])
        [stored] = [d async for d in sink.records_of_user(entry.context.user_id)]
    finally:
        await sink.aclose()
    assert stored["message"]["prompt"][1]["content"] == "beforeafter"
    assert stored["message"]["other_attr"][0]["completion"]["choices"][0]["message"]["content"] == "ab"


@pytest.mark.parametrize(
    ("status", "refused"),
    [
        (413, True),
        (400, True),
        (409, True),
        (429, False),
        (408, False),
        (449, False),
        (503, False),
        (403, False),
        (404, False),
    ],
)
def test_cosmos_refuses_for_good_only_what_is_wrong_with_the_item(status: int, refused: bool) -> None:
    # 401/403/404 would refuse every item alike (keys, roles, a missing container): wait for the fix.
    error = CosmosHttpResponseError(status_code=status, message="test")  # type: ignore[no-untyped-call]
    assert refused_for_good(error) is refused


# aiohttp's advice to the Cosmos SDK, which sends any item over 1 MB as one bytes body.
@pytest.mark.filterwarnings("ignore:Sending a large body directly with raw bytes:ResourceWarning")
async def test_cosmos_stores_a_record_over_2_mb_cut_to_fit_and_marked_truncated(
    cosmos_server: CosmosServer, cosmos_database: str
) -> None:
    entry = make_entry(user_id=f"long-{uuid.uuid4().hex}", answer="the answer")
    history = tuple(LoggedTurn(role, f"turn {i} " + "x" * 400_000) for i, role in enumerate(["user", "assistant"] * 4))
    system, question = entry.context.prompt
    long = replace(entry, context=replace(entry.context, prompt=(system, *history, question)))
    document = build_document(long, "full")
    assert len(orjson.dumps(document)) > 3_000_000  # real Cosmos DB refuses it (413); this server does not
    sink = CosmosSink(cosmos_settings(cosmos_server, cosmos_database))
    try:
        await sink.write([document])
        [stored] = [d async for d in sink.records_of_user(entry.context.user_id)]
    finally:
        await sink.aclose()
    assert stored["truncated"] is True and len(orjson.dumps(stored)) <= MAX_ITEM_BYTES
    prompt = stored["message"]["prompt"]
    assert prompt[0] == {"role": "system", "content": system.content} and prompt[-1]["content"] == question.content
    assert [turn["content"][:7] for turn in prompt[1:-1]] == ["turn 4 ", "turn 5 ", "turn 6 ", "turn 7 "]  # newest kept


def test_a_single_text_over_the_limit_is_shortened_from_its_end() -> None:
    document = build_document(make_entry(question="q" * 3_000_000, answer="a" * 10), "full")
    cut = fit(document)
    assert cut["truncated"] is True and len(orjson.dumps(cut)) <= MAX_ITEM_BYTES
    assert cut["message"]["prompt"][1]["content"].startswith("qqq") and "truncated" not in document
    small = build_document(make_entry(), "full")
    assert fit(small) is small  # under the limit: untouched, not even copied

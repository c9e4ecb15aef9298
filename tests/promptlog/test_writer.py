"""The writer: batches, backs off, spills to the outbox and replays it in order, drains on close.
The sink is a real JSON-lines folder; an outage is the folder made unwritable."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from scalechat.promptlog import record, writer
from scalechat.promptlog.outbox import Outbox
from scalechat.promptlog.record import PromptLogEntry
from scalechat.promptlog.redaction import Redactor
from scalechat.promptlog.sinks.jsonl import JsonlSink
from scalechat.promptlog.writer import Backoff, PromptLog
from tests.promptlog.entries import eventually, make_entry
from tests.promptlog.outage import folder_unwritable

pytestmark = pytest.mark.anyio


def make_log(tmp_path: Path, *, queue_size: int = 1000, batch_size: int = 10, content: str = "full") -> PromptLog:
    return PromptLog(
        JsonlSink(tmp_path / "log"),
        Outbox(tmp_path / "outbox", segment_records=25),
        Redactor(content),  # type: ignore[arg-type]
        queue_size=queue_size,
        batch_size=batch_size,
        retry_base=0.02,
        retry_max=0.1,
    )


def lines(tmp_path: Path) -> list[dict[str, object]]:
    """Every line of every day file, in file order: what the sink received, duplicates included."""
    found = []
    for path in sorted((tmp_path / "log").glob("chat_log-*.jsonl")):
        found += [orjson.loads(line) for line in path.read_bytes().splitlines()]
    return found


async def test_records_are_written_in_batches(tmp_path: Path) -> None:
    log = make_log(tmp_path, batch_size=10)
    await log.start()
    entries = [make_entry() for _ in range(35)]
    for entry in entries:  # all before the writer's first turn
        log.record(entry)
    await eventually(lambda: log.stats.written == 35)
    assert log.stats.batches == 4  # 10 + 10 + 10 + 5
    assert [line["id"] for line in lines(tmp_path)] == [e.message_id for e in entries]
    await log.close(5)


async def test_a_sink_outage_spills_to_the_outbox_and_replays_in_order_exactly_once(tmp_path: Path) -> None:
    log = make_log(tmp_path, batch_size=7)
    await log.start()
    sessions = [f"s{i}" for i in range(5)]
    entries: list[PromptLogEntry] = []

    async def produce(count: int) -> None:
        for _ in range(count):
            entry = make_entry(session=sessions[len(entries) % 5], answer=f"#{len(entries)}")
            entries.append(entry)
            log.record(entry)
            await asyncio.sleep(0.001)

    await produce(40)
    await eventually(lambda: log.stats.written == 40)
    with folder_unwritable(tmp_path / "log"):
        await produce(60)  # the sink is down: these wait in the outbox
        await eventually(lambda: log.stats.spilled >= 55)
        errors = log.stats.sink_errors
        await asyncio.sleep(0.3)
        assert log.stats.sink_errors > errors  # it keeps trying (with backoff) while down
    await produce(50)  # new records queue behind the outbox
    await eventually(lambda: log.waiting == 0)
    await log.close(5)
    received = [line["id"] for line in lines(tmp_path)]
    assert received == [e.message_id for e in entries]  # every record once, in the order recorded
    assert log.stats.replayed + log.stats.written == len(entries) and log.stats.replayed >= 55
    assert not list((tmp_path / "outbox").rglob("segment-*"))  # replayed segments are gone


async def test_a_full_queue_spills_instead_of_dropping(tmp_path: Path) -> None:
    log = make_log(tmp_path, queue_size=20, batch_size=5)
    await log.start()
    entries = [make_entry() for _ in range(200)]
    for entry in entries:  # far more than the queue holds, before the writer runs
        log.record(entry)
    await eventually(lambda: log.waiting == 0)
    await log.close(5)
    assert log.stats.spilled >= 180
    assert [line["id"] for line in lines(tmp_path)] == [e.message_id for e in entries]


async def test_close_drains_the_queue_to_the_sink(tmp_path: Path) -> None:
    log = make_log(tmp_path, batch_size=10)
    await log.start()
    entries = [make_entry() for _ in range(100)]
    for entry in entries:
        log.record(entry)
    await log.close(5)  # at once: nothing was written yet
    assert log.stats.written == 100
    assert [line["id"] for line in lines(tmp_path)] == [e.message_id for e in entries]


async def test_close_with_the_sink_down_keeps_the_queue_in_the_outbox_for_the_next_start(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    await log.start()
    entries = [make_entry() for _ in range(60)]
    with folder_unwritable(tmp_path / "log"):
        for entry in entries:
            log.record(entry)
        await log.close(0.5)
        assert log.outbox.pending == 60 and log.stats.written == 0
    again = make_log(tmp_path)
    await again.start()  # finds the outbox and replays it
    await eventually(lambda: again.stats.replayed == 60)
    await again.close(5)
    assert [line["id"] for line in lines(tmp_path)] == [e.message_id for e in entries]


async def test_the_outbox_holds_only_redacted_text(tmp_path: Path) -> None:
    log = make_log(tmp_path, content="redacted")
    await log.start()
    with folder_unwritable(tmp_path / "log"):
        log.record(make_entry(question="mail me: jane@contoso.com", answer="call +1 555 123 4567"))
        await eventually(lambda: log.outbox.pending == 1)
        on_disk = b"".join(path.read_bytes() for path in (tmp_path / "outbox").rglob("segment-*"))
        assert b"jane@contoso.com" not in on_disk and b"555 123" not in on_disk and b"[email]" in on_disk
        await log.close(0.2)


async def test_record_never_raises_nor_blocks_when_the_sink_is_down(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    await log.start()
    with folder_unwritable(tmp_path / "log"):
        loop = asyncio.get_running_loop()
        began = loop.time()
        for _ in range(1000):
            log.record(make_entry())  # a plain call: nothing to await
        assert loop.time() - began < 1.0  # generous: only appending to memory
        await log.close(0.5)
    assert log.outbox.pending == 1000


def test_backoff_grows_exponentially_with_jitter_up_to_a_cap() -> None:
    backoff = Backoff(0.1, 1.0)
    delays = [backoff.next_delay() for _ in range(7)]
    for delay, step in zip(delays, [0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0], strict=True):
        assert step / 2 <= delay <= step
    assert len({round(d, 9) for d in delays[4:]}) > 1  # jittered, not the same wait each time
    backoff.reset()
    assert backoff.next_delay() <= 0.1


async def test_the_retention_job_purges_records_past_retention_at_start(tmp_path: Path) -> None:
    old = make_entry(started_at=datetime.now(UTC) - timedelta(days=31))
    recent = make_entry()
    keeping = make_log(tmp_path)  # retention 0: keeps everything
    await keeping.start()
    keeping.record(old)
    keeping.record(recent)
    await keeping.close(5)
    assert len(lines(tmp_path)) == 2
    purging = PromptLog(
        JsonlSink(tmp_path / "log"), Outbox(tmp_path / "outbox"), Redactor("full"),
        queue_size=100, batch_size=10, retention_days=30,
    )  # fmt: skip
    await purging.start()
    await eventually(lambda: len(lines(tmp_path)) == 1)
    assert [line["id"] for line in lines(tmp_path)] == [recent.message_id]
    await purging.close(5)


async def test_when_the_outbox_disk_fails_too_records_are_held_until_it_returns(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    await log.start()
    entries = [make_entry() for _ in range(30)]
    with folder_unwritable(tmp_path / "log"):
        with folder_unwritable(tmp_path / "outbox"):
            for entry in entries[:20]:
                log.record(entry)
            await eventually(lambda: len(log._held) == 20)
            assert log.outbox.pending == 0 and log.waiting == 20
        for entry in entries[20:]:
            log.record(entry)
        await eventually(lambda: log.outbox.pending == 30)  # the held ones first, then the rest
    await eventually(lambda: log.waiting == 0)
    await log.close(5)
    assert [line["id"] for line in lines(tmp_path)] == [e.message_id for e in entries]


async def test_when_the_outbox_disk_fails_but_the_sink_works_held_records_go_to_the_sink(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    await log.start()
    entries = [make_entry() for _ in range(150)]
    with folder_unwritable(tmp_path / "outbox"):
        with folder_unwritable(tmp_path / "log"):  # a moment with neither: records are held
            for entry in entries[:20]:
                log.record(entry)
            await eventually(lambda: len(log._held) == 20)
        for entry in entries[20:]:  # the sink is back; the outbox's disk is still broken
            log.record(entry)
            await asyncio.sleep(0.001)
        await eventually(lambda: log.waiting == 0)
        assert log._held == [] and log.outbox.pending == 0
    await log.close(5)
    assert [line["id"] for line in lines(tmp_path)] == [e.message_id for e in entries]  # held ones first
    assert log.stats.dropped == 0


async def test_held_records_are_capped_at_the_queue_size_and_the_dropped_counted(tmp_path: Path) -> None:
    log = make_log(tmp_path, queue_size=30, batch_size=10)
    await log.start()
    entries = [make_entry() for _ in range(100)]
    with folder_unwritable(tmp_path / "outbox"), folder_unwritable(tmp_path / "log"):
        for entry in entries:
            log.record(entry)
            await asyncio.sleep(0.001)
        await eventually(lambda: log.stats.dropped + len(log._held) == 100)
        assert len(log._held) == 30  # the oldest, which go first when a disk or the sink returns
    await eventually(lambda: log.waiting == 0)
    await log.close(5)
    assert log.stats.dropped == 70
    assert [line["id"] for line in lines(tmp_path)] == [e.message_id for e in entries[:30]]


async def test_documents_are_built_off_the_event_loop_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Redacting long prompts takes milliseconds a record: every chat's stream would wait for it.
    threads: set[int] = set()
    real_build = record.build_document

    def spy(*args: Any, **kwargs: Any) -> Any:
        threads.add(threading.get_ident())
        return real_build(*args, **kwargs)

    monkeypatch.setattr(writer, "build_document", spy)
    log = make_log(tmp_path, content="redacted", batch_size=10)
    await log.start()
    entries = [make_entry(question=f"question {i} from jane@contoso.com") for i in range(55)]
    for entry in entries:
        log.record(entry)
    await eventually(lambda: log.waiting == 0)
    await log.close(5)
    assert threads and threading.get_ident() not in threads
    assert [line["id"] for line in lines(tmp_path)] == [e.message_id for e in entries]

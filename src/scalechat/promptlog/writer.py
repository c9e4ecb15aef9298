"""`PromptLog`: takes finished model calls from the chat path and gets them to the sink.

The chat path calls `record()`, which only appends to memory: it never awaits, never does
I/O and never raises. One background task does the rest, in order:

- normally it sends records to the sink in batches of `batch_size`;
- when a write fails (or times out), that batch and everything behind it spill to the
  outbox on local disk, and from then on new records join the outbox's tail, so the sink
  receives records in the order they were recorded; the outbox is replayed with exponential
  backoff and jitter until it is empty, then records go straight to the sink again;
- when more than `queue_size` records wait in memory (the sink is slower than the chats),
  they spill to the outbox too instead of growing memory or being dropped;
- when the sink refuses a record for good (`RecordRejected`: too large, not storable), the
  batch is split in halves until the refused records are found; the others are stored and
  each refused one goes to the outbox's dead-letter file, so one bad record never blocks the log;
- when the outbox's disk fails too, records are held in memory (at most `queue_size`: beyond
  that the newest are dropped, counted and logged) and go to the sink, oldest first, as soon as
  the outbox is empty and the sink takes them.

Documents are built and redacted in a worker thread, `batch_size` at a time: redacting long
prompts takes milliseconds per record, which the event loop (every chat's stream) must not wait for.

The memory bound is checked between sink writes; a write is cut off after
`write_timeout` seconds, which bounds how far it can be overrun. A record reaches the sink
at least once (a write that failed part-way is sent again whole), and every sink stores by record
id, so it is stored exactly once (the jsonl sink's readers keep the last line of each id).

`close()` drains within a time limit: to the sink while it works, else to the outbox, which
the next start replays. Logs say how many records went where, never what they said.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from scalechat.promptlog.outbox import Outbox
from scalechat.promptlog.record import PromptLogEntry, build_document
from scalechat.promptlog.redaction import Redactor
from scalechat.promptlog.sinks.base import Document, PromptLogSink, RecordRejected

log = logging.getLogger(__name__)

WRITE_TIMEOUT_SECONDS = 10.0
RETRY_BASE_SECONDS = 0.2
RETRY_MAX_SECONDS = 30.0
RETENTION_INTERVAL_SECONDS = 24 * 3600.0
# How long a part-full batch waits for more records. Answers end one by one; a transaction
# each would queue in front of the chats' own writes (SQLite shares one connection with them).
LINGER_SECONDS = 0.25

Sent = Literal["stored", "failed", "refused"]


@dataclass(slots=True)
class PromptLogStats:
    recorded: int = 0  # handed over by the chat path
    written: int = 0  # stored by the sink straight from memory
    batches: int = 0  # successful sink writes
    spilled: int = 0  # put in the outbox
    replayed: int = 0  # stored by the sink from the outbox
    failed: int = 0  # could not be turned into a document (a bug): logged, not stored
    sink_errors: int = 0  # failed or timed-out sink writes
    dead_lettered: int = 0  # refused by the sink for good: in the dead-letter file, not stored
    dropped: int = 0  # neither the sink nor the outbox's disk took them, and memory was full: lost


class Backoff:
    """Exponential, with "equal jitter": half the step fixed, half random, so instances that
    lost the same sink at the same moment do not come back to it in step."""

    def __init__(self, base: float, cap: float) -> None:
        self._base, self._cap, self._attempt = base, cap, 0

    def next_delay(self) -> float:
        step = min(self._cap, self._base * 2.0**self._attempt)
        self._attempt += 1
        return step / 2 + random.uniform(0, step / 2)  # noqa: S311 (jitter, not security)

    def reset(self) -> None:
        self._attempt = 0


class PromptLog:
    def __init__(
        self,
        sink: PromptLogSink,
        outbox: Outbox,
        redactor: Redactor,
        *,
        queue_size: int,
        batch_size: int,
        retention_days: int = 0,
        write_timeout: float = WRITE_TIMEOUT_SECONDS,
        retry_base: float = RETRY_BASE_SECONDS,
        retry_max: float = RETRY_MAX_SECONDS,
        linger: float = LINGER_SECONDS,
    ) -> None:
        self.sink = sink
        self.outbox = outbox
        self._redactor = redactor
        self._queue_size = queue_size
        self._batch_size = batch_size
        self._retention_days = retention_days
        self._write_timeout = write_timeout
        self._linger = linger
        self._backoff = Backoff(retry_base, retry_max)
        self._pending: deque[PromptLogEntry] = deque()
        self._held: list[Document] = []  # built, but neither the sink nor the outbox took them yet
        self._dead_from_memory = 0  # dead-lettered records that never were in the outbox
        self._wake = asyncio.Event()
        self._next_try = 0.0  # monotonic time of the next replay attempt
        self._sink_ready = False
        self._closing = False
        self._deadline = float("inf")
        self._writer: asyncio.Task[None] | None = None
        self._retention: asyncio.Task[None] | None = None
        self.stats = PromptLogStats()

    # -- the chat path -------------------------------------------------------

    def record(self, entry: PromptLogEntry) -> None:
        """Hand over one finished model call. Never blocks, never raises."""
        try:
            self._pending.append(entry)
            self.stats.recorded += 1
            self._wake.set()
        except Exception:  # pragma: no cover - appending to a deque does not fail; the chat must not
            log.exception("promptlog.record_failed")

    @property
    def waiting(self) -> int:
        """Records not yet in the sink: in memory (also those being written or spilled) or in the outbox."""
        stats = self.stats
        gone = stats.written + stats.spilled + stats.failed + stats.dropped + self._dead_from_memory
        return stats.recorded - gone + self.outbox.pending

    # -- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        await asyncio.to_thread(self.outbox.load)
        if not self.outbox.empty:
            log.info("promptlog.outbox_found", extra={"count": self.outbox.pending})
        self._writer = asyncio.create_task(self._run(), name="promptlog-writer")
        if self._retention_days > 0:
            self._retention = asyncio.create_task(self._retention_loop(), name="promptlog-retention")

    async def close(self, seconds: float) -> None:
        """Drain what waits in memory within `seconds` (to the sink, else the outbox)."""
        if self._retention is not None:
            self._retention.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retention
        if self._writer is not None:
            self._closing = True
            self._deadline = time.monotonic() + seconds
            self._wake.set()
            # The writer ends itself by the deadline (it stops trying the sink and spills);
            # the extra seconds are for a disk that hangs, the last resort.
            done, _ = await asyncio.wait({self._writer}, timeout=seconds + 10)
            if not done:
                self._writer.cancel()
                log.error("promptlog.close_timed_out", extra={"left_in_memory": len(self._pending)})
            else:
                await asyncio.to_thread(self.outbox.close)  # lets the next start (or a sibling) take it
            if self._pending or self._held:
                log.error("promptlog.records_lost", extra={"count": len(self._pending) + len(self._held)})
        log.info(
            "promptlog.closed",
            extra={
                "written": self.stats.written,
                "spilled": self.stats.spilled,
                "replayed": self.stats.replayed,
                "failed": self.stats.failed,
                "dead_lettered": self.stats.dead_lettered,
                "dropped": self.stats.dropped,
                "in_outbox": self.outbox.pending,
            },
        )
        await self.sink.aclose()

    # -- the writer --------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            if self._closing:
                await self._drain_for_close()
                return
            if self._held and self.outbox.empty:
                await self._send_held()
                continue
            if not self.outbox.empty or self._held or len(self._pending) >= self._queue_size:
                # Behind the outbox, or more waiting than memory may hold: to disk, in order.
                await self._spill(self._take(len(self._pending)))
                if self.outbox.empty:
                    continue
                wait = self._next_try - time.monotonic()
                if wait <= 0:
                    await self._replay()
                else:
                    await self._sleep(wait)
                continue
            if not self._pending:
                await self._sleep(None)
                continue
            if len(self._pending) < self._batch_size and self._linger > 0:
                await self._sleep_unless_full(self._linger)
                if self._closing:
                    continue
            documents = await self._documents(self._take(self._batch_size))
            done = await self._deliver(documents, from_outbox=False)
            if done < len(documents):
                await self._spill_documents(documents[done:])
                self._schedule_retry()

    async def _send_held(self) -> None:
        """Records the outbox's disk refused, oldest first, to the sink: the outbox is empty, so
        nothing recorded earlier waits, and order holds. When the sink fails too, the disk again."""
        batch = self._held[: self._batch_size]
        done = await self._deliver(batch, from_outbox=False)
        del self._held[:done]
        if done < len(batch):
            await self._spill(self._take(len(self._pending)))
            if not self.outbox.empty:
                self._schedule_retry()

    async def _drain_for_close(self) -> None:
        while (self._pending or self._held) and self.outbox.empty and time.monotonic() < self._deadline:
            if self._held:
                batch = self._held[: self._batch_size]
                done = await self._deliver(batch, from_outbox=False)
                del self._held[:done]
                if done < len(batch):
                    break
                continue
            documents = await self._documents(self._take(self._batch_size))
            done = await self._deliver(documents, from_outbox=False)
            if done < len(documents):
                await self._spill_documents(documents[done:])
                break
        await self._spill(self._take(len(self._pending)))  # also one more try for what the disk refused

    async def _replay(self) -> None:
        try:
            documents = await asyncio.to_thread(self.outbox.peek, self._batch_size)
        except OSError:
            log.exception("promptlog.outbox_unreadable")
            self._schedule_retry()
            return
        if not documents:
            return
        done = await self._deliver(documents, from_outbox=True)
        if done:
            # A failure here leaves the segment to be deleted at the next try (see `Outbox`).
            with contextlib.suppress(OSError):
                await asyncio.to_thread(self.outbox.advance, done)
        if done < len(documents):
            self._schedule_retry()
            return
        self._next_try = 0.0
        if self.outbox.empty:
            log.info("promptlog.outbox_replayed", extra={"replayed": self.stats.replayed})

    async def _deliver(self, documents: list[Document], *, from_outbox: bool) -> int:
        """Send `documents` in order; return how many of the first ones are done with: stored, or
        refused for good and set aside. Fewer than all: the sink failed, the rest waits."""
        sent = await self._send(documents)
        if sent == "stored":
            if from_outbox:
                self.stats.replayed += len(documents)
            else:
                self.stats.written += len(documents)
            return len(documents)
        if sent == "failed":
            return 0
        if len(documents) == 1:
            return 1 if await self._set_aside(documents[0], from_outbox=from_outbox) else 0
        # Which of them is refused: halves, in order (the good ones of a half are written again:
        # harmless, every sink stores by id). A few refused records cost O(log n) writes each.
        half = len(documents) // 2
        done = await self._deliver(documents[:half], from_outbox=from_outbox)
        if done < half:
            return done
        return half + await self._deliver(documents[half:], from_outbox=from_outbox)

    async def _set_aside(self, document: Document, *, from_outbox: bool) -> bool:
        try:
            path = await asyncio.to_thread(self.outbox.dead_letter, [document])
        except OSError:
            # Kept where it is (memory or outbox) and refused again at the next try, until the disk works.
            log.exception("promptlog.dead_letter_failed", extra={"id": document.get("id")})
            return False
        self.stats.dead_lettered += 1
        if not from_outbox:
            self._dead_from_memory += 1
        # Ids only: the refused record's text stays in the (0600) file.
        log.error(
            "promptlog.record_dead_lettered",
            extra={
                "sink": self.sink.name,
                "id": document.get("id"),
                "chat_session_id": document.get("chat_session_id"),
                "file": str(path),
            },
        )
        return True

    async def _send(self, documents: list[Document]) -> Sent:
        if not documents:
            return "stored"
        timeout = min(self._write_timeout, self._deadline - time.monotonic())
        if timeout <= 0:
            return "failed"
        try:
            async with asyncio.timeout(timeout):
                if not self._sink_ready:
                    await self.sink.open()
                    self._sink_ready = True
                await self.sink.write(documents)
            self.stats.batches += 1
            self._backoff.reset()
            return "stored"
        except RecordRejected:
            log.warning("promptlog.sink_refused", extra={"sink": self.sink.name, "count": len(documents)})
            return "refused"
        except Exception as error:  # noqa: BLE001 (any other failure of the sink means: keep the records, retry)
            self._sink_ready = False
            self.stats.sink_errors += 1
            # The error's type only: a driver's message may quote the data it failed to write.
            log.warning(
                "promptlog.sink_failed",
                extra={"sink": self.sink.name, "error": type(error).__name__, "count": len(documents)},
            )
            return "failed"

    async def _spill(self, entries: list[PromptLogEntry]) -> None:
        await self._spill_documents(await self._documents(entries))

    async def _spill_documents(self, documents: list[Document]) -> None:
        documents = self._held + documents  # those the disk refused last time go first
        self._held = []
        if not documents:
            return
        try:
            await asyncio.to_thread(self.outbox.append, documents)
        except OSError:
            # The local disk failed too (full, read-only): hold them in memory and try again (the
            # sink first, once the outbox is empty); a process exit loses them, and `close` says how
            # many. Memory is bounded as the queue is: beyond it, the newest are dropped.
            self._held = documents[: self._queue_size]
            dropped = len(documents) - len(self._held)
            if dropped:
                self.stats.dropped += dropped
                log.error("promptlog.records_dropped", extra={"count": dropped, "held": len(self._held)})
            log.exception("promptlog.outbox_failed", extra={"held": len(self._held)})
            await asyncio.sleep(self._backoff.next_delay())
            return
        self.stats.spilled += len(documents)

    def _schedule_retry(self) -> None:
        delay = self._backoff.next_delay()
        self._next_try = time.monotonic() + delay
        log.info("promptlog.retry_scheduled", extra={"in_s": round(delay, 2), "in_outbox": self.outbox.pending})

    def _take(self, count: int) -> list[PromptLogEntry]:
        return [self._pending.popleft() for _ in range(min(count, len(self._pending)))]

    async def _documents(self, entries: list[PromptLogEntry]) -> list[Document]:
        """Redacted and shaped, here and only here: nothing unredacted reaches a sink or the disk.
        In a worker thread, a batch at a time, in order (see the module's docstring)."""
        documents: list[Document] = []
        for start in range(0, len(entries), self._batch_size):
            built, failed = await asyncio.to_thread(self._build, entries[start : start + self._batch_size])
            documents += built
            self.stats.failed += failed
        return documents

    def _build(self, entries: list[PromptLogEntry]) -> tuple[list[Document], int]:
        documents, failed = [], 0
        for entry in entries:
            try:
                documents.append(build_document(self._redactor.apply(entry), self._redactor.mode))
            except Exception:
                failed += 1
                log.exception("promptlog.document_failed", extra={"message_id": entry.message_id})
        return documents, failed

    async def _sleep_unless_full(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while len(self._pending) < self._batch_size and not self._closing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._wake.wait()

    async def _sleep(self, seconds: float | None) -> None:
        self._wake.clear()
        if self._pending or self._closing:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    # -- retention ---------------------------------------------------------------

    async def _retention_loop(self) -> None:
        while True:
            await self.purge_expired()
            await asyncio.sleep(RETENTION_INTERVAL_SECONDS)

    async def purge_expired(self) -> int:
        """Remove records older than the retention period (0 days: keep forever)."""
        if self._retention_days <= 0:
            return 0
        try:
            removed = await self.sink.purge(datetime.now(UTC) - timedelta(days=self._retention_days))
        except Exception:
            log.exception("promptlog.purge_failed", extra={"sink": self.sink.name})
            return 0
        if removed:
            log.info("promptlog.purged", extra={"sink": self.sink.name, "count": removed})
        return removed

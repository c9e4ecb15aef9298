"""`PromptLog`: takes finished model calls from the chat path and gets them to the sink.

The chat path calls `record()`, which only appends to memory: it never awaits, never does
I/O and never raises. One background task does the rest, in order:

- normally it sends records to the sink in batches of `batch_size`;
- when a write fails (or times out), that batch and everything behind it spill to the
  outbox on local disk, and from then on new records join the outbox's tail, so the sink
  receives records in the order they were recorded; the outbox is replayed with exponential
  backoff and jitter until it is empty, then records go straight to the sink again;
- when more than `queue_size` records wait in memory (the sink is slower than the chats),
  they spill to the outbox too instead of growing memory or being dropped.

The memory bound is checked between sink writes; a write is cut off after
`write_timeout` seconds, which bounds how far it can be overrun. A record reaches the sink
at least once, and every sink stores by record id, so it is stored exactly once.

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

from scalechat.promptlog.outbox import Outbox
from scalechat.promptlog.record import PromptLogEntry, build_document
from scalechat.promptlog.redaction import Redactor
from scalechat.promptlog.sinks.base import Document, PromptLogSink

log = logging.getLogger(__name__)

WRITE_TIMEOUT_SECONDS = 10.0
RETRY_BASE_SECONDS = 0.2
RETRY_MAX_SECONDS = 30.0
RETENTION_INTERVAL_SECONDS = 24 * 3600.0
# How long a part-full batch waits for more records. Answers end one by one; a transaction
# each would queue in front of the chats' own writes (SQLite shares one connection with them).
LINGER_SECONDS = 0.25


@dataclass(slots=True)
class PromptLogStats:
    recorded: int = 0  # handed over by the chat path
    written: int = 0  # stored by the sink straight from memory
    batches: int = 0  # successful sink writes
    spilled: int = 0  # put in the outbox
    replayed: int = 0  # stored by the sink from the outbox
    failed: int = 0  # could not be turned into a document (a bug): logged, not stored
    sink_errors: int = 0  # failed or timed-out sink writes


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
        return stats.recorded - stats.written - stats.spilled - stats.failed + self.outbox.pending

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
            if self._pending or self._held:
                log.error("promptlog.records_lost", extra={"count": len(self._pending) + len(self._held)})
        log.info(
            "promptlog.closed",
            extra={
                "written": self.stats.written,
                "spilled": self.stats.spilled,
                "replayed": self.stats.replayed,
                "failed": self.stats.failed,
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
            batch = self._take(self._batch_size)
            documents = self._documents(batch)
            if await self._send(documents):
                self.stats.written += len(documents)
                self._backoff.reset()
            else:
                await self._spill_documents(documents)
                self._schedule_retry()

    async def _drain_for_close(self) -> None:
        while self._pending and self.outbox.empty and not self._held and time.monotonic() < self._deadline:
            documents = self._documents(self._take(self._batch_size))
            if await self._send(documents):
                self.stats.written += len(documents)
            else:
                await self._spill_documents(documents)
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
        if await self._send(documents):
            # A failure here would leave the segment to be replayed again: harmless (upserts).
            with contextlib.suppress(OSError):
                await asyncio.to_thread(self.outbox.advance, len(documents))
            self.stats.replayed += len(documents)
            self._backoff.reset()
            self._next_try = 0.0
            if self.outbox.empty:
                log.info("promptlog.outbox_replayed", extra={"replayed": self.stats.replayed})
        else:
            self._schedule_retry()

    async def _send(self, documents: list[Document]) -> bool:
        if not documents:
            return True
        timeout = min(self._write_timeout, self._deadline - time.monotonic())
        if timeout <= 0:
            return False
        try:
            async with asyncio.timeout(timeout):
                if not self._sink_ready:
                    await self.sink.open()
                    self._sink_ready = True
                await self.sink.write(documents)
            self.stats.batches += 1
            return True
        except Exception as error:  # noqa: BLE001 (any failure of the sink means: keep the records, retry)
            self._sink_ready = False
            self.stats.sink_errors += 1
            # The error's type only: a driver's message may quote the data it failed to write.
            log.warning(
                "promptlog.sink_failed",
                extra={"sink": self.sink.name, "error": type(error).__name__, "count": len(documents)},
            )
            return False

    async def _spill(self, entries: list[PromptLogEntry]) -> None:
        await self._spill_documents(self._documents(entries))

    async def _spill_documents(self, documents: list[Document]) -> None:
        documents = self._held + documents  # those the disk refused last time go first
        self._held = []
        if not documents:
            return
        try:
            await asyncio.to_thread(self.outbox.append, documents)
        except OSError:
            # The local disk failed too (full, read-only): hold them in memory and try again;
            # only a process exit now loses them, and `close` says how many.
            self._held = documents
            log.exception("promptlog.outbox_failed", extra={"held": len(documents)})
            await asyncio.sleep(self._backoff.next_delay())
            return
        self.stats.spilled += len(documents)

    def _schedule_retry(self) -> None:
        delay = self._backoff.next_delay()
        self._next_try = time.monotonic() + delay
        log.info("promptlog.retry_scheduled", extra={"in_s": round(delay, 2), "in_outbox": self.outbox.pending})

    def _take(self, count: int) -> list[PromptLogEntry]:
        return [self._pending.popleft() for _ in range(min(count, len(self._pending)))]

    def _documents(self, entries: list[PromptLogEntry]) -> list[Document]:
        """Redacted and shaped, here and only here: nothing unredacted reaches a sink or the disk."""
        documents = []
        for entry in entries:
            try:
                documents.append(build_document(self._redactor.apply(entry), self._redactor.mode))
            except Exception:
                self.stats.failed += 1
                log.exception("promptlog.document_failed", extra={"message_id": entry.message_id})
        return documents

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

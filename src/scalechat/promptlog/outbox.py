"""Where records wait, on local disk, while the sink is down or behind: a FIFO of segment files.

Why JSON-lines segments rather than a SQLite file: the only operations are "append a batch
durably" (one write + fsync) and "read from the oldest end, then forget it" (delete a whole
file), which plain files do with no extra engine, no locking and no second writer next to
the app's own SQLite database; an operator can read or move them with any tool.

Segments are named by a sequence number; new records go to the newest, replay reads the
oldest. A segment is deleted only after all of it has reached the sink; a crash in between
replays part of it again, which the sinks' upsert by record id makes harmless. A line torn by
a crash mid-append was never acknowledged to anybody, so it is skipped.

Not thread-safe: one writer task calls it (through `asyncio.to_thread`), one call at a time.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import orjson

from scalechat.promptlog.sinks.base import Document

log = logging.getLogger(__name__)

SEGMENT = re.compile(r"^segment-(\d{12})\.jsonl$")
SEGMENT_RECORDS = 1_000


class Outbox:
    def __init__(self, folder: Path, *, segment_records: int = SEGMENT_RECORDS) -> None:
        self.folder = folder
        self._segment_records = segment_records
        self._segments: list[int] = []  # sequence numbers, oldest first
        self._tail_records = 0  # lines in the newest segment
        self._tail_open = False  # the newest segment still takes appends
        self._head: list[Document] | None = None  # the oldest segment, parsed
        self._head_offset = 0
        self.pending = 0  # records waiting, across all segments

    def load(self) -> None:
        """Find what a previous run left behind."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for path in self.folder.iterdir():
            match = SEGMENT.match(path.name)
            if match:
                self._segments.append(int(match.group(1)))
                self.pending += sum(1 for line in path.read_bytes().splitlines() if line.strip())
            elif path.name.endswith(".tmp"):
                path.unlink()
        self._segments.sort()
        self._tail_open = False  # never append to a file a crashed run may have torn

    @property
    def empty(self) -> bool:
        return self.pending == 0

    def _path(self, sequence: int) -> Path:
        return self.folder / f"segment-{sequence:012d}.jsonl"

    def append(self, documents: list[Document]) -> None:
        """Add records at the newest end; on return they are on disk (fsynced)."""
        index = 0
        while index < len(documents):
            if not self._tail_open or self._tail_records >= self._segment_records:
                sequence = self._segments[-1] + 1 if self._segments else 1
                self._path(sequence).touch()
                _fsync_folder(self.folder)
                self._segments.append(sequence)  # only once it exists: a failed append leaves no trace
                self._tail_records, self._tail_open = 0, True
            room = self._segment_records - self._tail_records
            chunk = documents[index : index + room]
            with self._path(self._segments[-1]).open("ab") as file:
                size = file.tell()
                try:
                    file.write(b"".join(orjson.dumps(d) + b"\n" for d in chunk))
                    file.flush()
                    os.fsync(file.fileno())
                except BaseException:
                    file.truncate(size)
                    raise
            self._tail_records += len(chunk)
            self.pending += len(chunk)
            index += len(chunk)

    def peek(self, limit: int) -> list[Document]:
        """Up to `limit` of the oldest records, without removing them."""
        while self._segments:
            if self._head is None:
                if len(self._segments) == 1:
                    self._tail_open = False  # replaying the newest: later appends start a new file
                self._head, self._head_offset = self._read(self._path(self._segments[0])), 0
            if self._head_offset < len(self._head):
                return self._head[self._head_offset : self._head_offset + limit]
            self._drop_head()
        return []

    def advance(self, count: int) -> None:
        """Forget the `count` oldest records: they reached the sink."""
        self._head_offset += count
        self.pending = max(0, self.pending - count)
        if self._head is not None and self._head_offset >= len(self._head):
            self._drop_head()

    def _drop_head(self) -> None:
        self._path(self._segments.pop(0)).unlink(missing_ok=True)
        self._head, self._head_offset = None, 0
        if not self._segments:
            self.pending = 0

    def _read(self, path: Path) -> list[Document]:
        documents, torn = [], 0
        for line in path.read_bytes().splitlines():
            if not line.strip():
                continue
            try:
                documents.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                torn += 1
        if torn:
            # Counted out of `pending` (it counted every line) and reported: never the text.
            self.pending = max(0, self.pending - torn)
            log.warning("promptlog.outbox_torn_lines", extra={"segment": path.name, "count": torn})
        return documents


def _fsync_folder(folder: Path) -> None:
    """Make a new file's name durable, not only its contents."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)

"""Where records wait, on local disk, while the sink is down or behind: a FIFO of segment files.

Why JSON-lines segments rather than a SQLite file: the only operations are "append a batch
durably" (one write + fsync) and "read from the oldest end, then forget it" (delete a whole
file), which plain files do with no extra engine and no second writer next to the app's own
SQLite database; an operator can read or move them with any tool.

Layout under `PROMPTLOG_OUTBOX_PATH` (the root):

    <instance>/segment-000000000001.jsonl   one folder per running process
    <instance>/.lock                         held (flock) by that process for its whole life
    dead/<instance>.jsonl                    records the sink refused for good (see the writer)

The root may be shared by every instance (App Service's /home is one file share), so each
process owns a folder named after its instance (WEBSITE_INSTANCE_ID, CONTAINER_APP_REPLICA_NAME
or the host name; with the pid added when another process of the same instance holds it). At
start it also takes over every sibling folder whose lock is free (its process is gone): their
segments are replayed first, in their order, and the folder is removed once they are in the sink.
Segments right in the root (an earlier version's layout) are replayed before all of them.

Segments are named by a sequence number; new records go to the newest, replay reads the
oldest. A segment is deleted only after all of it has reached the sink; a crash in between
replays part of it again, which the sinks' upsert by record id makes harmless. A line torn by
a crash mid-append was never acknowledged to anybody, so it is skipped. Files are created 0600
and folders 0700: they hold what users wrote (redacted as configured).

Not thread-safe: one writer task calls it (through `asyncio.to_thread`), one call at a time.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import socket
from pathlib import Path

import orjson

from scalechat.promptlog.sinks.base import Document

log = logging.getLogger(__name__)

SEGMENT = re.compile(r"^segment-(\d{12})\.jsonl$")
SEGMENT_RECORDS = 1_000
LOCK = ".lock"
DEAD_LETTERS = "dead"
FILE_MODE = 0o600
FOLDER_MODE = 0o700
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def instance_name() -> str:
    """This instance's name as the platform gives it (stable across restarts on App Service)."""
    for variable in ("WEBSITE_INSTANCE_ID", "CONTAINER_APP_REPLICA_NAME"):
        if value := os.environ.get(variable):
            return value
    return socket.gethostname()


def _folder_name(name: str) -> str:
    safe = _UNSAFE.sub("_", name).lstrip(".")[:100] or "instance"
    return f"{safe}_" if safe == DEAD_LETTERS else safe


class Outbox:
    def __init__(self, root: Path, *, instance: str | None = None, segment_records: int = SEGMENT_RECORDS) -> None:
        self.root = root
        self._name = _folder_name(instance if instance is not None else instance_name())
        self.folder = root / self._name  # this process's own folder (with the pid, if that was taken)
        self._segment_records = segment_records
        self._segments: list[Path] = []  # oldest first: taken-over folders' first, then our own
        self._sequence = 0  # the newest number used in our own folder
        self._tail: Path | None = None  # our newest segment while it still takes appends
        self._tail_records = 0  # lines in it
        self._head: list[Document] | None = None  # the oldest segment, parsed
        self._head_offset = 0
        self._locks: dict[Path, int] = {}  # folder -> descriptor of its held lock file
        self.pending = 0  # records waiting, across all segments

    def load(self) -> None:
        """Take our own folder, take over those of instances that are gone, and find what they left."""
        _make_folder(self.root)
        if not self._lock(self.folder):
            self.folder = self.root / f"{self._name}-{os.getpid()}"
            if not self._lock(self.folder):
                raise OSError(f"the outbox folder {self.folder} is locked by another process")
        taken = [
            path
            for path in sorted(self.root.iterdir())
            if path.is_dir() and path != self.folder and path.name != DEAD_LETTERS and self._lock(path)
        ]
        # Segments right in the root are an earlier version's (one folder for all): nobody appends
        # to them any more, so they are replayed first, unlocked (two starts replaying them both
        # only write them twice, and the sinks store by id).
        self._segments += self._scan(self.root)
        for folder in [*taken, self.folder]:
            found = self._scan(folder)
            self._segments += found
            if folder != self.folder and not found:
                self._release(folder, remove=True)
        if taken:
            log.info("promptlog.outbox_taken_over", extra={"folders": len(taken), "count": self.pending})
        own = [int(m.group(1)) for p in self._segments if p.parent == self.folder and (m := SEGMENT.match(p.name))]
        self._sequence = max(own, default=0)
        self._tail = None  # never append to a file a crashed run may have torn

    def close(self) -> None:
        """Let go of every folder; remove our own when nothing waits in it."""
        for folder in list(self._locks):
            self._release(folder, remove=folder == self.folder and not self._segments)

    @property
    def empty(self) -> bool:
        return self.pending == 0

    def _lock(self, folder: Path) -> bool:
        """Hold `folder`'s lock for as long as this object needs it; False when another process has it."""
        try:
            _make_folder(folder)
            descriptor = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError:
            return False  # removed meanwhile by whoever took it over, or not ours to write
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(descriptor)
            return False
        self._locks[folder] = descriptor
        return True

    def _release(self, folder: Path, *, remove: bool) -> None:
        descriptor = self._locks.pop(folder, None)
        if remove:
            # The lock file goes while still held: whoever opens it later finds no folder, or an
            # empty one, which it takes over and removes in turn (harmless).
            with contextlib.suppress(OSError):
                for path in folder.iterdir():
                    if path.name == LOCK or SEGMENT.match(path.name) or path.name.endswith(".tmp"):
                        path.unlink()
                folder.rmdir()
        if descriptor is not None:
            os.close(descriptor)

    def _scan(self, folder: Path) -> list[Path]:
        found = []
        for path in folder.iterdir():
            if SEGMENT.match(path.name):
                found.append(path)
                self.pending += sum(1 for line in path.read_bytes().splitlines() if line.strip())
            elif path.name.endswith(".tmp"):
                path.unlink()
        return sorted(found)  # the number is zero-padded: name order is age order

    def append(self, documents: list[Document]) -> None:
        """Add records at the newest end; on return they are on disk (fsynced)."""
        index = 0
        while index < len(documents):
            if self._tail is None or self._tail_records >= self._segment_records:
                path = self.folder / f"segment-{self._sequence + 1:012d}.jsonl"
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
                _fsync_folder(self.folder)
                # Only once it exists: a failed append leaves no trace.
                self._sequence += 1
                self._segments.append(path)
                self._tail, self._tail_records = path, 0
            room = self._segment_records - self._tail_records
            chunk = documents[index : index + room]
            _append_lines(self._tail, chunk)
            self._tail_records += len(chunk)
            self.pending += len(chunk)
            index += len(chunk)

    def peek(self, limit: int) -> list[Document]:
        """Up to `limit` of the oldest records, without removing them."""
        while self._segments:
            if self._head is None:
                if self._segments[0] == self._tail:
                    self._tail = None  # replaying the newest: later appends start a new file
                self._head, self._head_offset = self._read(self._segments[0]), 0
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
        # The file first: when deleting it fails, the segment stays the head, fully read, and the
        # next `peek` tries again, so neither it nor the segment behind it is replayed or lost.
        path = self._segments[0]
        path.unlink(missing_ok=True)
        self._segments.pop(0)
        self._head, self._head_offset = None, 0
        if not self._segments:
            self.pending = 0
        folder = path.parent
        if folder not in (self.folder, self.root) and not any(p.parent == folder for p in self._segments):
            self._release(folder, remove=True)  # a taken-over folder, now replayed

    def dead_letter(self, documents: list[Document]) -> Path:
        """Set aside records the sink refused for good, for an operator to look at."""
        folder = self.root / DEAD_LETTERS
        _make_folder(folder)
        path = folder / f"{self.folder.name}.jsonl"
        _append_lines(path, documents)
        return path

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


def _make_folder(folder: Path) -> None:
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)


def _append_lines(path: Path, documents: list[Document]) -> None:
    """All the lines or none (cut back on failure), fsynced; a new file is created 0600."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    with os.fdopen(descriptor, "ab") as file:
        size = file.seek(0, os.SEEK_END)
        try:
            file.write(b"".join(orjson.dumps(d) + b"\n" for d in documents))
            file.flush()
            os.fsync(file.fileno())
        except BaseException:
            file.truncate(size)
            raise


def _fsync_folder(folder: Path) -> None:
    """Make a new file's name durable, not only its contents."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)

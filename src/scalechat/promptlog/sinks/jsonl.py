"""JSON-lines files, one per UTC day of the records' `created_at`: `chat_log-YYYY-MM-DD.jsonl`.

Appends are one write per file per batch, fsynced, and cut back to the old size when the
write fails, so a batch is in a file whole or not at all. A file cannot upsert: a batch
replayed after a crash may be appended twice, so readers keep the last line of each id.
A lock file serialises writers and rewrites (`delete_user`) across processes, since the
CLI may erase a user while the server appends. Files are created 0600 and the folder 0700:
they hold what users wrote.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import orjson

from scalechat.domain import now, parse_utc_text, utc_text
from scalechat.promptlog.sinks.base import Document, user_key, without_erased

FILE_PATTERN = re.compile(r"^chat_log-(\d{4}-\d{2}-\d{2})\.jsonl$")
FILE_MODE = 0o600
FOLDER_MODE = 0o700


ERASURES = "erasures.jsonl"


def file_name(day: date) -> str:
    return f"chat_log-{day.isoformat()}.jsonl"


class JsonlSink:
    name = "jsonl"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def open(self) -> None:
        await asyncio.to_thread(self.folder.mkdir, mode=FOLDER_MODE, parents=True, exist_ok=True)

    async def write(self, documents: list[Document]) -> None:
        await asyncio.to_thread(self._append, documents)

    def _append(self, documents: list[Document]) -> None:
        with self._locked():
            by_day: dict[str, list[bytes]] = {}
            for document in without_erased(documents, self._erasures()):
                by_day.setdefault(document["created_at"][:10], []).append(orjson.dumps(document) + b"\n")
            for day, lines in by_day.items():
                path = self.folder / file_name(date.fromisoformat(day))
                with _open_private(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT) as file:
                    size = file.seek(0, os.SEEK_END)
                    try:
                        file.write(b"".join(lines))
                        file.flush()
                        os.fsync(file.fileno())
                    except BaseException:
                        file.truncate(size)
                        raise

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with _open_private(self.folder / ".lock", os.O_WRONLY | os.O_APPEND | os.O_CREAT) as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _files(self) -> list[tuple[date, Path]]:
        if not self.folder.is_dir():
            return []
        found = []
        for path in self.folder.iterdir():
            match = FILE_PATTERN.match(path.name)
            if match:
                found.append((date.fromisoformat(match.group(1)), path))
        return sorted(found)

    async def purge(self, older_than: datetime) -> int:
        """Drops whole days: a file goes once every record in it is past `older_than`."""
        return await asyncio.to_thread(self._purge, older_than.astimezone(UTC))

    def _purge(self, older_than: datetime) -> int:
        removed = 0
        with self._locked():
            for day, path in self._files():
                if datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC) <= older_than:
                    removed += path.read_bytes().count(b"\n")
                    path.unlink()
        return removed

    async def delete_user(self, user_id: str) -> int:
        return await asyncio.to_thread(self._delete_user, user_id)

    def _erasures(self) -> dict[str, str]:
        """Tombstones (see sinks/base.py), one JSON line each; read under the lock."""
        path = self.folder / ERASURES
        if not path.exists():
            return {}
        lines = [_parse(line) for line in path.read_bytes().splitlines()]
        return {t["user_key"]: t["erased_at"] for t in lines if "user_key" in t}

    def _delete_user(self, user_id: str) -> int:
        removed = 0
        with self._locked():
            # The tombstone first: a batch appended after this lock is released is filtered by it.
            tombstone = {"user_key": user_key(user_id), "erased_at": utc_text(now())}
            with _open_private(self.folder / ERASURES, os.O_WRONLY | os.O_APPEND | os.O_CREAT) as file:
                file.write(orjson.dumps(tombstone) + b"\n")
                file.flush()
                os.fsync(file.fileno())
            for _, path in self._files():
                kept, dropped = [], 0
                for line in path.read_bytes().splitlines(keepends=True):
                    if _parse(line).get("user", {}).get("user_id") == user_id:
                        dropped += 1
                    else:
                        kept.append(line)
                if dropped:
                    # Written aside and renamed: a crash leaves the old file or the new, never half.
                    spare = path.with_suffix(".rewrite")
                    with _open_private(spare, os.O_WRONLY | os.O_CREAT | os.O_TRUNC) as file:
                        file.write(b"".join(kept))
                        file.flush()
                        os.fsync(file.fileno())
                    spare.replace(path)
                    removed += dropped
        return removed

    async def records(self, since: datetime, until: datetime | None = None) -> AsyncIterator[Document]:
        since = since.astimezone(UTC)
        until = until.astimezone(UTC) if until is not None else None
        for day, path in self._files():
            if day < since.date() or (until is not None and day > until.date()):
                continue
            for document in await asyncio.to_thread(self._read, path):
                created = parse_utc_text(document["created_at"])
                if created >= since and (until is None or created < until):
                    yield document

    async def records_of_user(self, user_id: str) -> AsyncIterator[Document]:
        for _, path in self._files():
            for document in await asyncio.to_thread(self._read, path):
                if document.get("user", {}).get("user_id") == user_id:
                    yield document

    @staticmethod
    def _read(path: Path) -> list[Document]:
        """One day's records, each id once (its last line), oldest first."""
        latest: dict[str, Document] = {}
        for line in path.read_bytes().splitlines():
            document = _parse(line)
            if "id" in document:
                latest[document["id"]] = document
        return sorted(latest.values(), key=lambda d: (d.get("created_at", ""), d["id"]))

    async def aclose(self) -> None:
        return None


def _open_private(path: Path, flags: int) -> BinaryIO:
    """Opened for writing in binary; created 0600 when it is new."""
    return os.fdopen(os.open(path, flags, FILE_MODE), "wb")


def _parse(line: bytes) -> Document:
    try:
        document = orjson.loads(line)
    except orjson.JSONDecodeError:
        return {}  # a line torn by a crash mid-write: nothing to keep
    return document if isinstance(document, dict) else {}

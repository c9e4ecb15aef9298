"""What every prompt-log sink offers: idempotent batch writes, and what retention and
data-subject requests need (purge, delete and read one user's records, read a time range)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Protocol

Document = dict[str, Any]


class RecordRejected(Exception):
    """The sink refuses one or more of the documents for good (too large, not storable): writing
    them again cannot succeed. The writer then splits the batch to find them, stores the rest,
    and sets the refused ones aside (the dead-letter file). Any other exception means "try again".
    The message names no record content."""


class PromptLogSink(Protocol):
    name: str

    async def open(self) -> None:
        """Get ready to write (create folders, containers); called again after a failure."""
        ...

    async def write(self, documents: list[Document]) -> None:
        """Store the documents, replacing any stored with the same `id` (a replay is harmless).
        Raises `RecordRejected` when a document can never be stored; anything else (unreachable,
        throttled, timed out) makes the writer keep the batch in the outbox and retry it."""
        ...

    async def purge(self, older_than: datetime) -> int:
        """Remove records created before `older_than`; return how many (or an estimate: files)."""
        ...

    async def delete_user(self, user_id: str) -> int:
        """Remove every record of one user; return how many."""
        ...

    def records(self, since: datetime, until: datetime | None = None) -> AsyncIterator[Document]:
        """Records created in [since, until), oldest first."""
        ...

    def records_of_user(self, user_id: str) -> AsyncIterator[Document]:
        """Every record of one user, oldest first."""
        ...

    async def aclose(self) -> None: ...

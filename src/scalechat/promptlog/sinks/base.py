"""What every prompt-log sink offers: idempotent batch writes, and what retention and
data-subject requests need (purge, delete and read one user's records, read a time range)."""

from __future__ import annotations

import hashlib
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


# -- erasure tombstones ---------------------------------------------------------------------------
# `delete_user` leaves a tombstone before it deletes: records of that user that a running server
# still holds (in memory, or in its outbox while the sink was down) reach the sink later, and
# `write` drops those made before the erasure. The tombstone keeps a hash of the user id, not
# the id: it remembers that someone was erased, not who.


def user_key(user_id: str) -> str:
    return hashlib.sha256(user_id.encode()).hexdigest()


def keys_of(documents: list[Document]) -> dict[str, str]:
    """The tombstone key of each document's user, by user id."""
    return {d["user"]["user_id"]: user_key(d["user"]["user_id"]) for d in documents}


def without_erased(documents: list[Document], erased_at: dict[str, str]) -> list[Document]:
    """The documents not made before their user's erasure. `erased_at`: tombstone key -> the time of
    the erasure, in the records' own fixed-width UTC format (so text order is time order)."""
    if not erased_at:
        return documents
    return [d for d in documents if d["created_at"] > erased_at.get(user_key(d["user"]["user_id"]), "")]

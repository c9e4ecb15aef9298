"""The Cosmos DB container `chat_log`, as the original app had it: partition key
/chat_session_id, one item per record, upserted by id; retention by the container's TTL."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import orjson
from azure.cosmos.aio import ContainerProxy, CosmosClient
from azure.cosmos.exceptions import CosmosHttpResponseError, CosmosResourceNotFoundError

from scalechat.domain import now, utc_text
from scalechat.promptlog.sinks.base import Document, RecordRejected, keys_of, user_key, without_erased
from scalechat.settings import Settings
from scalechat.store.cosmos.client import ContainerSpec, ensure_containers, open_client

CONTAINER = "chat_log"
# The partition of erasure tombstones (see sinks/base.py): items of type "erasure", not records.
ERASURES = "__erasures__"
PARTITION_KEY = "/chat_session_id"
# Upserts in flight at once per batch: enough to hide round trips, few enough not to be throttled.
WRITE_CONCURRENCY = 16
# What Cosmos DB answers about an item itself, the same at every retry: 400 (malformed: an id or
# nesting it refuses), 409 (a unique key taken), 413 (over 2 MB). Not 401/403/404 (keys, roles,
# a missing container: every item would be refused, and should wait for the fix instead), nor
# 408/410/429/449/5xx (temporary).
REFUSED_STATUS = frozenset({400, 409, 413})


# Cosmos DB refuses items over 2 MB (413); this leaves room for its system properties.
MAX_ITEM_BYTES = 2_000_000


def refused_for_good(error: BaseException) -> bool:
    return isinstance(error, CosmosHttpResponseError) and error.status_code in REFUSED_STATUS


def fit(document: Document, limit: int = MAX_ITEM_BYTES) -> Document:
    """The document, or when it is over `limit` bytes a copy cut to fit and marked `"truncated":
    true`: first the prompt's oldest history turns go (the system prompt and the question stay,
    as the model saw them last), then the longest texts are shortened from their end. A long
    conversation's record is then stored rather than refused."""
    excess = len(orjson.dumps(document)) - limit
    if excess <= 0:
        return document
    cut = copy.deepcopy(document)
    cut["truncated"] = True
    prompt: list[dict[str, Any]] = cut.get("message", {}).get("prompt") or []
    first = 1 if prompt and prompt[0].get("role") == "system" else 0
    while excess > 0 and len(prompt) - first > 1:
        excess -= len(orjson.dumps(prompt.pop(first))) + 1
    while excess > 0:
        holders = _texts(cut)
        if not holders:
            break  # over the limit without text: let Cosmos DB refuse it (dead-lettered)
        holder = max(holders, key=lambda h: len(h["content"]))
        # A character is at least one byte: cutting `excess` of them removes at least that much.
        keep = max(0, len(holder["content"]) - excess - 1_000)
        excess -= len(orjson.dumps(holder["content"])) - len(orjson.dumps(holder["content"][:keep]))
        holder["content"] = holder["content"][:keep]
    return cut


def _texts(document: Document) -> list[dict[str, Any]]:
    """The dicts holding the record's non-empty texts: the prompt's turns and the answer."""
    message = document.get("message") or {}
    holders = list(message.get("prompt") or [])
    for attrs in message.get("other_attr") or []:
        for choice in (attrs.get("completion") or {}).get("choices") or []:
            holders.append(choice.get("message") or {})
    return [h for h in holders if isinstance(h.get("content"), str) and h["content"]]


def chat_log_spec(retention_days: int) -> ContainerSpec:
    # Cosmos expires items itself: TTL is the retention job (0 days: keep forever).
    return ContainerSpec(CONTAINER, PARTITION_KEY, default_ttl=retention_days * 86_400 if retention_days > 0 else None)


def _clean(item: dict[str, Any]) -> Document:
    """The record as written: without Cosmos's system properties (_rid, _etag, _ts, ...)."""
    return {key: value for key, value in item.items() if not key.startswith("_")}


class CosmosSink:
    name = "cosmos"

    def __init__(self, settings: Settings, client: CosmosClient | None = None) -> None:
        self._settings = settings
        self._client = client
        self._owned = client is None  # else shared with the conversation store, which closes it
        self._container: ContainerProxy | None = None

    async def open(self) -> None:
        if self._container is not None:
            return
        if self._client is None:
            self._client = open_client(self._settings)
        containers = await ensure_containers(
            self._client,
            self._settings.cosmos.database,
            [chat_log_spec(self._settings.promptlog.retention_days)],
            create=self._settings.cosmos.create_containers,
        )
        self._container = containers[CONTAINER]

    async def _ready(self) -> ContainerProxy:
        await self.open()
        assert self._container is not None
        return self._container

    async def write(self, documents: list[Document]) -> None:
        container = await self._ready()
        documents = without_erased(documents, await self._erasures(container, documents))
        gate = asyncio.Semaphore(WRITE_CONCURRENCY)

        async def upsert(document: Document) -> None:
            async with gate:
                await container.upsert_item(document)

        # Each upsert stands alone (records of many sessions: many partitions, no batch); a failure
        # fails the batch, and replaying the ones that landed is harmless. Concurrent upserts of one
        # id land in any order, so within a batch only the last of each id is sent.
        latest = {document["id"]: fit(document) for document in documents}
        outcomes = await asyncio.gather(*(upsert(d) for d in latest.values()), return_exceptions=True)
        errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        # A temporary failure wins: the batch is retried whole, and a refused item is found then.
        for error in errors:
            if not refused_for_good(error):
                raise error
        if errors:
            codes = sorted({e.status_code or 0 for e in errors if isinstance(e, CosmosHttpResponseError)})
            raise RecordRejected(f"Cosmos DB refused {len(errors)} item(s) (status {codes})") from errors[0]

    async def purge(self, older_than: datetime) -> int:
        """Real Cosmos DB expires records by TTL already; this removes what a TTL-less container
        (or the test server, which ignores TTL) still holds."""
        return await self._delete_where("c.created_at < @t", [{"name": "@t", "value": utc_text(older_than)}])

    async def _erasures(self, container: ContainerProxy, documents: list[Document]) -> dict[str, str]:
        """Tombstones of the batch's users: one query in the tombstones' own partition."""
        keys = sorted(set(keys_of(documents).values()))
        if not keys:
            return {}
        found = container.query_items(
            "SELECT c.user_key, c.erased_at FROM c WHERE ARRAY_CONTAINS(@keys, c.user_key)",
            parameters=[{"name": "@keys", "value": keys}],
            partition_key=ERASURES,
        )
        return {item["user_key"]: item["erased_at"] async for item in found}

    async def delete_user(self, user_id: str) -> int:
        # The tombstone first (in a partition of its own, never expiring): a record of the user
        # written after it is dropped by `write` unless it was made after the erasure.
        key = user_key(user_id)
        tombstone = {
            "id": f"erasure-{key}",
            "chat_session_id": ERASURES,
            "type": "erasure",
            "user_key": key,
            "erased_at": utc_text(now()),
            "ttl": -1,
        }
        await (await self._ready()).upsert_item(tombstone)
        return await self._delete_where('c["user"]["user_id"] = @u', [{"name": "@u", "value": user_id}])

    async def _delete_where(self, condition: str, parameters: list[dict[str, Any]]) -> int:
        container = await self._ready()
        found = [
            item
            async for item in container.query_items(
                f"SELECT c.id, c.chat_session_id FROM c WHERE {condition}",  # noqa: S608 (constant conditions; values are parameters)
                parameters=parameters,
            )
        ]
        removed = 0
        for item in found:
            try:
                await container.delete_item(item["id"], partition_key=item["chat_session_id"])
                removed += 1
            except CosmosResourceNotFoundError:
                pass  # gone meanwhile (TTL, or another run): what we wanted
        return removed

    async def records(self, since: datetime, until: datetime | None = None) -> AsyncIterator[Document]:
        condition = "c.created_at >= @since"
        parameters: list[dict[str, Any]] = [{"name": "@since", "value": utc_text(since)}]
        if until is not None:
            condition += " AND c.created_at < @until"
            parameters.append({"name": "@until", "value": utc_text(until)})
        async for document in self._query(condition, parameters):
            yield document

    async def records_of_user(self, user_id: str) -> AsyncIterator[Document]:
        async for document in self._query('c["user"]["user_id"] = @u', [{"name": "@u", "value": user_id}]):
            yield document

    async def _query(self, condition: str, parameters: list[dict[str, Any]]) -> AsyncIterator[Document]:
        container = await self._ready()
        query = f"SELECT * FROM c WHERE {condition} ORDER BY c.created_at"  # noqa: S608 (as above)
        async for item in container.query_items(query, parameters=parameters):
            yield _clean(item)

    async def aclose(self) -> None:
        if self._owned and self._client is not None:
            await self._client.close()
        self._client, self._container = (None, None) if self._owned else (self._client, None)

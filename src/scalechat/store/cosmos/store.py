"""`Store` (conversations, messages, feedback, presets) on Azure Cosmos DB.

Every user is a partition (`/user_id`) of the `conversations` and `presets` containers (see
documents.py), so everything a request does stays in one partition: point reads wherever the id and
the user are known, single-partition queries otherwise, and transactional batches for the writes
that must happen together. Another user's item is simply not in the partition, which gives the
protocol's "indistinguishable from missing".

Paging is keyset paging on (updated_at, id), the same `Cursor` as the SQL stores, not the SDK's
continuation token: the query is single-partition and ordered by a composite index, so the keyset
condition is as cheap as a token; the cursor stays small (a token grows with the partitions a query
touches), stays valid across deployments and SDK versions, and one contract serves every backend.

Where SQL has one transaction across users (`save_checkpoints`, `finish_messages`,
`interrupt_streaming`), Cosmos DB has one partition per user: these write each answer on its own
(concurrently; each applied or not, each safe to repeat).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from azure.core import MatchConditions
from azure.cosmos.aio import ContainerProxy, CosmosClient
from azure.cosmos.exceptions import (
    CosmosAccessConditionFailedError,
    CosmosBatchOperationError,
    CosmosResourceExistsError,
    CosmosResourceNotFoundError,
)

from scalechat.domain import DEFAULT_TITLE, Conversation, Feedback, Message, MessageStatus, Preset, Role, utc_text
from scalechat.errors import Conflict
from scalechat.store.base import (
    Checkpoint,
    ConversationChanges,
    ConversationPage,
    Cursor,
    FinishedMessage,
    NewExchange,
    PresetChanges,
    preset_name_taken,
    too_many_presets,
)
from scalechat.store.cosmos.documents import (
    CONVERSATION,
    MESSAGE,
    conversation_item,
    conversation_of,
    feedback_value,
    message_item,
    message_of,
    preset_item,
    preset_of,
    safe_literal,
)
from scalechat.store.cosmos.errors import maps_cosmos_errors

T = TypeVar("T")

MAX_BATCH_OPERATIONS = 100  # Cosmos DB's limit per transactional batch
# Read-modify-write under an ETag: tries before giving up to a write that keeps racing us.
ETAG_TRIES = 5
# Concurrent writes to different partitions (checkpoints of many streams, a user's deletion).
WRITE_CONCURRENCY = 16

_OPEN_ANSWER = "FROM c WHERE c.status = 'streaming'"  # lower case: the test server lower-cases predicates


def _param(name: str, value: Any) -> dict[str, Any]:
    return {"name": name, "value": value}


async def _bounded(tasks: Iterable[Awaitable[T]], limit: int = WRITE_CONCURRENCY) -> list[T]:
    semaphore = asyncio.Semaphore(limit)

    async def one(task: Awaitable[T]) -> T:
        async with semaphore:
            return await task

    return list(await asyncio.gather(*(one(t) for t in tasks)))


@maps_cosmos_errors
class CosmosConversationStore:
    """Implements `Store`. Owns the client: `aclose()` closes it (the identity store shares it)."""

    def __init__(self, client: CosmosClient, conversations: ContainerProxy, presets: ContainerProxy) -> None:
        self._client = client
        self._conversations = conversations
        self._presets = presets

    @property
    def client(self) -> CosmosClient:
        """The client, for others to share (the prompt log's sink); the store closes it."""
        return self._client

    # -- reads of one item ----------------------------------------------------------------------

    async def _read(self, container: ContainerProxy, user_id: str, item_id: str) -> dict[str, Any] | None:
        try:
            item: dict[str, Any] = await container.read_item(item_id, partition_key=user_id)
        except CosmosResourceNotFoundError:
            return None
        return item

    async def _read_typed(self, user_id: str, item_id: str, kind: str) -> dict[str, Any] | None:
        item = await self._read(self._conversations, user_id, item_id)
        return item if item is not None and item.get("type") == kind else None

    # -- conversations --------------------------------------------------------------------------

    async def create_conversation(self, conversation: Conversation) -> None:
        await self._conversations.create_item(conversation_item(conversation))

    async def get_conversation(self, user_id: str, conversation_id: str) -> Conversation | None:
        item = await self._read_typed(user_id, conversation_id, CONVERSATION)
        return conversation_of(item) if item else None

    async def list_conversations(
        self, user_id: str, *, limit: int, cursor: Cursor | None, query: str | None
    ) -> ConversationPage:
        where = ["c.user_id = @user", "c.type = 'conversation'"]
        parameters = [_param("@user", user_id), _param("@n", limit + 1)]
        if cursor is not None:
            where.append("(c.updated_at < @at OR (c.updated_at = @at AND c.id < @after))")
            parameters += [_param("@at", utc_text(cursor.updated_at)), _param("@after", cursor.id)]
        if query:
            # Two single-partition queries: the conversations whose messages match, then the list.
            # (No DISTINCT or JOIN across item types in Cosmos DB; a user's matches are few.)
            needle = query.lower()
            hits = self._conversations.query_items(
                "SELECT VALUE c.conversation_id FROM c WHERE c.user_id = @user AND c.type = 'message' "
                "AND CONTAINS(LOWER(c.content), @q)",
                parameters=[_param("@user", user_id), _param("@q", needle)],
                partition_key=user_id,
            )
            in_messages = sorted({str(conversation_id) async for conversation_id in hits})
            where.append("(CONTAINS(LOWER(c.title), @q) OR ARRAY_CONTAINS(@hits, c.id))")
            parameters += [_param("@q", needle), _param("@hits", in_messages)]
        # Only our own clauses go into the text; every value is a parameter.
        statement = f"SELECT TOP @n * FROM c WHERE {' AND '.join(where)} ORDER BY c.updated_at DESC, c.id DESC"  # noqa: S608
        rows = [
            item
            async for item in self._conversations.query_items(statement, parameters=parameters, partition_key=user_id)
        ]
        items = [conversation_of(row) for row in rows[:limit]]
        next_cursor = Cursor(items[-1].updated_at, items[-1].id) if len(rows) > limit else None
        return ConversationPage(items, next_cursor)

    async def update_conversation(
        self, user_id: str, conversation_id: str, changes: ConversationChanges
    ) -> Conversation | None:
        operations: list[dict[str, Any]] = []
        for name in ("title", "system_prompt", "model", "current_message_id"):
            value = getattr(changes, name)
            if value is not None:
                operations.append({"op": "set", "path": f"/{name}", "value": value})
        if changes.updated_at is not None:
            operations.append({"op": "set", "path": "/updated_at", "value": utc_text(changes.updated_at)})
        if changes.parameters is not None:
            operations.append({"op": "set", "path": "/parameters", "value": changes.parameters.model_dump()})
        if not operations:
            return await self.get_conversation(user_id, conversation_id)
        try:
            # A patch of the given fields only: a rename and a new answer at the same moment both
            # survive. The condition keeps a message id from being patched as a conversation.
            item = await self._conversations.patch_item(
                conversation_id,
                partition_key=user_id,
                patch_operations=operations,
                filter_predicate="FROM c WHERE c.type = 'conversation'",
            )
        except (CosmosResourceNotFoundError, CosmosAccessConditionFailedError):
            return None
        return conversation_of(item)

    async def delete_conversation(self, user_id: str, conversation_id: str) -> bool:
        if await self._read_typed(user_id, conversation_id, CONVERSATION) is None:
            return False
        # The conversation first: from then on it is gone from the user's view. Its messages go
        # next, in batches; a crash in between leaves unreachable messages (a sweep can take them).
        try:
            await self._conversations.delete_item(conversation_id, partition_key=user_id)
        except CosmosResourceNotFoundError:
            return False
        message_ids = self._conversations.query_items(
            "SELECT VALUE c.id FROM c WHERE c.user_id = @user AND c.conversation_id = @conversation",
            parameters=[_param("@user", user_id), _param("@conversation", conversation_id)],
            partition_key=user_id,
        )
        await self._delete_all(self._conversations, user_id, [str(i) async for i in message_ids])
        return True

    async def _delete_all(self, container: ContainerProxy, user_id: str, ids: list[str]) -> int:
        """Delete these items of one partition in batches; those gone already do not count."""
        deleted = 0
        for start in range(0, len(ids), MAX_BATCH_OPERATIONS):
            chunk = ids[start : start + MAX_BATCH_OPERATIONS]
            try:
                await container.execute_item_batch([("delete", (item_id,)) for item_id in chunk], user_id)
                deleted += len(chunk)
            except CosmosBatchOperationError:
                # One was deleted meanwhile (404), which fails the whole batch: delete one by one.
                deleted += sum(await _bounded(self._delete_one(container, user_id, i) for i in chunk))
        return deleted

    async def _delete_one(self, container: ContainerProxy, partition: str, item_id: str) -> int:
        try:
            await container.delete_item(item_id, partition_key=partition)
        except CosmosResourceNotFoundError:
            return 0
        return 1

    async def get_conversation_with_messages(
        self, user_id: str, conversation_id: str
    ) -> tuple[Conversation, list[Message]] | None:
        # One query for the conversation and its messages: one round trip, one consistent read.
        rows = self._conversations.query_items(
            "SELECT * FROM c WHERE c.user_id = @user AND (c.id = @conversation OR c.conversation_id = @conversation)",
            parameters=[_param("@user", user_id), _param("@conversation", conversation_id)],
            partition_key=user_id,
        )
        conversation: Conversation | None = None
        found: list[Message] = []
        async for row in rows:
            if row.get("type") == CONVERSATION and row["id"] == conversation_id:
                conversation = conversation_of(row)
            elif row.get("type") == MESSAGE and row.get("conversation_id") == conversation_id:
                found.append(message_of(row))
        if conversation is None:
            return None
        # Sorted here: ORDER BY created_at, id would need one more composite index for little gain.
        found.sort(key=lambda m: (m.created_at, m.id))
        return conversation, found

    # -- messages -------------------------------------------------------------------------------

    async def get_message(self, user_id: str, message_id: str) -> Message | None:
        item = await self._read_typed(user_id, message_id, MESSAGE)
        return message_of(item) if item else None

    async def _open_answer(self, user_id: str, message_id: str) -> dict[str, Any] | None:
        """The user's finished answer, as stored (with its ETag); None if there is no such thing."""
        item = await self._read_typed(user_id, message_id, MESSAGE)
        if item is None or item["role"] != Role.ASSISTANT.value or item["status"] == MessageStatus.STREAMING.value:
            return None
        return item

    async def _patch_if_unchanged(
        self, user_id: str, item: dict[str, Any], operations: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        """Patch the item if nobody wrote it since it was read; None on a race."""
        try:
            patched: dict[str, Any] = await self._conversations.patch_item(
                item["id"],
                partition_key=user_id,
                patch_operations=operations,
                etag=item["_etag"],
                match_condition=MatchConditions.IfNotModified,
            )
        except CosmosAccessConditionFailedError:
            return None
        return patched

    async def edit_message(self, user_id: str, message_id: str, content: str, edited_at: datetime) -> Message | None:
        for _ in range(ETAG_TRIES):
            item = await self._open_answer(user_id, message_id)
            if item is None:
                return None
            operations = [
                {"op": "set", "path": "/content", "value": content},
                {"op": "set", "path": "/edited_at", "value": utc_text(edited_at)},
            ]
            if item.get("original_content") is None:  # the first edit keeps the model's text
                operations.append({"op": "set", "path": "/original_content", "value": item["content"]})
            try:
                patched = await self._patch_if_unchanged(user_id, item, operations)
            except CosmosResourceNotFoundError:
                return None
            if patched is not None:
                return message_of(patched)
        raise Conflict("The answer kept changing while it was being edited; try again.", code="edit_conflict")

    async def set_feedback(self, feedback: Feedback) -> Feedback | None:
        for _ in range(ETAG_TRIES):
            item = await self._open_answer(feedback.user_id, feedback.message_id)
            if item is None:
                return None
            earlier = item.get("feedback")
            value = feedback_value(feedback)
            if earlier:  # replaced, but its first time stays
                value["created_at"] = earlier["created_at"]
            try:
                patched = await self._patch_if_unchanged(
                    feedback.user_id, item, [{"op": "set", "path": "/feedback", "value": value}]
                )
            except CosmosResourceNotFoundError:
                return None
            if patched is not None:
                return message_of(patched).feedback
        raise Conflict("The answer kept changing while feedback was being saved; try again.", code="feedback_conflict")

    async def delete_feedback(self, user_id: str, message_id: str) -> bool:
        try:
            # `set null`, not `remove`: Cosmos DB refuses to remove a path that is not there.
            await self._conversations.patch_item(
                message_id,
                partition_key=user_id,
                patch_operations=[{"op": "set", "path": "/feedback", "value": None}],
                filter_predicate="FROM c WHERE c.type = 'message'",
            )
        except (CosmosResourceNotFoundError, CosmosAccessConditionFailedError):
            return False
        return True

    async def add_exchange(self, user_id: str, conversation_id: str, exchange: NewExchange) -> bool:
        moves = [
            {"op": "set", "path": "/current_message_id", "value": exchange.current_message_id},
            {"op": "set", "path": "/updated_at", "value": utc_text(exchange.updated_at)},
        ]
        creates = [("create", (message_item(m),)) for m in exchange.messages]
        expected = exchange.expected_current_id
        if exchange.title_if_untitled is None and (expected is None or safe_literal(expected)):
            # The hot path: one round trip. The conditioned patch goes first; if it fails (412: the
            # conversation moved on; 404: it is gone) the batch stops there and nothing is written.
            condition = "IS_NULL(c.current_message_id)" if expected is None else f"c.current_message_id = '{expected}'"
            predicate = f"FROM c WHERE c.type = 'conversation' AND {condition}"
            return await self._run_exchange(
                user_id, [("patch", (conversation_id, moves), {"filter_predicate": predicate}), *creates]
            )
        # The first question also names the chat, if it is still untitled: read, decide, then write
        # under the ETag; a concurrent rename moves the ETag but not the current id, so read again.
        for _ in range(ETAG_TRIES):
            item = await self._read_typed(user_id, conversation_id, CONVERSATION)
            if item is None or item.get("current_message_id") != expected:
                return False
            operations = list(moves)
            if exchange.title_if_untitled is not None and item["title"] == DEFAULT_TITLE:
                operations.append({"op": "set", "path": "/title", "value": exchange.title_if_untitled})
            batch = [("patch", (conversation_id, operations), {"if_match_etag": item["_etag"]}), *creates]
            try:
                return await self._run_exchange(user_id, batch, raise_on_stale=True)
            except _StaleETag:
                continue
        return False

    async def _run_exchange(self, user_id: str, batch: list[Any], *, raise_on_stale: bool = False) -> bool:
        try:
            await self._conversations.execute_item_batch(batch, user_id)
        except CosmosBatchOperationError as exc:
            status = _batch_status(exc)
            if exc.error_index == 0 and status == 412:
                if raise_on_stale:
                    raise _StaleETag from None
                return False
            if exc.error_index == 0 and status == 404:
                return False
            raise
        return True

    async def save_checkpoints(self, checkpoints: list[Checkpoint]) -> None:
        await _bounded(self._checkpoint(c) for c in checkpoints)

    async def _checkpoint(self, checkpoint: Checkpoint) -> None:
        with contextlib.suppress(CosmosResourceNotFoundError, CosmosAccessConditionFailedError):
            await self._conversations.patch_item(
                checkpoint.message_id,
                partition_key=checkpoint.user_id,
                patch_operations=[{"op": "set", "path": "/content", "value": checkpoint.content}],
                filter_predicate=_OPEN_ANSWER,  # an answer that ended meanwhile keeps its final text
            )

    async def finish_messages(self, finished: list[FinishedMessage]) -> None:
        await _bounded(self._finish(f) for f in finished)

    async def _finish(self, finished: FinishedMessage) -> None:
        outcome = finished.outcome
        values = {
            "content": outcome.content,
            "status": outcome.status.value,
            "usage": outcome.usage.model_dump() if outcome.usage else None,
            "finish_reason": outcome.finish_reason,
            "error_code": outcome.error_code,
            "error_detail": outcome.error_detail,
        }
        # Not found: the conversation was deleted while the answer streamed.
        with contextlib.suppress(CosmosResourceNotFoundError):
            await self._conversations.patch_item(
                finished.message_id,
                partition_key=finished.user_id,
                patch_operations=[{"op": "set", "path": f"/{name}", "value": v} for name, v in values.items()],
            )

    async def interrupt_streaming(self, detail: str) -> int:
        # Across partitions: one query, then one conditioned patch per answer (not atomic, which
        # the one-instance assumption of the protocol allows).
        left = self._conversations.query_items(
            "SELECT c.id, c.user_id FROM c WHERE c.type = 'message' AND c.status = 'streaming'",
        )
        found = [(row["user_id"], row["id"]) async for row in left]
        return sum(await _bounded(self._interrupt(user_id, message_id, detail) for user_id, message_id in found))

    async def _interrupt(self, user_id: str, message_id: str, detail: str) -> int:
        operations = [
            {"op": "set", "path": "/status", "value": MessageStatus.INTERRUPTED.value},
            {"op": "set", "path": "/error_code", "value": "interrupted"},
            {"op": "set", "path": "/error_detail", "value": detail},
        ]
        try:
            await self._conversations.patch_item(
                message_id, partition_key=user_id, patch_operations=operations, filter_predicate=_OPEN_ANSWER
            )
        except (CosmosResourceNotFoundError, CosmosAccessConditionFailedError):
            return 0
        return 1

    async def delete_user_data(self, user_id: str) -> int:
        # Query and delete, partition by partition: `delete_all_items_by_partition_key` would be one
        # call on a real account, but it is a preview feature, asynchronous, and the test server
        # lacks it. Conversations go before their messages, so a part-way failure hides them first.
        deleted = 0
        for container in (self._conversations, self._presets):
            rows = container.query_items(
                "SELECT c.id, c.type FROM c WHERE c.user_id = @user",
                parameters=[_param("@user", user_id)],
                partition_key=user_id,
            )
            found = [(row.get("type") != CONVERSATION, row["id"]) async for row in rows]
            deleted += await self._delete_all(container, user_id, [item_id for _, item_id in sorted(found)])
        return deleted

    # -- presets --------------------------------------------------------------------------------

    async def list_presets(self, user_id: str) -> list[Preset]:
        rows = self._presets.query_items(
            "SELECT * FROM c WHERE c.user_id = @user", parameters=[_param("@user", user_id)], partition_key=user_id
        )
        presets = [preset_of(row) async for row in rows]
        return sorted(presets, key=lambda p: (p.name.casefold(), p.name, p.id))

    async def get_preset(self, user_id: str, preset_id: str) -> Preset | None:
        item = await self._read(self._presets, user_id, preset_id)
        return preset_of(item) if item else None

    async def create_preset(self, preset: Preset, *, limit: int) -> None:
        # Count, then create: two creates at the very same moment may both pass the count (as on
        # PostgreSQL); the name's uniqueness is the container's unique key, so that one holds.
        counted = self._presets.query_items(
            "SELECT VALUE COUNT(1) FROM c WHERE c.user_id = @user",
            parameters=[_param("@user", preset.user_id)],
            partition_key=preset.user_id,
        )
        owned = sum([int(n) async for n in counted])  # type: ignore[call-overload]  # VALUE rows are numbers
        if owned >= limit:
            raise too_many_presets(limit)
        try:
            await self._presets.create_item(preset_item(preset))
        except CosmosResourceExistsError:
            raise preset_name_taken(preset.name) from None

    async def update_preset(self, user_id: str, preset_id: str, changes: PresetChanges) -> Preset | None:
        operations: list[dict[str, Any]] = [{"op": "set", "path": "/updated_at", "value": utc_text(changes.updated_at)}]
        for name in ("name", "system_prompt", "model"):
            value = getattr(changes, name)
            if value is not None:
                operations.append({"op": "set", "path": f"/{name}", "value": value})
        if changes.clear_model:
            operations.append({"op": "set", "path": "/model", "value": None})
        if changes.parameters is not None:
            operations.append({"op": "set", "path": "/parameters", "value": changes.parameters.model_dump()})
        try:
            item = await self._presets.patch_item(preset_id, partition_key=user_id, patch_operations=operations)
        except CosmosResourceNotFoundError:
            return None
        except CosmosResourceExistsError:
            raise preset_name_taken(changes.name or "") from None
        return preset_of(item)

    async def delete_preset(self, user_id: str, preset_id: str) -> bool:
        return bool(await self._delete_one(self._presets, user_id, preset_id))

    # -- lifecycle ------------------------------------------------------------------------------

    async def ping(self) -> None:
        await self._conversations.read()  # the container's properties: cheap, and proves the keys work

    async def aclose(self) -> None:
        await self._client.close()


class _StaleETag(Exception):
    """The conversation changed between our read and our conditioned write."""


def _batch_status(error: CosmosBatchOperationError) -> int:
    responses = error.operation_responses or []
    index = error.error_index or 0
    if index < len(responses):
        response = responses[index]
        status = response.get("statusCode") if isinstance(response, dict) else None
        if isinstance(status, int):
            return status
    return int(error.status_code or 0)

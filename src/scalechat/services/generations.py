"""Server-side generations: the one place that starts, finds, stops and awaits answers.

An answer is produced by a task owned by the server, not by the HTTP request
that asked for it. Requests only subscribe: they get what was produced so far,
then follow live, so a dropped connection loses nothing and a second tab can
watch the same answer. Text is checkpointed to the store in batches every
`checkpoint_interval` seconds; the answer ends in exactly one stored status.

Single-process for now: the registry is a dict. Running several instances
needs the checkpoints (already in the database) plus a shared channel for
live deltas and stop requests; that change stays inside this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from scalechat.domain import MessageStatus, Usage
from scalechat.errors import ModelError
from scalechat.llm.base import ChatModel, ChatRequest
from scalechat.llm.events import Finished, TextDelta, UsageReport
from scalechat.store.base import ConversationStore, MessageOutcome

log = logging.getLogger(__name__)

# What subscribers receive: ("delta", {"text": ...}), ("done", {...}) or ("error", {...}).
StreamEvent = tuple[str, dict[str, Any]]


def terminal_event(outcome: MessageOutcome) -> StreamEvent:
    """The last SSE event for a stored outcome."""
    if outcome.status in (MessageStatus.COMPLETED, MessageStatus.STOPPED):
        reason = outcome.finish_reason or outcome.status.value
        usage = outcome.usage.model_dump() if outcome.usage else None
        return ("done", {"finish_reason": reason, "usage": usage, "status": outcome.status.value})
    return (
        "error",
        {
            "code": outcome.error_code or outcome.status.value,
            "detail": outcome.error_detail or "The answer could not be finished.",
            "status": outcome.status.value,
        },
    )


@dataclass(eq=False)
class Generation:
    message_id: str
    user_id: str
    model_id: str
    chunks: list[str] = field(default_factory=list)
    subscribers: set[asyncio.Queue[StreamEvent]] = field(default_factory=set)
    outcome: MessageOutcome | None = None
    dirty: bool = False
    end_as: MessageStatus | None = None  # why the task was cancelled: stopped or interrupted
    finishing: bool = False  # the outcome is being stored: too late to cancel
    task: asyncio.Task[None] | None = None
    started_at: float = field(default_factory=time.monotonic)
    first_token_at: float | None = None

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def publish(self, event: StreamEvent) -> None:
        for queue in self.subscribers:
            queue.put_nowait(event)


class GenerationManager:
    def __init__(self, store: ConversationStore, *, checkpoint_interval: float) -> None:
        self._store = store
        self._interval = checkpoint_interval
        self._live: dict[str, Generation] = {}
        self._checkpointer: asyncio.Task[None] | None = None
        self._accepting = True
        self._shutdown: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------

    async def start_background(self) -> None:
        self._checkpointer = asyncio.create_task(self._checkpoint_loop(), name="checkpointer")

    def begin_shutdown(self, grace_seconds: float) -> asyncio.Task[None]:
        """Stop taking new answers and start draining; later calls return the same drain."""
        if self._shutdown is None:
            self._accepting = False
            self._shutdown = asyncio.create_task(self._drain(grace_seconds), name="generations-drain")
        return self._shutdown

    async def shutdown(self, grace_seconds: float) -> None:
        """Let answers in flight finish for `grace_seconds`, then store them as interrupted."""
        await self.begin_shutdown(grace_seconds)

    async def _drain(self, grace_seconds: float) -> None:
        tasks = [g.task for g in self._live.values() if g.task is not None]
        if tasks:
            log.info("generations.draining", extra={"count": len(tasks), "grace_s": grace_seconds})
            _, pending = await asyncio.wait(tasks, timeout=grace_seconds)
            for generation in list(self._live.values()):
                if generation.task in pending and not generation.finishing:
                    generation.end_as = MessageStatus.INTERRUPTED
                    generation.task.cancel()
            if pending:
                await asyncio.wait(pending)
        if self._checkpointer is not None:
            self._checkpointer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checkpointer

    @property
    def accepting(self) -> bool:
        return self._accepting

    @property
    def live_count(self) -> int:
        return len(self._live)

    # -- the seam ----------------------------------------------------------

    def start(self, *, message_id: str, user_id: str, model: ChatModel, request: ChatRequest) -> Generation:
        generation = Generation(message_id=message_id, user_id=user_id, model_id=model.info.id)
        self._live[message_id] = generation
        generation.task = asyncio.create_task(self._run(generation, model, request), name=f"gen-{message_id}")
        return generation

    def find(self, user_id: str, message_id: str) -> Generation | None:
        generation = self._live.get(message_id)
        return generation if generation is not None and generation.user_id == user_id else None

    async def stop(self, generation: Generation) -> None:
        """Cancel the upstream request now and wait until the partial answer is stored."""
        if generation.task is None or generation.task.done():
            return
        if not generation.finishing:
            generation.end_as = MessageStatus.STOPPED
            generation.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(generation.task)

    async def subscribe(self, generation: Generation) -> AsyncIterator[StreamEvent]:
        """What was produced so far as one delta, then every event live until the end."""
        queue: asyncio.Queue[StreamEvent] = asyncio.Queue()
        so_far = generation.text
        if generation.outcome is not None:
            if so_far:
                yield ("delta", {"text": so_far})
            yield terminal_event(generation.outcome)
            return
        generation.subscribers.add(queue)
        try:
            if so_far:
                yield ("delta", {"text": so_far})
            while True:
                event = await queue.get()
                yield event
                if event[0] != "delta":
                    return
        finally:
            generation.subscribers.discard(queue)

    # -- internals ---------------------------------------------------------

    async def _run(self, generation: Generation, model: ChatModel, request: ChatRequest) -> None:
        usage: Usage | None = None
        finish_reason: str | None = None
        outcome: MessageOutcome
        try:
            async for event in model.stream(request):
                if isinstance(event, TextDelta):
                    if generation.first_token_at is None:
                        generation.first_token_at = time.monotonic()
                    generation.chunks.append(event.text)
                    generation.dirty = True
                    generation.publish(("delta", {"text": event.text}))
                elif isinstance(event, UsageReport):
                    usage = event.usage
                elif isinstance(event, Finished):
                    finish_reason = event.reason
            outcome = MessageOutcome(
                content=generation.text,
                status=MessageStatus.COMPLETED,
                usage=usage,
                finish_reason=finish_reason,
            )
        except asyncio.CancelledError:
            status = generation.end_as or MessageStatus.INTERRUPTED
            detail = None if status is MessageStatus.STOPPED else "The server stopped before this answer was finished."
            outcome = MessageOutcome(
                content=generation.text,
                status=status,
                usage=usage,
                finish_reason="stopped" if status is MessageStatus.STOPPED else None,
                error_code=None if status is MessageStatus.STOPPED else "interrupted",
                error_detail=detail,
            )
        except ModelError as error:
            detail = error.detail
            if error.retry_after is not None:
                detail = f"{detail} Try again in {error.retry_after:g} seconds."
            outcome = MessageOutcome(
                content=generation.text,
                status=MessageStatus.FAILED,
                usage=usage,
                error_code=error.code,
                error_detail=detail,
            )
        except Exception:
            log.exception("generation.crashed", extra={"message_id": generation.message_id})
            outcome = MessageOutcome(
                content=generation.text,
                status=MessageStatus.FAILED,
                error_code="internal_error",
                error_detail="The answer failed because of an internal error.",
            )
        await self._finish(generation, outcome)

    async def _finish(self, generation: Generation, outcome: MessageOutcome) -> None:
        generation.finishing = True
        try:
            await self._store.finish_message(generation.message_id, outcome)
        except Exception:
            log.exception("generation.store_failed", extra={"message_id": generation.message_id})
        generation.outcome = outcome
        generation.dirty = False
        self._live.pop(generation.message_id, None)
        generation.publish(terminal_event(outcome))
        now = time.monotonic()
        log.info(
            "generation.finished",
            extra={
                "message_id": generation.message_id,
                "model": generation.model_id,
                "status": outcome.status.value,
                "finish_reason": outcome.finish_reason,
                "error_code": outcome.error_code,
                "first_token_ms": (
                    round((generation.first_token_at - generation.started_at) * 1000, 1)
                    if generation.first_token_at
                    else None
                ),
                "total_ms": round((now - generation.started_at) * 1000, 1),
            },
        )

    async def _checkpoint_loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self.checkpoint()

    async def checkpoint(self) -> None:
        dirty = {g.message_id: g for g in self._live.values() if g.dirty and g.outcome is None}
        if not dirty:
            return
        for generation in dirty.values():
            generation.dirty = False
        try:
            await self._store.save_checkpoints({mid: g.text for mid, g in dirty.items()})
        except Exception:
            log.exception("generations.checkpoint_failed", extra={"count": len(dirty)})
            for generation in dirty.values():
                generation.dirty = True

"""Server-side generations: the one place that starts, finds, stops and awaits answers.

An answer is produced by a task owned by the server, not by the HTTP request
that asked for it. Requests only subscribe: they get what was produced so far,
then follow live, so a dropped connection loses nothing and a second tab can
watch the same answer. Text is checkpointed to the store in batches every
`checkpoint_interval` seconds; the answer ends in exactly one stored status.

Subscribers hear an answer's end as soon as it is known; the store is written
right after. Until that write lands the generation stays registered, and
`overlay` lets readers see the final state rather than the last checkpoint.

Single-process for now: the registry is a dict. Running several instances
needs the checkpoints (already in the database) plus a shared channel for
live deltas and stop requests; that change stays inside this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from scalechat.domain import INTERRUPTED_DETAIL, Message, MessageStatus, Usage
from scalechat.errors import ModelError
from scalechat.llm.base import ChatModel, ChatRequest
from scalechat.llm.events import Finished, TextDelta, UsageReport
from scalechat.promptlog.record import PromptContext, PromptLogEntry
from scalechat.store.base import Checkpoint, ConversationStore, FinishedMessage, MessageOutcome

log = logging.getLogger(__name__)

# What subscribers receive: ("delta", {"text": ...}), ("done", {...}) or ("error", {...}).
StreamEvent = tuple[str, dict[str, Any]]

# Waits between attempts to store answers' ends when the database fails.
STORE_RETRY_BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)

# A retryable failure without a Retry-After still tells the user when to try again.
DEFAULT_RETRY_AFTER_SECONDS = 10


class PromptLogRecorder(Protocol):
    def record(self, entry: PromptLogEntry) -> None:
        """Take a finished model call; must neither block nor raise."""
        ...


def terminal_event(outcome: MessageOutcome) -> StreamEvent:
    """The last event of a stream, for an outcome."""
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


def orphaned(message: Message) -> Message:
    """An answer stored as streaming that nobody here is writing (its process died, or its end
    could not be stored), as it is shown and replayed: interrupted."""
    return dataclasses.replace(
        message,
        status=MessageStatus.INTERRUPTED,
        error_code=message.error_code or "interrupted",
        error_detail=message.error_detail or INTERRUPTED_DETAIL,
    )


async def replay_stored(message: Message) -> AsyncIterator[StreamEvent]:
    """An answer nobody is writing any more, as a stream: its text, then how it ended."""
    if message.content:
        yield ("delta", {"text": message.content})
    if message.status is MessageStatus.STREAMING:
        message = orphaned(message)
    status = message.status
    yield terminal_event(
        MessageOutcome(
            content=message.content,
            status=status,
            usage=message.usage,
            finish_reason=message.finish_reason,
            error_code=message.error_code or ("interrupted" if status is MessageStatus.INTERRUPTED else None),
            error_detail=message.error_detail or (INTERRUPTED_DETAIL if status is MessageStatus.INTERRUPTED else None),
        )
    )


@dataclass(eq=False)
class Generation:
    message_id: str
    conversation_id: str
    user_id: str
    model_id: str
    chunks: list[str] = field(default_factory=list)
    subscribers: set[asyncio.Queue[StreamEvent]] = field(default_factory=set)
    outcome: MessageOutcome | None = None
    dirty: bool = False
    end_as: MessageStatus | None = None  # why the task was cancelled: stopped or interrupted
    running: bool = False  # the task has taken its first step: cancel() now lands inside `_run`'s try
    finishing: bool = False  # the outcome is known and being stored: too late to cancel
    task: asyncio.Task[None] | None = None
    started_at: float = field(default_factory=time.monotonic)
    first_token_at: float | None = None
    stored: asyncio.Event = field(default_factory=asyncio.Event)  # the outcome is in the store
    log_context: PromptContext | None = None  # what the prompt log needs; None: not logged
    started_wall: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    @property
    def in_progress(self) -> bool:
        return self.outcome is None

    def publish(self, event: StreamEvent) -> None:
        for queue in self.subscribers:
            queue.put_nowait(event)


class GenerationManager:
    def __init__(
        self,
        store: ConversationStore,
        *,
        checkpoint_interval: float,
        prompt_log: PromptLogRecorder | None = None,
    ) -> None:
        self._store = store
        self._prompt_log = prompt_log
        self._interval = checkpoint_interval
        self._live: dict[str, Generation] = {}
        # Answers being stored right now, whose generation starts once the write lands.
        self._starting: set[str] = set()
        self._checkpointer: asyncio.Task[None] | None = None
        self._finisher: asyncio.Task[None] | None = None
        self._finished: list[tuple[FinishedMessage, asyncio.Future[None]]] = []
        self._finished_waiting = asyncio.Event()
        self._finisher_closing = False
        self._accepting = True
        self._past_grace = False
        self._shutdown: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------

    async def start_background(self) -> None:
        self._checkpointer = asyncio.create_task(self._checkpoint_loop(), name="checkpointer")
        self._finisher = asyncio.create_task(self._finish_loop(), name="finisher")

    @property
    def accepting(self) -> bool:
        return self._accepting

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
        deadline = time.monotonic() + grace_seconds
        if self._live:
            log.info("generations.draining", extra={"count": len(self._live), "grace_s": grace_seconds})
        # Loop: a request that passed the `accepting` check just before the drain began
        # may still start a generation while we wait.
        while (tasks := self._tasks()) and (remaining := deadline - time.monotonic()) > 0:
            await asyncio.wait(tasks, timeout=remaining)
        self._past_grace = True
        while tasks := self._tasks():
            for generation in list(self._live.values()):
                self._cancel(generation, MessageStatus.INTERRUPTED)
            await asyncio.wait(tasks)
        if self._checkpointer is not None:
            self._checkpointer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checkpointer
        if self._finisher is not None:
            # Not cancelled: it writes what is queued, then ends; later ends are stored directly.
            self._finisher_closing = True
            self._finished_waiting.set()
            await self._finisher

    def _tasks(self) -> set[asyncio.Task[None]]:
        return {g.task for g in self._live.values() if g.task is not None and not g.task.done()}

    # -- the seam ----------------------------------------------------------

    @contextlib.contextmanager
    def starting(self, message_id: str) -> Iterator[None]:
        """Around storing a new answer: readers who see its row before `start` know it is about to run."""
        self._starting.add(message_id)
        try:
            yield
        finally:
            self._starting.discard(message_id)

    def start(
        self,
        *,
        message_id: str,
        conversation_id: str,
        user_id: str,
        model: ChatModel,
        request: ChatRequest,
        log_context: PromptContext | None = None,
    ) -> Generation:
        generation = Generation(
            message_id=message_id,
            conversation_id=conversation_id,
            user_id=user_id,
            model_id=model.info.id,
            log_context=log_context,
        )
        self._live[message_id] = generation
        generation.task = asyncio.create_task(self._run(generation, model, request), name=f"gen-{message_id}")
        if self._past_grace:
            self._cancel(generation, MessageStatus.INTERRUPTED)
        return generation

    def find(self, user_id: str, message_id: str) -> Generation | None:
        generation = self._live.get(message_id)
        return generation if generation is not None and generation.user_id == user_id else None

    async def settled(self, user_id: str, message_id: str) -> None:
        """Wait until an answer that has ended is stored. Clients hear `done` before the final write
        lands; a change they send right away (feedback, an edit) must find the answer finished."""
        generation = self._live.get(message_id)
        if generation is not None and generation.user_id == user_id and generation.outcome is not None:
            await generation.stored.wait()

    def overlay(self, messages: list[Message]) -> list[Message]:
        """Messages with the live state of answers being written (text newer than the last checkpoint)."""
        result = []
        for message in messages:
            generation = self._live.get(message.id)
            if generation is None or generation.user_id != message.user_id:
                if message.status is MessageStatus.STREAMING and message.id not in self._starting:
                    # Shown as a re-attach would replay it, so a client that reads the
                    # conversation and one that follows the stream agree.
                    message = orphaned(message)
                result.append(message)
            elif generation.outcome is None:
                result.append(dataclasses.replace(message, content=generation.text))
            else:
                outcome = generation.outcome
                result.append(
                    dataclasses.replace(
                        message,
                        content=outcome.content,
                        status=outcome.status,
                        usage=outcome.usage,
                        finish_reason=outcome.finish_reason,
                        error_code=outcome.error_code,
                        error_detail=outcome.error_detail,
                    )
                )
        return result

    async def stop(self, generation: Generation) -> None:
        """Cancel the upstream request now and wait until the partial answer is stored."""
        if generation.task is None:
            return
        self._cancel(generation, MessageStatus.STOPPED)
        await asyncio.shield(generation.task)  # `_run` handles its own cancellation

    async def stop_conversation(self, user_id: str, conversation_id: str) -> None:
        """Stop every answer being written in a conversation (it is being deleted)."""
        for generation in list(self._live.values()):
            if generation.user_id == user_id and generation.conversation_id == conversation_id:
                await self.stop(generation)

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
                if event[0] != "delta":
                    yield event
                    return
                # A subscriber that fell behind gets what queued up as one delta.
                texts = [event[1]["text"]]
                end: StreamEvent | None = None
                while not queue.empty():
                    following = queue.get_nowait()
                    if following[0] != "delta":
                        end = following
                        break
                    texts.append(following[1]["text"])
                yield event if len(texts) == 1 else ("delta", {"text": "".join(texts)})
                if end is not None:
                    yield end
                    return
        finally:
            generation.subscribers.discard(queue)

    # -- internals ---------------------------------------------------------

    def _cancel(self, generation: Generation, status: MessageStatus) -> None:
        if generation.task is None or generation.task.done() or generation.finishing:
            return
        generation.end_as = status
        # A task cancelled before its first step would end without running a line of `_run`
        # (no outcome, no stored end): until it runs, `_run` sees `end_as` and ends at once.
        if generation.running:
            generation.task.cancel()

    async def _run(self, generation: Generation, model: ChatModel, request: ChatRequest) -> None:
        usage: Usage | None = None
        finish_reason: str | None = None
        outcome: MessageOutcome
        generation.running = True
        try:
            if generation.end_as is not None:
                raise asyncio.CancelledError  # stopped or interrupted before it began
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
                content=generation.text, status=MessageStatus.COMPLETED, usage=usage, finish_reason=finish_reason
            )
        except asyncio.CancelledError:
            stopped = generation.end_as is MessageStatus.STOPPED
            outcome = MessageOutcome(
                content=generation.text,
                status=MessageStatus.STOPPED if stopped else MessageStatus.INTERRUPTED,
                usage=usage,
                finish_reason="stopped" if stopped else None,
                error_code=None if stopped else "interrupted",
                error_detail=None if stopped else INTERRUPTED_DETAIL,
            )
        except ModelError as error:
            detail = error.detail
            if error.retry_after is not None or error.retryable:
                wait = error.retry_after if error.retry_after is not None else DEFAULT_RETRY_AFTER_SECONDS
                detail = f"{detail} Try again in {wait:g} seconds."
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
        generation.outcome = outcome
        generation.dirty = False
        generation.publish(terminal_event(outcome))
        self._record(generation, outcome)  # after `done` went out; only appends to memory
        finished = FinishedMessage(generation.user_id, generation.message_id, outcome)
        try:
            if self._finisher is None or self._finisher.done():
                # No batch writer (not started, or already drained): store it here.
                await self._store_finished([finished])
            else:
                stored: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                self._finished.append((finished, stored))
                self._finished_waiting.set()
                await stored
        finally:
            self._live.pop(generation.message_id, None)
            generation.stored.set()
        self._log_finished(generation, outcome)

    def _record(self, generation: Generation, outcome: MessageOutcome) -> None:
        if self._prompt_log is None or generation.log_context is None:
            return
        first = generation.first_token_at
        self._prompt_log.record(
            PromptLogEntry(
                message_id=generation.message_id,
                context=generation.log_context,
                answer=outcome.content,
                status=outcome.status.value,
                finish_reason=outcome.finish_reason,
                error_code=outcome.error_code,
                usage=outcome.usage,
                started_at=generation.started_wall,
                first_token_ms=(first - generation.started_at) * 1000 if first is not None else None,
                total_ms=(time.monotonic() - generation.started_at) * 1000,
            )
        )

    @staticmethod
    def _log_finished(generation: Generation, outcome: MessageOutcome) -> None:
        first = generation.first_token_at
        log.info(
            "generation.finished",
            extra={
                "message_id": generation.message_id,
                "model": generation.model_id,
                "status": outcome.status.value,
                "finish_reason": outcome.finish_reason,
                "error_code": outcome.error_code,
                "first_token_ms": round((first - generation.started_at) * 1000, 1) if first else None,
                "total_ms": round((time.monotonic() - generation.started_at) * 1000, 1),
            },
        )

    async def _finish_loop(self) -> None:
        """Store answers' ends in batches: one transaction for all that ended since the last one.

        Under load many answers end within a few milliseconds; one commit each would make
        every answer wait for SQLite's single writer in turn.
        """
        while True:
            await self._finished_waiting.wait()
            self._finished_waiting.clear()
            if self._finisher_closing and not self._finished:
                return
            batch, self._finished = self._finished, []
            try:
                await self._store_finished([finished for finished, _ in batch])
            finally:
                for _, stored in batch:  # never leave an answer waiting, even if cancelled
                    if not stored.done():
                        stored.set_result(None)

    async def _store_finished(self, finished: list[FinishedMessage]) -> None:
        """Store answers' ends, retrying a failing database for a while: until then the answers
        stay registered, so readers still see their text through `overlay`."""
        for attempt, backoff in enumerate((*STORE_RETRY_BACKOFF_SECONDS, None), start=1):
            try:
                await self._store.finish_messages(finished)
                return
            except Exception:
                if backoff is None:
                    # Given up: the answers keep their last checkpoint; a restart marks them interrupted.
                    log.exception("generations.store_failed", extra={"count": len(finished), "attempts": attempt})
                    return
                log.warning("generations.store_retry", extra={"count": len(finished), "attempt": attempt})
                await asyncio.sleep(backoff)

    async def _checkpoint_loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self.checkpoint()

    async def checkpoint(self) -> None:
        dirty = [g for g in self._live.values() if g.dirty and g.outcome is None]
        if not dirty:
            return
        for generation in dirty:
            generation.dirty = False
        try:
            await self._store.save_checkpoints([Checkpoint(g.user_id, g.message_id, g.text) for g in dirty])
        except Exception:
            log.exception("generations.checkpoint_failed", extra={"count": len(dirty)})
            for generation in dirty:
                generation.dirty = True

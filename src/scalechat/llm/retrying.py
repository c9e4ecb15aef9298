"""A ChatModel that retries another one, only before its first token and within a time budget."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator

from scalechat.errors import ModelError
from scalechat.llm.base import ChatModel, ChatRequest, ModelInfo
from scalechat.llm.events import ModelEvent, TextDelta

log = logging.getLogger(__name__)

DEFAULT_BACKOFF_SECONDS = 0.5


class RetryingModel:
    def __init__(self, inner: ChatModel, budget_seconds: float) -> None:
        self._inner = inner
        self._budget = budget_seconds

    @property
    def info(self) -> ModelInfo:
        return self._inner.info

    async def stream(self, request: ChatRequest) -> AsyncIterator[ModelEvent]:
        deadline = time.monotonic() + self._budget
        attempt = 0
        while True:
            attempt += 1
            started = False
            try:
                async for event in self._inner.stream(request):
                    if isinstance(event, TextDelta):
                        started = True
                    yield event
                return
            except ModelError as error:
                # At least a growing backoff, even when the server says "retry now" (0) or sends nonsense.
                backoff = DEFAULT_BACKOFF_SECONDS * attempt
                asked = error.retry_after
                wait = max(asked, backoff) if asked is not None and math.isfinite(asked) else backoff
                remaining = deadline - time.monotonic()
                if started or not error.retryable or wait > remaining:
                    raise
                log.info(
                    "model.retry",
                    extra={"model": self.info.id, "attempt": attempt, "code": error.code, "wait_s": wait},
                )
                await asyncio.sleep(wait)

    async def check(self) -> None:
        await self._inner.check()

    async def aclose(self) -> None:
        await self._inner.aclose()

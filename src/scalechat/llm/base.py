"""The `ChatModel` interface every provider and wrapper implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol

from scalechat.domain import Role
from scalechat.llm.events import ModelEvent


@dataclass(frozen=True, slots=True)
class ChatTurn:
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class ChatRequest:
    messages: list[ChatTurn]
    max_tokens: int
    temperature: float
    top_p: float
    # Extra HTTP headers for the upstream call (the simulator reads its knobs from them).
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    label: str
    provider: str
    context_window: int
    tokenizer_model: str
    simulated: bool = False


class ChatModel(Protocol):
    @property
    def info(self) -> ModelInfo: ...

    def stream(self, request: ChatRequest) -> AsyncIterator[ModelEvent]:
        """Yield events until the answer ends; raise `ModelError` on failure.

        Cancelling the consumer closes the upstream request at once.
        """
        ...

    async def check(self) -> None:
        """Raise `ModelError` unless the model's endpoint answers."""
        ...

    async def aclose(self) -> None: ...

"""Offline token counting: `bpe-openai` ships its encodings inside the wheel.

Azure names deployments and models its own way (`gpt-35-turbo`), so the model
name is mapped to an encoding here rather than looked up in a model table.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

import bpe_openai

from scalechat.llm.base import ChatTurn

# Chat Completions adds a few tokens per message for role and separators.
TOKENS_PER_MESSAGE = 4
TOKENS_PER_REPLY = 3

_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o")


class Encoding(Protocol):
    def encode(self, text: str) -> list[int]: ...


def encoding_name_for(model: str) -> str:
    name = model.lower().removeprefix("azure/").removeprefix("openai/")
    if name.startswith(_O200K_PREFIXES):
        return "o200k_base"
    return "cl100k_base"


@lru_cache(maxsize=4)
def _encoding(name: str) -> Encoding:
    encoding: Encoding = bpe_openai.get_encoding(name)
    return encoding


class TokenCounter:
    def __init__(self, model: str) -> None:
        self._encoding = _encoding(encoding_name_for(model))

    def count_text(self, text: str) -> int:
        return len(self._encoding.encode(text))

    def count_turn(self, turn: ChatTurn) -> int:
        return TOKENS_PER_MESSAGE + self.count_text(turn.content)


def warm_up() -> None:
    """Load both encodings at start-up rather than on a user's first question."""
    for name in ("o200k_base", "cl100k_base"):
        _encoding(name).encode("warm up")

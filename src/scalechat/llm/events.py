"""What a model stream yields. Failures are raised as `scalechat.errors.ModelError`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from scalechat.domain import Usage


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class UsageReport:
    """Token usage of the answer; `estimated` when the server sent none and we counted it ourselves."""

    usage: Usage
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class Finished:
    """Why the model stopped: `stop`, `length`, `content_filter`, ..."""

    reason: str


@dataclass(frozen=True, slots=True)
class FilterResults:
    """Azure content-filter annotations, for the prompt or for the answer so far."""

    scope: Literal["prompt", "completion"]
    results: dict[str, Any]


ModelEvent = TextDelta | UsageReport | Finished | FilterResults

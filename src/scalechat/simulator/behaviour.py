"""What the simulator does for one request: settings, then headers, then a directive.

A directive in the last user message, such as `[[sim: fail=429 retry_after=1]]`,
lets a person or a test drive the simulator through scalechat's own API.
Headers are `x-simulator-<knob>` with `-` for `_`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

DIRECTIVE = re.compile(r"\[\[sim:([^\]]*)\]\]")
HEADER_PREFIX = "x-simulator-"


@dataclass(frozen=True, slots=True)
class Behaviour:
    first_token_ms: float = 300.0
    chunk_interval_ms: float = 25.0
    tokens_per_second: float | None = None
    chunks: int | None = None
    fail: int | None = None  # HTTP status to answer instead: 429, 500, ...
    fail_count: int | None = None  # fail only the first N requests with the same prompt
    retry_after: float = 1.0
    hang: bool = False
    cut_after: int | None = None  # abort the connection after N chunks
    finish: Literal["stop", "length", "content_filter"] = "stop"
    shape: Literal["azure", "openai"] = "azure"
    echo: bool = False  # answer with the question itself (to test how a UI shows given text)

    @property
    def interval_seconds(self) -> float:
        if self.tokens_per_second:
            return 1.0 / self.tokens_per_second
        return self.chunk_interval_ms / 1000.0

    def with_overrides(self, raw: dict[str, str]) -> Behaviour:
        """Apply string overrides; unknown knobs and bad values are ignored, not fatal."""
        known = {f.name: f for f in fields(self)}
        changes: dict[str, Any] = {}
        for key, value in raw.items():
            name = key.strip().lower().replace("-", "_")
            if name not in known:
                continue
            current = getattr(self, name)
            try:
                changes[name] = _parse(name, value.strip(), current)
            except ValueError:
                continue
        return replace(self, **changes)


def _parse(name: str, value: str, current: Any) -> Any:
    if name in ("hang", "echo"):
        return value.lower() in ("1", "true", "yes", "on", "")
    if name in ("fail", "fail_count", "chunks", "cut_after"):
        return None if value.lower() in ("", "none") else int(value)
    if name in ("finish", "shape"):
        allowed = {"finish": ("stop", "length", "content_filter"), "shape": ("azure", "openai")}[name]
        if value not in allowed:
            raise ValueError(value)
        return value
    if name == "tokens_per_second":
        return float(value) or None
    number = float(value)
    if number < 0:
        raise ValueError(value)
    return number


def directive_overrides(text: str) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for match in DIRECTIVE.finditer(text):
        for part in match.group(1).split():
            key, _, value = part.partition("=")
            overrides[key] = value
    return overrides


def strip_directives(text: str) -> str:
    return DIRECTIVE.sub("", text).strip()


def header_overrides(headers: Any) -> dict[str, str]:
    return {key[len(HEADER_PREFIX) :]: value for key, value in headers.items() if key.lower().startswith(HEADER_PREFIX)}

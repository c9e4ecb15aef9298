"""A first title for a conversation, from its first question."""

from __future__ import annotations

import re

from scalechat.domain import DEFAULT_TITLE

MAX_AUTO_TITLE = 60


def title_from_question(question: str) -> str:
    text = re.sub(r"\s+", " ", question).strip()
    if not text:
        return DEFAULT_TITLE
    if len(text) <= MAX_AUTO_TITLE:
        return text
    cut = text[:MAX_AUTO_TITLE]
    space = cut.rfind(" ")
    if space > MAX_AUTO_TITLE // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"

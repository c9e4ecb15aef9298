"""A first title for a conversation, from its first question."""

from __future__ import annotations

import re

from scalechat.domain import DEFAULT_TITLE

MAX_AUTO_TITLE = 60

# Markdown that starts a line but means nothing in a title: headings, quotes, list bullets, fences.
_LINE_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+|`{3,}\S*\s*$)")


def title_from_question(question: str) -> str:
    lines = (_LINE_MARKUP.sub("", line) for line in question.splitlines())
    text = re.sub(r"\s+", " ", " ".join(lines)).strip()
    if not text:
        return DEFAULT_TITLE
    if len(text) <= MAX_AUTO_TITLE:
        return text
    cut = text[:MAX_AUTO_TITLE]
    space = cut.rfind(" ")
    if space > MAX_AUTO_TITLE // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"

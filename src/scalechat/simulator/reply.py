"""Demo answers: markdown that exercises a chat UI (quote, list, table, code) around the question."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\s*\S+|\s+")

FILLER = (
    "This answer comes from the simulated model, so it does not depend on what you asked. "
    "Configure Azure OpenAI to get real answers. "
)


def demo_reply(question: str) -> str:
    quoted = "\n".join(f"> {line}" for line in (question.strip() or "(empty)").splitlines()[:6])
    words = len(question.split())
    return (
        "**Simulated answer.** You asked:\n\n"
        f"{quoted}\n\n"
        "Here is what a real model's answer could look like:\n\n"
        "1. A numbered point with *emphasis*\n"
        "2. Another point with `inline code`\n"
        "   - and a nested bullet\n\n"
        "| Measure | Value |\n"
        "|---|---|\n"
        f"| Words in your question | {words} |\n"
        f"| Characters | {len(question)} |\n\n"
        "```python\n"
        "def answer(question: str) -> str:\n"
        '    return f"Simulated reply to: {question}"\n'
        "```\n\n"
        "That is the end of the simulated answer."
    )


def split_tokens(text: str) -> list[str]:
    """Word-sized pieces that join back into exactly `text`."""
    return _TOKEN.findall(text)


def chunks_of(text: str, count: int | None) -> list[str]:
    """The text as stream chunks; with `count`, exactly that many (padded with filler text)."""
    tokens = split_tokens(text)
    if count is None:
        return tokens
    while len(tokens) < count:
        tokens.extend(split_tokens(" " + FILLER))
    return tokens[:count]


def count_tokens_roughly(text: str) -> int:
    return max(1, len(split_tokens(text)))

"""A conversation's first title, from its first question."""

from __future__ import annotations

import pytest

from scalechat.domain import DEFAULT_TITLE
from scalechat.services.titles import title_from_question


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("What is Azure?", "What is Azure?"),
        ("# Quarterly report\n\nSummarise it", "Quarterly report Summarise it"),
        ("> quoted\n- a point\n1. first", "quoted a point first"),
        ("```python\nprint(1)\n```", "print(1)"),
        ("   \n\n ", DEFAULT_TITLE),
        ("#hashtag stays", "#hashtag stays"),
    ],
)
def test_titles_read_as_plain_text(question: str, title: str) -> None:
    assert title_from_question(question) == title


def test_long_questions_are_cut_at_a_word() -> None:
    title = title_from_question("word " * 40)
    assert title.endswith("…") and len(title) <= 61 and not title[:-1].endswith(" ")

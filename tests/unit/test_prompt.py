"""Building the prompt: past-message limit, trimming to the context window, system prompt kept."""

from __future__ import annotations

import pytest

from scalechat.domain import DEFAULT_TITLE, Message, MessageStatus, Role, new_id, now
from scalechat.errors import PromptTooLong
from scalechat.llm.tokens import TokenCounter, encoding_name_for
from scalechat.services.prompt import branch_to, build_prompt
from scalechat.services.titles import title_from_question

COUNTER = TokenCounter("gpt-4o")


def message(
    role: Role, content: str, parent: Message | None = None, status: MessageStatus = MessageStatus.COMPLETED
) -> Message:
    return Message(
        id=new_id(), conversation_id="c", user_id="u", parent_id=parent.id if parent else None, role=role,
        content=content, status=status, model=None, created_at=now(),
    )  # fmt: skip


def history(turns: int) -> list[Message]:
    messages: list[Message] = []
    parent = None
    for index in range(turns):
        role = Role.USER if index % 2 == 0 else Role.ASSISTANT
        parent = message(role, f"turn {index} " + "word " * 50, parent)
        messages.append(parent)
    return messages


def test_system_prompt_and_question_frame_the_history() -> None:
    turns = build_prompt(
        system_prompt="Be kind.", history=history(4), question="now?", past_messages=10,
        max_tokens=100, context_window=100_000, counter=COUNTER,
    )  # fmt: skip
    assert turns[0].role is Role.SYSTEM and turns[0].content == "Be kind."
    assert turns[-1].role is Role.USER and turns[-1].content == "now?"
    assert [t.content.split()[1] for t in turns[1:-1]] == ["0", "1", "2", "3"]


def test_past_messages_limits_the_history_to_the_most_recent() -> None:
    turns = build_prompt(
        system_prompt="s", history=history(6), question="q", past_messages=2,
        max_tokens=100, context_window=100_000, counter=COUNTER,
    )  # fmt: skip
    assert [t.content.split()[1] for t in turns[1:-1]] == ["4", "5"]
    turns = build_prompt(
        system_prompt="s", history=history(6), question="q", past_messages=0,
        max_tokens=100, context_window=100_000, counter=COUNTER,
    )  # fmt: skip
    assert len(turns) == 2


def test_trimming_drops_the_oldest_turns_first_and_keeps_the_system_prompt() -> None:
    past = history(10)
    per_turn = COUNTER.count_turn(build_prompt(
        system_prompt="", history=past[:1], question="q", past_messages=10, max_tokens=1,
        context_window=100_000, counter=COUNTER,
    )[0])  # fmt: skip
    window = 500
    turns = build_prompt(
        system_prompt="Stay on topic.", history=past, question="q", past_messages=10,
        max_tokens=100, context_window=window, counter=COUNTER,
    )  # fmt: skip
    kept = [t.content.split()[1] for t in turns[1:-1]]
    assert turns[0].content == "Stay on topic."
    assert kept and kept == [str(i) for i in range(10 - len(kept), 10)]
    assert len(kept) < 10
    used = sum(COUNTER.count_turn(t) for t in turns)
    assert used <= window - 100
    assert used + per_turn > window - 100 - 10  # nothing more would have fitted


def test_failed_and_empty_answers_are_not_sent() -> None:
    question = message(Role.USER, "q1")
    failed = message(Role.ASSISTANT, "half an ans", question, MessageStatus.FAILED)
    empty = message(Role.ASSISTANT, "", question, MessageStatus.STOPPED)
    turns = build_prompt(
        system_prompt="", history=[question, failed, empty], question="q2", past_messages=10,
        max_tokens=10, context_window=10_000, counter=COUNTER,
    )  # fmt: skip
    assert [t.content for t in turns] == ["q1", "q2"]


def test_a_question_that_cannot_fit_is_refused_with_numbers() -> None:
    with pytest.raises(PromptTooLong) as raised:
        build_prompt(
            system_prompt="s", history=[], question="word " * 2000, past_messages=10,
            max_tokens=1000, context_window=2048, counter=COUNTER,
        )  # fmt: skip
    assert raised.value.extra["budget"] == 2048 - 1000 - 3
    assert raised.value.extra["tokens"] > 2000


def test_branch_to_follows_parents_to_the_root() -> None:
    root = message(Role.USER, "a")
    answer = message(Role.ASSISTANT, "b", root)
    sibling = message(Role.ASSISTANT, "b2", root)
    follow = message(Role.USER, "c", answer)
    by_id = {m.id: m for m in (root, answer, sibling, follow)}
    assert branch_to(by_id, follow.id) == [root, answer, follow]
    assert branch_to(by_id, sibling.id) == [root, sibling]
    assert branch_to(by_id, None) == []


def test_token_counts_are_real_bpe_counts() -> None:
    assert encoding_name_for("gpt-4o-mini") == "o200k_base"
    assert encoding_name_for("gpt-35-turbo") == "cl100k_base"
    assert TokenCounter("gpt-4o").count_text("hello world") == 2
    assert TokenCounter("gpt-35-turbo").count_text("こんにちは世界") > 2


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("  How do   I\nrotate keys? ", "How do I rotate keys?"),
        ("", DEFAULT_TITLE),
        ("word " * 40, ("word " * 12).strip() + "…"),
    ],
)
def test_titles_from_the_first_question(question: str, title: str) -> None:
    assert title_from_question(question) == title

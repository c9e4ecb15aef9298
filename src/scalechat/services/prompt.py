"""Build what is sent to the model: the system prompt, as many recent turns as fit, the question."""

from __future__ import annotations

from scalechat.domain import Message, MessageStatus, Role
from scalechat.errors import PromptTooLong
from scalechat.llm.base import ChatTurn
from scalechat.llm.tokens import TOKENS_PER_REPLY, TokenCounter


def branch_to(messages_by_id: dict[str, Message], leaf_id: str | None) -> list[Message]:
    """The path from the root to `leaf_id`, oldest first."""
    path: list[Message] = []
    seen: set[str] = set()
    current = messages_by_id.get(leaf_id) if leaf_id else None
    while current is not None and current.id not in seen:
        seen.add(current.id)
        path.append(current)
        current = messages_by_id.get(current.parent_id) if current.parent_id else None
    path.reverse()
    return path


def _usable(message: Message) -> bool:
    if not message.content:
        return False
    return message.role is Role.USER or message.status is not MessageStatus.FAILED


def build_prompt(
    *,
    system_prompt: str,
    history: list[Message],
    question: str,
    past_messages: int,
    max_tokens: int,
    context_window: int,
    counter: TokenCounter,
) -> list[ChatTurn]:
    """Trim oldest turns first; the system prompt and the question are always sent."""
    budget = context_window - max_tokens - TOKENS_PER_REPLY
    system = [ChatTurn(Role.SYSTEM, system_prompt)] if system_prompt else []
    final = ChatTurn(Role.USER, question)
    fixed = sum(counter.count_turn(turn) for turn in (*system, final))
    if fixed > budget:
        raise PromptTooLong(
            f"The system prompt and question take {fixed} tokens; with room for a {max_tokens}-token "
            f"answer this model's {context_window}-token window allows {max(budget, 0)}. "
            "Shorten them or lower the maximum response length.",
            tokens=fixed,
            budget=max(budget, 0),
        )
    earlier = [m for m in history if _usable(m)]
    earlier = earlier[-past_messages:] if past_messages else []
    turns = [ChatTurn(m.role, m.content) for m in earlier]
    costs = [counter.count_turn(turn) for turn in turns]
    total = fixed + sum(costs)
    start = 0
    while total > budget and start < len(turns):
        total -= costs[start]
        start += 1
    return [*system, *turns[start:], final]

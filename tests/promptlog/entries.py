"""Prompt-log entries as the generation manager hands them over, for the tests."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from scalechat.domain import Usage
from scalechat.promptlog.record import LoggedTurn, PromptContext, PromptLogEntry


def make_entry(
    *,
    session: str | None = None,
    user_id: str = "user-1",
    question: str = "What is the capital of France?",
    answer: str = "Paris.",
    system: str = "You are a helpful assistant.",
    started_at: datetime | None = None,
    status: str = "completed",
    message_id: str | None = None,
) -> PromptLogEntry:
    context = PromptContext(
        chat_session_id=session or uuid.uuid4().hex,
        question_id=uuid.uuid4().hex,
        user_id=user_id,
        user_name="Jane Doe",
        tenant_id="tenant-1",
        prompt=(LoggedTurn("system", system), LoggedTurn("user", question)),
        max_tokens=800,
        temperature=0.7,
        top_p=0.95,
        past_messages=10,
        deployment="gpt-4o-prod",
        provider="azure",
        model="gpt-4o",
    )
    return PromptLogEntry(
        message_id=message_id or uuid.uuid4().hex,
        context=context,
        answer=answer,
        status=status,
        finish_reason="stop" if status == "completed" else None,
        error_code="interrupted" if status == "interrupted" else None,
        usage=Usage(prompt_tokens=20, completion_tokens=3, total_tokens=23),
        started_at=started_at or datetime.now(UTC),
        first_token_ms=120.5,
        total_ms=480.25,
    )


async def eventually(condition: Callable[[], object], seconds: float = 10.0) -> None:
    """Wait until `condition()` holds; fail the test after `seconds`."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)

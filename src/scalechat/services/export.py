"""The JSON shape of a conversation, shared by the export and by data-subject requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scalechat.domain import Conversation, Feedback, Message


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _feedback(feedback: Feedback | None) -> dict[str, Any] | None:
    if feedback is None:
        return None
    return {
        "rating": feedback.rating,
        "reason": feedback.reason,
        "comment": feedback.comment,
        "created_at": feedback.created_at.isoformat(),
        "updated_at": feedback.updated_at.isoformat(),
    }


def conversation_document(c: Conversation, messages: list[Message]) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "system_prompt": c.system_prompt,
        "parameters": c.parameters.model_dump(),
        "model": c.model,
        "created_at": c.created_at.isoformat(),
        "updated_at": c.updated_at.isoformat(),
        "current_message_id": c.current_message_id,
        "messages": [
            {
                "id": m.id,
                "parent_id": m.parent_id,
                "role": m.role.value,
                "content": m.content,
                "status": m.status.value,
                "model": m.model,
                "usage": m.usage.model_dump() if m.usage else None,
                "finish_reason": m.finish_reason,
                "created_at": m.created_at.isoformat(),
                # What the user changed by hand, and what they said of the answer.
                "original_content": m.original_content,
                "edited_at": _time(m.edited_at),
                "feedback": _feedback(m.feedback),
            }
            for m in messages
        ],
    }

"""The JSON shape of a conversation, shared by the export and by data-subject requests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scalechat.services.conversations import ConversationWithMessages


def conversation_document(full: ConversationWithMessages) -> dict[str, Any]:
    c = full.conversation
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
            }
            for m in full.messages
        ],
    }

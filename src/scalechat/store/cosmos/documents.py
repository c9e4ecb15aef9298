"""How scalechat's types are stored as Cosmos DB items, and the containers that hold them.

snake_case property names everywhere (as the original app's `chat_log`); times as fixed-width UTC
strings, so that they sort as text the way they sort as times (`isoformat()` drops `.000000`).

    conversations  /user_id   type "conversation" (id = conversation id) and type "message"
                              (id = message id, `conversation_id`, the owner's feedback embedded)
    presets        /user_id   unique /name per user; a container of its own, because a unique key
                              also counts the items that lack the path
    users          /id
    sessions       /id        TTL on: each write sets the item's own `ttl`
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from scalechat.domain import (
    Conversation,
    Feedback,
    Message,
    MessageStatus,
    Parameters,
    Preset,
    Role,
    Usage,
    User,
    parse_utc_text,
    utc_text,
)
from scalechat.store.base import StoredSession
from scalechat.store.cosmos.client import ContainerSpec

CONVERSATIONS = ContainerSpec(
    "conversations",
    "/user_id",
    # The history list: ORDER BY updated_at DESC, id DESC needs exactly this index.
    composite_indexes=((("/updated_at", "descending"), ("/id", "descending")),),
)
PRESETS = ContainerSpec("presets", "/user_id", unique_keys=("/name",))
USERS = ContainerSpec("users", "/id")
# -1: expiry is on, but only items that carry their own `ttl` expire (all sessions do).
SESSIONS = ContainerSpec("sessions", "/id", default_ttl=-1)
STORE_CONTAINERS = (CONVERSATIONS, PRESETS, USERS, SESSIONS)

CONVERSATION = "conversation"
MESSAGE = "message"

# Values we may write into a query's text (Cosmos DB conditional patches take no parameters). The
# test server lower-cases a whole predicate, so only lower-case ids qualify; others take the ETag path.
_SAFE_LITERAL = re.compile(r"[0-9a-z_-]{1,128}")


def safe_literal(value: str) -> bool:
    return _SAFE_LITERAL.fullmatch(value) is not None


def _optional_stamp(moment: datetime | None) -> str | None:
    return None if moment is None else utc_text(moment)


def _optional_time(text: str | None) -> datetime | None:
    return None if text is None else parse_utc_text(text)


# -- conversations and messages -------------------------------------------------------------------


def conversation_item(c: Conversation) -> dict[str, Any]:
    return {
        "id": c.id,
        "user_id": c.user_id,
        "type": CONVERSATION,
        "title": c.title,
        "system_prompt": c.system_prompt,
        "parameters": c.parameters.model_dump(),
        "model": c.model,
        "created_at": utc_text(c.created_at),
        "updated_at": utc_text(c.updated_at),
        "current_message_id": c.current_message_id,
    }


def conversation_of(item: dict[str, Any]) -> Conversation:
    return Conversation(
        id=item["id"],
        user_id=item["user_id"],
        title=item["title"],
        system_prompt=item["system_prompt"],
        parameters=Parameters.model_validate(item["parameters"]),
        model=item.get("model"),
        created_at=parse_utc_text(item["created_at"]),
        updated_at=parse_utc_text(item["updated_at"]),
        current_message_id=item.get("current_message_id"),
    )


def message_item(m: Message) -> dict[str, Any]:
    return {
        "id": m.id,
        "user_id": m.user_id,
        "type": MESSAGE,
        "conversation_id": m.conversation_id,
        "parent_id": m.parent_id,
        "role": m.role.value,
        "content": m.content,
        "status": m.status.value,
        "model": m.model,
        "created_at": utc_text(m.created_at),
        "usage": m.usage.model_dump() if m.usage else None,
        "finish_reason": m.finish_reason,
        "error_code": m.error_code,
        "error_detail": m.error_detail,
        "original_content": m.original_content,
        "edited_at": _optional_stamp(m.edited_at),
        "feedback": feedback_value(m.feedback) if m.feedback else None,
    }


def message_of(item: dict[str, Any]) -> Message:
    usage = item.get("usage")
    return Message(
        id=item["id"],
        conversation_id=item["conversation_id"],
        user_id=item["user_id"],
        parent_id=item.get("parent_id"),
        role=Role(item["role"]),
        content=item["content"],
        status=MessageStatus(item["status"]),
        model=item.get("model"),
        created_at=parse_utc_text(item["created_at"]),
        usage=Usage.model_validate(usage) if usage else None,
        finish_reason=item.get("finish_reason"),
        error_code=item.get("error_code"),
        error_detail=item.get("error_detail"),
        original_content=item.get("original_content"),
        edited_at=_optional_time(item.get("edited_at")),
        feedback=feedback_of(item),
    )


def feedback_value(f: Feedback) -> dict[str, Any]:
    """The `feedback` property of a message item (its message and user are the item's own)."""
    return {
        "rating": f.rating,
        "reason": f.reason,
        "comment": f.comment,
        "created_at": utc_text(f.created_at),
        "updated_at": utc_text(f.updated_at),
    }


def feedback_of(message: dict[str, Any]) -> Feedback | None:
    value = message.get("feedback")
    if not value:
        return None
    return Feedback(
        message_id=message["id"],
        user_id=message["user_id"],
        rating=value["rating"],
        reason=value.get("reason"),
        comment=value.get("comment"),
        created_at=parse_utc_text(value["created_at"]),
        updated_at=parse_utc_text(value["updated_at"]),
    )


# -- presets --------------------------------------------------------------------------------------


def preset_item(p: Preset) -> dict[str, Any]:
    return {
        "id": p.id,
        "user_id": p.user_id,
        "name": p.name,
        "system_prompt": p.system_prompt,
        "parameters": p.parameters.model_dump(),
        "model": p.model,
        "created_at": utc_text(p.created_at),
        "updated_at": utc_text(p.updated_at),
    }


def preset_of(item: dict[str, Any]) -> Preset:
    return Preset(
        id=item["id"],
        user_id=item["user_id"],
        name=item["name"],
        system_prompt=item["system_prompt"],
        parameters=Parameters.model_validate(item["parameters"]),
        model=item.get("model"),
        created_at=parse_utc_text(item["created_at"]),
        updated_at=parse_utc_text(item["updated_at"]),
    )


# -- users and sessions ---------------------------------------------------------------------------


def user_item(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "tenant_id": u.tenant_id,
        "name": u.name,
        "email": u.email,
        "created_at": utc_text(u.created_at),
        "last_seen_at": utc_text(u.last_seen_at),
    }


def user_of(item: dict[str, Any]) -> User:
    return User(
        id=item["id"],
        tenant_id=item.get("tenant_id"),
        name=item["name"],
        email=item.get("email"),
        created_at=parse_utc_text(item["created_at"]),
        last_seen_at=parse_utc_text(item["last_seen_at"]),
    )


def session_item(s: StoredSession, ttl: int) -> dict[str, Any]:
    return {
        "id": s.id,
        "user_id": s.user_id,
        "claims": s.claims,
        "secrets": s.secrets,
        "version": s.version,
        "created_at": utc_text(s.created_at),
        "last_seen_at": utc_text(s.last_seen_at),
        "expires_at": utc_text(s.expires_at),
        "ttl": ttl,
    }


def session_of(item: dict[str, Any]) -> StoredSession:
    return StoredSession(
        id=item["id"],
        user_id=item["user_id"],
        claims=item["claims"],
        secrets=item["secrets"],
        version=item["version"],
        created_at=parse_utc_text(item["created_at"]),
        last_seen_at=parse_utc_text(item["last_seen_at"]),
        expires_at=parse_utc_text(item["expires_at"]),
    )

"""One prompt-log record per model call, in the original app's `chat_log` document shape.

The original (Azure-Samples "openai-at-scale") wrote, per exchange:

    {id, chat_session_id, user: {name, user_id},
     message: {id, prompt: [{role, content}...],
               other_attr: [{completion: {...}, created, model, usage: {...}}],
               previous_message_id}}

Existing analytics read those paths, so they stay exactly as they were; what analysts
lacked (deployment, provider, latencies, status, parameters, ...) is added as new
top-level keys beside them. `id` is the answer's message id: a record replayed after an
outage or a crash is an upsert of the same document, so it lands exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scalechat import __version__
from scalechat.domain import Usage, parse_utc_text, utc_text

# Bump when a key changes meaning; analysts filter on it. 1 was the original's shape.
SCHEMA_VERSION = 2

# The keys of the original document, in its order (tests hold the shape to these).
ORIGINAL_KEYS = ("id", "chat_session_id", "user", "message")
ORIGINAL_MESSAGE_KEYS = ("id", "prompt", "other_attr", "previous_message_id")


@dataclass(frozen=True, slots=True)
class LoggedTurn:
    role: str
    content: str


@dataclass(frozen=True, slots=True)
class PromptContext:
    """What the chat service knows when it starts a model call, carried to where the call ends."""

    chat_session_id: str  # the conversation id
    question_id: str  # the message the answer follows: the original's `previous_message_id`
    user_id: str
    user_name: str
    tenant_id: str | None
    prompt: tuple[LoggedTurn, ...]  # exactly what was sent to the model (system prompt, history, question)
    max_tokens: int
    temperature: float
    top_p: float
    past_messages: int
    deployment: str  # the model id the catalog routed to (the Azure deployment name)
    provider: str
    model: str  # the model's own name, as the original's `model` (e.g. gpt-4o)


@dataclass(frozen=True, slots=True)
class PromptLogEntry:
    """One finished model call: the context plus how it ended. Raw text: not yet redacted."""

    message_id: str  # the answer's id: the record's id
    context: PromptContext
    answer: str
    status: str  # completed | stopped | failed | interrupted
    finish_reason: str | None
    error_code: str | None
    usage: Usage | None
    started_at: datetime
    first_token_ms: float | None
    total_ms: float


def build_document(entry: PromptLogEntry, content_mode: str) -> dict[str, Any]:
    """The record as stored by every sink. `entry` must already be redacted for `content_mode`."""
    context = entry.context
    usage = entry.usage.model_dump() if entry.usage is not None else None
    created = int(entry.started_at.timestamp())
    # The original stored the SDK's chat.completion object here; this is the same object as a
    # non-streamed call would have returned it.
    completion = {
        "id": entry.message_id,
        "object": "chat.completion",
        "created": created,
        "model": context.model,
        "choices": [
            {
                "index": 0,
                "finish_reason": entry.finish_reason,
                "message": {"role": "assistant", "content": entry.answer},
            }
        ],
        "usage": usage,
    }
    return {
        "id": entry.message_id,
        "chat_session_id": context.chat_session_id,
        "user": {"name": context.user_name, "user_id": context.user_id},
        "message": {
            "id": entry.message_id,
            "prompt": [{"role": turn.role, "content": turn.content} for turn in context.prompt],
            "other_attr": [{"completion": completion, "created": created, "model": context.model, "usage": usage}],
            "previous_message_id": context.question_id,
        },
        # -- added for analysts (schema 2) --
        "schema_version": SCHEMA_VERSION,
        "app_version": __version__,
        "tenant_id": context.tenant_id,
        "created_at": utc_text(entry.started_at),
        "deployment": context.deployment,
        "provider": context.provider,
        "status": entry.status,
        "finish_reason": entry.finish_reason,
        "error_code": entry.error_code,
        "latency_ms": {
            "first_token": round(entry.first_token_ms, 1) if entry.first_token_ms is not None else None,
            "total": round(entry.total_ms, 1),
        },
        "parameters": {
            "max_tokens": context.max_tokens,
            "temperature": context.temperature,
            "top_p": context.top_p,
            "past_messages": context.past_messages,
        },
        "content_mode": content_mode,
    }


def analytics_columns(document: dict[str, Any]) -> dict[str, Any]:
    """A record's fields as flat columns, for tables and Parquet files (the whole document aside)."""
    message = document.get("message") or {}
    attrs = (message.get("other_attr") or [{}])[0] or {}
    choices = (attrs.get("completion") or {}).get("choices") or [{}]
    usage = attrs.get("usage") or {}
    latency = document.get("latency_ms") or {}
    parameters = document.get("parameters") or {}
    user = document.get("user") or {}
    return {
        "id": document.get("id"),
        "chat_session_id": document.get("chat_session_id"),
        "user_id": user.get("user_id"),
        "user_name": user.get("name"),
        "tenant_id": document.get("tenant_id"),
        "created_at": parse_utc_text(document["created_at"]) if document.get("created_at") else None,
        "previous_message_id": message.get("previous_message_id"),
        "prompt": [{"role": t.get("role"), "content": t.get("content")} for t in message.get("prompt") or []],
        "completion": ((choices[0] or {}).get("message") or {}).get("content"),
        "model": attrs.get("model"),
        "deployment": document.get("deployment"),
        "provider": document.get("provider"),
        "status": document.get("status"),
        "finish_reason": document.get("finish_reason"),
        "error_code": document.get("error_code"),
        "prompt_tokens": usage.get("prompt_tokens"),
        "completion_tokens": usage.get("completion_tokens"),
        "total_tokens": usage.get("total_tokens"),
        "first_token_ms": latency.get("first_token"),
        "total_ms": latency.get("total"),
        "max_tokens": parameters.get("max_tokens"),
        "temperature": parameters.get("temperature"),
        "top_p": parameters.get("top_p"),
        "past_messages": parameters.get("past_messages"),
        "content_mode": document.get("content_mode"),
        "schema_version": document.get("schema_version"),
        "app_version": document.get("app_version"),
    }

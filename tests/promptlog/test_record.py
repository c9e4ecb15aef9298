"""The record keeps the original `chat_log` document shape exactly and adds the analysts' fields."""

from __future__ import annotations

from scalechat import __version__
from scalechat.domain import parse_utc_text
from scalechat.promptlog.record import (
    ORIGINAL_KEYS,
    ORIGINAL_MESSAGE_KEYS,
    SCHEMA_VERSION,
    build_document,
)
from tests.promptlog.entries import make_entry

ADDED_KEYS = {
    "schema_version",
    "app_version",
    "tenant_id",
    "created_at",
    "deployment",
    "provider",
    "status",
    "finish_reason",
    "error_code",
    "latency_ms",
    "parameters",
    "content_mode",
}


def test_the_original_shape_is_kept_exactly() -> None:
    entry = make_entry(question="Hello?", answer="Hi!")
    document = build_document(entry, "full")
    assert list(document)[: len(ORIGINAL_KEYS)] == ["id", "chat_session_id", "user", "message"]
    assert set(document) == set(ORIGINAL_KEYS) | ADDED_KEYS
    assert document["user"] == {"name": "Jane Doe", "user_id": "user-1"}
    message = document["message"]
    assert list(message) == list(ORIGINAL_MESSAGE_KEYS)
    assert message["prompt"] == [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Hello?"},
    ]
    assert message["previous_message_id"] == entry.context.question_id
    [attributes] = message["other_attr"]
    assert set(attributes) == {"completion", "created", "model", "usage"}
    usage = {"prompt_tokens": 20, "completion_tokens": 3, "total_tokens": 23}
    assert attributes["model"] == "gpt-4o" and attributes["usage"] == usage
    assert attributes["created"] == int(entry.started_at.timestamp())
    # The chat.completion object as the original stored it from the SDK.
    assert attributes["completion"] == {
        "id": entry.message_id,
        "object": "chat.completion",
        "created": attributes["created"],
        "model": "gpt-4o",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Hi!"}}],
        "usage": usage,
    }


def test_the_record_id_is_the_answer_id_so_replays_upsert() -> None:
    entry = make_entry()
    document = build_document(entry, "full")
    assert document["id"] == document["message"]["id"] == entry.message_id
    assert document["chat_session_id"] == entry.context.chat_session_id
    assert build_document(entry, "full") == document  # the same entry gives the same document


def test_the_added_fields() -> None:
    entry = make_entry(status="interrupted")
    document = build_document(entry, "redacted")
    assert document["schema_version"] == SCHEMA_VERSION and document["app_version"] == __version__
    assert document["tenant_id"] == "tenant-1"
    assert document["deployment"] == "gpt-4o-prod" and document["provider"] == "azure"
    assert document["status"] == "interrupted" and document["error_code"] == "interrupted"
    assert document["finish_reason"] is None
    assert document["latency_ms"] == {"first_token": 120.5, "total": 480.2}
    assert document["parameters"] == {"max_tokens": 800, "temperature": 0.7, "top_p": 0.95, "past_messages": 10}
    assert document["content_mode"] == "redacted"
    # Fixed width, so that text order is time order (also when microseconds are zero).
    assert len(document["created_at"]) == len("2026-01-01T00:00:00.000000Z")
    assert parse_utc_text(document["created_at"]) == entry.started_at

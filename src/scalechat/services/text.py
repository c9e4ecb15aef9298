"""Checks on user text that no field type expresses."""

from __future__ import annotations

from scalechat.errors import ContentTooLarge, InvalidRequest


def check_text(field: str, value: str | None) -> None:
    """Refuse NUL characters: PostgreSQL cannot store them in text, and no person types one."""
    if value is not None and "\x00" in value:
        raise InvalidRequest(f"{field} contains a NUL character.", code="invalid_characters", field=field)


def check_content(noun: str, content: str, limit: int) -> None:
    """A question or an answer: not blank, at most `limit` characters, no NUL."""
    if not content.strip():
        raise InvalidRequest(f"The {noun} cannot be empty.", code="content_empty")
    if len(content) > limit:
        raise ContentTooLarge(f"The {noun} is {len(content)} characters; the limit is {limit}.", limit=limit)
    check_text("content", content)


def check_system_prompt_length(system_prompt: str | None, limit: int) -> None:
    if system_prompt is not None and len(system_prompt) > limit:
        raise InvalidRequest(
            f"The system prompt is {len(system_prompt)} characters; the limit is {limit}.",
            code="system_prompt_too_long",
        )

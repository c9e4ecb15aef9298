"""Checks on user text that no field type expresses."""

from __future__ import annotations

from scalechat.errors import InvalidRequest


def check_text(field: str, value: str | None) -> None:
    """Refuse NUL characters: PostgreSQL cannot store them in text, and no person types one."""
    if value is not None and "\x00" in value:
        raise InvalidRequest(f"{field} contains a NUL character.", code="invalid_characters", field=field)

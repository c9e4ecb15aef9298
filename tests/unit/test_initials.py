"""Initials for the avatar, from display names as Entra ID gives them."""

from __future__ import annotations

import pytest

from scalechat.api.me import initials_of


@pytest.mark.parametrize(
    ("names", "initials"),
    [
        (("Local user",), "LU"),
        (("ada lovelace",), "AL"),
        (("Ada",), "A"),
        (("Ada King Lovelace",), "AL"),
        (("Doe, Jane (Contoso)",), "DJ"),
        (("  Jean-Luc   Picard ",), "JP"),
        (("山田 太郎",), "山太"),
        (("Émile ßtraße",), "ÉS"),
        (("(Contractor)", "jane.doe@contoso.com"), "J"),
        (("", None, "local-user"), "L"),
        (("123 !!",), "?"),
    ],
)
def test_initials(names: tuple[str | None, ...], initials: str) -> None:
    assert initials_of(*names) == initials

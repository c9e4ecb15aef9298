"""/api/me: who is signed in, as the web app shows it."""

from __future__ import annotations

import re

from fastapi import APIRouter

from scalechat.api.deps import PrincipalDep, SettingsDep
from scalechat.api.schemas import MeRead

router = APIRouter(prefix="/api/me", tags=["me"])

# "Doe, Jane (Contoso)": the parenthesised part is an organisation, not a name.
_PARENTHESISED = re.compile(r"\([^)]*\)")


def initials_of(*names: str | None) -> str:
    """The first letters of the first and last words of the first name that has a letter, upper case:
    "Ada Lovelace" -> "AL", "Ada" -> "A". "?" when none has a letter."""
    for name in names:
        words = _PARENTHESISED.sub(" ", name or "").replace(",", " ").split()
        letters = [letter for word in words if (letter := next((c for c in word if c.isalpha()), ""))]
        if letters:
            chosen = letters[:1] if len(letters) == 1 else [letters[0], letters[-1]]
            # One character each: "ß".upper() is "SS".
            return "".join(letter.upper()[0] for letter in chosen)
    return "?"


@router.get("", operation_id="getMe")
async def get_me(principal: PrincipalDep, settings: SettingsDep) -> MeRead:
    return MeRead(
        id=principal.user_id,
        name=principal.name,
        email=principal.email,
        roles=sorted(principal.roles),
        auth_mode=settings.auth_mode,
        initials=initials_of(principal.name, principal.email, principal.user_id),
        photo_url=None,
        sign_out_url=None,  # local mode has no session to end; sign-in will fill this
    )

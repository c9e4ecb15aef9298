"""/api/me: who is signed in, as the web app shows it."""

from __future__ import annotations

import hashlib
import re
import secrets

from fastapi import APIRouter, Request, Response

from scalechat.api.cookies import set_cookie
from scalechat.api.deps import AuthenticatedDep, ServicesDep
from scalechat.api.schemas import MeRead
from scalechat.api.security import is_secure
from scalechat.auth.authenticator import CSRF_COOKIE, cookie_name
from scalechat.auth.graph import GraphProfile
from scalechat.errors import NotFound

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


async def _graph_profile(services: ServicesDep, authenticated: AuthenticatedDep) -> GraphProfile | None:
    if authenticated.graph_token is None:
        return None
    graph = services.authenticator.graph
    return await graph.profile(authenticated.principal.user_id, authenticated.graph_token)


def _photo_url(user_id: str, profile: GraphProfile | None) -> str | None:
    """The photo's URL names the user and the photo: a browser shared by two people, or a new
    photo, never shows a cached one that is not theirs."""
    if profile is None or profile.photo is None:
        return None
    version = hashlib.sha256(user_id.encode() + b"\0" + profile.photo).hexdigest()[:16]
    return f"/api/me/photo?v={version}"


@router.get("", operation_id="getMe")
async def get_me(
    authenticated: AuthenticatedDep, services: ServicesDep, request: Request, response: Response
) -> MeRead:
    principal = authenticated.principal
    if authenticated.via == "easyauth":
        # The CSRF token under Easy Auth (see deps.check_double_submit): set once, echoed by the app.
        secure = is_secure(request.scope, services.settings.public_url)
        if not request.cookies.get(cookie_name(CSRF_COOKIE, secure)):
            max_age = services.settings.auth.session_max_seconds
            set_cookie(response, CSRF_COOKIE, secrets.token_urlsafe(32), secure=secure, max_age=max_age, script=True)
    profile = await _graph_profile(services, authenticated)
    name = (profile.display_name if profile else None) or principal.name
    return MeRead(
        id=principal.user_id,
        name=name,
        email=principal.email,
        roles=sorted(principal.roles),
        auth_mode=services.settings.auth_mode,
        tenant_id=principal.tenant_id,
        initials=initials_of(name, principal.email, principal.user_id),
        photo_url=_photo_url(principal.user_id, profile),
        can_sign_out=authenticated.via in ("session", "easyauth"),
    )


@router.get(
    "/photo",
    operation_id="getMyPhoto",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "The user's photo"}},
)
async def get_my_photo(authenticated: AuthenticatedDep, services: ServicesDep) -> Response:
    profile = await _graph_profile(services, authenticated)
    if profile is None or profile.photo is None or profile.photo_type is None:
        raise NotFound("There is no photo for this user; show the initials.", code="no_photo")
    # Private: the photo is the user's own; an hour, as long as the server caches it.
    return Response(profile.photo, media_type=profile.photo_type, headers={"Cache-Control": "private, max-age=3600"})

"""Who the claims say the user is, and whether the app lets them in.

Claims come from an ID token (browser sessions), an access token (bearer clients) or App
Service's principal header (Easy Auth), all normalised to Entra's short names first. The
user id is Entra's object id (`oid`); the tenant (`tid`) is kept beside it and checked
against the allowed tenants. App roles map to the app's own two roles, "user" and "admin".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scalechat.domain import Principal
from scalechat.errors import NotAllowed, NotSignedIn
from scalechat.settings import Settings

USER = "user"
ADMIN = "admin"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


class AccessPolicy:
    def __init__(self, settings: Settings) -> None:
        self._user_role = settings.auth.user_role.strip()
        self._admin_role = settings.auth.admin_role.strip()
        self._tenants = settings.allowed_tenant_ids
        self._groups = settings.auth.allowed_group_ids

    def principal(self, claims: Mapping[str, Any]) -> Principal:
        """The principal the claims describe; NotAllowed when the app does not let them in."""
        oid = claims.get("oid")
        if not isinstance(oid, str) or not oid:
            raise NotSignedIn("The token names no user (no oid claim).")
        tid = claims.get("tid") if isinstance(claims.get("tid"), str) else None
        email = next(
            (v for key in ("email", "preferred_username", "upn") for v in _strings(claims.get(key)) if "@" in v),
            None,
        )
        name = next((v for v in _strings(claims.get("name")) if v.strip()), None) or email or oid
        roles = set(_strings(claims.get("roles")))
        principal_roles = set()
        if self._admin_role and self._admin_role in roles:
            principal_roles.update({ADMIN, USER})
        if not self._user_role or self._user_role in roles:
            principal_roles.add(USER)
        principal = Principal(user_id=oid, name=name, email=email, roles=frozenset(principal_roles), tenant_id=tid)
        self._check(principal, claims)
        return principal

    def _check(self, principal: Principal, claims: Mapping[str, Any]) -> None:
        who = {"user_name": principal.name}
        # Empty only under Easy Auth, whose own settings name the issuer (entra mode requires a list).
        if self._tenants and "*" not in self._tenants and (principal.tenant_id or "").lower() not in self._tenants:
            raise NotAllowed(
                f"Your organisation's tenant ({principal.tenant_id or 'unknown'}) is not allowed to use this app.",
                reason="tenant",
                **who,
            )
        if self._groups:
            groups = {g.lower() for g in _strings(claims.get("groups"))}
            if not groups & self._groups:
                # Over about 200 groups Entra sends a link instead of the list (the "overage" claim).
                overage = "_claim_names" in claims
                detail = "You are not in a group that may use this app."
                if overage:
                    detail += " Your account is in too many groups for the token to list them; ask for an app role."
                raise NotAllowed(detail, reason="group", **who)
        if USER not in principal.roles:
            raise NotAllowed(
                f"You need the app role {self._user_role!r} to use this app; ask your administrator to assign it.",
                reason="role",
                **who,
            )

"""App Service Authentication ("Easy Auth"): the platform signs users in and tells the app who
they are in `X-MS-CLIENT-PRINCIPAL*` headers.

Trusted only under AUTH_MODE=easyauth, and only because App Service removes these headers
from incoming requests before setting its own. Anywhere else anyone can send them: in the
other modes they are ignored (and the tests prove it).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

import orjson

PRINCIPAL = "x-ms-client-principal"
PRINCIPAL_ID = "x-ms-client-principal-id"
PRINCIPAL_IDP = "x-ms-client-principal-idp"
ACCESS_TOKEN = "x-ms-token-aad-access-token"  # noqa: S105 - a header name
LOGIN_URL = "/.auth/login/aad"
LOGOUT_URL = "/.auth/logout"

# Claim types as Easy Auth writes them (long SAML-style URIs for some) -> Entra's short names.
_CLAIM_NAMES = {
    "http://schemas.microsoft.com/identity/claims/objectidentifier": "oid",
    "http://schemas.microsoft.com/identity/claims/tenantid": "tid",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": "email",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": "upn",
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/role": "roles",
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups": "groups",
}
_MULTI = {"roles", "groups"}


def claims_from_headers(headers: Mapping[str, str]) -> dict[str, Any] | None:
    """Entra-style claims from Easy Auth's headers; None when there are none (not signed in)."""
    encoded = headers.get(PRINCIPAL)
    if not encoded:
        return None
    idp = headers.get(PRINCIPAL_IDP, "aad").lower()
    if idp not in ("aad", "entra"):
        return None  # another identity provider configured in Easy Auth: not an Entra user
    try:
        document = orjson.loads(base64.b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("claims"), list):
        return None
    role_type = document.get("role_typ") or "roles"
    claims: dict[str, Any] = {}
    for item in document["claims"]:
        if not isinstance(item, dict) or not isinstance(item.get("typ"), str) or not isinstance(item.get("val"), str):
            continue
        claim_type: str = item["typ"]
        name = "roles" if claim_type == role_type else _CLAIM_NAMES.get(claim_type, claim_type)
        if name in _MULTI:
            claims.setdefault(name, []).append(item["val"])
        else:
            claims.setdefault(name, item["val"])
    if "oid" not in claims and headers.get(PRINCIPAL_ID):
        claims["oid"] = headers[PRINCIPAL_ID]
    return claims

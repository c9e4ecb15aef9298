"""JWT validation against an issuer's published keys (JWKS), for ID tokens and bearer tokens.

Keys are cached by `kid`. A token signed with a key we do not know triggers one refetch
(the issuer may have rotated its keys), but never more than one per `min_refresh_seconds`
and never two at once: a flood of tokens with junk `kid`s costs one fetch, not a storm.
Only asymmetric algorithms are accepted: never `none`, never HMAC with a public key.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

import httpx2
import jwt

log = logging.getLogger(__name__)

ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256")
CLOCK_SKEW_SECONDS = 60
MAX_KEY_AGE_SECONDS = 24 * 3600


class InvalidToken(Exception):
    """The token is not one we accept; the message says why, and holds no part of the token."""


class JwksCache:
    def __init__(
        self,
        http: httpx2.AsyncClient,
        jwks_uri: Callable[[], Any],
        *,
        min_refresh_seconds: float,
    ) -> None:
        self._http = http
        self._jwks_uri = jwks_uri  # async () -> str: the issuer's metadata may not be loaded yet
        self._min_refresh = min_refresh_seconds
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def key(self, kid: str) -> jwt.PyJWK:
        if time.monotonic() - self._fetched_at >= MAX_KEY_AGE_SECONDS:
            async with self._lock:  # a retired key stops being trusted within a day
                if time.monotonic() - self._fetched_at >= MAX_KEY_AGE_SECONDS:
                    await self._fetch()
        found = self._keys.get(kid)
        if found is not None:
            return found
        async with self._lock:  # one fetch at a time; the others then find the key or give up
            found = self._keys.get(kid)
            if found is None and time.monotonic() - self._fetched_at >= self._min_refresh:
                await self._fetch()
                found = self._keys.get(kid)
        if found is None:
            raise InvalidToken("the token is signed with a key the issuer does not publish")
        return found

    async def _fetch(self) -> None:
        self._fetched_at = time.monotonic()
        self.fetches += 1
        try:
            response = await self._http.get(await self._jwks_uri())
            response.raise_for_status()
            keys: dict[str, jwt.PyJWK] = {}
            for data in response.json().get("keys", []):
                if data.get("use", "sig") != "sig" or "kid" not in data:
                    continue
                try:
                    keys[data["kid"]] = jwt.PyJWK(data)
                except jwt.PyJWTError:
                    continue  # a key type we cannot use; the others still serve
        except (httpx2.HTTPError, ValueError) as exc:
            # Keep the keys we had: an outage at the issuer must not sign everyone out.
            log.warning("auth.jwks_fetch_failed", extra={"error": type(exc).__name__})
            return
        self._keys = keys
        log.info("auth.jwks_fetched", extra={"keys": len(keys)})


class JwtValidator:
    """Checks signature, issuer, audience, expiry and not-before; returns the claims."""

    def __init__(self, keys: JwksCache) -> None:
        self._keys = keys

    async def validate(
        self,
        token: str,
        *,
        audiences: Collection[str],
        issuer_for: Callable[[Mapping[str, Any]], Collection[str]],
    ) -> dict[str, Any]:
        """`issuer_for(unverified claims)` gives the issuers allowed for this token (a
        multi-tenant issuer names the token's own tenant); the claims are verified after."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise InvalidToken("the token is not a well-formed JWT") from None
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise InvalidToken(f"tokens signed with {algorithm!s:.20} are not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("the token names no signing key")
        key = await self._keys.key(kid)
        issuers = list(issuer_for(unverified))
        if not issuers:
            raise InvalidToken("the token's issuer is not accepted")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=list(audiences),
                issuer=issuers,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise InvalidToken("the token is not valid yet") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken("the token is for another audience") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken("the token's issuer is not accepted") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken("the token's signature does not verify") from None
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"the token is not valid ({type(exc).__name__})") from None
        return claims

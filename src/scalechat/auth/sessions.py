"""Browser sessions of the backend-for-frontend: the tokens stay here, the browser holds an id.

The cookie carries 32 random bytes. The database keys the session by their SHA-256 and
keeps the tokens AES-GCM-encrypted under a key derived from them (HKDF), so neither a
copy of the database nor its backups sign anyone in or leak a refresh token. The CSRF
token is derived from the cookie too, so it needs no storage and dies with the session.

A session ends at its absolute limit, after the idle limit without a request, on sign-out,
or when the issuer refuses to renew its tokens (the account was disabled, the refresh
token revoked). Renewal happens on a request, shortly before the access token expires.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from scalechat.auth.oidc import IssuerUnavailable, LoginRequest, OidcClient, SignInFailed, TokenSet
from scalechat.domain import User
from scalechat.store.base import IdentityStore, StoredSession

log = logging.getLogger(__name__)

RENEW_BEFORE_EXPIRY = timedelta(minutes=5)
TOUCH_EVERY = timedelta(minutes=1)  # last-seen is written at most this often per session
LOGIN_TIMEOUT = timedelta(minutes=10)
RENEWAL_RACE_GRACE_SECONDS = 0.5
# The claims a session keeps from the ID token (never the tokens themselves).
KEPT_CLAIMS = ("oid", "tid", "name", "preferred_username", "email", "upn", "roles", "groups", "_claim_names")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _digest(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


def csrf_token_of(cookie: str) -> str:
    """The session's CSRF token: derived from the cookie, useless without reading it."""
    mac = hmac.new(cookie.encode(), b"scalechat csrf", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def same_secret(sent: str | None, expected: str) -> bool:
    """Constant-time equality of a value a client sent and the one expected (any text, not only ASCII)."""
    return sent is not None and hmac.compare_digest(sent.encode(), expected.encode())


def csrf_matches(sent: str | None, cookie: str) -> bool:
    """Whether `sent` (the X-CSRF-Token header) is this session's token."""
    return same_secret(sent, csrf_token_of(cookie))


def _cipher(cookie: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"scalechat session tokens").derive(
        cookie.encode()
    )
    return AESGCM(key)


def _seal(cookie: str, tokens: TokenSet) -> str:
    plain = orjson.dumps(
        {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "id_token": tokens.id_token,
            "expires_at": tokens.expires_at,
            "scope": tokens.scope,
        }
    )
    nonce = secrets.token_bytes(12)
    return base64.b64encode(nonce + _cipher(cookie).encrypt(nonce, plain, None)).decode()


def _open(cookie: str, sealed: str) -> dict[str, Any] | None:
    try:
        raw = base64.b64decode(sealed)
        opened: dict[str, Any] = orjson.loads(_cipher(cookie).decrypt(raw[:12], raw[12:], None))
        return opened
    except (InvalidTag, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class ActiveSession:
    cookie: str
    claims: dict[str, Any]
    access_token: str
    id_token: str | None

    @property
    def csrf_token(self) -> str:
        return csrf_token_of(self.cookie)


class SessionManager:
    def __init__(self, store: IdentityStore, oidc: OidcClient, *, idle: timedelta, absolute: timedelta) -> None:
        self._store = store
        self._oidc = oidc
        self._idle = idle
        self._absolute = absolute
        self._renewing: dict[str, asyncio.Lock] = {}

    # --- signing in -----------------------------------------------------------------------

    async def begin_login(self, redirect_uri: str, return_to: str, login_hint: str | None) -> tuple[str, str]:
        """The issuer's authorization URL, and the login cookie that binds it to this browser.

        The cookie carries the sign-in's state, nonce and PKCE verifier (HttpOnly, ten minutes):
        nothing is written on the server before the user has signed in, so anonymous requests to
        /auth/login cost no database write. Whoever holds the cookie is the browser that started
        the sign-in; a crafted one gains nothing, as the code, the verifier and the nonce must match.
        """
        url, request = await self._oidc.begin(redirect_uri, return_to, login_hint)
        record = {**_login_record(request), "started": time.time()}
        return url, base64.urlsafe_b64encode(orjson.dumps(record)).decode().rstrip("=")

    async def finish_login(
        self, login_cookie: str, state: str, code: str, redirect_uri: str
    ) -> tuple[ActiveSession, str]:
        """Redeem the code; return the new session and where to go. Raises SignInFailed."""
        request = _login_request(login_cookie)
        if request is None:
            raise SignInFailed("login_expired", "This sign-in has expired or was already used; sign in again.")
        if not same_secret(state, request.state):
            raise SignInFailed("state_mismatch", "The sign-in response does not belong to this browser.")
        tokens = await self._oidc.redeem(code, request, redirect_uri)
        return await self._start(tokens), request.return_to

    async def _start(self, tokens: TokenSet) -> ActiveSession:
        assert tokens.id_claims is not None
        claims = _kept(tokens.id_claims)
        now = datetime.now(UTC)
        cookie = new_secret()
        await self._store.create_session(
            StoredSession(
                id=_digest(cookie),
                user_id=str(claims.get("oid", "")),
                claims=claims,
                secrets=_seal(cookie, tokens),
                version=1,
                created_at=now,
                last_seen_at=now,
                expires_at=now + self._absolute,
            )
        )
        return ActiveSession(cookie, claims, tokens.access_token, tokens.id_token)

    # --- using a session ------------------------------------------------------------------

    async def resume(self, cookie: str) -> ActiveSession | None:
        """The live session for this cookie, renewed if its tokens are about to expire; None if it ended."""
        session_id = _digest(cookie)
        stored = await self._store.get_session(session_id)
        if stored is None:
            return None
        now = datetime.now(UTC)
        if now >= stored.expires_at or now - stored.last_seen_at >= self._idle:
            await self._store.delete_session(session_id)
            log.info("auth.session_expired", extra={"idle": now < stored.expires_at})
            return None
        tokens = _open(cookie, stored.secrets)
        if tokens is None:  # not sealed with this cookie: never ours to open
            return None
        if now - stored.last_seen_at >= TOUCH_EVERY:
            await self._store.touch_session(session_id, now)
        expires_at = datetime.fromtimestamp(float(tokens["expires_at"]), UTC)
        if expires_at - now <= RENEW_BEFORE_EXPIRY and tokens.get("refresh_token"):
            return await self._renew(cookie, stored)
        return ActiveSession(cookie, stored.claims, tokens["access_token"], tokens.get("id_token"))

    @staticmethod
    def _active(cookie: str, stored: StoredSession) -> ActiveSession | None:
        tokens = _open(cookie, stored.secrets)
        if tokens is None:
            return None
        return ActiveSession(cookie, stored.claims, tokens["access_token"], tokens.get("id_token"))

    async def end(self, cookie: str) -> ActiveSession | None:
        """End the session; return what it was (for the issuer's sign-out), None if there was none."""
        session_id = _digest(cookie)
        stored = await self._store.get_session(session_id)
        if stored is None:
            return None
        await self._store.delete_session(session_id)
        tokens = _open(cookie, stored.secrets) or {}
        return ActiveSession(cookie, stored.claims, tokens.get("access_token", ""), tokens.get("id_token"))

    async def purge(self) -> int:
        now = datetime.now(UTC)
        return await self._store.purge(expired_before=now, idle_before=now - self._idle)

    async def remember_user(self, user: User) -> None:
        await self._store.save_user(user)

    async def _renew(self, cookie: str, stored: StoredSession) -> ActiveSession | None:
        lock = self._renewing.setdefault(stored.id, asyncio.Lock())
        try:
            async with lock:
                current = await self._store.get_session(stored.id)
                if current is None:
                    return None
                tokens = _open(cookie, current.secrets)
                if tokens is None:
                    return None
                if current.version != stored.version:  # renewed while we waited
                    return ActiveSession(cookie, current.claims, tokens["access_token"], tokens.get("id_token"))
                try:
                    renewed = await self._oidc.refresh(tokens["refresh_token"], tokens.get("scope"))
                except SignInFailed as exc:
                    # Another instance may have renewed this session with the same refresh token
                    # a moment ago (issuers that rotate refresh tokens refuse the second use).
                    await asyncio.sleep(RENEWAL_RACE_GRACE_SECONDS)
                    latest = await self._store.get_session(stored.id)
                    if latest is not None and latest.version != current.version:
                        return self._active(cookie, latest)
                    # Revoked, disabled or expired at the issuer: this session is over.
                    log.info("auth.session_renewal_refused", extra={"error_code": exc.code})
                    await self._store.delete_session(stored.id)
                    return None
                except IssuerUnavailable:
                    # Keep the session on the tokens it has: an issuer outage must not sign everyone out.
                    log.warning("auth.session_renewal_unavailable")
                    return ActiveSession(cookie, current.claims, tokens["access_token"], tokens.get("id_token"))
                claims = _kept(renewed.id_claims) if renewed.id_claims else current.claims
                id_token = renewed.id_token or tokens.get("id_token")
                # The scope granted at sign-in is asked for again at every renewal.
                sealed = _seal(cookie, replace(renewed, id_token=id_token, scope=tokens.get("scope")))
                if not await self._store.renew_session(
                    stored.id, expected_version=current.version, claims=claims, secrets=sealed
                ):
                    latest = await self._store.get_session(stored.id)  # another instance renewed first
                    return self._active(cookie, latest) if latest is not None else None
                log.info("auth.session_renewed")
                return ActiveSession(cookie, claims, renewed.access_token, id_token)
        finally:
            if not lock.locked():
                self._renewing.pop(stored.id, None)


def _kept(claims: dict[str, Any]) -> dict[str, Any]:
    return {key: claims[key] for key in KEPT_CLAIMS if key in claims}


_LOGIN_FIELDS = ("state", "nonce", "code_verifier", "return_to")


def _login_request(cookie: str) -> LoginRequest | None:
    """The sign-in the login cookie describes, if it is well formed and under ten minutes old."""
    try:
        record = orjson.loads(base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4)))
        started = float(record["started"])
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(record, dict) or not all(isinstance(record.get(f), str) for f in _LOGIN_FIELDS):
        return None
    if not 0 <= time.time() - started <= LOGIN_TIMEOUT.total_seconds():
        return None
    return LoginRequest(**{f: record[f] for f in _LOGIN_FIELDS})


def _login_record(request: LoginRequest) -> dict[str, Any]:
    return {
        "state": request.state,
        "nonce": request.nonce,
        "code_verifier": request.code_verifier,
        "return_to": request.return_to,
    }

"""One entry point for every mode: `Authenticator.authenticate(headers, cookies)`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import httpx2

from scalechat.auth import easyauth
from scalechat.auth.graph import GraphClient
from scalechat.auth.jwks import InvalidToken, JwksCache, JwtValidator
from scalechat.auth.oidc import IssuerDirectory, IssuerUnavailable, OidcClient, configured_issuer
from scalechat.auth.policy import ADMIN, USER, AccessPolicy
from scalechat.auth.sessions import ActiveSession, SessionManager
from scalechat.domain import Principal
from scalechat.errors import NotReady, NotSignedIn
from scalechat.settings import Settings
from scalechat.store.base import IdentityStore

log = logging.getLogger(__name__)

SESSION_COOKIE = "scalechat_session"
CSRF_COOKIE = "scalechat_csrf"
LOGIN_COOKIE = "scalechat_login"
SECURE_PREFIX = "__Host-"  # over HTTPS: Secure, Path=/, no Domain; a sibling subdomain cannot set it

Via = Literal["local", "session", "bearer", "easyauth"]


@dataclass(frozen=True, slots=True)
class Authenticated:
    principal: Principal
    via: Via
    session: ActiveSession | None = None
    graph_token: str | None = None  # a delegated token Graph accepts, when there is one


def cookie_name(base: str, secure: bool) -> str:
    return SECURE_PREFIX + base if secure else base


class Authenticator:
    def __init__(self, settings: Settings, identities: IdentityStore) -> None:
        self.settings = settings
        self.mode = settings.auth.mode
        self.policy = AccessPolicy(settings)
        self._http = httpx2.AsyncClient(timeout=httpx2.Timeout(10.0, connect=5.0), follow_redirects=False)
        self.graph = GraphClient(settings.auth.graph_url, self._http)
        self.sessions: SessionManager | None = None
        self.oidc: OidcClient | None = None
        self._validator: JwtValidator | None = None
        self._directory: IssuerDirectory | None = None
        if self.mode == "entra":
            azure = settings.azure
            assert azure.client_id is not None
            self._directory = IssuerDirectory(self._http, configured_issuer(settings))
            keys = JwksCache(
                self._http, self._directory.jwks_uri, min_refresh_seconds=settings.auth.jwks_min_refresh_seconds
            )
            self._validator = JwtValidator(keys)
            self.oidc = OidcClient(settings, self._directory, self._validator)
            self.sessions = SessionManager(
                identities,
                self.oidc,
                idle=timedelta(minutes=settings.auth.session_idle_minutes),
                absolute=timedelta(hours=settings.auth.session_max_hours),
            )
            self._audiences = [settings.auth.api_audience or f"api://{azure.client_id}", azure.client_id]

    async def aclose(self) -> None:
        if self.oidc is not None:
            await self.oidc.aclose()
        await self._http.aclose()

    async def warm_up(self) -> None:
        """Read the issuer's metadata now, so that a wrong OIDC_ISSUER shows at start-up; not fatal."""
        if self._directory is not None:
            try:
                await self._directory.metadata()
            except IssuerUnavailable as exc:
                log.warning("auth.issuer_unavailable_at_startup", extra={"error": str(exc)})

    async def authenticate(self, headers: Mapping[str, str], cookies: Mapping[str, str], secure: bool) -> Authenticated:
        """Raises NotSignedIn (401) without valid credentials and NotAllowed (403) for a user the
        policy refuses. `headers` have lower-case names."""
        if self.mode == "local":
            s = self.settings
            # The laptop's one user may do everything the app offers.
            local = Principal(user_id=s.local_user_id, name=s.local_user_name, roles=frozenset({USER, ADMIN}))
            return Authenticated(local, "local")
        if self.mode == "easyauth":
            claims = easyauth.claims_from_headers(headers)
            if claims is None:
                raise NotSignedIn(login_url=easyauth.LOGIN_URL)
            return Authenticated(
                self.policy.principal(claims), "easyauth", graph_token=headers.get(easyauth.ACCESS_TOKEN)
            )
        authorization = headers.get("authorization")
        if authorization is not None:
            return await self._bearer(authorization)
        cookie = cookies.get(cookie_name(SESSION_COOKIE, secure))
        if not cookie or self.sessions is None:
            raise NotSignedIn()
        try:
            session = await self.sessions.resume(cookie)
        except IssuerUnavailable as exc:
            raise NotReady("The sign-in service cannot be reached; try again shortly.") from exc
        if session is None:
            raise NotSignedIn("Your session has ended; sign in again.")
        return Authenticated(self.policy.principal(session.claims), "session", session, session.access_token)

    async def _bearer(self, authorization: str) -> Authenticated:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotSignedIn("The Authorization header must be 'Bearer <access token>'.", code="invalid_token")
        assert self._validator is not None and self._directory is not None
        try:
            await self._directory.metadata()
            claims = await self._validator.validate(
                token.strip(), audiences=self._audiences, issuer_for=self._directory.issuers_for
            )
        except InvalidToken as exc:
            raise NotSignedIn(f"The access token is not accepted: {exc}.", code="invalid_token") from None
        except IssuerUnavailable as exc:
            raise NotReady("The sign-in service cannot be reached; try again shortly.") from exc
        # An ID token has this app as audience too, but it is not an access token: a copy from a
        # browser (history, logs) must not open the API. Only delegated tokens (a user's, with
        # scopes) are accepted; app-only tokens (client credentials) have no user to act for.
        if "nonce" in claims or claims.get("idtyp") == "app":
            raise NotSignedIn("Only a user's access token is accepted here.", code="invalid_token")
        scopes = claims.get("scp")
        if not isinstance(scopes, str) or not scopes.strip():
            raise NotSignedIn("The access token carries no delegated scope (scp).", code="invalid_token")
        # No Graph token: an API client's token is for this app, not for Graph.
        return Authenticated(self.policy.principal(claims), "bearer")

"""The OpenID Connect client of the backend-for-frontend: authorization code flow with PKCE.

Works with Entra ID v2 and any standards-following issuer (`OIDC_ISSUER`). Authlib speaks
the protocol (authorization URL, client authentication, token responses); this module adds
discovery, ID-token validation (through `JwtValidator`, with the nonce) and the three ways
Entra lets a confidential client prove itself: a secret, a certificate (`private_key_jwt`),
or a federated credential from the app's managed identity.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import httpx2
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from azure.core.exceptions import AzureError

from scalechat.auth.jwks import InvalidToken, JwtValidator
from scalechat.settings import Settings

log = logging.getLogger(__name__)

ENTRA_AUTHORITY = "https://login.microsoftonline.com"
TOKEN_EXCHANGE_SCOPE = "api://AzureADTokenExchange/.default"  # noqa: S105 - a scope name
JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
METADATA_TTL_SECONDS = 24 * 3600


class SignInFailed(Exception):
    """The issuer refused, or answered with something we cannot accept. `code` is stable."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


class IssuerUnavailable(Exception):
    """The issuer's metadata or token endpoint cannot be reached."""


@dataclass(frozen=True, slots=True)
class IssuerMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None


@dataclass(frozen=True, slots=True)
class TokenSet:
    access_token: str
    refresh_token: str | None
    id_token: str | None
    expires_at: float  # epoch seconds
    id_claims: dict[str, Any] | None  # validated; None when a refresh returned no ID token
    scope: str | None = None  # as granted: a refresh asks for these again


@dataclass(frozen=True, slots=True)
class LoginRequest:
    """What the callback needs to finish a login it started; kept server side."""

    state: str
    nonce: str
    code_verifier: str
    return_to: str


def configured_issuer(settings: Settings) -> str:
    return settings.auth.oidc_issuer or f"{ENTRA_AUTHORITY}/{settings.azure.tenant_id}/v2.0"


class IssuerDirectory:
    """The issuer's discovery document, fetched once and kept for a day."""

    def __init__(self, http: httpx2.AsyncClient, issuer: str) -> None:
        self._http = http
        self.issuer = issuer.rstrip("/")
        self._metadata: IssuerMetadata | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def metadata(self) -> IssuerMetadata:
        if self._metadata is not None and time.monotonic() - self._loaded_at < METADATA_TTL_SECONDS:
            return self._metadata
        async with self._lock:
            if self._metadata is None or time.monotonic() - self._loaded_at >= METADATA_TTL_SECONDS:
                await self._load()
        assert self._metadata is not None
        return self._metadata

    async def jwks_uri(self) -> str:
        return (await self.metadata()).jwks_uri

    async def _load(self) -> None:
        url = f"{self.issuer}/.well-known/openid-configuration"
        try:
            response = await self._http.get(url)
            response.raise_for_status()
            document = response.json()
            metadata = IssuerMetadata(
                issuer=document["issuer"],
                authorization_endpoint=document["authorization_endpoint"],
                token_endpoint=document["token_endpoint"],
                jwks_uri=document["jwks_uri"],
                end_session_endpoint=document.get("end_session_endpoint"),
            )
        except (httpx2.HTTPError, ValueError, KeyError) as exc:
            if self._metadata is not None:  # keep serving with what we had
                log.warning("auth.discovery_refresh_failed", extra={"error": type(exc).__name__})
                self._loaded_at = time.monotonic() - METADATA_TTL_SECONDS + 60
                return
            raise IssuerUnavailable(f"the sign-in issuer's metadata cannot be read ({type(exc).__name__})") from None
        self._metadata = metadata
        self._loaded_at = time.monotonic()

    def issuers_for(self, claims: Mapping[str, Any]) -> list[str]:
        """The issuers a token may name. Entra's multi-tenant metadata says `{tenantid}`; v1 access
        tokens (an app registration left at accessTokenAcceptedVersion 1) use sts.windows.net."""
        template = self._metadata.issuer if self._metadata else self.issuer
        tid = claims.get("tid")
        issuers = [template]
        if "{tenantid}" in template and isinstance(tid, str):
            issuers = [template.replace("{tenantid}", tid)]
        if template.startswith(ENTRA_AUTHORITY) and isinstance(tid, str):
            issuers.append(f"https://sts.windows.net/{tid}/")
        return issuers


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class OidcClient:
    def __init__(
        self,
        settings: Settings,
        directory: IssuerDirectory,
        validator: JwtValidator,
    ) -> None:
        azure = settings.azure
        assert azure.client_id is not None
        self.client_id = azure.client_id
        self._scopes = settings.auth.scopes
        self._directory = directory
        self._validator = validator
        self._managed_identity: Any = None
        if azure.client_secret is not None:
            self._oauth = AsyncOAuth2Client(
                self.client_id,
                azure.client_secret.get_secret_value(),
                token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method name
            )
        elif azure.client_certificate_path is not None:
            key_pem, thumbprint = _certificate(azure.client_certificate_path)
            method = "private_key_jwt"
            self._oauth = AsyncOAuth2Client(self.client_id, key_pem, token_endpoint_auth_method=method)
            self._oauth.register_client_auth_method(PrivateKeyJWT(headers={"x5t": thumbprint}))
        else:
            from azure.identity.aio import ManagedIdentityCredential

            self._managed_identity = ManagedIdentityCredential(client_id=settings.managed_identity_client_id)
            self._oauth = AsyncOAuth2Client(self.client_id, token_endpoint_auth_method="none")  # noqa: S106

    async def aclose(self) -> None:
        await self._oauth.aclose()
        if self._managed_identity is not None:
            await self._managed_identity.close()

    async def begin(self, redirect_uri: str, return_to: str, login_hint: str | None) -> tuple[str, LoginRequest]:
        metadata = await self._directory.metadata()
        verifier, challenge = _pkce_pair()
        request = LoginRequest(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            code_verifier=verifier,
            return_to=return_to,
        )
        params = {
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "scope": self._scopes,
            "state": request.state,
            "nonce": request.nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "response_mode": "query",
        }
        if login_hint:
            params["login_hint"] = login_hint
        separator = "&" if "?" in metadata.authorization_endpoint else "?"
        return metadata.authorization_endpoint + separator + urlencode(params), request

    async def redeem(self, code: str, request: LoginRequest, redirect_uri: str) -> TokenSet:
        metadata = await self._directory.metadata()
        body = await self._token_request(
            metadata,
            grant_type="authorization_code",
            code=code,
            redirect_uri=redirect_uri,
            code_verifier=request.code_verifier,
        )
        tokens = await self._token_set(body, metadata)
        if tokens.id_claims is None:
            raise SignInFailed("no_id_token", "The issuer returned no ID token.")
        if tokens.id_claims.get("nonce") != request.nonce:
            raise SignInFailed("nonce_mismatch", "The ID token does not belong to this sign-in.")
        return tokens

    async def refresh(self, refresh_token: str, scope: str | None) -> TokenSet:
        """New tokens for the scopes granted at sign-in (Entra wants them named; asking for more fails)."""
        metadata = await self._directory.metadata()
        body = await self._token_request(
            metadata, grant_type="refresh_token", refresh_token=refresh_token, scope=scope or self._scopes
        )
        tokens = await self._token_set(body, metadata)
        if tokens.refresh_token is None:  # not rotated: the old one stays good
            tokens = replace(tokens, refresh_token=refresh_token)
        return tokens

    async def end_session_url(self, post_logout_redirect_uri: str) -> str | None:
        """Where the browser ends the issuer's session, then comes back to `post_logout_redirect_uri`."""
        metadata = await self._directory.metadata()
        if not metadata.end_session_endpoint:
            return None
        params = {"post_logout_redirect_uri": post_logout_redirect_uri, "client_id": self.client_id}
        separator = "&" if "?" in metadata.end_session_endpoint else "?"
        return metadata.end_session_endpoint + separator + urlencode(params)

    async def _token_request(self, metadata: IssuerMetadata, **params: str) -> dict[str, Any]:
        if self._managed_identity is not None:
            try:
                assertion = await self._managed_identity.get_token(TOKEN_EXCHANGE_SCOPE)
            except AzureError as exc:
                # No identity assigned, or its endpoint down: like an issuer outage, a reason to sign in
                # later (and to keep sessions on the tokens they have), not a 500.
                log.warning(
                    "auth.managed_identity_failed", extra={"error": type(exc).__name__, "detail": str(exc)[:300]}
                )
                raise IssuerUnavailable(f"the managed identity gave no token ({type(exc).__name__})") from None
            params |= {"client_assertion_type": JWT_BEARER_ASSERTION, "client_assertion": assertion.token}
        grant_type = params.pop("grant_type")
        try:
            if grant_type == "refresh_token":
                token = await self._oauth.refresh_token(metadata.token_endpoint, **params)
            else:
                token = await self._oauth.fetch_token(metadata.token_endpoint, grant_type=grant_type, **params)
        except OAuthError as exc:
            # The issuer's error code is safe to show (invalid_grant, ...); its description may echo input.
            raise SignInFailed(str(exc.error or "token_error"), "The sign-in issuer refused the request.") from None
        except (httpx2.HTTPError, ValueError) as exc:
            raise IssuerUnavailable(f"the sign-in issuer cannot be reached ({type(exc).__name__})") from None
        return dict(token)

    async def _token_set(self, body: Mapping[str, Any], metadata: IssuerMetadata) -> TokenSet:
        access_token = body.get("access_token")
        if not isinstance(access_token, str):
            raise SignInFailed("no_access_token", "The issuer returned no access token.")
        id_token = body.get("id_token")
        claims = None
        if isinstance(id_token, str):
            try:
                claims = await self._validator.validate(
                    id_token, audiences=[self.client_id], issuer_for=self._directory.issuers_for
                )
            except InvalidToken as exc:
                raise SignInFailed("invalid_id_token", f"The ID token is not valid: {exc}.") from None
        expires_in = body.get("expires_in")
        lifetime = (
            float(expires_in) if isinstance(expires_in, int | float | str) and str(expires_in).isdigit() else 3600
        )
        refresh = body.get("refresh_token")
        scope = body.get("scope")
        return TokenSet(
            scope=scope if isinstance(scope, str) else None,
            access_token=access_token,
            refresh_token=refresh if isinstance(refresh, str) else None,
            id_token=id_token if isinstance(id_token, str) else None,
            expires_at=time.time() + lifetime,
            id_claims=claims,
        )


def _certificate(path: Any) -> tuple[str, str]:
    """The private key (PEM) and the certificate's SHA-1 thumbprint (base64url), as Entra's `x5t`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    data = open(path, "rb").read()  # noqa: SIM115 - read once at start-up
    certificate = x509.load_pem_x509_certificate(data)
    key = serialization.load_pem_private_key(data, password=None)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    thumbprint = base64.urlsafe_b64encode(certificate.fingerprint(hashes.SHA1())).rstrip(b"=").decode()  # noqa: S303
    return key_pem, thumbprint

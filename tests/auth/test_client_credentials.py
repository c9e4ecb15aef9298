"""The sign-in app without a client secret, end to end: a certificate (`AZURE_CLIENT_CERTIFICATE_PATH`,
private_key_jwt with Entra's `x5t` header) and a federated credential from a managed identity
(`AZURE_USE_MANAGED_IDENTITY_FOR_SIGN_IN`).

Real: the scalechat process, Authlib's client assertions, azure-identity's ManagedIdentityCredential and
its HTTP request, and the test provider's check of each kind of assertion, made to work as Entra's does
(tests/idp/provider.mjs: the certificate found by `x5t`; the federated credential's iss/sub/aud).
Stand-in: Azure's managed identity endpoint, which exists only on Azure. `IdentityEndpoint` answers as App
Service's does, with the token Entra would give the identity, minted by the provider with its own keys.

The provider here gives 120-second access tokens, inside the app's 5-minute renewal window: the first
request after a sign-in renews the session, so each sign-in test covers the refresh grant too.
"""

from __future__ import annotations

import datetime
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.identity_provider import (
    CERTIFICATE_CLIENT_ID,
    SESSION_COOKIES,
    TOKEN_EXCHANGE_AUDIENCE,
    USERS,
    Idp,
    login_response,
    sign_in,
)
from tests.support import ServerProcess, running_server

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# The managed identity the sign-in app's federated credential trusts (subject = its object id), and another.
IDENTITY_OBJECT_ID = "cccccccc-0000-0000-0000-0000000000a1"
IDENTITY_CLIENT_ID = "cccccccc-0000-0000-0000-0000000000c1"
OTHER_IDENTITY_OBJECT_ID = "dddddddd-0000-0000-0000-0000000000a1"


# ---------------------------------------------------------------------------------------------
# A certificate, as `openssl req -x509` or Key Vault would make one
@dataclass(frozen=True)
class Certificate:
    pem: Path  # private key and certificate: what the app is given
    public_pem: Path  # the certificate alone: what is uploaded to the app registration
    key_pem: bytes
    x5t: str  # base64url SHA-1 thumbprint


def make_certificate(directory: Path, name: str) -> Certificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"scalechat sign-in ({name})")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    certificate_pem = certificate.public_bytes(serialization.Encoding.PEM)
    directory.mkdir(parents=True, exist_ok=True)
    pem = directory / f"{name}.pem"
    pem.write_bytes(key_pem + certificate_pem)  # key first, as Key Vault exports a PEM
    public_pem = directory / f"{name}.crt"
    public_pem.write_bytes(certificate_pem)
    x5t = jwt.utils.base64url_encode(certificate.fingerprint(hashes.SHA1())).decode()  # SHA-1: what Entra calls x5t
    return Certificate(pem, public_pem, key_pem, x5t)


# ---------------------------------------------------------------------------------------------
# A stand-in for App Service's managed identity endpoint
@dataclass
class IdentityRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names


@dataclass
class IdentityEndpoint:
    """App Service's managed identity endpoint, as azure-identity's AppServiceCredential calls it:
    GET $IDENTITY_ENDPOINT?api-version=2019-08-01&resource=<scope without /.default>[&client_id=<user-assigned>]
    with header X-IDENTITY-HEADER: $IDENTITY_HEADER; answers {access_token, expires_on, resource, token_type}.
    `token` is handed out; with `status` other than 200 it answers App Service's error body instead."""

    token: str
    status: int = 200
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    requests: list[IdentityRequest] = field(default_factory=list)
    url: str = ""

    def app_env(self) -> dict[str, str]:
        return {"IDENTITY_ENDPOINT": self.url, "IDENTITY_HEADER": self.secret}

    def answer(self, request: IdentityRequest) -> tuple[int, dict[str, Any]]:
        self.requests.append(request)
        if request.headers.get("x-identity-header") != self.secret:
            return 401, {"statusCode": 401, "message": "Unauthorized: X-IDENTITY-HEADER is missing or wrong"}
        if self.status != 200:
            return self.status, {"statusCode": self.status, "message": "Unable to load the proper Managed Identity."}
        return 200, {
            "access_token": self.token,
            "expires_on": str(int(time.time()) + 3600),
            "resource": request.query.get("resource", ""),
            "token_type": "Bearer",
            "client_id": IDENTITY_CLIENT_ID,
        }


@pytest.fixture
def identity_endpoint() -> Iterator[IdentityEndpoint]:
    """An IdentityEndpoint on 127.0.0.1 (set its `token` before the app asks)."""
    endpoint = IdentityEndpoint(token="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            request = IdentityRequest(
                "GET", parts.path, dict(parse_qsl(parts.query)), {k.lower(): v for k, v in self.headers.items()}
            )
            status, body = endpoint.answer(request)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/msi/token"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# ---------------------------------------------------------------------------------------------
# Fixtures
@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """The sign-in app's certificate, registered with the provider."""
    return make_certificate(tmp_path_factory.mktemp("certificate"), "app")


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory, certificate: Certificate) -> Iterator[Idp]:
    """A provider of this module's own: the app registered with its certificate and with a federated
    credential trusting IDENTITY_OBJECT_ID; 120-second access tokens (every request renews)."""
    env = {
        "CERTIFICATE_FILE": str(certificate.public_pem),
        "FEDERATED_SUBJECT": IDENTITY_OBJECT_ID,
        "ACCESS_TOKEN_TTL": "120",
    }
    provider = Idp(tmp_path_factory.mktemp("idp"), env=env)
    provider.start()
    try:
        yield provider
    finally:
        provider.close()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=15) as client:
        yield client


def signs_in_and_renews(idp: Idp, app: ServerProcess, http: httpx.Client) -> dict[str, int]:
    """Sign alice in, then GET /api/me (which renews the session); return the provider's stats' growth."""
    before = idp.stats()
    sign_in(http, app.url, "alice")
    me = http.get(f"{app.url}/api/me")
    assert me.status_code == 200, app.log()[-3000:]
    assert me.json()["id"] == USERS["alice"].oid
    # Renewed with a refresh grant the provider accepted (a refused one would have ended the session: 401).
    assert "auth.session_renewed" in app.log()
    after = idp.stats()
    return {name: after[name] - before[name] for name in after}


def assert_sign_in_fails(app: ServerProcess, http: httpx.Client, code: str) -> None:
    response = login_response(http, app.url, "alice")
    assert response.status_code == 303, app.log()[-3000:]
    assert response.headers["location"] == f"/?auth_error={code}"
    assert not any(cookie.name in SESSION_COOKIES for cookie in http.cookies.jar)
    assert http.get(f"{app.url}/api/me").status_code == 401


# ---------------------------------------------------------------------------------------------
# Certificate
def test_the_app_signs_in_with_a_certificate_and_no_secret(
    idp: Idp, certificate: Certificate, tmp_path: Path, http: httpx.Client
) -> None:
    env = idp.app_env(certificate=certificate.pem)
    assert "AZURE_CLIENT_SECRET" not in env
    with running_server(tmp_path, **env) as app:
        grown = signs_in_and_renews(idp, app, http)
    assert grown["token"] == 2  # the code redeemed, then the refresh: each with a certificate assertion


def test_a_certificate_the_app_registration_does_not_have_fails_sign_in_with_invalid_client(
    idp: Idp, tmp_path: Path, http: httpx.Client
) -> None:
    other = make_certificate(tmp_path / "certificates", "other")  # another key, never uploaded
    with running_server(tmp_path / "app", **idp.app_env(certificate=other.pem)) as app:
        assert_sign_in_fails(app, http, "invalid_client")
        assert "auth.sign_in_failed" in app.log()


def _certificate_assertion(idp: Idp, certificate: Certificate, header: dict[str, str]) -> httpx.Response:
    """A token request of the certificate client, with a code nobody issued: `invalid_grant` means the
    client assertion was accepted, `invalid_client` that it was not."""
    token_endpoint = idp.metadata()["token_endpoint"]
    now = int(time.time())
    claims = {"iss": CERTIFICATE_CLIENT_ID, "sub": CERTIFICATE_CLIENT_ID, "aud": token_endpoint}
    claims |= {"iat": now, "exp": now + 300, "jti": secrets.token_urlsafe(16)}
    assertion = jwt.encode(claims, certificate.key_pem, algorithm="RS256", headers=header)
    form = {
        "grant_type": "authorization_code",
        "code": "nobody-issued-this",
        "redirect_uri": "http://127.0.0.1:1/auth/callback",
        "code_verifier": secrets.token_urlsafe(48),
        "client_assertion_type": JWT_BEARER,
        "client_assertion": assertion,
    }
    return idp.http.post(token_endpoint, data=form)


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ({"x5t": "right"}, True),
        ({"x5t": "right", "kid": "right"}, True),
        ({}, False),  # the right key, but Entra finds the certificate by x5t only
        ({"x5t": "wrong"}, False),
    ],
    ids=["x5t", "x5t-and-kid", "no-x5t", "other-x5t"],
)
def test_the_provider_finds_the_certificate_by_x5t_as_entra_does(
    idp: Idp, certificate: Certificate, header: dict[str, str], accepted: bool
) -> None:
    """What makes the sign-in test above prove that the app sends `x5t`."""
    thumbprints = {"right": certificate.x5t, "wrong": jwt.utils.base64url_encode(b"\x00" * 20).decode()}
    response = _certificate_assertion(idp, certificate, {k: thumbprints[v] for k, v in header.items()})
    assert response.json()["error"] == ("invalid_grant" if accepted else "invalid_client"), response.text


# ---------------------------------------------------------------------------------------------
# Federated credential from a managed identity
@pytest.mark.parametrize("user_assigned", [False, True], ids=["system-assigned", "user-assigned"])
def test_the_app_signs_in_with_its_managed_identitys_federated_credential(
    idp: Idp, identity_endpoint: IdentityEndpoint, tmp_path: Path, http: httpx.Client, user_assigned: bool
) -> None:
    identity_endpoint.token = idp.mint_managed_identity_token(IDENTITY_OBJECT_ID, client_id=IDENTITY_CLIENT_ID)
    env = idp.app_env(managed_identity=True) | identity_endpoint.app_env()
    if user_assigned:
        env["AZURE_MANAGED_IDENTITY_CLIENT_ID"] = IDENTITY_CLIENT_ID
    assert "AZURE_CLIENT_SECRET" not in env and "AZURE_CLIENT_CERTIFICATE_PATH" not in env
    with running_server(tmp_path, **env) as app:
        grown = signs_in_and_renews(idp, app, http)
    # Both token requests (code, refresh) carried client_assertion_type jwt-bearer and a client_assertion
    # that passed the provider's federated credential check: a token of this issuer for IDENTITY_OBJECT_ID
    # and api://AzureADTokenExchange, i.e. the one the identity endpoint handed out (only the test minted one).
    assert grown["token"] == 2
    assert grown["federated_credential"] == 2
    # What the app asked the identity endpoint for: a token for the token exchange (scope
    # api://AzureADTokenExchange/.default), for the user-assigned identity if one is named, and never for
    # AZURE_CLIENT_ID (the sign-in app, not an identity). Asked once: azure-identity keeps it until it expires.
    expected = {"api-version": "2019-08-01", "resource": TOKEN_EXCHANGE_AUDIENCE}
    if user_assigned:
        expected["client_id"] = IDENTITY_CLIENT_ID
    assert len(identity_endpoint.requests) == 1
    request = identity_endpoint.requests[0]
    assert (request.method, request.path, request.query) == ("GET", "/msi/token", expected)
    assert request.headers["x-identity-header"] == identity_endpoint.secret


def test_a_managed_identity_the_app_does_not_trust_fails_sign_in_with_invalid_client(
    idp: Idp, identity_endpoint: IdentityEndpoint, tmp_path: Path, http: httpx.Client
) -> None:
    identity_endpoint.token = idp.mint_managed_identity_token(OTHER_IDENTITY_OBJECT_ID, client_id=IDENTITY_CLIENT_ID)
    with running_server(tmp_path, **idp.app_env(managed_identity=True), **identity_endpoint.app_env()) as app:
        assert_sign_in_fails(app, http, "invalid_client")
    assert len(identity_endpoint.requests) == 1  # the app got the identity's token, and the provider refused it


def test_a_managed_identity_endpoint_that_gives_no_token_fails_sign_in_cleanly(
    idp: Idp, identity_endpoint: IdentityEndpoint, tmp_path: Path, http: httpx.Client
) -> None:
    identity_endpoint.status = 400  # App Service's answer when the identity is not assigned to the app
    with running_server(tmp_path, **idp.app_env(managed_identity=True), **identity_endpoint.app_env()) as app:
        assert_sign_in_fails(app, http, "issuer_unavailable")
        assert "auth.managed_identity_failed" in app.log()
    assert identity_endpoint.requests

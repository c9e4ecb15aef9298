"""The sign-in tests' identity provider and browserless sign-in helpers.

`tests/idp/provider.mjs` is an Entra ID (v2) stand-in built on npm `oidc-provider`, with a Microsoft
Graph stand-in and test hooks in the same process. The fixtures here start it as a real process on
loopback; the helpers drive a scalechat server through the authorization code flow with httpx alone.

    idp                  session-scoped, running Idp (do not rotate its keys or stop it: use make_idp)
    idp.app_env(...)     a scalechat server's settings against it (secret, certificate or managed identity)
    make_idp(**env)      function-scoped factory: a fresh Idp of your own, started, stopped at teardown
    sign_in(http, app_url, "alice")        -> the same client, holding the app's session cookie
    login_response(http, app_url, "carol") -> the app's answer to /auth/callback, for failing sign-ins
    sign_out(http, app_url)                -> the URL the browser ends on after the provider's logout
    USERS["alice"], user("bob@contoso.test") -> IdpUser (oid, tid, name, roles, ...)

The provider's issuer is on `localhost` and the app on `127.0.0.1`, so one httpx client keeps the two
cookie jars apart, as a browser would.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlencode, urlsplit

import httpx
import pytest

from tests.support import REPO, free_port

IDP_DIR = REPO / "tests" / "idp"
PROVIDER_SCRIPT = IDP_DIR / "provider.mjs"

TENANT_ID = "11111111-2222-3333-4444-555555555555"
OTHER_TENANT_ID = "99999999-9999-9999-9999-999999999999"
CLIENT_ID = "aaaaaaaa-0000-0000-0000-00000000c11e"
CLIENT_SECRET = "test-secret"
# The same app registered with the secretless credentials (provider env CERTIFICATE_FILE, FEDERATED_SUBJECT).
CERTIFICATE_CLIENT_ID = "aaaaaaaa-0000-0000-0000-00000000ce27"
FEDERATED_CLIENT_ID = "aaaaaaaa-0000-0000-0000-00000000f1c0"
TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"  # what managed identity tokens for federation are for
API_AUDIENCE = "api://scalechat"
GRAPH_AUDIENCE = "00000003-0000-0000-c000-000000000000"
# What the app asks for at sign-in (Entra gives a Graph access token for it).
APP_SCOPES = "openid profile email offline_access User.Read"

SESSION_COOKIES = ("scalechat_session", "__Host-scalechat_session")
CSRF_COOKIES = ("scalechat_csrf", "__Host-scalechat_csrf")
_REDIRECTS = {301, 302, 303, 307, 308}
_MAX_HOPS = 20


# ---------------------------------------------------------------------------------------------
# Users (tests/idp/users.json, shared with the provider)
@dataclass(frozen=True)
class IdpUser:
    login_hint: str  # = UPN = email = preferred_username
    oid: str
    tid: str
    name: str
    roles: tuple[str, ...]
    photo: bool  # Graph serves a PNG photo (else 404 ImageNotFound)
    graph: bool  # Graph answers at all (else 403, as without consent)

    @property
    def email(self) -> str:
        return self.login_hint


def _load_users() -> dict[str, IdpUser]:
    raw: dict[str, dict[str, Any]] = json.loads((IDP_DIR / "users.json").read_text())["users"]
    return {
        upn.split("@")[0]: IdpUser(
            login_hint=upn,
            oid=u["oid"],
            tid=u["tenant"] or TENANT_ID,
            name=u["name"],
            roles=tuple(u["roles"]),
            photo=u["photo"],
            graph=u["graph"],
        )
        for upn, u in raw.items()
    }


USERS: dict[str, IdpUser] = _load_users()  # keyed by short name: alice, bob, carol, mallory, nograph


def user(name: str) -> IdpUser:
    """A test user by short name ("alice") or login hint ("alice@contoso.test")."""
    found = USERS.get(name) or next((u for u in USERS.values() if u.login_hint == name), None)
    if found is None:
        raise KeyError(f"no test user {name!r}; known: {sorted(USERS)}")
    return found


# ---------------------------------------------------------------------------------------------
# The provider process
class Idp:
    """One `node tests/idp/provider.mjs` process on 127.0.0.1:<port>, issuer on localhost:<port>.

    The port, KEY_FILE and STATE_FILE stay the same across stop()/start(), so a restart keeps the
    issuer, the published keys, provider sessions and refresh tokens (as Entra would).
    """

    def __init__(self, workdir: Path, *, port: int | None = None, env: Mapping[str, str] | None = None) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.env = dict(env or {})  # extra provider environment for every start (e.g. ACCESS_TOKEN_TTL)
        self.tenant_id = TENANT_ID
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self.certificate_client_id = CERTIFICATE_CLIENT_ID
        self.federated_client_id = FEDERATED_CLIENT_ID
        self.api_audience = API_AUDIENCE
        self.key_file = workdir / "idp-keys.json"
        self.state_file = workdir / "idp-state.json"
        self.log_path = workdir / f"idp-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log_file: BinaryIO | None = None
        self._client: httpx.Client | None = None

    @property
    def http(self) -> httpx.Client:
        """A client for the provider's own endpoints and hooks (creating one per call costs ~50 ms)."""
        if self._client is None:
            self._client = httpx.Client(timeout=5)
        return self._client

    # -- addresses
    @property
    def origin(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.origin}/{self.tenant_id}/v2.0"

    @property
    def graph_url(self) -> str:
        return f"{self.origin}/graph/v1.0"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def _hooks(self) -> str:
        return f"http://127.0.0.1:{self.port}/__test"

    # -- lifecycle
    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    start_timeout = 15.0  # seconds

    def start(self, **once_env: str) -> None:
        """Start the provider (extra env for this start only, e.g. EXTRA_KEY="1") and wait until it answers."""
        _require_node()
        if self.running:
            raise RuntimeError("the identity provider is already running")
        env = {
            **os.environ,
            "PORT": str(self.port),
            "TENANT_ID": self.tenant_id,
            "CLIENT_ID": self.client_id,
            "CLIENT_SECRET": self.client_secret,
            "CERTIFICATE_CLIENT_ID": self.certificate_client_id,
            "FEDERATED_CLIENT_ID": self.federated_client_id,
            "KEY_FILE": str(self.key_file),
            "STATE_FILE": str(self.state_file),
            "EXIT_WITH_PID": str(os.getpid()),
            **self.env,
            **once_env,
        }
        self._log_file = self.log_path.open("ab")
        process = subprocess.Popen(
            ["node", str(PROVIDER_SCRIPT)],
            cwd=IDP_DIR,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self.process = process
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self._close_log()
                raise RuntimeError(f"identity provider exited {process.returncode}:\n{self.log()[-3000:]}")
            try:
                # The test hook is not counted in stats(); the pid proves it is this process, not a predecessor.
                if self.http.get(f"{self._hooks}/info", timeout=1).json()["pid"] == process.pid:
                    return
            except (httpx.TransportError, ValueError, KeyError):
                pass
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"identity provider did not start in {self.start_timeout} s:\n{self.log()[-3000:]}")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the provider (SIGTERM: it saves its sessions and tokens to STATE_FILE first)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._close_log()

    def close(self) -> None:
        """Stop the provider and release the client."""
        self.stop()
        if self._client is not None:
            self._client.close()
            self._client = None

    def restart(self, **once_env: str) -> None:
        self.stop()
        self.start(**once_env)

    def rotate_keys(self, *, retire_old: bool = False) -> str:
        """Restart with a new signing key in front; the old keys stay published unless retire_old.

        Returns the new key's kid. Sessions and refresh tokens survive (STATE_FILE).
        """
        self.restart(EXTRA_KEY="1", **({"RETIRE_OLD_KEYS": "1"} if retire_old else {}))
        kid: str = self.info()["signing_kid"]
        return kid

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # -- test hooks
    def info(self) -> dict[str, Any]:
        """issuer, tenant_id, client_id, api_audience, graph_audience, signing_kid, published_kids,
        retired_kids, pid."""
        body: dict[str, Any] = self.http.get(f"{self._hooks}/info").raise_for_status().json()
        return body

    def stats(self) -> dict[str, int]:
        """Requests per endpoint since start or reset_stats(): discovery, authorization, interaction, token,
        jwks, end_session, end_session_confirm, graph_me, graph_photo, graph_userinfo, other.
        (Counts start from zero again after a restart.)"""
        body: dict[str, int] = self.http.get(f"{self._hooks}/stats").raise_for_status().json()
        return body

    def reset_stats(self) -> None:
        self.http.delete(f"{self._hooks}/stats").raise_for_status()

    def mint(
        self,
        who: str = "alice",
        *,
        claims: Mapping[str, Any] | None = None,
        header: Mapping[str, Any] | None = None,
        expires_in: int | None = None,
        kid: str | None = None,
    ) -> str:
        """An access token for api://scalechat, signed RS256 with the provider's own current key (or `kid`,
        published or retired), with the claims the token endpoint would give `who`.

        `claims` override the defaults (a None value removes the claim): e.g. {"aud": "api://other"},
        {"iss": ...}, {"tid": OTHER_TENANT_ID}, {"nbf": now + 600}. `expires_in` may be negative.
        `header` overrides header fields (e.g. {"kid": "junk"}); alg must stay RS256.
        """
        body: dict[str, Any] = {"login_hint": user(who).login_hint}
        if claims is not None:
            body["claims"] = dict(claims)
        if header is not None:
            body["header"] = dict(header)
        if expires_in is not None:
            body["expires_in"] = expires_in
        if kid is not None:
            body["kid"] = kid
        response = self.http.post(f"{self._hooks}/mint", json=body)
        if response.status_code != 200:
            raise RuntimeError(f"mint failed: {response.status_code} {response.text}")
        token: str = response.json()["token"]
        return token

    def mint_managed_identity_token(self, object_id: str, *, client_id: str) -> str:
        """The token Entra gives a managed identity for api://AzureADTokenExchange (what a federated credential
        trusts): app-only, from this issuer, sub = oid = the identity's object id, azp its client id."""
        no_user = dict.fromkeys(("name", "preferred_username", "email", "roles", "scp"))
        claims = {**no_user, "sub": object_id, "oid": object_id, "azp": client_id, "idtyp": "app"}
        return self.mint(claims={**claims, "aud": TOKEN_EXCHANGE_AUDIENCE})

    # -- for tests and the app
    def metadata(self) -> dict[str, Any]:
        """The discovery document (fetched each time, so it counts in stats()["discovery"])."""
        body: dict[str, Any] = self.http.get(self.discovery_url).raise_for_status().json()
        return body

    def jwks(self) -> dict[str, Any]:
        """The published keys (counts in stats()["jwks"])."""
        body: dict[str, Any] = self.http.get(f"{self.issuer}/jwks").raise_for_status().json()
        return body

    def app_env(self, *, certificate: Path | None = None, managed_identity: bool = False) -> dict[str, str]:
        """What a scalechat server needs for AUTH_MODE=entra against this provider.

        The app proves itself with the client secret, or as the certificate client with `certificate` (a PEM
        with a certificate and its private key; the provider needs the certificate as CERTIFICATE_FILE), or
        as the federated client with `managed_identity` (the provider needs FEDERATED_SUBJECT, the app a
        managed identity endpoint: add its IDENTITY_ENDPOINT and IDENTITY_HEADER).
        """
        if certificate is not None and managed_identity:
            raise ValueError("one credential: a certificate or a managed identity")
        env = {
            "AUTH_MODE": "entra",
            "AZURE_TENANT_ID": self.tenant_id,
            "OIDC_ISSUER": self.issuer,
            "API_AUDIENCE": self.api_audience,
            "GRAPH_URL": self.graph_url,
            "JWKS_MIN_REFRESH_SECONDS": "1",
        }
        if certificate is not None:
            return env | {
                "AZURE_CLIENT_ID": self.certificate_client_id,
                "AZURE_CLIENT_CERTIFICATE_PATH": str(certificate),
            }
        if managed_identity:
            return env | {"AZURE_CLIENT_ID": self.federated_client_id, "AZURE_USE_MANAGED_IDENTITY_FOR_SIGN_IN": "true"}
        return env | {"AZURE_CLIENT_ID": self.client_id, "AZURE_CLIENT_SECRET": self.client_secret}


def _require_node() -> None:
    if shutil.which("node") is None:
        pytest.fail("the sign-in tests need Node.js (node) for tests/idp/provider.mjs", pytrace=False)
    if not (IDP_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("tests/idp/node_modules is missing: run `make idp-setup`", pytrace=False)


@pytest.fixture(scope="session")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Idp]:
    """The shared identity provider. Read-only use: for rotation, restarts or other settings use make_idp."""
    provider = Idp(tmp_path_factory.mktemp("idp"))
    provider.start()
    try:
        yield provider
    finally:
        provider.close()


@pytest.fixture
def make_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Idp]]:
    """A factory of fresh, started providers (env: extra provider settings, e.g. ACCESS_TOKEN_TTL="5")."""
    started: list[Idp] = []

    def make(**env: str) -> Idp:
        provider = Idp(tmp_path_factory.mktemp("idp"), env=env)
        started.append(provider)
        provider.start()
        return provider

    try:
        yield make
    finally:
        for provider in started:
            provider.close()


# ---------------------------------------------------------------------------------------------
# Browserless sign-in and sign-out
class _FormParser(HTMLParser):
    """The first <form> of a page: its action, method and the named <input> fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method = "get"
        self.fields: dict[str, str] = {}
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and self.action is None:
            self.action = attributes.get("action", "")
            self.method = attributes.get("method", "get").lower()
            self._inside = True
        elif tag == "input" and self._inside and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False


def _where(url: str) -> str:
    """A URL without its query (it may hold codes or tokens), for messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _cookie(http: httpx.Client, names: tuple[str, ...], host: str) -> str | None:
    for cookie in http.cookies.jar:
        if cookie.name in names and cookie.domain.lstrip(".") in (host, f"{host}.local") and cookie.value is not None:
            return cookie.value
    return None


def login_response(http: httpx.Client, app_url: str, who: str, return_to: str = "/") -> httpx.Response:
    """Run the code flow as a browser would, and return the app's response to /auth/callback (unfollowed).

    GET {app_url}/auth/login?login_hint=..&return_to=.., then follow the redirects (and auto-posted forms)
    through the provider, which signs the user in by login_hint, back to the app's callback. For sign-ins
    expected to fail, look at the response (e.g. a 303 to /?auth_error=...); else use sign_in().
    """
    app_url = app_url.rstrip("/")
    url = f"{app_url}/auth/login?" + urlencode({"login_hint": user(who).login_hint, "return_to": return_to})
    _, response = _follow(http, url, f"{app_url}/auth/callback", load_last=True)
    assert response is not None
    return response


def sign_in(http: httpx.Client, app_url: str, who: str, return_to: str = "/") -> httpx.Client:
    """Sign `who` (short name or login hint) in to the app; the client then holds the session cookie."""
    response = login_response(http, app_url, who, return_to)
    location = response.headers.get("location", "")
    if response.status_code not in _REDIRECTS or "auth_error" in location:
        raise AssertionError(f"sign-in of {who} failed at the callback: {response.status_code} {location}")
    if _cookie(http, SESSION_COOKIES, urlsplit(app_url).hostname or "") is None:
        raise AssertionError(f"sign-in of {who}: the callback set no session cookie ({response.headers})")
    return http


def csrf_token(http: httpx.Client, app_url: str) -> str | None:
    """The value of the app's CSRF cookie (either name) in the client's jar, as the web app reads it."""
    return _cookie(http, CSRF_COOKIES, urlsplit(app_url).hostname or "")


def sign_out(http: httpx.Client, app_url: str) -> str:
    """POST /auth/logout (with X-CSRF-Token), then complete the provider's end-session page.

    Returns the absolute URL the browser would end on (the app's post-logout page), without loading it.
    """
    app_url = app_url.rstrip("/")
    token = csrf_token(http, app_url)
    if token is None:
        raise AssertionError("sign-out: no CSRF cookie in the client (not signed in?)")
    response = http.post(
        f"{app_url}/auth/logout", headers={"X-CSRF-Token": token, "Origin": app_url}, follow_redirects=False
    )
    if response.status_code != 200:
        raise AssertionError(f"sign-out: POST /auth/logout answered {response.status_code} {response.text[:500]}")
    url = str(httpx.URL(app_url + "/").join(response.json()["redirect_url"]))
    return follow_to(http, url, app_url)


def follow_to(http: httpx.Client, url: str, stop_at: str) -> str:
    """Follow redirects and auto-posted forms from `url` until a URL under `stop_at`; return it, unloaded."""
    final, _ = _follow(http, url, stop_at, load_last=False)
    return final


def _follow(http: httpx.Client, url: str, stop_at: str, *, load_last: bool) -> tuple[str, httpx.Response | None]:
    """What a browser does between two pages of the app: follow redirects, and submit the forms that
    the provider's pages post by script (logout confirm; the silent logout when the account changes)."""
    form_data: dict[str, str] | None = None  # set when the next request submits a POST form
    for _ in range(_MAX_HOPS):
        arrived = url.startswith(stop_at)
        if arrived and not load_last:
            return url, None
        if form_data is None:
            response = http.get(url, follow_redirects=False)
        else:
            response = http.post(url, data=form_data, follow_redirects=False)
        form_data = None
        if arrived:
            return url, response
        if response.status_code in _REDIRECTS:
            url = str(response.url.join(response.headers["location"]))
            continue
        form = _FormParser()
        form.feed(response.text)
        if response.status_code != 200 or form.action is None or form.method != "post" or not form.fields:
            raise AssertionError(f"stopped at {_where(url)}: {response.status_code} {response.text[:1000]}")
        form_data = form.fields
        url = str(response.url.join(form.action))
    raise AssertionError(f"more than {_MAX_HOPS} hops, last {_where(url)}")

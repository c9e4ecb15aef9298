"""Browser sign-in (AUTH_MODE=entra) through the Entra-shaped test provider, driven by httpx as a
browser would be: code flow with PKCE, server-side sessions, sign-out, roles, tenants, Graph."""

from __future__ import annotations

import base64
import sqlite3
import time
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.identity_provider import USERS, Idp, csrf_token, follow_to, login_response, sign_in, sign_out
from tests.support import ServerProcess, running_server


@pytest.fixture(scope="module")
def server(idp: Idp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(tmp_path_factory.mktemp("entra"), **idp.app_env()) as process:
        yield process


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=15) as client:
        yield client


def set_cookies(response: httpx.Response) -> dict[str, SimpleCookie]:
    found: dict[str, SimpleCookie] = {}
    for header in response.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name in cookie:
            found[name] = cookie
    return found


def session_cookie(http: httpx.Client) -> str:
    value = http.cookies.get("scalechat_session", domain="127.0.0.1") or http.cookies.get("scalechat_session")
    assert value, "no session cookie"
    return value


def test_sign_in_sets_only_an_opaque_httponly_cookie(server: ServerProcess, http: httpx.Client) -> None:
    response = login_response(http, server.url, "alice", return_to="/c/abc?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/c/abc?x=1"
    cookies = set_cookies(response)
    session = cookies["scalechat_session"]["scalechat_session"]
    assert session["httponly"] is True
    assert session["samesite"].lower() == "lax"
    assert session["path"] == "/"
    assert not session["secure"]  # plain HTTP on loopback only; see test_headers for HTTPS
    csrf = cookies["scalechat_csrf"]["scalechat_csrf"]
    assert not csrf["httponly"]  # the web app reads it to echo it in X-CSRF-Token
    assert csrf["samesite"].lower() == "strict"
    # Tokens stay on the server: the cookie is 32 random bytes, not a JWT.
    assert not session.value.startswith("eyJ") and "." not in session.value
    assert len(session.value) >= 40


def test_me_shows_the_entra_user_with_graph_photo(server: ServerProcess, http: httpx.Client) -> None:
    sign_in(http, server.url, "alice")
    me = http.get(f"{server.url}/api/me").json()
    alice = USERS["alice"]
    assert me["id"] == alice.oid
    assert me["tenant_id"] == alice.tid
    assert me["name"] == "Alice Admin"
    assert me["email"] == "alice@contoso.test"
    assert me["roles"] == ["admin", "user"]
    assert me["auth_mode"] == "entra"
    assert me["can_sign_out"] is True
    assert me["photo_url"].startswith("/api/me/photo?v=")
    photo = http.get(server.url + me["photo_url"])
    assert photo.status_code == 200
    assert photo.headers["content-type"] == "image/png"
    assert photo.content.startswith(b"\x89PNG")
    assert "private" in photo.headers["cache-control"]


def test_graph_profile_is_cached(server: ServerProcess, idp: Idp, http: httpx.Client) -> None:
    sign_in(http, server.url, "alice")
    http.get(f"{server.url}/api/me").raise_for_status()
    before = idp.stats()
    for _ in range(5):
        http.get(f"{server.url}/api/me").raise_for_status()
        http.get(f"{server.url}/api/me/photo").raise_for_status()
    after = idp.stats()
    assert after.get("graph_me", 0) == before.get("graph_me", 0)
    assert after.get("graph_photo", 0) == before.get("graph_photo", 0)


@pytest.mark.parametrize("who", ["bob", "nograph"])
def test_no_photo_or_no_graph_consent_falls_back_to_initials(
    server: ServerProcess, http: httpx.Client, who: str
) -> None:
    sign_in(http, server.url, who)
    me = http.get(f"{server.url}/api/me").json()
    assert me["photo_url"] is None
    assert me["initials"]
    photo = http.get(f"{server.url}/api/me/photo")
    assert photo.status_code == 404
    assert photo.json()["code"] == "no_photo"


def test_a_user_row_is_created_on_first_sign_in(server: ServerProcess, http: httpx.Client) -> None:
    sign_in(http, server.url, "bob")
    with sqlite3.connect(server.data_dir / "scalechat.db") as db:
        row = db.execute("SELECT name, email, tenant_id FROM users WHERE id = ?", (USERS["bob"].oid,)).fetchone()
    assert row == ("Bob User", "bob@contoso.test", USERS["bob"].tid)


def test_sessions_are_stored_hashed_and_their_tokens_encrypted(server: ServerProcess, http: httpx.Client) -> None:
    sign_in(http, server.url, "alice")
    cookie = session_cookie(http)
    with sqlite3.connect(server.data_dir / "scalechat.db") as db:
        rows = db.execute("SELECT id, secrets FROM auth_sessions").fetchall()
    assert rows
    for session_id, secrets in rows:
        assert session_id != cookie
        sealed = base64.b64decode(secrets)  # nonce + AES-GCM ciphertext: no JWT, no JSON in the clear
        assert b"eyJ" not in sealed
        assert b"refresh_token" not in sealed


@pytest.mark.parametrize(
    ("who", "reason"),
    [("carol", "role"), ("mallory", "tenant")],
)
def test_signed_in_but_not_allowed_gets_403_and_can_sign_out(
    server: ServerProcess, http: httpx.Client, who: str, reason: str
) -> None:
    sign_in(http, server.url, who)
    me = http.get(f"{server.url}/api/me")
    assert me.status_code == 403
    body = me.json()
    assert body["code"] == "not_allowed"
    assert body["reason"] == reason
    assert body["user_name"] == USERS[who].name
    token = csrf_token(http, server.url)
    assert token
    created = http.post(f"{server.url}/api/conversations", json={}, headers={"X-CSRF-Token": token})
    assert created.status_code == 403
    assert sign_out(http, server.url).startswith(server.url)


def test_sign_out_ends_the_server_session_and_the_issuer_session(
    server: ServerProcess, idp: Idp, http: httpx.Client
) -> None:
    sign_in(http, server.url, "alice")
    old_cookie = session_cookie(http)
    assert http.get(f"{server.url}/api/me").status_code == 200
    before = idp.stats()
    token = csrf_token(http, server.url)
    assert token
    ended = http.post(f"{server.url}/auth/logout", headers={"X-CSRF-Token": token})
    redirect_url = ended.json()["redirect_url"]
    assert "id_token_hint" not in redirect_url  # the URL passes through the browser: no token in it
    landed = follow_to(http, str(httpx.URL(server.url + "/").join(redirect_url)), server.url)
    assert landed == server.url + "/"
    assert idp.stats().get("end_session_confirm", 0) == before.get("end_session_confirm", 0) + 1
    # The old cookie, replayed by anyone, opens nothing.
    with httpx.Client(base_url=server.url, cookies={"scalechat_session": old_cookie}) as replay:
        response = replay.get("/api/me")
        assert response.status_code == 401
        assert response.json()["code"] == "not_signed_in"
        assert response.json()["login_url"] == "/auth/login"
        assert replay.get("/api/conversations").status_code == 401


@pytest.mark.parametrize(
    "return_to",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "/auth/logout",
        "",
    ],
)
def test_login_never_redirects_off_site(server: ServerProcess, http: httpx.Client, return_to: str) -> None:
    response = login_response(http, server.url, "alice", return_to=return_to)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_a_callback_is_used_once_and_only_by_the_browser_that_started_it(
    server: ServerProcess, http: httpx.Client
) -> None:
    # Capture the callback URL the provider sends the browser to, without loading it.
    start = http.get(f"{server.url}/auth/login", params={"login_hint": "alice@contoso.test"})
    url = str(start.headers["location"])
    for _ in range(10):
        response = http.get(url)
        url = str(httpx.URL(url).join(response.headers["location"]))
        if url.startswith(server.url + "/auth/callback"):
            break
    # Another browser (no login cookie) cannot finish this sign-in.
    with httpx.Client(timeout=15) as other:
        stolen = other.get(url)
        assert stolen.status_code == 303
        assert stolen.headers["location"] == "/?auth_error=login_expired"
    # A forged state with the right browser is refused.
    query = parse_qs(urlsplit(url).query)
    forged = http.get(f"{server.url}/auth/callback", params={"code": query["code"][0], "state": "forged"})
    assert forged.headers["location"] == "/?auth_error=state_mismatch"
    # The forged attempt used the pending sign-in up: the real response cannot be replayed either.
    replayed = http.get(url)
    assert replayed.headers["location"] == "/?auth_error=login_expired"


def test_an_error_from_the_issuer_is_shown_by_code_only(server: ServerProcess, http: httpx.Client) -> None:
    response = http.get(
        f"{server.url}/auth/callback",
        params={"error": "access_denied", "error_description": "<script>alert(1)</script>"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/?auth_error=access_denied"


def test_every_api_route_needs_sign_in(server: ServerProcess) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    with httpx.Client(base_url=server.url) as anonymous:
        for path, operations in spec["paths"].items():
            if path in ("/healthz", "/readyz"):
                continue
            for method in operations:
                url = path.replace("{", "").replace("}", "")
                response = anonymous.request(method.upper(), url, json={})
                assert response.status_code == 401, f"{method.upper()} {path} answered {response.status_code}"


def test_forged_easy_auth_headers_are_ignored_outside_easyauth_mode(server: ServerProcess) -> None:
    principal = "eyJjbGFpbXMiOlt7InR5cCI6Im9pZCIsInZhbCI6ImF0dGFja2VyIn1dfQ=="  # {"claims":[{"typ":"oid",...}]}
    response = httpx.get(
        f"{server.url}/api/me",
        headers={"X-MS-CLIENT-PRINCIPAL": principal, "X-MS-CLIENT-PRINCIPAL-ID": "attacker"},
    )
    assert response.status_code == 401


def test_idle_and_absolute_session_limits(idp: Idp, tmp_path: Path) -> None:
    env = {**idp.app_env(), "AUTH_SESSION_IDLE_MINUTES": "0.04"}  # 2.4 s
    with running_server(tmp_path / "idle", **env) as idle_server, httpx.Client(timeout=15) as http:
        sign_in(http, idle_server.url, "bob")
        assert http.get(f"{idle_server.url}/api/me").status_code == 200
        time.sleep(2.6)
        assert http.get(f"{idle_server.url}/api/me").status_code == 401
    env = {**idp.app_env(), "AUTH_SESSION_MAX_HOURS": "0.001"}  # 3.6 s, however busy the session is
    with running_server(tmp_path / "absolute", **env) as busy_server, httpx.Client(timeout=15) as http:
        sign_in(http, busy_server.url, "bob")
        signed_in = time.monotonic()
        # Sent by hand: the browser drops the cookie at its max-age, but the server must refuse it too.
        cookie = session_cookie(http)
        with httpx.Client(base_url=busy_server.url, cookies={"scalechat_session": cookie}) as replay:
            while time.monotonic() - signed_in < 2.5:
                assert replay.get("/api/me").status_code == 200
                time.sleep(0.3)
            time.sleep(max(0.0, 3.8 - (time.monotonic() - signed_in)))
            assert replay.get("/api/me").status_code == 401


def test_sessions_renew_with_the_refresh_token_and_end_when_the_issuer_refuses(
    make_idp: Callable[..., Idp], tmp_path: Path
) -> None:
    # Access tokens inside the 5-minute renewal window from the start; refresh tokens short-lived.
    idp = make_idp(ACCESS_TOKEN_TTL="120", REFRESH_TOKEN_TTL="4")
    with running_server(tmp_path, **idp.app_env()) as app, httpx.Client(timeout=15) as http:
        sign_in(http, app.url, "alice")
        before = idp.stats().get("token", 0)
        response = http.get(f"{app.url}/api/me")
        assert response.status_code == 200, app.log()[-3000:]
        assert idp.stats().get("token", 0) == before + 1  # renewed: a refresh_token grant
        assert http.get(f"{app.url}/api/conversations").status_code == 200
        # The refresh token runs out (as when an account is disabled or its tokens revoked):
        # the next renewal is refused, and the session ends.
        time.sleep(4.5)
        response = http.get(f"{app.url}/api/me")
        assert response.status_code == 401
        assert response.json()["code"] == "not_signed_in"
        assert "auth.session_renewal_refused" in app.log()

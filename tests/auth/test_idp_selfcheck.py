"""The Entra ID stand-in (tests/idp/provider.mjs) behaves like Entra in the ways scalechat relies on.

Drives the provider alone, as the app would: discovery, code flow with PKCE (the redirect goes to a
127.0.0.1 port nobody serves: only its Location is read), token exchange, refresh, end session, the
Graph stand-in and the test hooks (mint, stats, key rotation).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import jwt
import pytest

from tests.identity_provider import (
    API_AUDIENCE,
    APP_SCOPES,
    GRAPH_AUDIENCE,
    OTHER_TENANT_ID,
    TENANT_ID,
    USERS,
    Idp,
    follow_to,
    user,
)
from tests.support import free_port

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def _client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def http(_client: httpx.Client) -> httpx.Client:
    """A browser with no cookies (one client for the module: making one costs ~50 ms)."""
    _client.cookies.clear()
    return _client


@pytest.fixture(scope="module")
def app_port() -> int:
    """The port of an app that does not exist: the flow stops at its redirect URI."""
    return free_port()


def callback_uri(port: int) -> str:
    return f"http://127.0.0.1:{port}/auth/callback"


def authorize(
    http: httpx.Client, idp: Idp, redirect_uri: str, verifier: str | None = None, **params: str
) -> tuple[str, dict[str, str]]:
    """GET the authorize endpoint and follow the provider's redirects up to redirect_uri.

    Returns (the redirect URI reached, its query parameters)."""
    query = {"client_id": idp.client_id, "response_type": "code", "redirect_uri": redirect_uri, "scope": APP_SCOPES}
    if verifier is not None:
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    url = follow_to(http, str(httpx.URL(idp.metadata()["authorization_endpoint"], params=query | params)), redirect_uri)
    return url, dict(parse_qsl(urlsplit(url).query))


def token_request(http: httpx.Client, idp: Idp, **data: str) -> httpx.Response:
    return http.post(idp.metadata()["token_endpoint"], auth=(idp.client_id, idp.client_secret), data=data)


def code_flow(
    http: httpx.Client, idp: Idp, who: str, port: int, scope: str = APP_SCOPES, **params: str
) -> dict[str, Any]:
    """A full sign-in as the app does it: PKCE S256, state, nonce, login_hint; returns the token response."""
    verifier, state, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    redirect = callback_uri(port)
    _, query = authorize(
        http, idp, redirect, verifier, scope=scope, state=state, nonce=nonce, login_hint=user(who).login_hint, **params
    )
    assert query["state"] == state and query["iss"] == idp.issuer, query
    response = token_request(
        http, idp, grant_type="authorization_code", code=query["code"], redirect_uri=redirect, code_verifier=verifier
    )
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    assert claims_of(tokens["id_token"])["nonce"] == nonce
    return tokens


def claims_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def verify(idp: Idp, token: str, audience: str) -> dict[str, Any]:
    """Verify a token as a relying party would: signature with the published JWKS, iss, aud, exp, nbf."""
    jwks = jwt.PyJWKSet.from_dict(idp.jwks())
    key = jwks[jwt.get_unverified_header(token)["kid"]]
    verified: dict[str, Any] = jwt.decode(
        token, key.key, algorithms=["RS256"], audience=audience, issuer=idp.issuer, options={"require": ["exp", "iat"]}
    )
    return verified


# ---------------------------------------------------------------------------------------------
def test_discovery_is_shaped_like_entra(idp: Idp) -> None:
    meta = idp.metadata()
    assert idp.issuer == f"http://localhost:{idp.port}/{TENANT_ID}/v2.0"
    assert meta["issuer"] == idp.issuer
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint"):
        assert meta[endpoint].startswith(idp.issuer + "/")
    assert meta["response_types_supported"] == ["code"]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert "client_secret_basic" in meta["token_endpoint_auth_methods_supported"]
    assert meta["userinfo_endpoint"] == f"{idp.origin}/graph/oidc/userinfo"  # Entra's userinfo is Graph's
    assert "pushed_authorization_request_endpoint" not in meta
    assert idp.app_env() == {
        "AUTH_MODE": "entra",
        "AZURE_TENANT_ID": TENANT_ID,
        "AZURE_CLIENT_ID": idp.client_id,
        "AZURE_CLIENT_SECRET": idp.client_secret,
        "OIDC_ISSUER": idp.issuer,
        "API_AUDIENCE": "api://scalechat",
        "GRAPH_URL": f"{idp.origin}/graph/v1.0",
        "JWKS_MIN_REFRESH_SECONDS": "1",
    }


@pytest.mark.parametrize("who", sorted(USERS))
def test_id_token_carries_entra_claims(idp: Idp, http: httpx.Client, app_port: int, who: str) -> None:
    expected = USERS[who]
    tokens = code_flow(http, idp, who, app_port)
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    claims = verify(idp, tokens["id_token"], audience=idp.client_id)
    assert claims["oid"] == expected.oid
    assert claims["tid"] == expected.tid
    assert claims["name"] == expected.name
    assert claims["preferred_username"] == claims["email"] == expected.login_hint
    assert claims["ver"] == "2.0"
    assert claims["sub"] != expected.oid and len(claims["sub"]) == 43  # pairwise, as in Entra: key users by oid
    if expected.roles:
        assert claims["roles"] == list(expected.roles)
    else:
        assert "roles" not in claims  # Entra leaves the claim out when the user has no app role


def test_other_tenant_user_has_same_issuer(idp: Idp, http: httpx.Client, app_port: int) -> None:
    claims = claims_of(code_flow(http, idp, "mallory", app_port)["id_token"])
    assert claims["iss"] == idp.issuer and claims["tid"] == OTHER_TENANT_ID


def test_app_scopes_give_a_graph_token_that_graph_accepts(idp: Idp, http: httpx.Client, app_port: int) -> None:
    access_token = code_flow(http, idp, "alice", app_port)["access_token"]
    assert jwt.get_unverified_header(access_token)["typ"] == "JWT"
    claims = verify(idp, access_token, audience=GRAPH_AUDIENCE)
    assert claims["scp"] == "User.Read" and claims["oid"] == USERS["alice"].oid
    auth = {"Authorization": f"Bearer {access_token}"}

    me = http.get(f"{idp.graph_url}/me", headers=auth)
    assert me.status_code == 200
    assert {k: me.json()[k] for k in ("displayName", "mail", "userPrincipalName", "id")} == {
        "displayName": "Alice Admin",
        "mail": "alice@contoso.test",
        "userPrincipalName": "alice@contoso.test",
        "id": USERS["alice"].oid,
    }
    photo = http.get(f"{idp.graph_url}/me/photo/$value", headers=auth)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    assert photo.content.startswith(PNG_SIGNATURE) and len(photo.content) < 1000
    userinfo = http.get(idp.metadata()["userinfo_endpoint"], headers=auth)
    assert userinfo.json()["email"] == "alice@contoso.test"


def test_graph_answers_like_graph_when_it_cannot_help(idp: Idp, http: httpx.Client, app_port: int) -> None:
    bob = {"Authorization": f"Bearer {code_flow(http, idp, 'bob', app_port)['access_token']}"}
    photo = http.get(f"{idp.graph_url}/me/photo/$value", headers=bob)
    assert photo.status_code == 404 and photo.json()["error"]["code"] == "ImageNotFound"
    assert http.get(f"{idp.graph_url}/me", headers=bob).json()["displayName"] == "Bob User"

    nograph = {"Authorization": f"Bearer {code_flow(http, idp, 'nograph', app_port)['access_token']}"}
    for path in ("/me", "/me/photo/$value"):
        denied = http.get(idp.graph_url + path, headers=nograph)
        assert denied.status_code == 403 and denied.json()["error"]["code"] == "Authorization_RequestDenied"

    api_token = idp.mint("alice")  # signed by the provider, but for api://scalechat, not Graph
    for headers in ({}, {"Authorization": "Bearer junk"}, {"Authorization": f"Bearer {api_token}"}):
        refused = http.get(f"{idp.graph_url}/me", headers=headers)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_api_scopes_give_an_api_token(idp: Idp, http: httpx.Client, app_port: int) -> None:
    tokens = code_flow(http, idp, "bob", app_port, scope="openid offline_access api://scalechat/Chat.Read")
    claims = verify(idp, tokens["access_token"], audience=API_AUDIENCE)
    assert claims["scp"] == "Chat.Read" and claims["roles"] == ["Chat.User"] and claims["tid"] == TENANT_ID
    # Scopes of two resources in one request: an error, as Entra's AADSTS28000.
    _, query = authorize(
        http, idp, callback_uri(app_port), secrets.token_urlsafe(48), scope="openid User.Read Chat.Read"
    )
    assert query["error"] == "invalid_scope"


def test_redirect_uris_match_any_loopback_port_only(idp: Idp, http: httpx.Client) -> None:
    for port in (free_port(), free_port()):
        reached, query = authorize(
            http, idp, callback_uri(port), secrets.token_urlsafe(48), login_hint="bob@contoso.test"
        )
        assert reached.startswith(callback_uri(port)) and "code" in query
    for bad in (
        "http://localhost:8000/auth/callback",
        "http://127.0.0.1:8000/elsewhere",
        "http://evil.test/auth/callback",
    ):
        query = {"client_id": idp.client_id, "response_type": "code", "redirect_uri": bad, "scope": "openid"}
        response = http.get(idp.metadata()["authorization_endpoint"], params=query)
        assert response.status_code == 400 and "location" not in response.headers


def test_pkce_is_required_and_checked(idp: Idp, http: httpx.Client, app_port: int) -> None:
    redirect = callback_uri(app_port)
    _, query = authorize(http, idp, redirect, login_hint="bob@contoso.test")
    assert query["error"] == "invalid_request" and "PKCE" in query["error_description"]
    _, query = authorize(http, idp, redirect, secrets.token_urlsafe(48), login_hint="bob@contoso.test")
    wrong = token_request(
        http, idp, grant_type="authorization_code", code=query["code"], redirect_uri=redirect, code_verifier="x" * 43
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"


def test_refresh_tokens_rotate_and_old_ones_are_refused(idp: Idp, http: httpx.Client, app_port: int) -> None:
    first = code_flow(http, idp, "alice", app_port)
    second = token_request(http, idp, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second.status_code == 200, second.text
    renewed = second.json()
    assert renewed["refresh_token"] != first["refresh_token"]
    assert claims_of(renewed["access_token"])["aud"] == GRAPH_AUDIENCE  # same resource as granted
    assert claims_of(renewed["id_token"])["oid"] == USERS["alice"].oid
    reused = token_request(http, idp, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"


def test_login_hint_picks_the_account_even_with_a_session(idp: Idp, http: httpx.Client, app_port: int) -> None:
    assert claims_of(code_flow(http, idp, "alice", app_port)["id_token"])["oid"] == USERS["alice"].oid
    assert claims_of(code_flow(http, idp, "bob", app_port)["id_token"])["oid"] == USERS["bob"].oid
    unknown = http.get(
        idp.metadata()["authorization_endpoint"],
        params={
            "client_id": idp.client_id,
            "response_type": "code",
            "redirect_uri": callback_uri(app_port),
            "scope": "openid",
            "code_challenge": "x" * 43,
            "code_challenge_method": "S256",
            "login_hint": "nobody@contoso.test",
        },
        follow_redirects=True,
    )
    assert unknown.status_code == 400 and "unknown login_hint" in unknown.text


def test_end_session_completes_without_a_browser(idp: Idp, http: httpx.Client, app_port: int) -> None:
    tokens = code_flow(http, idp, "bob", app_port)
    post_logout = f"http://127.0.0.1:{app_port}/"
    end = httpx.URL(
        idp.metadata()["end_session_endpoint"],
        params={"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": post_logout, "state": "s1"},
    )
    before = idp.stats()
    final = follow_to(http, str(end), post_logout)
    assert final == post_logout + "?state=s1"
    after = idp.stats()
    assert after["end_session"] == before["end_session"] + 1
    assert after["end_session_confirm"] == before["end_session_confirm"] + 1
    # The provider session is gone (and the grant revoked): no login_hint now means the account picker.
    response = http.get(
        idp.metadata()["authorization_endpoint"],
        params={
            "client_id": idp.client_id,
            "response_type": "code",
            "redirect_uri": callback_uri(app_port),
            "scope": "openid",
            "code_challenge": "x" * 43,
            "code_challenge_method": "S256",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200 and 'name="login_hint"' in response.text
    # As in Entra, ending the provider session does not revoke refresh tokens: the app must drop its own.
    still = token_request(http, idp, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert still.status_code == 200


def test_mint_makes_valid_and_broken_api_tokens(idp: Idp) -> None:
    now = int(time.time())
    claims = verify(idp, idp.mint("bob"), audience=API_AUDIENCE)
    bob = USERS["bob"]
    assert (claims["oid"], claims["tid"], claims["roles"]) == (bob.oid, TENANT_ID, ["Chat.User"])
    assert claims["scp"] == "Chat.Read Chat.Write" and claims["azp"] == idp.client_id
    assert claims["nbf"] <= now + 1 and 3590 <= claims["exp"] - now <= 3610

    with pytest.raises(jwt.ExpiredSignatureError):
        verify(idp, idp.mint("bob", expires_in=-60), audience=API_AUDIENCE)
    with pytest.raises(jwt.InvalidAudienceError):
        verify(idp, idp.mint("bob", claims={"aud": "api://other"}), audience=API_AUDIENCE)
    with pytest.raises(jwt.InvalidIssuerError):
        verify(idp, idp.mint("bob", claims={"iss": "https://login.microsoftonline.com/x/v2.0"}), audience=API_AUDIENCE)
    with pytest.raises(jwt.ImmatureSignatureError):
        verify(idp, idp.mint("bob", claims={"nbf": now + 600}), audience=API_AUDIENCE)
    with pytest.raises(jwt.MissingRequiredClaimError):
        verify(idp, idp.mint("bob", claims={"exp": None}), audience=API_AUDIENCE)
    assert claims_of(idp.mint("mallory"))["tid"] == OTHER_TENANT_ID
    assert claims_of(idp.mint("bob", claims={"tid": OTHER_TENANT_ID}))["tid"] == OTHER_TENANT_ID
    assert jwt.get_unverified_header(idp.mint("bob", header={"kid": "junk"}))["kid"] == "junk"
    with pytest.raises(RuntimeError, match="no key"):
        idp.mint("bob", kid="missing")


def test_stats_count_requests_per_endpoint(idp: Idp, http: httpx.Client, app_port: int) -> None:
    idp.reset_stats()
    tokens = code_flow(http, idp, "alice", app_port)
    http.get(idp.metadata()["jwks_uri"])
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    http.get(f"{idp.graph_url}/me", headers=auth)
    http.get(f"{idp.graph_url}/me/photo/$value", headers=auth)
    http.get(f"{idp.graph_url}/me/photo/$value", headers=auth)
    stats = idp.stats()
    assert stats["authorization"] >= 1 and stats["interaction"] >= 1
    assert (stats["token"], stats["jwks"], stats["graph_me"], stats["graph_photo"]) == (1, 1, 1, 2)


def test_key_rotation_keeps_old_keys_sessions_and_refresh_tokens(
    make_idp: Callable[..., Idp], http: httpx.Client, app_port: int
) -> None:
    idp = make_idp()
    tokens = code_flow(http, idp, "alice", app_port)
    old_kid = jwt.get_unverified_header(tokens["id_token"])["kid"]
    assert idp.info()["published_kids"] == [old_kid]

    new_kid = idp.rotate_keys()
    assert new_kid != old_kid
    assert [k["kid"] for k in idp.jwks()["keys"]] == [new_kid, old_kid]
    assert jwt.get_unverified_header(idp.mint("bob"))["kid"] == new_kid
    verify(idp, idp.mint("bob", kid=old_kid), audience=API_AUDIENCE)
    verify(idp, tokens["id_token"], audience=idp.client_id)  # tokens from before still verify
    # Sessions and refresh tokens survive the restart; new tokens come from the new key.
    renewed = token_request(http, idp, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    assert jwt.get_unverified_header(renewed.json()["access_token"])["kid"] == new_kid

    idp.restart()  # same KEY_FILE, no EXTRA_KEY: the same keys
    assert idp.info()["published_kids"] == [new_kid, old_kid]

    newest = idp.rotate_keys(retire_old=True)
    info = idp.info()
    assert info["published_kids"] == [newest] and set(info["retired_kids"]) == {new_kid, old_kid}
    retired_token = idp.mint("bob", kid=old_kid)  # signed by a key the JWKS no longer has
    with pytest.raises(KeyError):
        verify(idp, retired_token, audience=API_AUDIENCE)

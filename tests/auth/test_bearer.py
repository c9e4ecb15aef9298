"""API clients with `Authorization: Bearer` access tokens (AUTH_MODE=entra), validated against the
test provider's published keys: every way a token can be wrong is refused with 401."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.identity_provider import OTHER_TENANT_ID, USERS, Idp
from tests.support import ServerProcess, running_server


@pytest.fixture(scope="module")
def server(idp: Idp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(tmp_path_factory.mktemp("bearer"), **idp.app_env()) as process:
        yield process


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")

    def decode(part: str) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        return loaded

    return decode(header), decode(payload), signature


def me(server: ServerProcess, token: str) -> httpx.Response:
    return httpx.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def refused(response: httpx.Response, because: str) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["code"] == "invalid_token"
    assert because in body["detail"]


def test_a_valid_token_is_accepted_and_needs_no_csrf_token(server: ServerProcess, idp: Idp) -> None:
    token = idp.mint("bob")
    response = me(server, token)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == USERS["bob"].oid
    assert body["roles"] == ["user"]
    assert body["can_sign_out"] is False
    assert body["photo_url"] is None  # an API client's token is for this app, not for Graph
    # No ambient credentials, so no CSRF token either.
    created = httpx.post(f"{server.url}/api/conversations", json={}, headers={"Authorization": f"Bearer {token}"})
    assert created.status_code == 201


def test_expired_token(server: ServerProcess, idp: Idp) -> None:
    refused(me(server, idp.mint("bob", expires_in=-300)), "expired")


def test_token_not_valid_yet(server: ServerProcess, idp: Idp) -> None:
    refused(me(server, idp.mint("bob", claims={"nbf": int(time.time()) + 600})), "not valid yet")


def test_wrong_audience(server: ServerProcess, idp: Idp) -> None:
    refused(me(server, idp.mint("bob", claims={"aud": "api://another-app"})), "audience")


def test_graph_token_is_not_an_api_token(server: ServerProcess, idp: Idp) -> None:
    refused(me(server, idp.mint("bob", claims={"aud": "00000003-0000-0000-c000-000000000000"})), "audience")


def test_wrong_issuer(server: ServerProcess, idp: Idp) -> None:
    other = idp.issuer.replace(idp.tenant_id, OTHER_TENANT_ID)
    refused(me(server, idp.mint("bob", claims={"iss": other})), "issuer")


def test_token_without_expiry(server: ServerProcess, idp: Idp) -> None:
    refused(me(server, idp.mint("bob", claims={"exp": None})), "not valid")


def test_an_id_token_or_an_app_only_token_is_not_an_access_token(server: ServerProcess, idp: Idp) -> None:
    # An ID token is for this app too (aud = client id) but must never open the API: a copy can
    # sit in a browser's history or a log.
    id_token = idp.mint("bob", claims={"aud": idp.client_id, "nonce": "n-123", "scp": None})
    refused(me(server, id_token), "user's access token")
    refused(me(server, idp.mint("bob", claims={"aud": idp.client_id, "scp": None})), "no delegated scope")
    app_only = idp.mint("bob", claims={"scp": None, "idtyp": "app", "roles": ["Chat.User"]})
    refused(me(server, app_only), "user's access token")
    assert me(server, idp.mint("bob", claims={"aud": idp.client_id})).status_code == 200  # v2 audience form


def test_wrong_tenant_is_not_allowed(server: ServerProcess, idp: Idp) -> None:
    response = me(server, idp.mint("mallory"))  # a real token of the issuer, for another tenant
    assert response.status_code == 403
    assert response.json()["reason"] == "tenant"


def test_tampered_signature_and_payload(server: ServerProcess, idp: Idp) -> None:
    token = idp.mint("bob")
    header, payload, signature = token.split(".")
    flipped = signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")
    refused(me(server, f"{header}.{payload}.{flipped}"), "signature")
    _, claims, _ = parts(token)
    promoted = b64({**claims, "roles": ["Chat.Admin", "Chat.User"]})
    refused(me(server, f"{header}.{promoted}.{signature}"), "signature")


def test_alg_none_and_hmac_are_refused(server: ServerProcess, idp: Idp) -> None:
    header, claims, _ = parts(idp.mint("bob"))
    for alg in ("none", "None", "HS256"):
        forged = f"{b64({**header, 'alg': alg})}.{b64(claims)}."
        refused(me(server, forged), "not accepted")


@pytest.mark.parametrize("value", ["Bearer", "Basic dXNlcjpwYXNz", "Bearer not-a-jwt", "token abc"])
def test_malformed_authorization_header(server: ServerProcess, value: str) -> None:
    response = httpx.get(f"{server.url}/api/me", headers={"Authorization": value})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_junk_key_ids_cause_no_fetch_storm(make_idp: Callable[..., Idp], tmp_path: Path) -> None:
    idp = make_idp()
    with running_server(tmp_path, **{**idp.app_env(), "JWKS_MIN_REFRESH_SECONDS": "60"}) as app:
        assert me(app, idp.mint("bob")).status_code == 200
        idp.reset_stats()
        # 200 requests with made-up key ids, 20 at a time: at most one refetch a minute.
        header, claims, signature = parts(idp.mint("bob"))
        junk = [f"{b64({**header, 'kid': f'junk-{i}'})}.{b64(claims)}.{signature}" for i in range(200)]
        with ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(lambda token: me(app, token).status_code, junk))
        assert set(statuses) == {401}
        assert idp.stats().get("jwks", 0) <= 1


def test_a_rotated_key_is_fetched_once(make_idp: Callable[..., Idp], tmp_path: Path) -> None:
    idp = make_idp()
    with running_server(tmp_path, **{**idp.app_env(), "JWKS_MIN_REFRESH_SECONDS": "1"}) as app:
        assert me(app, idp.mint("bob")).status_code == 200
        time.sleep(1.1)
        new_kid = idp.rotate_keys()
        idp.reset_stats()
        token = idp.mint("bob")
        assert parts(token)[0]["kid"] == new_kid
        assert me(app, token).status_code == 200
        assert idp.stats().get("jwks", 0) == 1
        assert me(app, idp.mint("alice")).status_code == 200
        assert idp.stats().get("jwks", 0) == 1  # cached from then on


def test_group_allow_list_and_an_open_user_role(idp: Idp, tmp_path: Path) -> None:
    allowed_group = "6a0e0000-0000-0000-0000-0000000000aa"
    env = {**idp.app_env(), "AUTH_ALLOWED_GROUPS": allowed_group.upper(), "AUTH_USER_ROLE": ""}
    with running_server(tmp_path, **env) as app:
        # No role needed here, but a group is: carol (no roles) in the group gets in...
        carol = me(app, idp.mint("carol", claims={"groups": ["11110000-0000-0000-0000-000000000000", allowed_group]}))
        assert carol.status_code == 200
        assert carol.json()["roles"] == ["user"]
        # ...bob (with the role) outside it does not, and neither does a token whose groups overflowed.
        outside = me(app, idp.mint("bob", claims={"groups": ["11110000-0000-0000-0000-000000000000"]}))
        assert outside.status_code == 403
        assert outside.json()["reason"] == "group"
        overage = me(app, idp.mint("bob", claims={"_claim_names": {"groups": "src1"}}))
        assert overage.status_code == 403
        assert "too many groups" in overage.json()["detail"]

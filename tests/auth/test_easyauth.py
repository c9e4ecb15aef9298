"""AUTH_MODE=easyauth: App Service Authentication's headers say who the user is (App Service removes
any a client sends). Claims in Easy Auth's own shape map to the same user, roles and policy."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest

from tests.identity_provider import TENANT_ID
from tests.support import ServerProcess, running_server

OID = "0b0b0000-0000-0000-0000-000000000002"


def principal(*claims: tuple[str, str], idp: str = "aad") -> dict[str, str]:
    document = {
        "auth_typ": "aad",
        "claims": [{"typ": typ, "val": val} for typ, val in claims],
        "name_typ": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        "role_typ": "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
    }
    return {
        "X-MS-CLIENT-PRINCIPAL": base64.b64encode(json.dumps(document).encode()).decode(),
        "X-MS-CLIENT-PRINCIPAL-ID": OID,
        "X-MS-CLIENT-PRINCIPAL-NAME": "bob@contoso.test",
        "X-MS-CLIENT-PRINCIPAL-IDP": idp,
    }


BOB = (
    ("http://schemas.microsoft.com/identity/claims/objectidentifier", OID),
    ("http://schemas.microsoft.com/identity/claims/tenantid", TENANT_ID),
    ("name", "Bob User"),
    ("preferred_username", "bob@contoso.test"),
    ("http://schemas.microsoft.com/ws/2008/06/identity/claims/role", "Chat.User"),
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    env = {"AUTH_MODE": "easyauth", "AZURE_TENANT_ID": TENANT_ID}
    with running_server(tmp_path_factory.mktemp("easyauth"), **env) as process:
        yield process


def test_the_platform_headers_name_the_user(server: ServerProcess) -> None:
    response = httpx.get(f"{server.url}/api/me", headers=principal(*BOB))
    assert response.status_code == 200
    me = response.json()
    assert (me["id"], me["name"], me["email"], me["tenant_id"]) == (OID, "Bob User", "bob@contoso.test", TENANT_ID)
    assert me["roles"] == ["user"]
    assert me["auth_mode"] == "easyauth"
    assert me["can_sign_out"] is True


def test_without_the_headers_the_user_is_sent_to_easy_auth_login(server: ServerProcess) -> None:
    response = httpx.get(f"{server.url}/api/me")
    assert response.status_code == 401
    assert response.json()["login_url"] == "/.auth/login/aad"
    login = httpx.get(f"{server.url}/auth/login", params={"return_to": "/c/x"})
    assert login.status_code == 302
    assert login.headers["location"] == "/.auth/login/aad?post_login_redirect_uri=/c/x"
    logout = httpx.post(f"{server.url}/auth/logout", headers=principal(*BOB))
    assert logout.json()["redirect_url"].startswith("/.auth/logout")


def test_policy_applies_to_easy_auth_users(server: ServerProcess) -> None:
    no_role = [claim for claim in BOB if not claim[0].endswith("/role")]
    assert httpx.get(f"{server.url}/api/me", headers=principal(*no_role)).json()["reason"] == "role"
    other_tenant = [
        (typ, "99999999-9999-9999-9999-999999999999" if typ.endswith("/tenantid") else val) for typ, val in BOB
    ]
    assert httpx.get(f"{server.url}/api/me", headers=principal(*other_tenant)).json()["reason"] == "tenant"


def test_other_identity_providers_and_garbage_are_not_users(server: ServerProcess) -> None:
    assert httpx.get(f"{server.url}/api/me", headers=principal(*BOB, idp="github")).status_code == 401
    garbage = {**principal(*BOB), "X-MS-CLIENT-PRINCIPAL": "%%%not-base64"}
    assert httpx.get(f"{server.url}/api/me", headers=garbage).status_code == 401


def test_state_changes_need_the_csrf_cookie_echoed(server: ServerProcess) -> None:
    """App Service's session cookie is ambient, so unsafe requests need our double-submit token."""
    with httpx.Client(base_url=server.url, headers=principal(*BOB)) as bob:
        refused = bob.post("/api/conversations", json={})
        assert refused.status_code == 403
        assert refused.json()["reason"] == "token"
        bob.get("/api/me").raise_for_status()  # sets the token cookie
        token = bob.cookies["scalechat_csrf"]
        assert bob.post("/api/conversations", json={}, headers={"X-CSRF-Token": "other"}).status_code == 403
        assert bob.post("/api/conversations", json={}, headers={"X-CSRF-Token": token}).status_code == 201


def test_users_are_kept_apart(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url, headers=principal(*BOB)) as bob:
        bob.get("/api/me").raise_for_status()
        created = bob.post("/api/conversations", json={}, headers={"X-CSRF-Token": bob.cookies["scalechat_csrf"]})
    assert created.status_code == 201
    other = principal(
        *[(t, "0a11ce00-0000-0000-0000-000000000001" if t.endswith("objectidentifier") else v) for t, v in BOB]
    )
    other["X-MS-CLIENT-PRINCIPAL-ID"] = "0a11ce00-0000-0000-0000-000000000001"
    assert httpx.get(f"{server.url}/api/conversations/{created.json()['id']}", headers=other).status_code == 404

"""CSRF: a browser session's state-changing request must come from the app's own pages and carry
the session's token; a cross-site form post or a fetch without the token is refused."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.identity_provider import Idp, csrf_token, sign_in
from tests.support import ServerProcess, running_server


@pytest.fixture(scope="module")
def server(idp: Idp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(tmp_path_factory.mktemp("csrf"), **idp.app_env()) as process:
        yield process


@pytest.fixture
def alice(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=15) as http:
        yield sign_in(http, server.url, "alice")


def conversations(http: httpx.Client, server: ServerProcess) -> list[str]:
    return [c["id"] for c in http.get(f"{server.url}/api/conversations").json()["items"]]


def test_a_cross_site_form_post_is_refused(server: ServerProcess, alice: httpx.Client) -> None:
    before = conversations(alice, server)
    # What a browser sends for <form method=post action=".../api/conversations"> on another site.
    response = alice.post(
        f"{server.url}/api/conversations",
        content=b"title=pwned",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": "https://evil.example",
            "Sec-Fetch-Site": "cross-site",
            "Sec-Fetch-Mode": "navigate",
        },
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_rejected"
    assert response.json()["reason"] == "origin"
    assert conversations(alice, server) == before


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # sandboxed frames and some redirects
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another origin
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_other_origins_are_refused_even_with_the_token(
    server: ServerProcess, alice: httpx.Client, headers: dict[str, str]
) -> None:
    token = csrf_token(alice, server.url)
    assert token
    response = alice.post(f"{server.url}/api/conversations", json={}, headers={"X-CSRF-Token": token, **headers})
    assert response.status_code == 403
    assert response.json()["reason"] == "origin"


@pytest.mark.parametrize("token", [None, b"", b"wrong", b"x" * 43, "é-not-ascii".encode()])
def test_a_fetch_without_the_right_token_is_refused(
    server: ServerProcess, alice: httpx.Client, token: bytes | None
) -> None:
    before = conversations(alice, server)
    headers: dict[bytes, bytes] = {b"Origin": server.url.encode(), b"Sec-Fetch-Site": b"same-origin"}
    if token is not None:
        headers[b"X-CSRF-Token"] = token
    for method, path in (("POST", "/api/conversations"), ("POST", "/auth/logout")):
        response = alice.request(method, f"{server.url}{path}", json={}, headers=headers)
        assert response.status_code == 403, path
        assert response.json()["code"] == "csrf_rejected"
        assert response.json()["reason"] == "token"
    assert conversations(alice, server) == before
    assert alice.get(f"{server.url}/api/me").status_code == 200  # the session survived the attempt


def test_the_app_own_requests_pass(server: ServerProcess, alice: httpx.Client) -> None:
    token = csrf_token(alice, server.url)
    assert token
    headers = {"X-CSRF-Token": token, "Origin": server.url, "Sec-Fetch-Site": "same-origin"}
    created = alice.post(f"{server.url}/api/conversations", json={}, headers=headers)
    assert created.status_code == 201
    deleted = alice.delete(f"{server.url}/api/conversations/{created.json()['id']}", headers=headers)
    assert deleted.status_code == 204


def test_another_session_token_does_not_fit(server: ServerProcess, alice: httpx.Client) -> None:
    with httpx.Client(timeout=15) as other:
        sign_in(other, server.url, "bob")
        bobs = csrf_token(other, server.url)
    response = alice.post(f"{server.url}/api/conversations", json={}, headers={"X-CSRF-Token": bobs or ""})
    assert response.status_code == 403


def test_local_mode_refuses_cross_site_posts_too(
    server: ServerProcess, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with running_server(tmp_path_factory.mktemp("local")) as local:
        response = httpx.post(f"{local.url}/api/conversations", json={}, headers={"Origin": "https://evil.example"})
        assert response.status_code == 403
        assert httpx.post(f"{local.url}/api/conversations", json={}).status_code == 201

"""Security headers, and the scheme and host behind a proxy: X-Forwarded-* are honoured from
FORWARDED_ALLOW_IPS only; over HTTPS the cookies are __Host- and Secure, and HSTS is sent."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.identity_provider import Idp, sign_in
from tests.support import running_server

HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "chat.contoso.test"}


def test_security_headers_on_pages_api_and_errors(tmp_path: Path) -> None:
    with running_server(tmp_path) as app:
        for path in ("/", "/api/conversations", "/api/nope"):
            headers = httpx.get(app.url + path).headers
            csp = headers["content-security-policy"]
            assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
            assert "frame-ancestors 'none'" in csp
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
            assert "strict-transport-security" not in headers  # plain HTTP


def test_a_trusted_proxy_https_gets_hsts_and_secure_host_cookies(idp: Idp, tmp_path: Path) -> None:
    with running_server(tmp_path, **idp.app_env()) as app:  # loopback is trusted by default
        response = httpx.get(f"{app.url}/api/config", headers=HTTPS)
        assert response.headers["strict-transport-security"].startswith("max-age=31536000")
        login = httpx.get(f"{app.url}/auth/login", headers=HTTPS, params={"login_hint": "bob@contoso.test"})
        # The issuer is told to come back to the address the user used, not the internal one.
        assert "redirect_uri=https%3A%2F%2Fchat.contoso.test%2Fauth%2Fcallback" in login.headers["location"]
        assert "secure" in login.headers["set-cookie"].lower()


def test_an_untrusted_peer_cannot_claim_https_or_another_host(idp: Idp, tmp_path: Path) -> None:
    env = {**idp.app_env(), "FORWARDED_ALLOW_IPS": "10.1.2.3"}
    with running_server(tmp_path, **env) as app:
        response = httpx.get(f"{app.url}/api/config", headers=HTTPS)
        assert "strict-transport-security" not in response.headers
        login = httpx.get(f"{app.url}/auth/login", headers=HTTPS, params={"login_hint": "bob@contoso.test"})
        assert "chat.contoso.test" not in login.headers["location"]
        assert "redirect_uri=http%3A%2F%2F127.0.0.1" in login.headers["location"]
        # And the sign-in still works for the real address.
        with httpx.Client(timeout=15) as http:
            sign_in(http, app.url, "bob")
            assert http.get(f"{app.url}/api/me").status_code == 200


def test_public_url_fixes_the_origin(idp: Idp, tmp_path: Path) -> None:
    env = {**idp.app_env(), "SCALECHAT_PUBLIC_URL": "https://chat.contoso.test"}
    with running_server(tmp_path, **env) as app:
        login = httpx.get(f"{app.url}/auth/login", params={"login_hint": "bob@contoso.test"})
        assert "redirect_uri=https%3A%2F%2Fchat.contoso.test%2Fauth%2Fcallback" in login.headers["location"]
        refused = httpx.post(f"{app.url}/api/conversations", json={}, headers={"Origin": app.url})
        assert refused.status_code == 403  # the app's origin is the public one


def test_local_mode_serves_only_loopback_hosts(tmp_path: Path) -> None:
    """DNS rebinding: a page on rebind.attacker.example, re-pointed at 127.0.0.1, reaches the local
    server with its own Host (and Origin); it must not get the local user's chats."""
    with running_server(tmp_path) as app:
        port = app.url.rsplit(":", 1)[1]
        evil = f"rebind.attacker.example:{port}"
        for method in ("GET", "POST"):
            response = httpx.request(
                method, f"{app.url}/api/conversations", json={}, headers={"Host": evil, "Origin": f"http://{evil}"}
            )
            assert response.status_code == 421
            assert response.json()["code"] == "host_not_allowed"
            assert response.headers["x-request-id"]  # refusals are logged and traceable like any request
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"):
            assert httpx.get(f"{app.url}/api/conversations", headers={"Host": host}).status_code == 200


def test_an_https_public_url_always_sends_hsts(idp: Idp, tmp_path: Path) -> None:
    env = {**idp.app_env(), "SCALECHAT_PUBLIC_URL": "https://chat.contoso.test", "FORWARDED_ALLOW_IPS": "10.9.9.9"}
    with running_server(tmp_path, **env) as app:
        assert httpx.get(f"{app.url}/api/config").headers["strict-transport-security"].startswith("max-age=")

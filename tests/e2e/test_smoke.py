"""The built app loads under the server's Content-Security-Policy without errors."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot


def test_app_loads_with_csp_and_deep_links(page: Page) -> None:
    response = page.goto("/")
    assert response is not None and response.ok
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    expect(page.get_by_role("heading", name="scalechat")).to_be_visible()
    screenshot(page, "smoke-home")
    # A conversation's address survives a reload: the server answers it with the app.
    response = page.goto("/c/does-not-exist")
    assert response is not None and response.ok
    assert "text/html" in response.headers["content-type"]

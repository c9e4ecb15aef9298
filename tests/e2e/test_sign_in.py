"""Signing in through the web app in Chromium (AUTH_MODE=entra, the Entra-shaped test provider):
sign in, chat, see name and photo, sign out, and the old cookie opens nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import axe_violations, new_context, screenshot, watch_errors, web_build_dir
from tests.identity_provider import Idp
from tests.support import ServerProcess, running_server

ACCOUNT = "Alice Admin: account and settings"


@pytest.fixture(scope="module")
def entra_server(idp: Idp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    env = {**idp.app_env(), "SCALECHAT_WEB_DIR": str(web_build_dir())}
    with running_server(tmp_path_factory.mktemp("e2e-entra"), **env) as process:
        yield process


def sign_in_as(page: Page, account: str) -> None:
    page.goto("/c/not-yet?from=test")
    expect(page.get_by_role("heading", name="scalechat")).to_be_visible()
    page.get_by_role("button", name="Sign in with Microsoft").click()
    # The provider's own page (on localhost): pick the account.
    page.get_by_role("button", name=account).click()


def test_sign_in_chat_see_photo_sign_out(browser: Browser, entra_server: ServerProcess, tmp_path: Path) -> None:
    context = new_context(browser, entra_server)
    page = context.new_page()
    # Before signing in, /api/me answers 401 (Chromium logs it); a missing conversation 404s.
    errors = watch_errors(page, expected_statuses=(401, 404))
    page.goto("/")
    expect(page.get_by_role("button", name="Sign in with Microsoft")).to_be_visible()
    screenshot(page, "sign-in-page")
    assert axe_violations(page) == []

    sign_in_as(page, "Alice Admin (alice@contoso.test)")
    # Back in the app, where sign-in started.
    page.wait_for_url(f"{entra_server.url}/c/not-yet?from=test")
    page.goto("/")
    account = page.get_by_role("button", name=ACCOUNT)
    expect(account).to_be_visible()
    photo = account.locator("img")  # decorative inside the button, whose name says who it is
    expect(photo).to_be_visible()
    expect(photo).to_have_attribute("alt", "Alice Admin")
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    cookies = {c["name"]: c for c in context.cookies(entra_server.url)}
    session = cookies["scalechat_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("scalechat_session") == -1  # out of script's reach

    box = page.get_by_role("textbox", name="Message")
    box.fill("Hello from a signed-in user")
    box.press("Enter")
    answer = page.locator("article[data-role=assistant]").last
    expect(answer).to_have_attribute("data-status", "completed", timeout=15_000)
    screenshot(page, "signed-in-chat")

    account.click()
    expect(page.get_by_role("menu", name="Alice Admin")).to_be_visible()
    expect(page.get_by_text("alice@contoso.test")).to_be_visible()
    page.wait_for_timeout(300)  # the menu's entrance animation
    screenshot(page, "signed-in-account-menu")
    page.get_by_role("menuitem", name="Sign out").click()
    # Through the provider's sign-out, back to the app's sign-in page.
    expect(page.get_by_role("button", name="Sign in with Microsoft")).to_be_visible(timeout=15_000)
    assert page.url.startswith(entra_server.url)
    assert "scalechat_session" not in {c["name"] for c in context.cookies(entra_server.url)}

    # The old cookie, replayed, opens nothing.
    with httpx.Client(base_url=entra_server.url, cookies={"scalechat_session": session["value"]}) as replay:
        assert replay.get("/api/me").status_code == 401
        assert replay.get("/api/conversations").status_code == 401
    context.close()
    assert not errors, "the page reported errors:\n" + "\n".join(errors)


def test_signed_in_but_not_allowed(browser: Browser, entra_server: ServerProcess) -> None:
    context = new_context(browser, entra_server)
    page = context.new_page()
    errors = watch_errors(page, expected_statuses=(401, 403, 404))
    sign_in_as(page, "Carol NoRole (carol@contoso.test)")
    expect(page.get_by_role("heading", name="No access to scalechat")).to_be_visible()
    expect(page.get_by_text("Carol NoRole")).to_be_visible()
    expect(page.get_by_text("Chat.User")).to_be_visible()  # the server's detail: which role is missing
    screenshot(page, "not-allowed-page")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in with Microsoft")).to_be_visible(timeout=15_000)
    context.close()
    assert not errors, "the page reported errors:\n" + "\n".join(errors)


def test_a_session_that_ends_mid_use_loses_nothing(browser: Browser, entra_server: ServerProcess) -> None:
    context = new_context(browser, entra_server)
    page = context.new_page()
    errors = watch_errors(page, expected_statuses=(401, 404))
    sign_in_as(page, "Bob User (bob@contoso.test)")
    page.goto("/")
    expect(page.get_by_role("button", name="Bob User: account and settings")).to_be_visible()
    box = page.get_by_role("textbox", name="Message")
    question = "A long question I do not want to type again"
    box.fill(question)
    # The session ends on the server (idle limit, revoked, or signed out elsewhere).
    with sqlite3.connect(entra_server.data_dir / "scalechat.db") as db:
        db.execute("DELETE FROM auth_sessions")
    box.press("Enter")
    expect(page.get_by_role("button", name="Sign in with Microsoft")).to_be_visible()
    page.get_by_role("button", name="Sign in with Microsoft").click()
    # The issuer still knows Bob (single sign-on), so no account picker this time.
    # Back where the user was, with the unsent question in the message box.
    expect(page.get_by_role("textbox", name="Message")).to_have_value(question)
    context.close()
    assert not errors, "the page reported errors:\n" + "\n".join(errors)


def test_sign_in_page_in_japanese_and_dark(browser: Browser, entra_server: ServerProcess) -> None:
    context = new_context(browser, entra_server, locale="ja-JP", color_scheme="dark")
    page = context.new_page()
    errors = watch_errors(page, expected_statuses=(401,))
    page.goto("/?auth_error=access_denied")
    expect(page.get_by_role("heading", name="scalechat")).to_be_visible()
    expect(page.get_by_role("alert")).to_be_visible()  # the sign-in error, in Japanese
    assert "auth_error" not in page.url
    screenshot(page, "sign-in-page-ja-dark")
    assert axe_violations(page) == []
    context.close()
    assert not errors, "the page reported errors:\n" + "\n".join(errors)

"""Accessibility (axe-core in the page) and screenshots of the main views: light and dark,
English and Japanese, desktop and phone width. The screenshots are artifacts for people
to look at (test-artifacts/screenshots/); the axe checks are the assertions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ask, axe_violations, create_conversation, new_context, screenshot
from tests.support import ServerProcess

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def seeded(app_server: ServerProcess) -> Iterator[str]:
    """A conversation with two exchanges (markdown, a table and code in the answers) and a few more chats."""
    with httpx.Client(base_url=app_server.url, timeout=30) as http:
        for title in ("Quarterly report summary", "Translate a contract clause", "SQL for monthly sales"):
            create_conversation(http, title=title)
        cid = create_conversation(http)
        for question in ("How do I read a CSV file in Python?", "And how do I write one?"):
            ask(http, cid, question)
        yield cid


def open_chat(page: Page, cid: str) -> None:
    page.goto(f"/c/{cid}")
    expect(page.locator('article[data-role="assistant"]').last).to_contain_text("Simulated answer")


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("locale", ["en-US", "ja-JP"], ids=["en", "ja"])
def test_chat_view(browser: Browser, app_server: ServerProcess, seeded: str, dark: bool, locale: str) -> None:
    context = new_context(browser, app_server, locale=locale, color_scheme="dark" if dark else "light")
    page = context.new_page()
    open_chat(page, seeded)
    assert page.evaluate("document.documentElement.lang") == locale[:2]
    assert page.evaluate("document.documentElement.dataset.theme") == ("dark" if dark else "light")
    name = f"chat-{'dark' if dark else 'light'}-{locale[:2]}"
    screenshot(page, name)
    assert axe_violations(page) == [], name
    context.close()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_settings_view(browser: Browser, app_server: ServerProcess, seeded: str, dark: bool) -> None:
    context = new_context(browser, app_server, color_scheme="dark" if dark else "light")
    page = context.new_page()
    open_chat(page, seeded)
    page.get_by_role("button", name="Chat settings").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    screenshot(page, f"settings-{'dark' if dark else 'light'}-en")
    assert axe_violations(page) == []
    context.close()


def test_new_chat_view(browser: Browser, app_server: ServerProcess, seeded: str) -> None:
    context = new_context(browser, app_server)
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_role("textbox", name="Message")).to_be_visible()
    screenshot(page, "new-chat-light-en")
    assert axe_violations(page) == []
    context.close()


def test_phone_width(browser: Browser, app_server: ServerProcess, seeded: str, tmp_path: Path) -> None:
    context = new_context(browser, app_server, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    open_chat(page, seeded)
    # Nothing wider than the screen: no sideways scrolling of the page itself.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "chat-phone-light-en")
    assert axe_violations(page) == []
    # The history opens over the chat.
    page.get_by_role("button", name="Open chat history").click()
    history = page.get_by_role("navigation", name="Chat history")
    expect(history.get_by_text("Quarterly report summary")).to_be_visible()
    screenshot(page, "history-phone-light-en")
    assert axe_violations(page) == []
    context.close()


def test_history_view(browser: Browser, app_server: ServerProcess, seeded: str) -> None:
    context = new_context(browser, app_server, color_scheme="dark", locale="ja-JP")
    page = context.new_page()
    open_chat(page, seeded)
    expect(page.get_by_role("navigation").get_by_text("SQL for monthly sales")).to_be_visible()
    screenshot(page, "history-dark-ja")
    assert axe_violations(page) == []
    context.close()

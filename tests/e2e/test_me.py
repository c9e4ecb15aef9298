"""The account menu in the header: who is signed in, theme and language (both kept across a
reload), the keyboard shortcuts dialog."""

from __future__ import annotations

from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import new_context, screenshot
from tests.support import ServerProcess

ACCOUNT = "Account and settings"


def open_menu(page: Page, name: str = ACCOUNT) -> None:
    page.get_by_role("button", name=name).click()
    expect(page.get_by_role("menu")).to_be_visible()


def initials_shown(button: Locator) -> str:
    """The avatar's initials as drawn (a CSS ::before)."""
    shown: str = button.locator("[data-initials]").evaluate("el => getComputedStyle(el, '::before').content")
    return shown.strip('"')


def header_background(page: Page) -> str:
    colour: str = page.locator("header").first.evaluate("el => getComputedStyle(el).backgroundColor")
    return colour


def test_me_menu_shows_the_user(page: Page) -> None:
    page.goto("/")
    button = page.get_by_role("button", name=ACCOUNT)
    expect(button).to_be_visible()
    # The initials of "Local user", from GET /api/me (drawn by CSS, so not part of the button's name).
    expect(button.locator("[data-initials]")).to_have_attribute("data-initials", "LU")
    assert initials_shown(button) == "LU"
    expect(button).to_contain_text("Local user")
    expect(button).to_have_accessible_name("Local user: account and settings")
    expect(button).to_have_attribute("aria-expanded", "false")

    open_menu(page)
    expect(button).to_have_attribute("aria-expanded", "true")
    menu = page.get_by_role("menu")
    expect(menu).to_have_accessible_name("Local user")
    expect(page.get_by_text("Local account (no sign-in)")).to_be_visible()
    expect(page.get_by_role("menuitemradio", name="System")).to_have_attribute("aria-checked", "true")
    expect(page.get_by_role("menuitemradio", name="Automatic")).to_have_attribute("aria-checked", "true")
    # Local mode has no session to end, so no sign-out.
    expect(page.get_by_role("menuitem", name="Sign out")).to_have_count(0)
    page.wait_for_timeout(300)  # the menu's entrance animation
    screenshot(page, "me-menu-open")

    # Esc closes it and gives the focus back to the button, as a menu button does.
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()
    # ...and the keyboard opens it again, with the focus on the first item.
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitemradio", name="System")).to_be_focused()
    page.keyboard.press("Escape")


def test_name_hidden_at_phone_width(browser: Browser, app_server: ServerProcess) -> None:
    context = new_context(browser, app_server, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto("/")
        button = page.get_by_role("button", name=ACCOUNT)
        assert initials_shown(button) == "LU"
        expect(button.get_by_text("Local user")).to_be_hidden()
    finally:
        context.close()


def test_keyboard_shortcuts_dialog(page: Page) -> None:
    page.goto("/")
    open_menu(page)
    page.get_by_role("menuitem", name="Keyboard shortcuts").click()
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    for action in (
        "Send the message",
        "New line in the message",
        "New chat",
        "Go to the message box",
        "Stop the answer being written",
    ):
        expect(dialog.get_by_role("rowheader", name=action)).to_be_visible()
    expect(dialog.get_by_role("row", name="New chat")).to_contain_text("Ctrl")
    expect(dialog.get_by_role("row", name="New chat")).to_contain_text("O")
    page.wait_for_timeout(300)
    screenshot(page, "me-shortcuts")
    dialog.get_by_role("button", name="Close").first.click()
    expect(dialog).to_be_hidden()


def test_theme_switch_persists(page: Page) -> None:
    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "light")  # the system's (the context's) scheme
    light = header_background(page)

    open_menu(page)
    page.get_by_role("menuitemradio", name="Dark").click()
    expect(html).to_have_attribute("data-theme", "dark")
    dark = header_background(page)
    assert dark != light, "the header's background should change with the theme"

    page.reload()
    expect(html).to_have_attribute("data-theme", "dark")
    assert header_background(page) == dark
    open_menu(page)
    expect(page.get_by_role("menuitemradio", name="Dark")).to_have_attribute("aria-checked", "true")
    page.get_by_role("menuitemradio", name="Light").click()
    expect(html).to_have_attribute("data-theme", "light")
    assert header_background(page) == light

    # System follows the operating system's scheme, live.
    open_menu(page)
    page.get_by_role("menuitemradio", name="System").click()
    expect(html).to_have_attribute("data-theme", "light")
    page.emulate_media(color_scheme="dark")
    expect(html).to_have_attribute("data-theme", "dark")
    assert header_background(page) == dark
    page.reload()
    expect(html).to_have_attribute("data-theme", "dark")
    open_menu(page)
    expect(page.get_by_role("menuitemradio", name="System")).to_have_attribute("aria-checked", "true")
    page.keyboard.press("Escape")


def test_language_switch_persists(page: Page) -> None:
    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")

    open_menu(page)
    page.get_by_role("menuitemradio", name="日本語").click()
    expect(html).to_have_attribute("lang", "ja")
    account_ja = page.get_by_role("button", name="アカウントと設定")
    expect(account_ja).to_be_visible()
    expect(page.get_by_role("button", name=ACCOUNT)).to_have_count(0)

    page.reload()
    expect(html).to_have_attribute("lang", "ja")
    open_menu(page, "アカウントと設定")
    expect(page.get_by_role("menuitemradio", name="日本語")).to_have_attribute("aria-checked", "true")
    expect(page.get_by_text("テーマ")).to_be_visible()
    page.wait_for_timeout(300)  # the menu's entrance animation
    screenshot(page, "me-menu-open-ja")
    # Automatic follows the browser, which is English here.
    page.get_by_role("menuitemradio", name="自動").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name=ACCOUNT)).to_be_visible()
    page.reload()
    expect(html).to_have_attribute("lang", "en")


def test_automatic_language_follows_a_japanese_browser(browser: Browser, app_server: ServerProcess) -> None:
    context = new_context(browser, app_server, locale="ja-JP")
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        open_menu(page, "アカウントと設定")
        expect(page.get_by_role("menuitemradio", name="自動")).to_have_attribute("aria-checked", "true")
        page.get_by_role("menuitemradio", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("button", name=ACCOUNT)).to_be_visible()
    finally:
        context.close()

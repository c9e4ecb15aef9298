"""The history sidebar in a real browser against a real server: the list (grouped by day, newest first,
paged as it scrolls), search, rename, delete, export, and navigation.

Conversations are made through the API. The server stamps them with the current time, so the grouping
test moves some back in time in the SQLite file of this module's own server: the one thing the API
cannot do.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from tests.e2e.conftest import ask, create_conversation, new_context, screenshot
from tests.support import ServerProcess

pytestmark = pytest.mark.e2e

PAGE_SIZE = 30
SEEDED = 70
TZ = "Asia/Tokyo"  # the browser's; not UTC, so local midnight differs from the server's
TOKYO = ZoneInfo(TZ)
TOPICS = [
    "Quarterly sales summary for the EMEA region and next year's forecast",
    "Kubernetes ingress setup",
    "Draft the team offsite email",
    "SQL window functions",
    "Translate the product brief into Japanese",
    "Fix the flaky CI test",
    "Onboarding checklist for new hires",
]
SEARCH_TITLE = "Weekend plans"
SEARCH_WORD = "zebrafish"


# --- seeding through the API ----------------------------------------------------------------------


def api(server: ServerProcess) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30)


def all_conversations(client: httpx.Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/conversations", params=params).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def backdate(server: ServerProcess, conversation_id: str, when: datetime) -> None:
    """Set a conversation's updated_at (SQLite keeps naive UTC text)."""
    stamp = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(server.data_dir / "scalechat.db") as db:
        assert (
            db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (stamp, conversation_id)).rowcount == 1
        )


@dataclass
class Seeded:
    ids: dict[str, str]  # title -> id
    search_id: str


def seed_title(rank: int) -> str:
    return f"{TOPICS[rank % len(TOPICS)]} #{rank:02d}"


def seed_time(rank: int, now: datetime) -> datetime:
    """Rank 0 is the newest: a few today, then yesterday, earlier this week, this month, and months before."""
    noon = datetime.combine(now.astimezone(TOKYO).date(), datetime.min.time(), TOKYO) + timedelta(hours=12)
    if rank < 5:
        return now - timedelta(seconds=rank + 1)
    if rank < 10:
        return noon - timedelta(days=1, minutes=rank)
    if rank < 18:
        return noon - timedelta(days=3, minutes=rank)
    if rank < 28:
        return noon - timedelta(days=15, minutes=rank)
    return noon - timedelta(days=40 + 2 * (rank - 28), minutes=rank)


@pytest.fixture(scope="module")
def seeded(app_server: ServerProcess) -> Seeded:
    """70 chats spread over months, plus one whose only mention of SEARCH_WORD is in a message."""
    ids: dict[str, str] = {}
    with api(app_server) as client:
        now = datetime.now(UTC)
        for rank in reversed(range(SEEDED)):
            title = seed_title(rank)
            ids[title] = create_conversation(client, title=title)
            backdate(app_server, ids[title], seed_time(rank, now))
        search_id = create_conversation(client, title=SEARCH_TITLE)
        ask(client, search_id, f"What should I feed my {SEARCH_WORD} while I am away?")
    return Seeded(ids=ids, search_id=search_id)


# --- the browser ---------------------------------------------------------------------------------------


@contextmanager
def checked_page(
    browser: Browser, server: ServerProcess, *, allow: tuple[str, ...] = (), **options: object
) -> Iterator[Page]:
    """A page in its own context (for other options than the shared fixture's) whose errors fail the test."""
    context = new_context(browser, server, **options)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda m: (
            errors.append(f"console: {m.text}") if m.type == "error" and not any(a in m.text for a in allow) else None
        ),
    )
    try:
        yield page
    finally:
        context.close()
    assert not errors, "the page reported errors:\n" + "\n".join(errors)


def sidebar(page: Page, name: str = "Chat history") -> Locator:
    return page.get_by_role("navigation", name=name)


def chat_links(page: Page, name: str = "Chat history") -> Locator:
    return sidebar(page, name).get_by_role("list").get_by_role("link")


def open_menu(page: Page, title: str) -> None:
    row = sidebar(page).get_by_role("listitem").filter(has=page.get_by_role("link", name=title, exact=True))
    row.hover()
    more = row.get_by_role("button", name=f"More options for {title}")
    expect(more).to_be_visible()
    more.click()


def group_name(updated_at: str, now: datetime, zone: ZoneInfo, relative: list[str], month: str) -> str:
    day = datetime.fromisoformat(updated_at).astimezone(zone).date()
    today = now.astimezone(zone).date()
    if day >= today:
        return relative[0]
    if day >= today - timedelta(days=1):
        return relative[1]
    if day >= today - timedelta(days=7):
        return relative[2]
    if day >= today - timedelta(days=30):
        return relative[3]
    return month.format(year=day.year, month=day.month, name=date(2000, day.month, 1).strftime("%B"))


def expected_groups(
    items: list[dict[str, Any]], zone: ZoneInfo, relative: list[str], month: str
) -> list[tuple[str, list[str]]]:
    now = datetime.now(UTC)
    groups: list[tuple[str, list[str]]] = []
    for item in items:
        name = group_name(item["updated_at"], now, zone, relative, month)
        if not groups or groups[-1][0] != name:
            groups.append((name, []))
        groups[-1][1].append(item["title"])
    return groups


def shown_groups(page: Page, name: str = "Chat history") -> list[tuple[str, list[str]]]:
    sections = sidebar(page, name).locator("[data-group]")
    return [
        (section.get_by_role("heading").inner_text(), section.get_by_role("link").all_inner_texts())
        for section in sections.all()
    ]


def scroll_to_end(page: Page, total: int, name: str = "Chat history") -> None:
    links = chat_links(page, name)
    for _ in range(total // PAGE_SIZE + 2):
        links.last.scroll_into_view_if_needed()
        if links.count() >= total:
            break
        page.wait_for_timeout(300)
    expect(links).to_have_count(total)


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


EN_GROUPS = ["Today", "Yesterday", "Previous 7 days", "Previous 30 days"]
JA_NAV = "チャット履歴"
JA_GROUPS = ["今日", "昨日", "過去 7 日間", "過去 30 日間"]


# --- tests -------------------------------------------------------------------------------------------


def test_a_friendly_empty_state_before_the_first_chat(page: Page) -> None:
    # First in the module: its server has no conversations yet.
    page.goto("/")
    expect(sidebar(page).get_by_text("No chats yet")).to_be_visible()
    expect(sidebar(page).get_by_role("button", name="New chat")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search chats")).to_be_visible()


def test_newest_first_grouped_by_day_in_the_local_time_zone(
    browser: Browser, app_server: ServerProcess, seeded: Seeded
) -> None:
    with api(app_server) as client:
        items = all_conversations(client)
    assert len(items) >= SEEDED + 1
    expected = expected_groups(items, TOKYO, EN_GROUPS, "{name} {year}")
    assert [name for name, _ in expected[:4]] == EN_GROUPS
    assert len(expected) >= 6  # and at least two months

    with checked_page(browser, app_server, timezone_id=TZ) as page:
        page.goto("/")
        expect(chat_links(page)).to_have_count(PAGE_SIZE)
        scroll_to_end(page, len(items))
        assert shown_groups(page) == expected


def test_infinite_scroll_loads_pages_of_30_with_a_loading_row(page: Page, seeded: Seeded) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/api/conversations?" in r.url else None)
    held: list[Route] = []

    def hold_the_first(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(re.compile(r"/api/conversations\?.*cursor="), hold_the_first)

    page.goto("/")
    links = chat_links(page)
    expect(links).to_have_count(PAGE_SIZE)
    first = requests[0]
    assert "limit=30" in first and "cursor=" not in first

    links.last.scroll_into_view_if_needed()
    expect(sidebar(page).get_by_role("status").filter(has_text="Loading more chats")).to_be_visible()
    page.wait_for_timeout(100)
    assert len(held) == 1, "one page at a time"
    held[0].continue_()
    expect(links).to_have_count(2 * PAGE_SIZE)
    expect(sidebar(page).get_by_text("Loading more chats")).to_have_count(0)

    scroll_to_end(page, SEEDED + 1)
    cursors = [url for url in requests if "cursor=" in url]
    assert len(cursors) == 2 and all("limit=30" in url for url in cursors)


def test_a_page_that_fails_to_load_shows_retry(browser: Browser, app_server: ServerProcess, seeded: Seeded) -> None:
    failing = True

    def fail_once_asked(route: Route) -> None:
        if failing:
            problem = {"type": "about:blank", "title": "Unavailable", "status": 503, "code": "unavailable"}
            route.fulfill(
                status=503,
                content_type="application/problem+json",
                body=json.dumps({**problem, "detail": "Try again."}),
            )
        else:
            route.continue_()

    with checked_page(browser, app_server, allow=("Failed to load resource",)) as page:
        page.route(re.compile(r"/api/conversations\?.*cursor="), fail_once_asked)
        page.goto("/")
        links = chat_links(page)
        expect(links).to_have_count(PAGE_SIZE)
        links.last.scroll_into_view_if_needed()
        alert = sidebar(page).get_by_role("alert").filter(has_text="Couldn’t load more chats.")
        expect(alert).to_be_visible(timeout=15_000)  # after the query's own retry
        expect(links).to_have_count(PAGE_SIZE)
        failing = False
        alert.get_by_role("button", name="Retry").click()
        expect(links).to_have_count(2 * PAGE_SIZE)
        expect(alert).to_have_count(0)


def test_search_by_title_and_by_message_text(page: Page, seeded: Seeded) -> None:
    searches: list[str] = []
    page.on("request", lambda r: searches.append(r.url) if "/api/conversations?" in r.url and "q=" in r.url else None)
    page.goto("/")
    links = chat_links(page)
    expect(links).to_have_count(PAGE_SIZE)
    box = page.get_by_role("searchbox", name="Search chats")

    # Typed letter by letter, but asked once the typing pauses (debounced).
    box.press_sequentially("kubernetes", delay=40)
    kubernetes = sorted(title for title in seeded.ids if "Kubernetes" in title)
    expect(links).to_have_count(len(kubernetes))
    assert sorted(links.all_inner_texts()) == kubernetes
    assert len(searches) == 1 and "q=kubernetes" in searches[0]

    # Only a message mentions it.
    box.fill(SEARCH_WORD)
    expect(links).to_have_count(1)
    expect(links.first).to_have_text(SEARCH_TITLE)

    box.fill("no such words anywhere")
    expect(sidebar(page).get_by_text("No chats match “no such words anywhere”")).to_be_visible()
    expect(links).to_have_count(0)

    page.get_by_role("button", name="Clear search").click()
    expect(box).to_have_value("")
    expect(box).to_be_focused()
    expect(links).to_have_count(PAGE_SIZE)

    # Esc clears too.
    box.fill(SEARCH_WORD)
    expect(links).to_have_count(1)
    box.press("Escape")
    expect(box).to_have_value("")
    expect(links).to_have_count(PAGE_SIZE)


def test_rename_saves_on_enter_cancels_on_escape_and_persists(
    page: Page, app_server: ServerProcess, seeded: Seeded
) -> None:
    with api(app_server) as client:
        conversation_id = create_conversation(client, title="Rename me")
        patches: list[str] = []
        page.on("request", lambda r: patches.append(r.url) if r.method == "PATCH" else None)
        page.goto("/")

        open_menu(page, "Rename me")
        page.get_by_role("menuitem", name="Rename").click()
        field = sidebar(page).get_by_role("textbox", name="Rename chat “Rename me”")
        expect(field).to_be_focused()
        expect(field).to_have_value("Rename me")
        field.fill("Renamed by the test")
        field.press("Enter")
        renamed = sidebar(page).get_by_role("link", name="Renamed by the test", exact=True)
        expect(renamed).to_be_visible()
        expect(renamed).to_be_focused()
        wait_until(lambda: client.get(f"/api/conversations/{conversation_id}").json()["title"] == "Renamed by the test")
        assert len(patches) == 1

        # Esc gives up: nothing sent, title as it was, focus back on the chat.
        open_menu(page, "Renamed by the test")
        page.get_by_role("menuitem", name="Rename").click()
        field = sidebar(page).get_by_role("textbox", name="Rename chat “Renamed by the test”")
        field.fill("Not this one")
        field.press("Escape")
        expect(renamed).to_be_focused()
        assert len(patches) == 1

        page.reload()
        expect(sidebar(page).get_by_role("link", name="Renamed by the test", exact=True)).to_be_visible()
        expect(sidebar(page).get_by_role("link", name="Rename me", exact=True)).to_have_count(0)


def test_delete_asks_first_cancel_keeps_it_and_the_active_chat_goes_to_new(
    page: Page, app_server: ServerProcess, seeded: Seeded
) -> None:
    with api(app_server) as client:
        create_conversation(client, title="Keep this chat")
        doomed = create_conversation(client, title="Delete this chat")
        page.goto(f"/c/{doomed}")
        link = sidebar(page).get_by_role("link", name="Delete this chat", exact=True)
        expect(link).to_have_attribute("aria-current", "page")

        open_menu(page, "Delete this chat")
        page.get_by_role("menuitem", name="Delete").click()
        dialog = page.get_by_role("alertdialog", name="Delete chat?")
        expect(dialog).to_contain_text("“Delete this chat”")
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_have_count(0)
        expect(link).to_be_visible()
        expect(page.get_by_role("button", name="More options for Delete this chat")).to_be_focused()
        assert client.get(f"/api/conversations/{doomed}").status_code == 200

        open_menu(page, "Delete this chat")
        page.get_by_role("menuitem", name="Delete").click()
        dialog.get_by_role("button", name="Delete").click()
        expect(dialog).to_have_count(0)
        expect(link).to_have_count(0)
        expect(page).to_have_url(f"{app_server.url}/")
        # Focus stays in the list: on the chat that followed.
        expect(sidebar(page).get_by_role("link", name="Keep this chat", exact=True)).to_be_focused()
        assert client.get(f"/api/conversations/{doomed}").status_code == 404

        page.reload()
        expect(sidebar(page).get_by_role("link", name="Keep this chat", exact=True)).to_be_visible()
        expect(sidebar(page).get_by_role("link", name="Delete this chat", exact=True)).to_have_count(0)


def test_export_downloads_markdown_and_json(page: Page, seeded: Seeded) -> None:
    page.goto("/")
    open_menu(page, SEARCH_TITLE)
    with page.expect_download() as markdown_download:
        page.get_by_role("menuitem", name="Export as Markdown").click()
    markdown = markdown_download.value
    assert markdown.suggested_filename == f"conversation-{seeded.search_id}.md"
    text = Path(markdown.path()).read_text(encoding="utf-8")
    assert text.startswith(f"# {SEARCH_TITLE}\n")
    assert "## You" in text and f"feed my {SEARCH_WORD}" in text and "## Assistant" in text

    open_menu(page, SEARCH_TITLE)
    with page.expect_download() as json_download:
        page.get_by_role("menuitem", name="Export as JSON").click()
    exported = json_download.value
    assert exported.suggested_filename == f"conversation-{seeded.search_id}.json"
    document = json.loads(Path(exported.path()).read_text(encoding="utf-8"))
    assert document["id"] == seeded.search_id and document["title"] == SEARCH_TITLE
    assert [m["role"] for m in document["messages"]] == ["user", "assistant"]
    assert SEARCH_WORD in document["messages"][0]["content"]
    # The page itself stayed where it was.
    expect(page).to_have_url(re.compile(r"/$"))


def test_clicking_a_chat_opens_it_and_new_chat_goes_home(page: Page, app_server: ServerProcess, seeded: Seeded) -> None:
    title = seed_title(3)
    page.goto("/")
    link = sidebar(page).get_by_role("link", name=title, exact=True)
    link.click()
    expect(page).to_have_url(f"{app_server.url}/c/{seeded.ids[title]}")
    expect(link).to_have_attribute("aria-current", "page")
    expect(sidebar(page).locator("[aria-current=page]")).to_have_count(1)

    sidebar(page).get_by_role("button", name="New chat").click()
    expect(page).to_have_url(f"{app_server.url}/")
    expect(sidebar(page).locator("[aria-current=page]")).to_have_count(0)

    # The address of a chat highlights it after a reload too.
    page.goto(f"/c/{seeded.ids[title]}")
    expect(link).to_have_attribute("aria-current", "page")


def test_keyboard_arrows_between_chats_and_the_menu(page: Page, seeded: Seeded) -> None:
    page.goto("/")
    links = chat_links(page)
    expect(links).to_have_count(PAGE_SIZE)
    first_title, second_title = links.nth(0).inner_text(), links.nth(1).inner_text()
    links.nth(0).focus()
    page.keyboard.press("ArrowDown")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(links.nth(0)).to_be_focused()

    # Tab reaches the chat's menu button, which shows itself on focus.
    page.keyboard.press("Tab")
    more = page.get_by_role("button", name=f"More options for {first_title}")
    expect(more).to_be_focused()
    assert more.evaluate("e => getComputedStyle(e).opacity") == "1"
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem", name="Rename")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Export as Markdown")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_have_count(0)
    expect(more).to_be_focused()

    # The button toggles the menu; a click elsewhere closes it and leaves focus alone.
    more.click()
    expect(page.get_by_role("menu")).to_be_visible()
    expect(more).to_have_attribute("aria-expanded", "true")
    more.click()
    expect(page.get_by_role("menu")).to_have_count(0)
    expect(more).to_have_attribute("aria-expanded", "false")
    more.click()
    expect(page.get_by_role("menu")).to_be_visible()
    page.get_by_role("searchbox", name="Search chats").click()
    expect(page.get_by_role("menu")).to_have_count(0)
    expect(page.get_by_role("searchbox", name="Search chats")).to_be_focused()

    # F2 renames the focused chat; Esc leaves it as it was.
    links.nth(1).focus()
    page.keyboard.press("F2")
    field = sidebar(page).get_by_role("textbox", name=f"Rename chat “{second_title}”")
    expect(field).to_be_focused()
    page.keyboard.press("Escape")
    expect(links.nth(1)).to_be_focused()


def test_screenshots_light_dark_phone_and_japanese(browser: Browser, app_server: ServerProcess, seeded: Seeded) -> None:
    active = seed_title(2)
    for scheme in ("light", "dark"):
        with checked_page(browser, app_server, color_scheme=scheme, reduced_motion="reduce", timezone_id=TZ) as page:
            page.goto(f"/c/{seeded.ids[active]}")
            expect(chat_links(page)).to_have_count(PAGE_SIZE)
            sidebar(page).get_by_role("link", name=seed_title(4), exact=True).hover()
            screenshot(page, f"history-sidebar-{scheme}")
            open_menu(page, active)
            expect(page.get_by_role("menuitem", name="Delete")).to_be_visible()
            screenshot(page, f"history-menu-{scheme}")
            page.get_by_role("menuitem", name="Delete").click()
            expect(page.get_by_role("alertdialog", name="Delete chat?")).to_be_visible()
            screenshot(page, f"history-delete-dialog-{scheme}")
            page.get_by_role("button", name="Cancel").click()

        with checked_page(
            browser,
            app_server,
            color_scheme=scheme,
            reduced_motion="reduce",
            timezone_id=TZ,
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
        ) as page:
            page.goto("/")
            page.get_by_role("button", name="Open chat history").click()
            expect(chat_links(page)).to_have_count(PAGE_SIZE)
            # No hover on touch: the menu buttons are always there.
            assert (
                page.get_by_role("button", name=f"More options for {active}").evaluate(
                    "e => getComputedStyle(e).opacity"
                )
                == "1"
            )
            # The overlay is at most 320px (and its border) wide, and nothing in it scrolls sideways.
            box = sidebar(page).bounding_box()
            assert box is not None and box["width"] <= 321
            assert sidebar(page).evaluate(
                "nav => [...nav.querySelectorAll('*')].every(e => e.scrollWidth <= e.clientWidth + 1 || "
                "getComputedStyle(e).textOverflow === 'ellipsis')"
            )
            screenshot(page, f"history-phone-{scheme}")
            page.get_by_role("link", name=active, exact=True).tap()
            expect(page).to_have_url(f"{app_server.url}/c/{seeded.ids[active]}")
            expect(sidebar(page)).to_be_hidden()  # the overlay closes on choosing a chat

    with (
        checked_page(browser, app_server, locale="ja-JP", reduced_motion="reduce", timezone_id=TZ) as page,
        api(app_server) as client,
    ):
        page.goto("/")
        expect(sidebar(page, JA_NAV).get_by_role("button", name="新しいチャット")).to_be_visible()
        expect(page.get_by_role("searchbox", name="チャットを検索")).to_be_visible()
        scroll_to_end(page, len(all_conversations(client)), JA_NAV)
        expected = expected_groups(all_conversations(client), TOKYO, JA_GROUPS, "{year}年{month}月")
        assert [name for name, _ in shown_groups(page, JA_NAV)] == [name for name, _ in expected]
        chat_links(page, JA_NAV).first.scroll_into_view_if_needed()
        screenshot(page, "history-sidebar-ja")

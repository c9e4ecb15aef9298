"""The chat in a real browser against a real server and the simulator: streaming, stop,
regenerate, branches, hand edits, re-attaching after a reload, failures, long conversations.

Timings (first token, opening 200 messages) are measured and reported, never asserted:
they are printed and saved to test-artifacts/chat-timings.json.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import ARTIFACTS, new_context, record_timing, screenshot, web_build_dir
from tests.support import ServerProcess, running_server, stream

TIMINGS = ARTIFACTS.parent / "chat-timings.json"
# Slow enough to see the text grow and to act mid-answer: 400 chunks every 20 ms is ~8 s.
SLOW = "[[sim: chunks=400 chunk_interval_ms=20]]"


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """This module's server: no model retries, so a simulated failure fails at once."""
    with running_server(
        tmp_path_factory.mktemp("e2e-chat"),
        SCALECHAT_WEB_DIR=str(web_build_dir()),
        MODEL_RETRY_BUDGET_SECONDS="0",
    ) as process:
        yield process


def composer(page: Page) -> Locator:
    return page.get_by_role("textbox", name="Message")


def send(page: Page, text: str) -> None:
    composer(page).fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def answers(page: Page) -> Locator:
    return page.locator("article[data-role=assistant]")


def questions(page: Page) -> Locator:
    return page.locator("article[data-role=user]")


def wait_status(article: Locator, status: str, timeout: float = 15_000) -> None:
    expect(article).to_have_attribute("data-status", status, timeout=timeout)


def text_length(article: Locator) -> int:
    length: int = article.evaluate("el => el.innerText.length")
    return length


def wait_growth(page: Page, beyond: int, timeout: float = 10_000) -> None:
    """Wait until the last answer's text is longer than `beyond` characters."""
    page.wait_for_function(
        """n => { const all = document.querySelectorAll('article[data-role=assistant]');
                  return all.length > 0 && all[all.length - 1].innerText.length > n; }""",
        arg=beyond,
        timeout=timeout,
    )


def conversation_id(page: Page) -> str:
    page.wait_for_url("**/c/*")
    return page.url.rsplit("/c/", 1)[1]


def stored(api: httpx.Client, cid: str) -> dict[str, Any]:
    body: dict[str, Any] = api.get(f"/api/conversations/{cid}").json()
    return body


def message(api: httpx.Client, cid: str, mid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in stored(api, cid)["messages"] if m["id"] == mid)
    return found


def action(article: Locator, name: str) -> Locator:
    # The last match: a code block in the answer may have its own copy button.
    return article.get_by_role("button", name=name, exact=True).last


def test_send_streams_then_completes(page: Page, api: httpx.Client) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="How can I help you today?")).to_be_visible()
    send(page, f"Show me a table and some code {SLOW}")
    # The question appears at once; the answer streams in.
    expect(questions(page)).to_have_count(1)
    answer = answers(page).last
    wait_status(answer, "streaming")
    expect(page.get_by_role("button", name="Stop", exact=True)).to_be_visible()
    wait_growth(page, 40)
    early = text_length(answer)
    wait_growth(page, early + 100)
    screenshot(page, "chat-streaming")
    cid = conversation_id(page)
    # The history and the header get the title from the first question while it streams.
    expect(page.get_by_role("heading", level=2, name="Show me a table and some code")).to_be_visible()
    page.get_by_role("button", name="Stop", exact=True).click()
    wait_status(answer, "stopped")
    expect(page.get_by_role("log", name="Messages")).to_be_visible()

    send(page, "And now a complete answer")
    answer = answers(page).last
    wait_status(answer, "completed")
    expect(answer.locator("table")).to_be_visible()
    expect(answer.locator("pre")).to_be_visible()
    for name in ("Copy", "Regenerate", "Edit"):
        expect(action(answer, name)).to_be_visible()
    expect(composer(page)).to_be_focused()  # ready for the next question
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    action(answer, "Copy").click()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith("**Simulated answer.**") and "```python" in copied  # the markdown source
    mid = answer.get_attribute("data-message-id")
    assert mid is not None and not mid.startswith("local-")
    saved = message(api, cid, mid)
    assert saved["status"] == "completed"
    assert "That is the end of the simulated answer." in answer.inner_text()


def test_enter_sends_shift_enter_breaks_and_ime_enter_does_not(page: Page) -> None:
    page.goto("/")
    box = composer(page)
    box.click()
    box.type("first line")
    box.press("Shift+Enter")
    box.type("second line")
    assert box.input_value() == "first line\nsecond line"
    # An Enter that confirms an IME conversion must not send: Chrome and Firefox mark it
    # isComposing; Safari sends keyCode 229, right after compositionend.
    box.evaluate(
        """el => {
            const enter = init => el.dispatchEvent(
                new KeyboardEvent('keydown', {key: 'Enter', bubbles: true, cancelable: true, ...init}));
            enter({isComposing: true});
            enter({keyCode: 229});
            el.dispatchEvent(new CompositionEvent('compositionstart', {bubbles: true}));
            el.dispatchEvent(new CompositionEvent('compositionend', {bubbles: true, data: 'x'}));
            enter({});
        }"""
    )
    page.wait_for_timeout(200)
    expect(questions(page)).to_have_count(0)
    assert page.url.endswith("/")
    box.press("Enter")
    expect(questions(page)).to_have_count(1)
    expect(questions(page).first).to_contain_text("first line\nsecond line")
    wait_status(answers(page).last, "completed")


def test_stop_keeps_the_partial_answer(page: Page, api: httpx.Client) -> None:
    page.goto("/")
    send(page, f"Write a long answer {SLOW}")
    answer = answers(page).last
    wait_growth(page, 80)
    page.get_by_role("button", name="Stop", exact=True).click()
    wait_status(answer, "stopped")
    expect(answer.get_by_text("Stopped", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_visible()
    shown = answer.locator("[data-part=content]").inner_text()
    cid = conversation_id(page)
    mid = answer.get_attribute("data-message-id")
    assert mid
    saved = message(api, cid, mid)
    assert saved["status"] == "stopped"
    assert 0 < len(saved["content"]) < 3000
    page.wait_for_timeout(300)
    assert message(api, cid, mid)["content"] == saved["content"]  # really stopped upstream
    page.reload()
    answer = answers(page).last
    wait_status(answer, "stopped")
    expect(answer.get_by_text("Stopped", exact=True)).to_be_visible()
    assert answer.locator("[data-part=content]").inner_text() == shown

    # Esc stops too.
    send(page, f"Another long one {SLOW}")
    answer = answers(page).last
    wait_growth(page, 80)
    page.keyboard.press("Escape")
    wait_status(answer, "stopped")


def test_regenerate_makes_a_second_version(page: Page, api: httpx.Client) -> None:
    page.goto("/")
    send(page, "Regenerate this")
    first = answers(page).last
    wait_status(first, "completed")
    first_id = first.get_attribute("data-message-id")
    action(first, "Regenerate").click()
    second = answers(page).last
    expect(second).to_contain_text("2/2")
    wait_status(second, "completed")
    second_id = second.get_attribute("data-message-id")
    assert second_id and second_id != first_id
    expect(answers(page)).to_have_count(1)

    screenshot(page, "chat-regenerated")
    action(second, "Previous version").click()
    expect(answers(page).last).to_have_attribute("data-message-id", first_id or "")
    expect(answers(page).last).to_contain_text("1/2")
    cid = conversation_id(page)
    page.wait_for_timeout(300)
    assert stored(api, cid)["current_message_id"] == first_id  # the switch is remembered
    page.reload()
    expect(answers(page).last).to_have_attribute("data-message-id", first_id or "")
    action(answers(page).last, "Next version").click()
    expect(answers(page).last).to_have_attribute("data-message-id", second_id)
    expect(answers(page).last).to_contain_text("2/2")


def test_editing_a_question_makes_a_branch(page: Page, api: httpx.Client) -> None:
    page.goto("/")
    send(page, "First question")
    wait_status(answers(page).last, "completed")
    send(page, "Second question")
    wait_status(answers(page).last, "completed")
    expect(questions(page)).to_have_count(2)

    second = questions(page).nth(1)
    action(second, "Edit").click()
    editor = second.get_by_role("textbox", name="Question text")
    expect(editor).to_be_focused()
    editor.fill("Second question, edited")
    second.get_by_role("button", name="Save and send").click()
    wait_status(answers(page).last, "completed")
    edited = questions(page).nth(1)
    expect(edited).to_contain_text("Second question, edited")
    expect(edited).to_contain_text("2/2")
    expect(answers(page).last).to_contain_text("Second question, edited")

    # The old question and its answer are still there.
    action(edited, "Previous version").click()
    expect(questions(page).nth(1)).to_contain_text("Second question")
    expect(questions(page).nth(1)).to_contain_text("1/2")
    expect(answers(page).last).not_to_contain_text("edited")

    # Editing the first question starts the conversation anew (parent_id null).
    first = questions(page).first
    action(first, "Edit").click()
    first.get_by_role("textbox", name="Question text").fill("A new first question")
    first.get_by_role("button", name="Save and send").click()
    wait_status(answers(page).last, "completed")
    expect(questions(page)).to_have_count(1)
    expect(questions(page).first).to_contain_text("2/2")
    cid = conversation_id(page)
    roots = [m for m in stored(api, cid)["messages"] if m["role"] == "user" and m["parent_id"] is None]
    assert [m["content"] for m in roots] == ["First question", "A new first question"]
    action(questions(page).first, "Previous version").click()
    expect(questions(page)).to_have_count(2)
    expect(questions(page).nth(1)).to_contain_text("Second question")


def test_editing_an_answer_by_hand(page: Page, api: httpx.Client) -> None:
    page.goto("/")
    send(page, "Answer me")
    answer = answers(page).last
    wait_status(answer, "completed")
    action(answer, "Edit").click()
    editor = answer.get_by_role("textbox", name="Answer text")
    editor.fill("A **corrected** answer, written by hand.")
    answer.get_by_role("button", name="Save", exact=True).click()
    expect(answer.get_by_text("Edited", exact=True)).to_be_visible()
    expect(answer.locator("strong", has_text="corrected")).to_be_visible()
    page.reload()
    answer = answers(page).last
    expect(answer).to_contain_text("A corrected answer, written by hand.")
    expect(answer.get_by_text("Edited", exact=True)).to_be_visible()
    # Cancel leaves it as it was.
    action(answer, "Edit").click()
    answer.get_by_role("textbox", name="Answer text").fill("not saved")
    answer.get_by_role("button", name="Cancel").click()
    expect(answer).to_contain_text("A corrected answer, written by hand.")
    mid = answer.get_attribute("data-message-id")
    assert mid and message(api, conversation_id(page), mid)["edited_at"]


def test_reload_mid_answer_reattaches_and_follows_live(page: Page, api: httpx.Client) -> None:
    page.goto("/")
    send(page, f"Keep writing {SLOW}")
    answer = answers(page).last
    wait_growth(page, 100)
    cid = conversation_id(page)
    mid = answer.get_attribute("data-message-id")
    page.reload()
    answer = page.locator(f"article[data-message-id='{mid}']")
    wait_status(answer, "streaming")
    expect(page.get_by_role("button", name="Stop", exact=True)).to_be_visible()
    after_reload = text_length(answer)
    wait_growth(page, after_reload + 100)  # live again, not a stored snapshot
    wait_status(answer, "completed", timeout=20_000)
    assert mid
    saved = message(api, cid, mid)
    assert saved["status"] == "completed"
    shown = answer.inner_text()
    # Replayed from the start and then followed: every word once, none twice.
    assert shown.count("Simulated answer.") == 1
    assert len(shown) >= len(saved["content"]) * 0.9


def test_connection_drop_reattaches(page: Page, api: httpx.Client) -> None:
    page.goto("/")
    send(page, f"Survive a network drop {SLOW}")
    answer = answers(page).last
    wait_growth(page, 100)
    page.context.set_offline(True)
    page.wait_for_timeout(600)
    page.context.set_offline(False)
    wait_status(answer, "completed", timeout=20_000)
    assert answer.inner_text().count("Simulated answer.") == 1


SCROLLER = """() => {
    let el = document.querySelector('[role=log]');
    const scrolls = e => e.scrollHeight > e.clientHeight && getComputedStyle(e).overflowY === 'auto';
    while (el && !scrolls(el)) el = el.parentElement;
    return el ? {top: el.scrollTop, gap: el.scrollHeight - el.scrollTop - el.clientHeight} : null;
}"""


def test_scrolling_up_while_streaming_is_respected(page: Page) -> None:
    page.goto("/")
    send(page, "A long answer to scroll through [[sim: chunks=800 chunk_interval_ms=20]]")
    page.wait_for_function(f"() => ({SCROLLER})()?.top > 300", timeout=15_000)
    assert page.evaluate(SCROLLER)["gap"] < 60  # following the answer
    page.get_by_role("log", name="Messages").hover()
    page.mouse.wheel(0, -250)
    jump = page.get_by_role("button", name="Jump to latest")
    expect(jump).to_be_visible()
    held = page.evaluate(SCROLLER)["top"]
    page.wait_for_timeout(800)  # the answer grows meanwhile
    assert abs(page.evaluate(SCROLLER)["top"] - held) < 5  # not pulled down
    jump.click()
    expect(jump).to_be_hidden()
    page.wait_for_timeout(500)
    assert page.evaluate(SCROLLER)["gap"] < 60  # following again
    page.get_by_role("button", name="Stop", exact=True).click()
    wait_status(answers(page).last, "stopped")


def test_failure_is_shown_in_place_and_retry_works(page: Page) -> None:
    page.goto("/")
    send(page, "This fails once [[sim: fail=500 fail_count=1]]")
    answer = answers(page).last
    wait_status(answer, "failed")
    alert = answer.get_by_role("alert")
    expect(alert).to_contain_text("The answer could not be written.")
    expect(alert).to_contain_text("500")
    screenshot(page, "chat-failed")
    answer.get_by_role("button", name="Retry").click()
    retried = answers(page).last
    wait_status(retried, "completed")
    expect(retried).to_contain_text("2/2")
    expect(retried).to_contain_text("Simulated answer.")


def test_two_hundred_messages_open_quickly(browser: Browser, app_server: ServerProcess, api: httpx.Client) -> None:
    cid = api.post("/api/conversations", json={"title": "A long conversation"}).json()["id"]
    fast = {"x-simulator-first-token-ms": "0", "x-simulator-chunk-interval-ms": "0"}
    for n in range(100):
        stream(api, "POST", f"/api/conversations/{cid}/messages", json={"content": f"Question {n}"}, headers=fast)
    assert len(stored(api, cid)["messages"]) == 200

    context = new_context(browser, app_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto("/")  # the app is loaded; now open the conversation as a user would
        expect(composer(page)).to_be_visible()
        page.evaluate(
            """cid => { window.__t0 = performance.now();
                history.pushState(null, '', '/c/' + cid); dispatchEvent(new PopStateEvent('popstate')); }""",
            cid,
        )
        # The newest messages are painted first; older ones are added in the background.
        page.wait_for_function(
            """() => [...document.querySelectorAll('article[data-role=assistant]')].pop()
                     ?.innerText.includes('Question 99')""",
            timeout=20_000,
        )
        painted = page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => setTimeout(() => r(performance.now() - window.__t0))))"
        )
        page.wait_for_function("() => document.querySelectorAll('article[data-role]').length === 200", timeout=20_000)
        every = page.evaluate("() => performance.now() - window.__t0")
        record_timing(TIMINGS, "open_200_messages_latest_painted_ms", round(painted, 1))
        record_timing(TIMINGS, "open_200_messages_all_rendered_ms", round(every, 1))
        last = answers(page).last
        expect(last).to_be_in_viewport()
        expect(last).to_contain_text("Question 99")
        # The page stays responsive: typing into the box is immediate.
        started = time.perf_counter()
        composer(page).type("still responsive")
        record_timing(TIMINGS, "type_16_chars_in_200_message_chat_ms", round((time.perf_counter() - started) * 1000, 1))
        screenshot(page, "chat-200-messages")
        # Scrolling up shows "jump to latest".
        page.get_by_role("log", name="Messages").hover()
        page.mouse.wheel(0, -3000)
        jump = page.get_by_role("button", name="Jump to latest")
        expect(jump).to_be_visible()
        jump.click()
        expect(last).to_be_in_viewport()
        expect(jump).to_be_hidden()
        page.goto("/")  # a direct load, for comparison
        started = time.perf_counter()
        page.goto(f"/c/{cid}")
        page.wait_for_function("() => document.querySelectorAll('article[data-role]').length === 200", timeout=20_000)
        record_timing(TIMINGS, "load_page_with_200_messages_ms", round((time.perf_counter() - started) * 1000, 1))
    finally:
        context.close()
    assert not errors


def test_typing_stays_responsive_while_a_long_answer_streams(page: Page) -> None:
    page.goto("/")
    send(page, "A very long answer [[sim: chunks=4000 chunk_interval_ms=4]]")
    wait_growth(page, 2000)
    page.evaluate(
        """() => { window.__events = [];
            new PerformanceObserver(list => { for (const e of list.getEntries()) window.__events.push(e.duration); })
              .observe({type: 'event', durationThreshold: 16, buffered: false}); }"""
    )
    box = composer(page)
    box.click()
    started = time.perf_counter()
    box.press_sequentially("typing while the answer streams", delay=30)
    typed_ms = (time.perf_counter() - started) * 1000
    expect(box).to_have_value("typing while the answer streams")
    slow = page.evaluate("() => window.__events")
    record_timing(
        TIMINGS,
        "typing_during_4000_token_stream",
        {"keys": 31, "total_ms": round(typed_ms), "events_over_16ms": len(slow), "slowest_ms": max(slow, default=0)},
    )
    assert text_length(answers(page).last) > 2000
    page.keyboard.press("Escape")
    expect(answers(page).last).to_have_attribute("data-status", re.compile("stopped|completed"))


def test_first_token_latency(page: Page) -> None:
    page.goto("/")
    send(page, "warm up [[sim: first_token_ms=0]]")
    wait_status(answers(page).last, "completed")
    samples = []
    for n in range(7):
        composer(page).fill(f"Latency sample {n} [[sim: first_token_ms=0]]")
        # From the click to the frame that paints the first words of the answer.
        page.evaluate(
            """() => { window.__latency = new Promise(resolve => {
                const button = document.querySelector('button[aria-label="Send"]');
                button.addEventListener('click', () => {
                  const start = performance.now();
                  const log = document.querySelector('[role=log]');
                  const check = () => {
                    const all = document.querySelectorAll('article[data-role=assistant]');
                    const last = all[all.length - 1];
                    if (last && last.dataset.status !== 'failed' && last.innerText.includes('Simulated')) {
                      requestAnimationFrame(() => resolve(performance.now() - start));
                      observer.disconnect();
                    }
                  };
                  const observer = new MutationObserver(check);
                  observer.observe(log, {subtree: true, childList: true, characterData: true});
                }, {once: true, capture: true});
              }); }"""
        )
        page.get_by_role("button", name="Send", exact=True).click()
        samples.append(page.evaluate("() => window.__latency"))
        wait_status(answers(page).last, "completed")
    median = round(statistics.median(samples), 1)
    record_timing(TIMINGS, "send_to_first_token_ms", {"median": median, "samples": [round(s, 1) for s in samples]})


def test_screenshots_of_a_conversation(browser: Browser, app_server: ServerProcess) -> None:
    for name, options in (
        ("chat-light", {}),
        ("chat-dark", {"color_scheme": "dark"}),
        ("chat-phone", {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}),
        ("chat-ja", {"locale": "ja-JP"}),
    ):
        context = new_context(browser, app_server, **options)
        page = context.new_page()
        try:
            page.goto("/")
            screenshot(page, f"{name}-empty")
            box = page.locator("#chat-input")
            box.fill("How do I read a CSV file in Python and show it as a table?")
            box.press("Enter")
            answer = answers(page).last
            wait_status(answer, "completed")
            expect(answer.locator("table")).to_be_visible()
            expect(answer.locator("pre")).to_be_visible()
            page.wait_for_timeout(300)
            screenshot(page, name)
            if name == "chat-ja":  # the same controls, named in Japanese
                expect(page.get_by_role("textbox", name="メッセージ")).to_be_visible()
                expect(page.get_by_role("log", name="メッセージ一覧")).to_be_visible()
                for label in ("コピー", "再生成", "編集"):
                    expect(answer.get_by_role("button", name=label, exact=True).last).to_be_attached()
                expect(page.get_by_role("button", name="チャットをクリア")).to_be_enabled()
        finally:
            context.close()


def test_clear_chat_keeps_the_old_one(page: Page, api: httpx.Client) -> None:
    page.goto("/")
    send(page, "Remember me")
    wait_status(answers(page).last, "completed")
    old = conversation_id(page)
    page.get_by_role("button", name="Clear chat").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    expect(page.get_by_role("heading", name="How can I help you today?")).to_be_visible()
    expect(questions(page)).to_have_count(0)
    assert len(stored(api, old)["messages"]) == 2
    send(page, "A fresh start")
    wait_status(answers(page).last, "completed")
    assert conversation_id(page) != old
    page.get_by_role("button", name="New chat").first.click()
    page.wait_for_url(lambda url: url.endswith("/"))
    expect(composer(page)).to_be_empty()


def test_the_end_of_an_answer_is_announced_once(page: Page, api: httpx.Client) -> None:
    page.goto("/")
    send(page, "Announce me")
    wait_status(answers(page).last, "completed")
    expect(page.get_by_role("status").filter(has_text="The answer is complete.")).to_have_count(1)
    expect(page.get_by_role("log", name="Messages")).not_to_have_attribute("aria-busy", "true")


def test_keyboard_focus_is_never_dropped_when_send_and_stop_swap(page: Page) -> None:
    def focused() -> str:
        name: str = page.evaluate(
            "() => { const e = document.activeElement;"
            " return !e || e === document.body ? 'body' : (e.getAttribute('aria-label') || e.id || e.tagName); }"
        )
        return name

    page.goto("/")
    composer(page).fill("Keep writing [[sim: chunks=400 chunk_interval_ms=20]]")
    page.get_by_role("button", name="Send", exact=True).focus()
    page.keyboard.press("Enter")
    stop = page.get_by_role("button", name="Stop", exact=True)
    expect(stop).to_be_visible()
    assert focused() != "body"
    stop.focus()
    page.keyboard.press("Enter")
    wait_status(answers(page).last, "stopped")
    expect(composer(page)).to_be_focused()  # Send is disabled with nothing typed: the box takes focus

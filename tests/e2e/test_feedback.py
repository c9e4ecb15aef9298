"""Feedback on answers in a real browser: thumbs up or down sent at once, a reason and a
comment added, changed, removed; each state checked through the API and kept across views."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import ask, create_conversation, screenshot, wait_for

SLOW = "[[sim: chunks=400 chunk_interval_ms=20]]"


@pytest.fixture(scope="module")
def cid(api: httpx.Client) -> str:
    """A conversation with two answers."""
    conversation_id = create_conversation(api)
    for question in ("Suggest a name for our team wiki.", "Make it shorter."):
        ask(api, conversation_id, question)
    return conversation_id


def last_answer_feedback(api: httpx.Client, cid: str) -> dict[str, Any] | None:
    messages = api.get(f"/api/conversations/{cid}").json()["messages"]
    feedback: dict[str, Any] | None = [m for m in messages if m["role"] == "assistant"][-1]["feedback"]
    return feedback


def open_chat(page: Page, cid: str) -> Locator:
    """Open the conversation; the last answer (whose actions are always shown)."""
    page.goto(f"/c/{cid}")
    answer = page.locator('article[data-role="assistant"]').last
    expect(answer).to_contain_text("Simulated answer")
    return answer


def thumbs(answer: Locator) -> tuple[Locator, Locator]:
    return answer.get_by_role("button", name="Good response"), answer.get_by_role("button", name="Bad response")


def test_only_finished_answers_take_feedback(page: Page, cid: str) -> None:
    answer = open_chat(page, cid)
    good, bad = thumbs(answer)
    expect(good).to_have_attribute("aria-pressed", "false")
    expect(bad).to_have_attribute("aria-pressed", "false")
    expect(page.locator('article[data-role="user"]').get_by_role("button", name="Good response")).to_have_count(0)

    # An answer being written has none until it ends.
    page.get_by_role("textbox", name="Message").fill(f"Tell me a long story {SLOW}")
    page.get_by_role("button", name="Send", exact=True).click()
    streaming = page.locator('article[data-role="assistant"][data-status="streaming"]')
    expect(streaming).to_have_count(1)
    expect(streaming.get_by_role("button", name="Good response")).to_have_count(0)
    page.get_by_role("button", name="Stop", exact=True).click()
    stopped = page.locator('article[data-role="assistant"]').last
    expect(stopped).to_have_attribute("data-status", "stopped")
    expect(thumbs(stopped)[0]).to_be_visible()


def test_thumbs_up_with_reason_and_comment(page: Page, api: httpx.Client) -> None:
    conversation_id = api.post("/api/conversations", json={}).json()["id"]
    with api.stream("POST", f"/api/conversations/{conversation_id}/messages", json={"content": "Hello"}) as response:
        for _ in response.iter_lines():
            pass
    answer = open_chat(page, conversation_id)
    good, bad = thumbs(answer)

    # The rating is sent at once...
    good.click()
    popover = page.get_by_role("dialog", name="What did you like?")
    expect(popover).to_be_visible()  # modal: the page behind is hidden from the accessibility tree meanwhile
    expect(answer.get_by_role("button", name="Good response", include_hidden=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    feedback = wait_for(lambda: last_answer_feedback(api, conversation_id))
    assert (feedback["rating"], feedback["reason"], feedback["comment"]) == ("up", None, None)
    expect(answer.get_by_role("status").filter(has_text="Thanks for your feedback")).to_be_visible()

    # ...and the details replace it.
    for chip in ("Accurate", "Helpful", "Well written", "Creative"):
        expect(popover.get_by_role("button", name=chip)).to_have_attribute("aria-pressed", "false")
    popover.get_by_role("button", name="Accurate").click()
    popover.get_by_role("button", name="Helpful").click()  # one reason: the last chosen
    expect(popover.get_by_role("button", name="Accurate")).to_have_attribute("aria-pressed", "false")
    expect(popover.get_by_role("button", name="Helpful")).to_have_attribute("aria-pressed", "true")
    popover.get_by_role("textbox", name="Comment (optional)").fill("Short and clear.")
    screenshot(page, "feedback-popover-up")
    popover.get_by_role("button", name="Submit").click()
    expect(popover).to_be_hidden()
    expect(good).to_be_focused()
    expect(good).to_have_attribute("aria-pressed", "true")
    expect(bad).to_have_attribute("aria-pressed", "false")
    expect(answer.get_by_role("status").filter(has_text="Thanks for your feedback")).to_be_visible()
    feedback = wait_for(lambda: (f := last_answer_feedback(api, conversation_id)) and f["reason"] and f)
    assert (feedback["rating"], feedback["reason"], feedback["comment"]) == ("up", "helpful", "Short and clear.")

    # Kept in the cached conversation (another view and back) and on the server (a reload).
    page.get_by_role("button", name="New chat").first.click()
    expect(page.get_by_role("heading", name="How can I help you today?")).to_be_visible()
    page.go_back()
    expect(thumbs(page.locator('article[data-role="assistant"]').last)[0]).to_have_attribute("aria-pressed", "true")
    page.reload()
    good, bad = thumbs(page.locator('article[data-role="assistant"]').last)
    expect(good).to_have_attribute("aria-pressed", "true")


def test_change_to_thumbs_down_then_remove(page: Page, api: httpx.Client, cid: str) -> None:
    answer = open_chat(page, cid)
    good, bad = thumbs(answer)
    good.click()
    expect(page.get_by_role("dialog", name="What did you like?")).to_be_visible()
    page.keyboard.press("Escape")  # no details: the thumb alone counts
    expect(page.get_by_role("dialog", name="What did you like?")).to_be_hidden()
    expect(good).to_be_focused()
    wait_for(lambda: (f := last_answer_feedback(api, cid)) and f["rating"] == "up")

    # Changing the rating replaces it.
    bad.click()
    popover = page.get_by_role("dialog", name="What went wrong?")
    expect(popover).to_be_visible()
    for chip in ("Incorrect", "Not helpful", "Unsafe or harmful", "Too long", "Other"):
        expect(popover.get_by_role("button", name=chip)).to_be_visible()
    popover.get_by_role("button", name="Incorrect").click()
    comment = popover.get_by_role("textbox", name="Comment (optional)")
    comment.fill("The second point is wrong. " * 62)  # 1,674 characters: the counter shows near the limit
    expect(popover.get_by_text("1674 / 2000")).to_be_visible()
    expect(comment).to_have_attribute("maxlength", "2000")
    screenshot(page, "feedback-popover-down")
    popover.get_by_role("button", name="Submit").click()
    expect(popover).to_be_hidden()
    expect(bad).to_have_attribute("aria-pressed", "true")
    expect(good).to_have_attribute("aria-pressed", "false")
    feedback = wait_for(lambda: (f := last_answer_feedback(api, cid)) and f["rating"] == "down" and f["reason"] and f)
    assert feedback["reason"] == "incorrect"
    assert feedback["comment"] == "The second point is wrong. " * 62

    # Clicking the pressed thumb again removes the feedback.
    bad.click()
    expect(bad).to_have_attribute("aria-pressed", "false")
    expect(good).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(answer.get_by_role("status").filter(has_text="Feedback removed")).to_be_visible()
    wait_for(lambda: last_answer_feedback(api, cid) is None)
    page.reload()
    good, bad = thumbs(page.locator('article[data-role="assistant"]').last)
    expect(good).to_have_attribute("aria-pressed", "false")
    expect(bad).to_have_attribute("aria-pressed", "false")


def test_feedback_in_japanese(page: Page, api: httpx.Client, cid: str) -> None:
    page.goto("/")
    page.evaluate("localStorage.setItem('scalechat.locale', 'ja')")
    page.goto(f"/c/{cid}")
    answer = page.locator('article[data-role="assistant"]').last
    bad = answer.get_by_role("button", name="悪い回答")
    bad.click()
    popover = page.get_by_role("dialog", name="問題点を教えてください")
    expect(popover).to_be_visible()
    popover.get_by_role("button", name="長すぎる").click()
    popover.get_by_role("button", name="送信").click()
    expect(answer.get_by_role("status").filter(has_text="フィードバックをありがとうございます")).to_be_visible()
    feedback = wait_for(lambda: (f := last_answer_feedback(api, cid)) and f["reason"] and f)
    assert (feedback["rating"], feedback["reason"]) == ("down", "too_long")  # the reason's code, not its label

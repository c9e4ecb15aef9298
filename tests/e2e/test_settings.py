"""Chat settings in a real browser: the dialog (model, system prompt, parameters) saves only
what changed to the conversation; validation matches the API's bounds; presets are saved,
applied, renamed and deleted, and start a new chat. Each change is checked through the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.e2e.conftest import ask, create_conversation, new_context, screenshot, wait_for, watch_errors
from tests.support import ServerProcess

DEFAULTS = {"max_tokens": 1024, "temperature": 0.7, "top_p": 0.95, "past_messages": 10}
DEFAULT_PROMPT = "You are a helpful assistant."


@pytest.fixture
def tolerant_page(context: BrowserContext) -> Iterator[Page]:
    """A page whose errors fail the test, except the 409s a test provokes on purpose."""
    tab = context.new_page()
    errors = watch_errors(tab, expected_statuses=(409,))
    yield tab
    assert not errors, "the page reported errors:\n" + "\n".join(errors)


def new_conversation(api: httpx.Client, question: str = "What is a good team name?") -> str:
    cid = create_conversation(api)
    ask(api, cid, question)
    return cid


def conversation(api: httpx.Client, cid: str) -> dict[str, Any]:
    body: dict[str, Any] = api.get(f"/api/conversations/{cid}").json()
    return body


def presets(api: httpx.Client) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in api.get("/api/presets").json()["items"]}


def open_chat(page: Page, cid: str) -> None:
    page.goto(f"/c/{cid}")
    expect(page.locator('article[data-role="assistant"]').last).to_contain_text("Simulated answer")


def open_settings(page: Page, button: str = "Chat settings", title: str = "Chat settings") -> Locator:
    page.get_by_role("button", name=button).click()
    dialog = page.get_by_role("dialog", name=title)
    expect(dialog).to_be_visible()
    return dialog


def number(dialog: Locator, name: str) -> Locator:
    return dialog.get_by_role("spinbutton", name=name)


def test_no_preset_picker_without_presets(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="How can I help you today?")).to_be_visible()
    expect(page.get_by_role("heading", name="Start from a preset")).to_have_count(0)


def test_model_picker_marks_the_simulated_model(page: Page, api: httpx.Client) -> None:
    open_chat(page, new_conversation(api))
    picker = page.get_by_role("combobox", name="Model")
    expect(picker).to_have_value("simulated")
    expect(picker.locator("option:checked")).to_have_text("Simulated model")
    expect(picker).to_have_accessible_description("Simulated")
    expect(page.get_by_text("Simulated", exact=True).first).to_be_visible()

    dialog = open_settings(page)
    model = dialog.get_by_role("combobox", name="Model")
    expect(model).to_contain_text("Simulated model")
    expect(model).to_contain_text("Simulated")
    expect(dialog.get_by_text("answers come from the built-in simulator, not a real AI")).to_be_visible()
    model.click()
    option = page.get_by_role("option", name=re.compile("Simulated model"))
    expect(option).to_contain_text("32,768 tokens of context · default")
    page.keyboard.press("Escape")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()


def test_dialog_saves_only_what_changed(page: Page, api: httpx.Client) -> None:
    cid = new_conversation(api)
    open_chat(page, cid)
    dialog = open_settings(page)
    prompt = dialog.get_by_role("textbox", name="System prompt")
    expect(prompt).to_have_value(DEFAULT_PROMPT)
    expect(number(dialog, "Max response")).to_have_value("1024")
    expect(number(dialog, "Temperature")).to_have_value("0.7")
    expect(number(dialog, "Top P")).to_have_value("0.95")
    expect(number(dialog, "Past messages included")).to_have_value("10")
    for help_text in (
        "A token is about ¾ of an English word",
        "Randomness.",
        "likeliest words",
        "earlier messages are sent",
    ):
        expect(dialog.get_by_text(help_text)).to_be_visible()
    page.wait_for_timeout(300)  # the dialog's entrance animation
    screenshot(page, "settings-dialog-light")

    dialog.get_by_role("button", name="Examples of system prompts").click()
    page.get_by_role("menuitem", name="Code reviewer").click()
    expect(prompt).to_have_value(re.compile("^You are a senior software engineer reviewing code"))
    number(dialog, "Temperature").fill("1.2")
    expect(dialog.get_by_role("slider", name="Temperature")).to_have_value("1.2")
    number(dialog, "Max response").fill("2048")
    # The slider moves the number box too.
    past = dialog.get_by_role("slider", name="Past messages included")
    past.focus()
    for _ in range(6):
        page.keyboard.press("ArrowLeft")
    expect(number(dialog, "Past messages included")).to_have_value("4")

    with page.expect_request(lambda r: r.method == "PATCH" and r.url.endswith(f"/api/conversations/{cid}")) as patch:
        dialog.get_by_role("button", name="Save", exact=True).click()
    expect(dialog).to_be_hidden()
    body = patch.value.post_data_json
    assert isinstance(body, dict)
    assert set(body) == {"system_prompt", "parameters"}, body  # the model did not change, so it is not sent
    saved = wait_for(lambda: (c := conversation(api, cid))["parameters"]["temperature"] == 1.2 and c)
    assert saved["system_prompt"].startswith("You are a senior software engineer reviewing code")
    assert saved["parameters"] == {"max_tokens": 2048, "temperature": 1.2, "top_p": 0.95, "past_messages": 4}
    assert saved["model"] is None

    # Reopened, the dialog shows what was saved.
    dialog = open_settings(page)
    expect(number(dialog, "Temperature")).to_have_value("1.2")
    expect(number(dialog, "Max response")).to_have_value("2048")
    # Saving with nothing changed sends nothing.
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.method) if r.method == "PATCH" else None)
    dialog.get_by_role("button", name="Save", exact=True).click()
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(300)
    assert requests == []


def test_validation_matches_the_api_and_cancel_discards(page: Page, api: httpx.Client) -> None:
    cid = new_conversation(api)
    open_chat(page, cid)
    dialog = open_settings(page)
    number(dialog, "Temperature").fill("2.5")
    expect(dialog.get_by_text("Enter a value from 0 to 2.")).to_be_visible()
    expect(number(dialog, "Temperature")).to_have_attribute("aria-invalid", "true")
    number(dialog, "Max response").fill("0")
    expect(dialog.get_by_text("Enter a value from 1 to 32,768.")).to_be_visible()
    number(dialog, "Max response").fill("32769")
    expect(dialog.get_by_text("Enter a value from 1 to 32,768.")).to_be_visible()
    number(dialog, "Past messages included").fill("3.5")
    expect(dialog.get_by_text("Enter a whole number.")).to_be_visible()
    number(dialog, "Top P").fill("")
    expect(dialog.get_by_text("Enter a value.")).to_be_visible()
    expect(number(dialog, "Top P")).to_have_accessible_description(re.compile("Enter a value\\."))

    save = dialog.get_by_role("button", name="Save", exact=True)
    save.click()
    expect(dialog).to_be_visible()  # not saved: the fields are wrong
    expect(save).to_be_disabled()
    screenshot(page, "settings-dialog-validation")

    for name, value in (
        ("Temperature", "2"),
        ("Max response", "32768"),
        ("Past messages included", "100"),
        ("Top P", "0"),
    ):
        number(dialog, name).fill(value)
    expect(dialog.get_by_role("alert")).to_have_count(0)
    expect(save).to_be_enabled()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(300)
    assert conversation(api, cid)["parameters"] == DEFAULTS  # Cancel kept nothing

    # The bounds themselves are accepted by the API.
    dialog = open_settings(page)
    for name, value in (
        ("Temperature", "2"),
        ("Max response", "32768"),
        ("Past messages included", "100"),
        ("Top P", "0"),
    ):
        number(dialog, name).fill(value)
    dialog.get_by_role("button", name="Save", exact=True).click()
    expect(dialog).to_be_hidden()
    wait_for(
        lambda: (
            conversation(api, cid)["parameters"]
            == {"max_tokens": 32768, "temperature": 2, "top_p": 0, "past_messages": 100}
        )
    )


def test_reset_to_defaults(page: Page, api: httpx.Client) -> None:
    cid = new_conversation(api)
    api.patch(
        f"/api/conversations/{cid}",
        json={
            "system_prompt": "Answer in haiku.",
            "parameters": {"temperature": 1.5, "top_p": 0.5, "max_tokens": 99, "past_messages": 2},
        },
    ).raise_for_status()
    open_chat(page, cid)
    dialog = open_settings(page)
    expect(dialog.get_by_role("textbox", name="System prompt")).to_have_value("Answer in haiku.")
    dialog.get_by_role("button", name="Reset to defaults").click()
    expect(dialog.get_by_role("textbox", name="System prompt")).to_have_value(DEFAULT_PROMPT)
    expect(number(dialog, "Temperature")).to_have_value("0.7")
    expect(number(dialog, "Max response")).to_have_value("1024")
    dialog.get_by_role("button", name="Save", exact=True).click()
    expect(dialog).to_be_hidden()
    saved = wait_for(lambda: (c := conversation(api, cid))["parameters"] == DEFAULTS and c)
    assert saved["system_prompt"] == DEFAULT_PROMPT
    assert saved["model"] is None


def test_presets_save_rename_apply_delete(tolerant_page: Page, api: httpx.Client) -> None:
    page = tolerant_page
    api.post("/api/presets", json={"name": "Support", "system_prompt": "You help customers."}).raise_for_status()
    open_chat(page, new_conversation(api))
    dialog = open_settings(page)
    presets_list = dialog.get_by_role("list", name="Presets")
    expect(presets_list.get_by_role("listitem")).to_have_count(1)

    # Save the form's settings as a preset.
    dialog.get_by_role("textbox", name="System prompt").fill("You are a terse assistant for the sales team.")
    number(dialog, "Temperature").fill("0.3")
    dialog.get_by_role("button", name="Save as preset").click()
    name = dialog.get_by_role("textbox", name="Preset name")
    dialog.get_by_role("button", name="Save preset").click()
    expect(dialog.get_by_text("Enter a name.")).to_be_visible()  # an empty name is refused here already
    name.fill("  Sales  ")
    dialog.get_by_role("button", name="Save preset").click()
    expect(dialog.get_by_text("Saved preset “Sales”.")).to_be_visible()
    expect(presets_list.get_by_role("listitem")).to_have_count(2)
    sales = presets(api)["Sales"]
    assert sales["system_prompt"] == "You are a terse assistant for the sales team."
    assert sales["parameters"] == {**DEFAULTS, "temperature": 0.3}
    assert sales["model"] is None

    # The same name again: the server's 409 shows at the name box.
    dialog.get_by_role("button", name="Save as preset").click()
    dialog.get_by_role("textbox", name="Preset name").fill("Sales")
    dialog.get_by_role("button", name="Save preset").click()
    expect(dialog.get_by_text("You already have a preset named “Sales”.")).to_be_visible()
    expect(dialog.get_by_role("textbox", name="Preset name")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "settings-preset-name-taken")
    dialog.get_by_role("button", name="Cancel").first.click()
    assert sorted(presets(api)) == ["Sales", "Support"]

    # Rename; a taken name is refused the same way.
    dialog.get_by_role("button", name="Rename Sales", exact=True).click()
    rename_box = dialog.get_by_role("textbox", name="Preset name")
    expect(rename_box).to_have_value("Sales")
    rename_box.fill("Support")
    dialog.get_by_role("button", name="Rename", exact=True).click()
    expect(dialog.get_by_text("You already have a preset named “Support”.")).to_be_visible()
    rename_box.fill("Sales team")
    dialog.get_by_role("button", name="Rename", exact=True).click()
    expect(presets_list.get_by_text("Sales team", exact=True)).to_be_visible()
    assert sorted(presets(api)) == ["Sales team", "Support"]

    # Apply fills the form (Save would keep it).
    number(dialog, "Temperature").fill("1.9")
    dialog.get_by_role("button", name="Apply Support", exact=True).click()
    expect(dialog.get_by_role("textbox", name="System prompt")).to_have_value("You help customers.")
    expect(number(dialog, "Temperature")).to_have_value("0.7")
    dialog.get_by_role("button", name="Apply Sales team", exact=True).click()
    expect(dialog.get_by_role("textbox", name="System prompt")).to_have_value(
        "You are a terse assistant for the sales team."
    )
    expect(number(dialog, "Temperature")).to_have_value("0.3")
    expect(dialog.get_by_text("Applied “Sales team”. Save to use it in this chat.")).to_be_visible()

    # Delete asks first.
    dialog.get_by_role("button", name="Delete Support", exact=True).click()
    expect(dialog.get_by_text("Delete “Support”?")).to_be_visible()
    dialog.get_by_role("button", name="Delete Support", exact=True).click()
    expect(dialog.get_by_text("Deleted preset “Support”.")).to_be_visible()
    expect(presets_list.get_by_role("listitem")).to_have_count(1)
    assert sorted(presets(api)) == ["Sales team"]
    dialog.get_by_role("button", name="Cancel").last.click()
    expect(dialog).to_be_hidden()


def test_preset_starts_a_new_chat(page: Page, api: httpx.Client) -> None:
    prompt = "Translate everything the user writes into Japanese."
    api.post(
        "/api/presets",
        json={"name": "Translator", "system_prompt": prompt, "parameters": {"temperature": 0.2, "max_tokens": 512}},
    ).raise_for_status()
    page.goto("/")
    expect(page.get_by_role("heading", name="Start from a preset")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Translator")).click()

    # The new chat's settings are the preset's.
    dialog = open_settings(page)
    expect(dialog.get_by_role("textbox", name="System prompt")).to_have_value(prompt)
    expect(number(dialog, "Temperature")).to_have_value("0.2")
    expect(number(dialog, "Max response")).to_have_value("512")
    dialog.get_by_role("button", name="Cancel").last.click()
    expect(dialog).to_be_hidden()

    page.get_by_role("textbox", name="Message").fill("Good morning")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page).to_have_url(re.compile(r"/c/[A-Za-z0-9_-]+$"))
    cid = page.url.rsplit("/", 1)[1]
    saved = conversation(api, cid)
    assert saved["system_prompt"] == prompt
    assert saved["parameters"] == {**DEFAULTS, "temperature": 0.2, "max_tokens": 512}


@pytest.mark.parametrize(
    ("options", "button", "title", "name"),
    [
        ({"color_scheme": "dark"}, "Chat settings", "Chat settings", "settings-dialog-dark"),
        ({"locale": "ja-JP"}, "チャットの設定", "チャットの設定", "settings-dialog-ja"),
    ],
)
def test_dialog_in_dark_and_in_japanese(
    browser: Browser,
    app_server: ServerProcess,
    api: httpx.Client,
    options: dict[str, str],
    button: str,
    title: str,
    name: str,
) -> None:
    cid = new_conversation(api)
    context = new_context(browser, app_server, **options)
    try:
        page = context.new_page()
        open_chat(page, cid)
        dialog = open_settings(page, button, title)
        if "locale" in options:
            for label in ("システム プロンプト", "最大応答", "温度", "上位 P", "含める過去のメッセージ", "プリセット"):
                expect(dialog.get_by_text(label, exact=True).first).to_be_visible()
            expect(dialog.get_by_role("button", name="保存", exact=True)).to_be_visible()
            number(dialog, "温度").fill("3")
            expect(dialog.get_by_text("0 から 2 までの値を入力してください。")).to_be_visible()
            number(dialog, "温度").fill("0.7")
        else:
            expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        page.wait_for_timeout(300)
        screenshot(page, name)
    finally:
        context.close()

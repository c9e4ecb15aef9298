"""Redaction before a record leaves the process: full, redacted, metadata; built-in and custom patterns."""

from __future__ import annotations

import orjson
import pytest

from scalechat.promptlog.record import build_document
from scalechat.promptlog.redaction import Redactor, luhn_valid, parse_patterns
from scalechat.settings import SettingsError, load_settings
from tests.promptlog.entries import make_entry

redacted = Redactor("redacted").redact_text


@pytest.mark.parametrize(
    "address", ["jane.doe@contoso.com", "j+tag@mail.example.co.jp", "A_B-c@sub-domain.example.org"]
)
def test_email_addresses_are_masked(address: str) -> None:
    assert redacted(f"write to {address}, please") == "write to [email], please"


@pytest.mark.parametrize(
    "number",
    [
        "+1 555 123 4567",
        "+44 20 7946 0958",
        "+81-3-1234-5678",
        "+49 (0)30 123456",
        "+33612345678",
        "(555) 123-4567",
        "555-123-4567",
        "555.123.4567",
        "020 7946 0958",
        "03-1234-5678",
        "0612345678",
    ],
)
def test_phone_numbers_in_international_and_local_forms_are_masked(number: str) -> None:
    assert redacted(f"call {number} today") == "call [phone] today"


@pytest.mark.parametrize(
    "card",
    ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "5500 0000 0000 0004", "378282246310005"],
)
def test_card_numbers_with_and_without_separators_are_masked(card: str) -> None:
    assert redacted(f"my card is {card}.") == "my card is [card]."


@pytest.mark.parametrize(
    "text",
    [
        "order 4111111111111112 shipped",  # 16 digits, Luhn fails: an order number
        "order 4111 1111 1111 1112 shipped",
        "invoice 1234567890123 is due",
        "on 2026-11-26 at 12:30",
        "server 192.168.100.200 answered",
        "version 1.2.3 costs 1,234.56 in 2024, room 123",
    ],
)
def test_numbers_that_are_not_cards_or_phones_are_kept(text: str) -> None:
    assert redacted(text) == text


def test_luhn() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


def test_custom_patterns_separated_by_newlines_or_double_semicolons() -> None:
    patterns = parse_patterns(r"EMP-\d{6};;project (?:apollo|gemini)" + "\n" + r"\bACME-[A-Z]+\b")
    redactor = Redactor("redacted", patterns)
    text = "EMP-123456 on project apollo with ACME-SECRET, mail x@y.io"
    assert redactor.redact_text(text) == "[redacted] on [redacted] with [redacted], mail [email]"


def test_an_invalid_custom_pattern_stops_start_up_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTLOG_REDACT_PATTERNS", r"ok-\d+;;[unclosed")
    with pytest.raises(SettingsError) as error:
        load_settings()
    message = str(error.value)
    assert "PROMPTLOG_REDACT_PATTERNS" in message and "[unclosed" in message and "\n" not in message
    with pytest.raises(ValueError, match="not a valid regular expression"):
        parse_patterns("(")


SECRET_QUESTION = "I am jane@contoso.com, phone +1 555 123 4567, card 4111 1111 1111 1111"
SECRET_ANSWER = "Noted, jane@contoso.com."


def test_redacted_mode_masks_prompt_and_answer() -> None:
    entry = Redactor("redacted").apply(make_entry(question=SECRET_QUESTION, answer=SECRET_ANSWER))
    document = build_document(entry, "redacted")
    assert document["message"]["prompt"][1]["content"] == "I am [email], phone [phone], card [card]"
    completion = document["message"]["other_attr"][0]["completion"]
    assert completion["choices"][0]["message"]["content"] == "Noted, [email]."
    for secret in ("jane@contoso.com", "555 123 4567", "4111"):
        assert secret not in orjson.dumps(document).decode()


def test_metadata_mode_keeps_no_text_at_all() -> None:
    entry = Redactor("metadata").apply(make_entry(question=SECRET_QUESTION, answer=SECRET_ANSWER, system="Be terse"))
    document = build_document(entry, "metadata")
    assert [turn["content"] for turn in document["message"]["prompt"]] == ["", ""]
    assert [turn["role"] for turn in document["message"]["prompt"]] == ["system", "user"]
    assert document["message"]["other_attr"][0]["completion"]["choices"][0]["message"]["content"] == ""
    dumped = orjson.dumps(document).decode()
    for text in ("jane", "Noted", "Be terse", "card"):
        assert text not in dumped
    assert document["content_mode"] == "metadata" and document["message"]["other_attr"][0]["usage"] is not None


def test_full_mode_keeps_the_text() -> None:
    entry = make_entry(question=SECRET_QUESTION, answer=SECRET_ANSWER)
    assert Redactor("full").apply(entry) == entry

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
    "address",
    [
        "jane.doe@contoso.com",
        "j+tag@mail.example.co.jp",
        "A_B-c@sub-domain.example.org",
        "ALICE@CONTOSO.COM",
        "josé.garcía@exemple.fr",  # a name in the local part must not leak before the mask
        "user@bücher.de",
        "user@xn--bcher-kva.de",
        "用户@例子.中国",
    ],
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
        "1-555-123-4567",
        "5551234567",  # US, ten digits without separators
        "020 7946 0958",
        "07700 900123",  # UK mobile
        "0044 20 7946 0958",  # international with 00 instead of +
        "03-1234-5678",
        "090-1234-5678",
        "０９０-１２３４-５６７８",  # fullwidth digits
        "0612345678",
        "06 12 34 56 78",  # FR
        "06.12.34.56.78",
        "06\u00a012\u00a034\u00a056\u00a078",  # FR typography: no-break spaces
        "030 12345678",  # DE landline
        "0151 23456789",  # DE mobile
        "0151/23456789",
        "06-12345678",  # NL
        "98765 43210",  # IN
        "(11) 91234-5678",  # BR
        "0412 345 678",  # AU
        "138 0013 8000",  # CN
        "612 345 678",  # ES
    ],
)
def test_phone_numbers_in_international_and_local_forms_are_masked(number: str) -> None:
    assert redacted(f"call {number} today") == "call [phone] today"


@pytest.mark.parametrize(
    "card",
    [
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "5500 0000 0000 0004",
        "378282246310005",
        "3782 822463 10005",
        "4111.1111.1111.1111",
        "4111  1111  1111  1111",
        "4111\u00a01111\u00a01111\u00a01111",
        "４１１１ １１１１ １１１１ １１１１",
        "6011 0009 9013 9424",
    ],
)
def test_card_numbers_with_and_without_separators_are_masked(card: str) -> None:
    assert redacted(f"my card is {card}.") == "my card is [card]."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The digits after the number join its run of digits; the number alone passes Luhn.
        ("card 4111 1111 1111 1111 123 exp 12/27", "card [card] 123 exp 12/27"),
        ("4111 1111 1111 1111 12/27", "[card] 12/27"),
        ("4111111111111111 123", "[card] 123"),
        ("4111-1111-1111-1111-1", "[card]-1"),
        ("ref 2026-11-26 4111 1111 1111 1111", "ref 2026-11-26 [card]"),
        ('{"pan":"4111111111111111"}', '{"pan":"[card]"}'),
        ("cards 4111 1111 1111 1111 and 5500 0000 0000 0004", "cards [card] and [card]"),
    ],
)
def test_a_card_number_is_found_inside_a_longer_run_of_digits(text: str, expected: str) -> None:
    assert redacted(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "order 4111111111111112 shipped",  # 16 digits, Luhn fails: an order number
        "order 4111 1111 1111 1112 shipped",
        "order 4111 1111 1111 1112 123 shipped",  # no window of whole groups passes Luhn
        "invoice 1234567890123 is due",
        "order 123456 shipped",
        "on 2026-11-26 at 12:30",
        "at 12:30:45 on 26.11.2026 and 26/11/2026",
        "server 192.168.100.200 answered",
        "hosts 192.168.1.10 192.168.1.11 10.0.0.254",
        "version 1.2.3 costs 1,234.56 in 2024, room 123",
        "versions 10.15.7 and v2.10.100, build 20261126",
        "total 1,234,567.89 EUR",
        "total 1.234.567,89 EUR and 123.456.789,00 EUR and 1 234 567,89 EUR",
        "12 345 678 EUR",
        "the years 2019, 2020, 2021 and 1999",
        "ticket 1764115200",  # a Unix timestamp: ten digits starting with 1
        "id 12345678901234567890123456789",  # longer than any card: no window inside it
        "pi 3.14159265358979 and coords 48.858370, 2.294481",
        "ranges 100-200 300-400 500-600",
        "uuid 123e4567-e89b-12d3-a456-426614174000",
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

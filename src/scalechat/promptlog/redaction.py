"""What of the prompts and answers a record keeps: all, redacted, or none (`PROMPTLOG_CONTENT`).

Redaction runs inside this process, before a record reaches a sink or the outbox on disk,
so no copy anywhere holds the masked text. It masks e-mail addresses, payment card numbers
(only those passing the Luhn check, so order and invoice numbers survive), phone numbers in
international (+...) and usual local forms, and the operator's own patterns.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Literal

from scalechat.promptlog.record import LoggedTurn, PromptLogEntry

ContentMode = Literal["full", "redacted", "metadata"]

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# 13 to 19 digits, optionally grouped by single spaces or dashes; the Luhn check decides.
CARD_CANDIDATE = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d]|[ -]\d)")

# Not preceded or followed by more of a number: a phone pattern must not match inside a
# longer digit run (an order number) or an IP address.
_START = r"(?<![\w.+-])(?<!\d[ .-])"
_END = r"(?![\w])(?![ .-]?\d)"
PHONE = re.compile(
    _START + r"(?:"
    # International: +, country code, then 6 to 14 more digits with the usual separators.
    r"\+\d(?:[ .-]?\(?\d\)?){6,14}"
    # Local with separators: (555) 123-4567, 555-123-4567, 020 7946 0958, 03-1234-5678.
    r"|\(?\d{2,5}\)?[ .-]?\d{3,4}[ .-]\d{3,4}"
    # A national number written as one run starting with the trunk 0: 0612345678.
    r"|0\d{9,10}"
    r")" + _END
)

# Every card or phone number above holds 7+ digits in a run of digits and separators.
NUMBER_RUN = re.compile(r"\d[\d ().-]{5,}\d")

MASK_EMAIL = "[email]"
MASK_PHONE = "[phone]"
MASK_CARD = "[card]"
MASK_CUSTOM = "[redacted]"


def parse_patterns(text: str) -> list[re.Pattern[str]]:
    """Operator patterns, one per line or separated by ';;'. Raises ValueError naming a bad one."""
    patterns = []
    for raw in re.split(r"\n|;;", text):
        source = raw.strip()
        if not source:
            continue
        try:
            patterns.append(re.compile(source))
        except re.error as error:
            raise ValueError(
                f"PROMPTLOG_REDACT_PATTERNS: {source!r} is not a valid regular expression ({error})"
            ) from None
    return patterns


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return MASK_CARD if luhn_valid(digits) else match.group()


def _nothing(_: str) -> str:
    return ""


class Redactor:
    """Applies one content mode to a record's text."""

    def __init__(self, mode: ContentMode, extra_patterns: list[re.Pattern[str]] | None = None) -> None:
        self.mode = mode
        self._extra = extra_patterns or []

    def redact_text(self, text: str) -> str:
        # Custom patterns first: an operator's pattern may span what the built-ins would cut apart.
        for pattern in self._extra:
            text = pattern.sub(MASK_CUSTOM, text)
        # The cheap checks skip patterns that cannot match: the full ones try every position
        # (they start with lookbehinds), about 50 µs per KB each.
        if "@" in text:
            text = EMAIL.sub(MASK_EMAIL, text)
        if NUMBER_RUN.search(text):
            # Cards before phones: a grouped card number also looks like a phone number.
            text = CARD_CANDIDATE.sub(_mask_card, text)
            text = PHONE.sub(MASK_PHONE, text)
        return text

    def apply(self, entry: PromptLogEntry) -> PromptLogEntry:
        if self.mode == "full":
            return entry
        clean = _nothing if self.mode == "metadata" else self.redact_text
        context = dataclasses.replace(
            entry.context, prompt=tuple(LoggedTurn(turn.role, clean(turn.content)) for turn in entry.context.prompt)
        )
        return dataclasses.replace(entry, context=context, answer=clean(entry.answer))

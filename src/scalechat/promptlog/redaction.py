"""What of the prompts and answers a record keeps: all, redacted, or none (`PROMPTLOG_CONTENT`).

Redaction runs inside this process, before a record reaches a sink or the outbox on disk,
so no copy anywhere holds the masked text. It masks e-mail addresses (in any script), payment
card numbers (only those passing the Luhn check, so order and invoice numbers survive; also when
an expiry date or CVV follows), phone numbers in international (+..., 00...) and the usual
national forms of North America, Europe and Asia, and the operator's own patterns. Dates, times,
amounts, IP addresses and version numbers are left alone.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from typing import Literal

from scalechat.promptlog.record import LoggedTurn, PromptLogEntry

ContentMode = Literal["full", "redacted", "metadata"]

# Letters of any script on both sides of the @: "josé.garcía@exemple.fr" and "user@bücher.de".
# The lookbehind makes every match start where the local part starts, so a long word with
# no @ after it is read once, not once per letter.
EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.(?:[^\W\d_]{2,}|xn--[\w-]+)")

# Where a card or phone number can be: 7+ digits joined by separators (spaces, no-break spaces,
# dots, dashes, slashes, parentheses) and maybe a leading + or (. It starts with a character
# class so the engine can skip to the next digit in C; the number patterns below then run on
# these few stretches only, instead of trying every position of the text.
_RUN_SEPARATORS = " \u00a0\u2007\u2009\u202f./()-"
NUMBER_RUN = re.compile(rf"[+(\d](?:[{_RUN_SEPARATORS}]{{0,3}}\d){{6,}}\)?")

CARD_MIN_DIGITS, CARD_MAX_DIGITS = 13, 19
# Card numbers are printed in groups of 4 (or 4-6-5, 4-6-4, 4-4-4-4-3): a window of shorter
# groups is a date, an IP address or a version, not a card. A shorter group between two
# longer ones lands in the separator text, which then joins no window.
_CARD_GROUP = re.compile(r"\d{3,}")

# Phone separators (French typography writes no-break spaces between the pairs).
_S = r"[ \u00a0\u202f.-]"
# Not preceded or followed by more of a number: a phone pattern must not match inside a
# longer digit run (an order number), an IP address or an amount ("123 456 789,00").
_START = r"(?<![\w.+-])(?<!\d[ \u00a0\u202f./-])(?<!\d,)"
_END = r"(?!\w)(?![ \u00a0\u202f./-]?\d)(?!,\d)"
PHONE = re.compile(
    _START + r"(?:"
    # International: +, country code, then 6 to 14 more digits with the usual separators.
    rf"\+\d(?:{_S}?\(?\d\)?){{6,14}}"
    # International dialled with 00 (0044 20 7946 0958): a separator after the country code
    # tells it from a zero-padded identifier.
    rf"|00[1-9]\d{{0,2}}{_S}\(?\d\)?(?:{_S}?\(?\d\)?){{5,13}}"
    # Three groups, 9+ digits: (555) 123-4567, 555.123.4567, 020 7946 0958, 03-1234-5678,
    # 0412 345 678, 612 345 678; with a country 1 in front: 1-555-123-4567.
    rf"|(?:1{_S})?\(?\d{{2,5}}\)?{_S}?\d{{3,4}}{_S}\d{{4}}"
    rf"|\(?\d{{3,5}}\)?{_S}?\d{{3,4}}{_S}\d{{3}}"
    # An area code in parentheses before a 4- or 5-digit block: (11) 91234-5678.
    rf"|\(\d{{2,5}}\){_S}?\d{{4,5}}{_S}?\d{{4}}"
    # Trunk 0, area or mobile prefix, then the subscriber number: 07700 900123, 030 12345678,
    # 0151 23456789, 0151/23456789, 06-12345678.
    rf"|0\d{{1,4}}[ \u00a0\u202f./-]\d{{6,8}}"
    # French pairs with one separator throughout: 06 12 34 56 78, 06.12.34.56.78.
    rf"|0\d(?P<pair>{_S})\d\d(?:(?P=pair)\d\d){{3}}"
    # Indian mobiles in two blocks of five: 98765 43210.
    r"|[6-9]\d{4}[ \u00a0-]\d{5}"
    # Ten digits as one run, as North American (5551234567) and Indian mobile numbers are
    # written; not starting with 1, so Unix timestamps (1764115200) survive.
    r"|[2-9]\d{9}"
    # A national number written as one run starting with the trunk 0: 0612345678.
    r"|0\d{9,10}"
    r")" + _END
)

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


# A digit in an even place from the right, doubled, minus 9 when above 9.
_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_valid(digits: str) -> bool:
    values = list(map(int, digits))  # int() reads any script's digits, as the patterns' \d does
    return (sum(values[-1::-2]) + sum(_LUHN_DOUBLED[value] for value in values[-2::-2])) % 10 == 0


def _card_separator_kind(separator: str) -> str | None:
    """One or two spaces of any width count as the same separator; a dash or a dot as itself."""
    if separator in ("-", "."):
        return separator
    if len(separator) <= 2 and separator.isspace():
        return " "
    return None


def _card_spans(run: str) -> list[tuple[int, int]]:
    """Where in a run of digits a card number is: every window of whole groups holding 13 to 19
    digits, one kind of separator throughout, that passes the Luhn check. Windows, not the whole
    run, so that an expiry date or CVV written after the number does not hide it."""
    groups = [(match.start(), match.end()) for match in _CARD_GROUP.finditer(run)]
    if sum(end - start for start, end in groups) < CARD_MIN_DIGITS:
        return []
    kinds = [_card_separator_kind(run[end:start]) for (_, end), (start, _) in itertools.pairwise(groups)]
    spans: list[tuple[int, int]] = []
    for first, (window_start, _) in enumerate(groups):
        digits = ""
        for last in range(first, len(groups)):
            group_start, group_end = groups[last]
            if last > first and (kinds[last - 1] is None or kinds[last - 1] != kinds[first]):
                break
            digits += run[group_start:group_end]
            if len(digits) > CARD_MAX_DIGITS:
                break
            if len(digits) >= CARD_MIN_DIGITS and luhn_valid(digits):
                spans.append((window_start, group_end))
    return spans


def _number_spans(text: str, run: re.Match[str]) -> list[tuple[int, int, str]]:
    """Cards, then phone numbers that do not overlap a card, in one run (positions in `text`)."""
    offset = run.start()
    found = [(offset + start, offset + end, MASK_CARD) for start, end in _card_spans(run.group())]
    # Two characters past the run, so the pattern's look-ahead still sees what follows it
    # (a letter glued to it, the decimals of an amount: ",00").
    for phone in PHONE.finditer(text, run.start(), run.end() + 2):
        if not any(start < phone.end() and phone.start() < end for start, end, _ in found):
            found.append((phone.start(), phone.end(), MASK_PHONE))
    return found


def _mask_spans(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Replaces each span by its mask; overlapping spans (two card windows) become one mask."""
    pieces = []
    position = 0
    for start, end, mask in sorted(spans):
        if start < position:  # overlaps the span just masked
            if end > position:
                position = end
            continue
        pieces.append(text[position:start])
        pieces.append(mask)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


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
        # The e-mail pattern tries every position (it starts with a lookbehind): skip it when it
        # cannot match. Cards before phones: a grouped card number also looks like a phone number.
        if "@" in text:
            text = EMAIL.sub(MASK_EMAIL, text)
        spans = [span for run in NUMBER_RUN.finditer(text) for span in _number_spans(text, run)]
        return _mask_spans(text, spans) if spans else text

    def apply(self, entry: PromptLogEntry) -> PromptLogEntry:
        if self.mode == "full":
            return entry
        clean = _nothing if self.mode == "metadata" else self.redact_text
        context = dataclasses.replace(
            entry.context, prompt=tuple(LoggedTurn(turn.role, clean(turn.content)) for turn in entry.context.prompt)
        )
        return dataclasses.replace(entry, context=context, answer=clean(entry.answer))

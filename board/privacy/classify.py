"""Which digit strings are an ID number, a mobile or a bank card, and which digits to star.

It exists apart from finding the candidates (board/privacy/numbers.py) because these are the
rules of each kind — GB 11643 check digits, ID area and birth-date shapes, Luhn, how cards and
IDs are grouped when typed — and they read only one candidate, never the surrounding text.
Checksums are evidence of confidence, not a gate: see board/privacy/numbers.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_MOBILE_RE = re.compile(r"(?:0086|86)?(1[3-9][0-9]{9})")


def id_checksum_ok(number: str) -> bool:
    """GB 11643: the 18th character is the ISO 7064 MOD 11-2 check of the first 17 digits."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _date_ok(month: str, day: str) -> bool:
    return 1 <= int(month) <= 12 and 1 <= int(day) <= 31


def id_shape_ok(number: str) -> bool:
    """An area code (first digit 1–8) and a real birth date: 18 digits with YYYYMMDD (19xx or
    20xx), or the old 15 digits with YYMMDD."""
    if number[0] not in "12345678" or not number[:-1].isdigit():
        return False
    if len(number) == 18:
        return number[6:8] in ("19", "20") and _date_ok(number[10:12], number[12:14])
    return len(number) == 15 and number.isdigit() and _date_ok(number[8:10], number[10:12])


@dataclass(frozen=True)
class Candidate:
    """Whole digit groups i..j of one run, as the classifier sees them."""

    digits: str
    sizes: tuple[int, ...]
    whole_run: bool             # nothing else joined to it: not part of a longer number
    letter_before: bool         # glued to a letter or digit on the left (JQ2026…, ID123…)
    id_keyword: bool            # 身份证/证件… just before it


def _grouped(sizes: tuple[int, ...], minimum: int) -> bool:
    """Every group but the last has at least `minimum` digits (6-8-4, 4-4-4-4-3, 3-4-4 …)."""
    return all(size >= minimum for size in sizes[:-1])


def _fours(sizes: tuple[int, ...]) -> bool:
    """The way cards are printed and typed: groups of four, the last one 1–4 long."""
    return len(sizes) >= 4 and all(s == 4 for s in sizes[:-1]) and 1 <= sizes[-1] <= 4


def _as_id(c: Candidate) -> bool:
    if c.letter_before or len(c.digits) not in (15, 18) or not _grouped(c.sizes, 3):
        return False
    if len(c.digits) == 18 and c.digits[0] != "0" and id_checksum_ok(c.digits):
        return True
    obvious = len(c.sizes) > 1 or c.id_keyword or c.digits[-1] in "Xx" or len(c.digits) == 15
    return c.whole_run and obvious and id_shape_ok(c.digits)


def _as_card(c: Candidate) -> bool:
    if c.letter_before or not 16 <= len(c.digits) <= 19 or not c.digits.isdigit():
        return False
    if len(c.sizes) > 1 and not _fours(c.sizes):
        return False
    return luhn_ok(c.digits) or (c.whole_run and _fours(c.sizes) and c.digits[0] != "0")


def classify(c: Candidate) -> tuple[str, int, int] | None:
    """(kind, start, stop): the digits to star, or None. Keeps the first 3 and last 4 of an ID
    or mobile (3 of an old 15-digit ID, whose last 4 include the birth day; the +86 prefix is
    not personal), the first and last 4 of a card."""
    n = len(c.digits)
    if _as_id(c):
        return "id", 3, n - (4 if n == 18 else 3)
    mobile = _MOBILE_RE.fullmatch(c.digits)
    if mobile:
        return "mobile", mobile.start(1) + 3, n - 4
    if _as_card(c):
        return "card", 4, n - 4
    return None

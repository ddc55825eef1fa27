"""Numbers from outside (URL segments, query strings, form fields, JSON and Socket.IO payloads),
read one strict way.

Why not int(): it takes any Unicode decimal digits (「١٢」, 「𝟙」), spaces, underscores and signs,
so one record gets many URLs; str.isdigit() says yes to superscripts (「²」) that int() then
refuses with a ValueError; an integer beyond the database's keys makes the driver raise (SQLite:
OverflowError beyond 64 bits, PostgreSQL: out of range beyond 32) where a miss was meant; and
JSON brings floats, Infinity and NaN, and booleans that are ints in Python. Here only ASCII
digits (or a JSON integer, or a finite float with no fraction) inside the asked range count;
anything else is None, which callers answer with 404 or a field message. No board imports.
"""
from __future__ import annotations

import math
import re

ID_MAX = 2**31 - 1  # every primary key is a 32-bit INTEGER on PostgreSQL
_INTEGER = re.compile(r"-?[0-9]{1,18}")  # [0-9], not \d: ASCII only; 18 digits fit in 64 bits


def parse_int(raw: object, low: int, high: int) -> int | None:
    """`raw` as an integer in [low, high], or None when it is anything else."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str) and _INTEGER.fullmatch(raw):
        value = int(raw)
    else:
        return None
    return value if low <= value <= high else None


def parse_id(raw: object) -> int | None:
    """A record id (1 to 2**31 - 1) from a string of ASCII digits or a JSON integer; else None."""
    return parse_int(raw, 1, ID_MAX)


def usable_text(value: object) -> bool:
    """A str the databases can store and compare: no NUL (PostgreSQL refuses it in text) and no
    half of a surrogate pair (JSON can carry one; UTF-8 cannot encode it)."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_ids(raw: object, limit: int = 500) -> list[int]:
    """The valid ids of a JSON list (at most `limit` of them); anything else is skipped."""
    if not isinstance(raw, list):
        return []
    ids = (parse_id(item) for item in raw[:limit])
    return [value for value in ids if value is not None]

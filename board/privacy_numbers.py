"""Numbers that identify a person (ID numbers, mobiles, bank cards) as residents really type them.

Residents group digits with spaces, NBSP, ideographic spaces, dashes of every kind, dots, middle
dots or Markdown marks, type full-width digits on a Chinese keyboard, prefix mobiles with
+86/0086 and paste zero-width characters along. So detection runs on a normalized copy of the
text (`normalize`: NFKC per character, invisible format characters dropped) that keeps an index
map back to the original: a mask stars exactly the original characters that carry the digits and
leaves everything around them (separators, Markdown, HTML tags, the rest of the sentence) intact.

A candidate is a run of whole digit groups joined by short separator gaps. Checksums (GB 11643
for IDs, Luhn for cards) are evidence of confidence, not a gate: an 18-digit ID typed in groups
with a plausible area and birth date is masked even with a wrong check digit, and so is a card
typed in groups of four; a bare digit string needs its checksum (order numbers look like that).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Between two digit groups: up to this many separator tokens (a character, a tag, an entity).
_MAX_GAP_TOKENS = 6
# Separators beyond Unicode's dash (Pd) and space (Zs) categories: dots, middle dots, Markdown
# marks, brackets (+86 (138) …), minus signs and the dash-like marks Chinese IMEs produce.
_EXTRA_SEPARATORS = frozenset("\t.·•‧∙⋅・。*_`~()[]【】−ー─━")
# Inline markup of rendered Markdown (bold, code …) and the entities the sanitizer writes.
_TAG_RE = re.compile(r"</?(?:strong|em|b|i|u|s|del|code|span|mark)>", re.I)
_ENTITY_RE = re.compile(r"&(?:nbsp|ensp|emsp|thinsp|middot|ndash|mdash|minus|hyphen"
                        r"|#160|#xa0|#8203|#x200b);", re.I)
_GROUP_RE = re.compile(r"[0-9]+(?:[Xx](?![0-9A-Za-z]))?")
_ALNUM_BEFORE_RE = re.compile(r"[0-9A-Za-z]")
_MOBILE_RE = re.compile(r"(?:0086|86)?(1[3-9][0-9]{9})")
_ID_KEYWORD_RE = re.compile(r"身份证|身份号|证件|公民号|(?<![a-z])id(?![a-z])", re.I)
_KEYWORD_WINDOW = 12
_MAX_DIGITS = 19
# A mobile (11, or 13/15 with 86/0086), an old or new ID (15, 18), a card (16–19).
_LENGTHS = frozenset({11, 13, 15, 16, 17, 18, 19})


@lru_cache(maxsize=4096)
def _normal_char(ch: str) -> str:
    """One character as detection reads it: full-width digits and punctuation become ASCII
    (NFKC), invisible format characters (zero-width space, BOM, soft hyphen …) vanish. Circled
    or superscript digits and fractions stay as they are: they are list marks, not data."""
    if unicodedata.category(ch) == "Cf":
        return ""
    decimal = unicodedata.decimal(ch, None)
    if decimal is not None:
        return str(decimal)
    out = unicodedata.normalize("NFKC", ch)
    return ch if any(c.isdigit() for c in out) else out


def normalize(text: str) -> tuple[str, list[int]]:
    """(normalized text, where[i] = index in `text` of the character normalized char i came
    from). Characters that vanish have no entry; one that expands has several."""
    if text.isascii():
        return text, list(range(len(text)))
    parts: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        out = ch if ch.isascii() else _normal_char(ch)
        parts.append(out)
        where.extend([i] * len(out))
    return "".join(parts), where


def is_separator(ch: str) -> bool:
    """A character residents put between digit groups (after normalization)."""
    return ch in _EXTRA_SEPARATORS or unicodedata.category(ch) in ("Pd", "Zs")


def _joins(gap: str) -> bool:
    """Whether the text between two digit groups is a separator, not a sentence break."""
    tokens, pos = 0, 0
    while pos < len(gap):
        tokens += 1
        if tokens > _MAX_GAP_TOKENS:
            return False
        markup = _TAG_RE.match(gap, pos) or _ENTITY_RE.match(gap, pos)
        if markup:
            pos = markup.end()
        elif is_separator(gap[pos]):
            pos += 1
        else:
            return False
    return tokens > 0


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


class _Run:
    """Digit groups chained by separator gaps, with what every candidate in it needs
    precomputed once (a run can be thousands of groups long: "1 1 1 1 …")."""

    def __init__(self, norm: str, groups: list[re.Match]):
        self.norm, self.groups = norm, groups
        self.sizes = [g.end() - g.start() for g in groups]
        self.digits = "".join(g.group() for g in groups)
        self.offsets = [0]
        for size in self.sizes:
            self.offsets.append(self.offsets[-1] + size)

    def _context(self, i: int) -> tuple[bool, bool]:
        """(letter_before, id_keyword) of candidates starting at group i."""
        start = self.groups[i].start()
        before = self.norm[start - 1] if start else ""
        window = self.norm[max(0, start - _KEYWORD_WINDOW):start]
        return (i == 0 and bool(_ALNUM_BEFORE_RE.fullmatch(before)),
                bool(_ID_KEYWORD_RE.search(window)))

    def positions(self, i: int, j: int) -> list[int]:
        """The normalized index of every digit (and a final X) of groups i..j."""
        return [k for g in self.groups[i:j + 1] for k in range(g.start(), g.end())]

    def longest_at(self, i: int) -> tuple[int, str, list[int]] | None:
        """The longest personal number starting at group i: (last group, kind, positions)."""
        ends = []  # (j, digits in groups i..j) while a number could still fit
        for j in range(i, len(self.groups)):
            digits = self.offsets[j + 1] - self.offsets[i]
            if digits > _MAX_DIGITS:
                break
            if digits in _LENGTHS:
                ends.append(j)
        letter_before, id_keyword = self._context(i) if ends else (False, False)
        for j in reversed(ends):  # at most 19 groups: linear in the run's length
            found = classify(Candidate(
                digits=self.digits[self.offsets[i]:self.offsets[j + 1]],
                sizes=tuple(self.sizes[i:j + 1]), whole_run=i == 0 and j == len(self.groups) - 1,
                letter_before=letter_before, id_keyword=id_keyword))
            if found:
                kind, start, stop = found
                return j, kind, self.positions(i, j)[start:stop]
        return None


def _runs(norm: str) -> list[_Run]:
    """Digit groups, chained when only a separator gap lies between them."""
    chains: list[list[re.Match]] = []
    for group in _GROUP_RE.finditer(norm):
        last = chains[-1][-1] if chains else None
        if (last is not None and last.group()[-1].isdigit()
                and _joins(norm[last.end():group.start()])):
            chains[-1].append(group)
        else:
            chains.append([group])
    return [_Run(norm, groups) for groups in chains]


def find_numbers(norm: str) -> list[tuple[int, int, str, list[int]]]:
    """Every personal number in normalized text: (start, end, kind, positions to star)."""
    spans = []
    for run in _runs(norm):
        i = 0
        while i < len(run.groups):
            found = run.longest_at(i)
            if found is None:
                i += 1
                continue
            j, kind, hide = found
            spans.append((run.groups[i].start(), run.groups[j].end(), kind, hide))
            i = j + 1
    return spans

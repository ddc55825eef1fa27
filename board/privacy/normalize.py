"""The text personal-number detection reads: a normalized copy with a map back to the original.

It exists apart from the detectors (board/privacy/numbers.py, board/privacy/classify.py) because
it answers a different question — what a character *is* once residents' keyboards are accounted
for (full-width digits, invisible format characters) and which characters may sit between two
digit groups — while they decide what a digit string *means*. The index map is what lets a mask
star exactly the original characters that carry the digits.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Between two digit groups: up to this many separator tokens (a character, a tag, an entity).
_MAX_GAP_TOKENS = 6
# Separators beyond Unicode's dash (Pd) and space (Zs) categories: dots, middle dots, Markdown
# marks, brackets (+86 (138) …), minus signs and the dash-like marks Chinese IMEs produce.
_EXTRA_SEPARATORS = frozenset("\t.·•‧∙⋅・。*_`~()[]【】−ー─━")
# Inline markup of rendered Markdown (bold, code …) and the entities the sanitizer writes.
_TAG_RE = re.compile(r"</?(?:strong|em|b|i|u|s|del|code|span|mark)>", re.I)
_ENTITY_RE = re.compile(r"&(?:nbsp|ensp|emsp|thinsp|middot|ndash|mdash|minus|hyphen"
                        r"|#160|#xa0|#8203|#x200b);", re.I)


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


def joins(gap: str) -> bool:
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

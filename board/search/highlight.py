"""Snippets: the best window of a text around the query's words, escaped, words in <mark>.

Every piece of user text is escaped before it is joined with the <mark> tags, so neither a
highlighted term nor the text around it can inject markup.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import lru_cache

from markupsafe import Markup, escape

from board.search import analyzer

_SPACES = str.maketrans({c: " " for c in "\r\n\t\u3000"})
_MARKDOWN = str.maketrans({c: " " for c in "*_`#"})
# Single-character function and light words: a query such as 带什么材料到派出所办 still finds by
# them, but a snippet full of marked 到, 的 and 办 hides the words that matched.
LIGHT = frozenset("的了在到带去办要是和与及或就也还都把被给让对从向往着过吗呢吧啊呀么个有我你他她"
                  "这那能会可怎咋啥哪")


def plain(text: str) -> str:
    """Same-length plain text: line breaks and Markdown marks become spaces."""
    return (text or "").translate(_SPACES).translate(_MARKDOWN)


def matches(text: str, terms: set[str]) -> tuple[tuple[int, int], ...]:
    """Character spans in `text` whose token is one of `terms` (traditional text included)."""
    words = frozenset(terms) - LIGHT
    return _spans(text, words) if words else ()


@lru_cache(maxsize=4096)
def _spans(text: str, terms: frozenset[str]) -> tuple[tuple[int, int], ...]:
    # Analyzing the texts is most of a results page's cost, and the commonest queries bring back
    # the same answers again and again: each (text, words) pair is analyzed once per process.
    folded = analyzer.fold(text).lower()  # every token is a piece of it: a text holding none
    if not any(term in folded for term in terms):  # of the words needs no analysis at all
        return ()
    spans = {(t.start, t.end) for t in analyzer.tokenize(text, index=True) if t.text in terms}
    return tuple(sorted(spans, key=lambda span: (span[0], -span[1])))  # the longest first


def count(text: str, terms: set[str]) -> int:
    """How many of the words `text` holds, counted on the text the snippet is cut from."""
    return len(matches(plain(text), terms))


def snippet(text: str, terms: set[str], width: int = 90) -> Markup:
    text = plain(text)
    spans = matches(text, terms)
    if not spans:
        cut = text[:width].strip()
        return escape(cut) + (Markup("…") if len(text) > width else Markup(""))
    # The window that holds the most matches, starting a little before its first one.
    starts = [s for s, _ in spans]
    best_start, best_hits = spans[0][0], 0
    for start, _ in spans:
        first, last = bisect_left(starts, start), bisect_right(starts, start + width)
        hits = sum(1 for _, e in spans[first:last] if e <= start + width)
        if hits > best_hits:
            best_start, best_hits = start, hits
    a = max(0, best_start - 12)
    b = min(len(text), a + width)
    # Plain strings joined once (a Markup per piece was a tenth of a results page's time);
    # every piece of the text still goes through escape().
    out = ["…"] if a > 0 else []
    cursor = a
    for s, e in spans:
        if s < cursor or e > b:
            continue
        out += [str(escape(text[cursor:s])), "<mark>", str(escape(text[s:e])), "</mark>"]
        cursor = e
    out.append(str(escape(text[cursor:b])))
    if b < len(text):
        out.append("…")
    return Markup("".join(out))

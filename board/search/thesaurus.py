"""The police-vocabulary thesaurus: residents' words found in officers' answers, at query time.

The groups live in `thesaurus.txt` (one group a line; `narrow … > broad …` expands one way) plus
the groups admins add at run time (table `search_synonym`, see board/services/search_terms.py).
A query's words are expanded when it is run, never when a thread is indexed, so editing either
source needs no re-index, and both backends receive the same expanded request.

Expansion turns the query's words into groups (every group required, any alternative of a group
enough): a run of words that is a thesaurus entry (迁 户口 = 迁户口) becomes one group of that
entry's equivalents, and a long dictionary word also offers its parts (户口迁移 → 户口 + 迁移),
so a thread that never has the compound whole is still found.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from board.search import analyzer

FILE = Path(__file__).with_name("thesaurus.txt")
MAX_SPAN = 4  # words of a query matched as one entry at most
MAX_ALTERNATIVES = 12  # per group: an Or too wide costs more than it finds
RELOAD_EVERY = 10.0  # seconds between re-reads of the admins' groups (other processes' adds)

Key = tuple[str, ...]
Group = tuple[Key, ...]


def parse_line(line: str) -> tuple[list[str], list[str]] | None:
    """`a b c` → (all, all); `a b > c d` → ([a, b], [c, d]); comments and blanks → None."""
    line = line.split("#", 1)[0].strip()
    if not line:
        return None
    if ">" in line:
        left, right = line.split(">", 1)
        return left.split(), right.split()
    words = line.split()
    return words, words


class Thesaurus:
    """Entries keyed by their analyzed words, each pointing at its alternatives."""

    def __init__(self, lines: Iterable[str] = ()) -> None:
        self.entries: dict[Key, dict[Key, None]] = {}
        for line in lines:
            self.add(line)

    def add(self, line: str) -> None:
        parsed = parse_line(line)
        if parsed is None:
            return
        lefts, rights = ([k for k in map(_key, side) if k] for side in parsed)
        for left in lefts:
            targets = self.entries.setdefault(left, {})
            for right in rights:
                if right != left:
                    targets.setdefault(right, None)

    def alternatives(self, key: Key) -> list[Key]:
        return list(self.entries.get(key, ()))

    def __contains__(self, key: Key) -> bool:
        return key in self.entries


def _key(word: str) -> Key:
    """The word as a query holds it. A phrase that shrinks to one character once the fillers
    are gone (人没了 → 人, 找谁 → 找) is no key: it would expand every query holding that
    character. Written as one character (换 > 换证), or short of a mere particle (私了 → 私), it
    is meant."""
    key = tuple(analyzer.query_terms(word))
    if len(key) == 1 and len(key[0]) == 1 and key != tuple(analyzer.terms(word)):
        return ()
    return key


def parts(word: str) -> Key | None:
    """A long word's dictionary pieces (户口迁移 → 户口 迁移; 迁户口 → 迁 户口), or None.

    The split with the fewest lone characters, then the fewest pieces; at most one lone
    character is allowed, more would match almost anything.
    """
    if len(word) < 3 or word.isascii():
        return None
    freq = analyzer.dictionary()
    best: list[tuple[int, int, tuple[str, ...]] | None] = [None] * (len(word) + 1)
    best[0] = (0, 0, ())
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 4), end):
            piece, before = word[start:end], best[start]
            if before is None or piece == word or (len(piece) > 1 and not freq.get(piece)):
                continue
            cost = (before[0] + (len(piece) == 1), before[1] + 1, before[2] + (piece,))
            if best[end] is None or cost[:2] < best[end][:2]:
                best[end] = cost
    found = best[-1]
    if found is None or found[0] > 1:
        return None
    return tuple(p for p in found[2] if p not in analyzer.STOPWORDS) or None


def expand(words: Sequence[str], thesaurus: Thesaurus,
           indexed: Callable[[str], bool] = lambda w: False) -> tuple[Group, ...]:
    """The query's words as required groups of alternatives (the words themselves first).

    A typed word no thread holds whole offers its parts (户口迁移 → 户口 + 迁移; `indexed`
    asks the index); a thesaurus form does not (its own forms are there already). Forms that
    cannot find a thread another form of the group would not are left out: each costs the
    backends a posting list (see `_covered`)."""
    groups: list[Group] = []
    i = 0
    while i < len(words):
        size = next((n for n in range(min(MAX_SPAN, len(words) - i), 1, -1)
                     if tuple(words[i:i + n]) in thesaurus), 1)
        span = tuple(words[i:i + size])
        found: dict[Key, None] = {span: None}
        if len(span) == 1 and (pieces := parts(span[0])) and not indexed(span[0]):
            found.setdefault(pieces, None)
        for alt in thesaurus.alternatives(span):
            found.setdefault(alt, None)
        kept = [span] + [a for a in found if a != span and not _covered(a, found)]
        groups.append(tuple(kept[:MAX_ALTERNATIVES]))
        i += size
    return tuple(groups)


def _covered(alt: Key, forms) -> bool:
    """Whether every thread holding `alt` holds another, shorter form of the group: one whose
    words are a part of alt's (户口簿 for 居民 户口簿), or a two- or three-character dictionary
    word inside alt's one word, which the index stores as its sub-word (护照 in 普通护照)."""
    freq = analyzer.dictionary()
    for other in forms:
        if other == alt:
            continue
        if len(other) < len(alt) and set(other) <= set(alt):
            return True
        if len(alt) == 1 and len(other) == 1 and other[0] != alt[0] and other[0] in alt[0] \
                and len(other[0]) in (2, 3) and freq.get(other[0]):
            return True
    return False


def words_of(groups: Iterable[Group]) -> set[str]:
    """Every word a group may match: what the results page highlights."""
    return {w for group in groups for alt in group for w in alt}


# --- the current thesaurus: the shipped file and the admins' groups --------------------------


class _Current:
    """The file parsed once per process; the admins' groups re-read every RELOAD_EVERY seconds,
    and at once in the process that adds one (`invalidate`). Parsing the file's ~1,700 entries
    takes about 130 ms (each analyzed): redone every ten seconds, it fell on whichever search came
    then, so the groups are only added again when the admins' lines changed, on a copy."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._file: Thesaurus | None = None
        self._extra: list[str] | None = None
        self._value: Thesaurus | None = None
        self._at = float("-inf")

    def get(self, extra_lines) -> Thesaurus:
        now = time.monotonic()
        with self._lock:
            if self._value is None or now - self._at > RELOAD_EVERY:
                if self._file is None:
                    self._file = Thesaurus(FILE.read_text(encoding="utf-8").splitlines())
                extra = list(extra_lines())
                if self._value is None or extra != self._extra:
                    value = Thesaurus()
                    value.entries = {k: dict(v) for k, v in self._file.entries.items()}
                    for line in extra:
                        value.add(line)
                    self._value, self._extra = value, extra
                self._at = now
            return self._value

    def invalidate(self) -> None:
        """At once in this process: a new group, or a new word (the entries' keys are
        analyzed words)."""
        with self._lock:
            self._value = None
            self._file = None


current = _Current()

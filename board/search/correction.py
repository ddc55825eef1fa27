"""Wrong characters: a query word the index does not hold, corrected to one it does.

Older residents write by handwriting or pinyin input and pick a look-alike or sound-alike
character (登纪 for 登记, 通行正 for 通行证). jieba then cuts the word into pieces (登 纪, 通行 正),
so the candidates are a word and its neighbour glued back together as well as single words. A
candidate is a dictionary word the index holds that sounds the same (pypinyin, tones ignored) or,
three characters or more, differs in one character from a word of the police vocabulary. Only a
query no thread has every word of is corrected, so a correct query never pays for this.
"""
from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

from board.search import analyzer, backend, language, results

MAX_LEN = 5  # longer "words" are phrases, not typos
_lock = threading.Lock()
_homophones: dict[str, str] | None = None


def _toneless(reading: str) -> str:
    plain = unicodedata.normalize("NFD", reading)
    return "".join(c for c in plain if not unicodedata.combining(c))


def _homophone_table() -> dict[str, str]:
    """Toneless pinyin → the characters read so, and back (built once, on the first
    correction: pypinyin's table takes a second or two to load)."""
    global _homophones
    with _lock:
        if _homophones is None:
            from pypinyin.pinyin_dict import pinyin_dict  # noqa: PLC0415 (a second to load)

            table: dict[str, str] = {}
            for code, readings in pinyin_dict.items():
                if 0x4E00 <= code <= 0x9FFF:
                    sounds = {_toneless(r) for r in readings.split(",")}
                    table[chr(code)] = ",".join(sounds)
                    for sound in sounds:
                        table[sound] = table.get(sound, "") + chr(code)
            _homophones = table
        return _homophones


@lru_cache(maxsize=2048)
def sound_alikes(word: str) -> tuple[str, ...]:
    """Dictionary words that sound like `word`, one character replaced, most frequent first."""
    table, freq = _homophone_table(), analyzer.dictionary()
    found = {}
    for i, char in enumerate(word):
        sounds = table.get(char, "").split(",")
        for other in "".join(table.get(sound, "") for sound in sounds if sound):
            candidate = word[:i] + other + word[i + 1:]
            if other != char and freq.get(candidate):
                found[candidate] = freq[candidate]
    return tuple(sorted(found, key=lambda w: -found[w]))


def one_apart(word: str, vocabulary: Iterable[str]) -> list[str]:
    """Words of the police vocabulary that differ from `word` in exactly one character; at
    least three characters long (通行正 → 通行证): two-character words one character apart are
    mostly other words (老公, 老人), not slips."""
    if len(word) < 3:
        return []
    return [w for w in vocabulary if len(w) == len(word) and w != word
            and sum(a != b for a, b in zip(w, word, strict=True)) == 1]


def _spans(words: list[str]) -> list[tuple[int, int]]:
    """Places to try, longest first: a word glued to a one-character neighbour, then a word."""
    spans = []
    for i in range(len(words) - 1):
        a, b = words[i], words[i + 1]
        if (len(a) == 1 or len(b) == 1) and len(a + b) <= MAX_LEN and not (a + b).isascii():
            spans.append((i, i + 2))
    spans += [(i, i + 1) for i, w in enumerate(words) if 2 <= len(w) <= MAX_LEN
              and not w.isascii()]
    return spans


def correct(q: str, indexed: Callable[[str], bool], vocabulary: Iterable[str]) -> str | None:
    """The query with its first unknown word replaced by an indexed look- or sound-alike.
    A word of the police vocabulary (the thesaurus) is never a slip: it was searched in all
    its forms already."""
    words = analyzer.terms(q)
    vocabulary = list(vocabulary)
    known = set(vocabulary)
    for start, end in _spans(words):
        typed = "".join(words[start:end])
        if typed in known or (analyzer.dictionary().get(typed) and indexed(typed)):
            continue
        for candidate in [*sound_alikes(typed), *one_apart(typed, vocabulary)]:
            if indexed(candidate):
                return " ".join([*words[:start], candidate, *words[end:]])
    return None


def _vocabulary() -> list[str]:
    """The police vocabulary a one-character slip is measured against: the thesaurus words."""
    return sorted({"".join(key) for key in language.thesaurus().entries})


def query(viewer, q: str, exact: bool = False, **filters) -> results.SearchPage:
    """Search; when no thread has every word and `exact` is not asked for, search the
    corrected query instead (the page then says 「已为您搜索:…」 and links to what was typed)."""
    found = results.find(viewer, q, **filters)
    if found.exact_total or exact or not found.terms or found.page > 1:
        return results.fill(viewer, found)
    fixed = correct(found.q, backend().has_word, _vocabulary())
    if not fixed:
        return results.fill(viewer, found)
    better = results.find(viewer, fixed, **filters)
    if not better.exact_total:  # the correction finds no thread with all its words either
        return results.fill(viewer, found)
    better.typed = found.q
    return results.fill(viewer, better)

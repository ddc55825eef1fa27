"""The Chinese analyzer shared by every search backend: t2s folding, then jieba.

Index time: precise-mode words at sequential positions, plus search-mode sub-words (东河区 →
东河) at the *same* position, so phrase queries ("东河区派出所") still line up. Query time: the
same folding and precise words only. Plate numbers (蒙B12345) stay one token, with the ASCII part
as a sub-word; any other run of ASCII letters and digits (E12345678, Q2, Smith) is one token,
lower-cased; punctuation and a few function words are dropped.

The jieba dictionary (about a second and 60 MB) is loaded once per process by `load()`, called at
start-up (board.startup / app.py, before a pre-forking server forks), never on a user's request
unless start-up was skipped.
"""
from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jieba
from opencc import OpenCC

VERSION = "3"  # bump when the tokens change: `flask search verify` then re-indexes every thread
USER_DICT = Path(__file__).with_name("userdict.txt")
WORDS_FILE_NAME = "search_words.txt"  # admin-added words, under instance/

jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" chatter at every start
_t2s = OpenCC("t2s")
_tokenizer = jieba.Tokenizer()
_lock = threading.Lock()
_loaded_extra: set[str] = set()

# Full-width ASCII (ＡＢＣ１２３) → half-width, ideographic space → space: length-preserving.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20

_LATIN = re.compile(r"[A-Za-z0-9]+")
_WORD = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_PLATE = re.compile(r"[\u4e00-\u9fff][A-Za-z][A-Za-z0-9]{5,6}")
_CJK_PLATE_PREFIX = set("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
                        "使领警学港澳")

STOPWORDS = frozenset(
    "的 了 吗 呢 吧 啊 呀 哦 嘛 么 是 在 和 与 及 或 就 都 也 而 把 被 让 给 从 对 向 "
    "我 你 您 他 她 它 我们 你们 他们 这 那 这个 那个 这样 那样 一下 请问 请 问 "
    "怎么 怎么办 怎样 如何 什么 哪里 哪儿 为什么 吗 呢 谢谢 你好 您好".split()
)

# Words residents put around a question that no answer repeats (咋办, 要带啥, 多久): dropped from
# queries only (the index is untouched, so no re-index), else every word being required would
# make 户口本丢了咋办 miss the answer titled 户口簿遗失补办.
QUERY_FILLERS = frozenset(
    "咋 咋办 咋弄 咋整 啥 怎么弄 怎么搞 怎么整 怎么样 怎么回事 能不能 可不可以 可以 能 行不行 "
    "有没有 是不是 要不要 需不需要 多久 多长时间 多少天 几天 哪些 哪个 哪 什么时候 一般 现在 "
    "应该 到底 还是 想 想问 问下 问一下 麻烦 急 在线等 谢谢了 需要 要 去 带 弄 搞 一个 那个 "
    "这种 得 还能 了吗 没 了没 有人 说 叫 还 会 跟 为 谁 里 有 个 上 用 真的 好像 老是 总是 "
    "天天 一直 经常 又 再 才 刚 刚刚 已经 就是 其实 突然 有点 特别 非常 太 很 等 "
    "这边 那边 这里 那里 该 该怎么 行吗 行 可以吗 怎么样才能 请教 各位 大家".split()
)

_NAME_STOPWORDS = frozenset("和与")  # conjunctions that also occur in place names (和平里, 和美苑)


@dataclass(frozen=True, slots=True)
class Tok:
    """One token: the folded term, its position, and its character span in the original text."""

    text: str
    pos: int
    start: int
    end: int


def load(instance_path: str | os.PathLike | None = None) -> None:
    """Load jieba's dictionary, the shipped police vocabulary and the admins' words (idempotent)."""
    with _lock:
        if not _tokenizer.initialized:
            _tokenizer.initialize()
            _tokenizer.load_userdict(str(USER_DICT))
        if instance_path is not None:
            for word, freq, tag in read_words(instance_path):
                if word not in _loaded_extra:
                    _tokenizer.add_word(word, freq, tag)
                    _loaded_extra.add(word)
                    _dictionary_changed()


def loaded() -> bool:
    return _tokenizer.initialized


def dictionary() -> dict[str, int]:
    """jieba's word frequencies (its dictionary, the police vocabulary, the admins' words)."""
    if not _tokenizer.initialized:
        load()
    return _tokenizer.FREQ


def fold(text: str) -> str:
    """Traditional → simplified and full-width → half-width, keeping offsets where possible."""
    text = (text or "").translate(_WIDTH)
    converted = _t2s.convert(text)
    if len(converted) != len(text):  # a phrase rule changed the length: fold char by char
        converted = "".join(c if len(s := _t2s.convert(c)) != 1 else s for c in text)
    return converted


def _cut(text: str) -> Iterator[str]:
    """jieba's precise-mode words, except that a run of Latin letters and digits is one word
    whatever the dictionaries hold (issue 21: a passport number E12345678, a visa type Q2, a name
    Smith; jieba's dictionary is case-sensitive and an admin's word "E1" would split them)."""
    at = 0
    for run in _LATIN.finditer(text):
        if run.start() > at:
            yield from _tokenizer.cut(text[at:run.start()], HMM=False)
        yield run.group()
        at = run.end()
    if at < len(text):
        yield from _tokenizer.cut(text[at:], HMM=False)


def _words(text: str) -> Iterator[tuple[str, int]]:
    """Precise-mode words with their start offsets, plates glued back together."""
    if not _tokenizer.initialized:
        load()
    offset = 0
    pending: tuple[str, int] | None = None
    for word in _cut(text):
        start = offset
        offset += len(word)
        if pending is not None:
            glued = pending[0] + word
            if _PLATE.fullmatch(glued):
                yield glued, pending[1]
                pending = None
                continue
            yield pending
            pending = None
        if len(word) == 1 and word in _CJK_PLATE_PREFIX:
            pending = (word, start)
            continue
        yield word, start
    if pending is not None:
        yield pending


def _subwords(word: str) -> Iterator[tuple[str, int]]:
    """jieba's search-mode pieces of a long word: dictionary 2- and 3-grams inside it."""
    if _PLATE.fullmatch(word):
        yield word[1:], 1
        return
    freq = _tokenizer.FREQ
    for size in (2, 3):
        if len(word) <= size:
            continue
        for i in range(len(word) - size + 1):
            piece = word[i:i + size]
            if freq.get(piece):
                yield piece, i


def _is_name_char(word: str | None) -> bool:
    """A lone CJK character jieba found no word for: most often part of a proper name."""
    return word is not None and len(word) == 1 and word not in STOPWORDS \
        and bool(_WORD.match(word)) and not word.isascii()


def _kept(words: list[tuple[str, int]], i: int) -> bool:
    """Stopwords go, except a one-character one inside a name: 世和安小区 keeps its 和 (else it
    would be the same words as 和世安小区), 户口簿和身份证 drops it. Text and queries alike."""
    word = words[i][0]
    if word not in STOPWORDS:
        return True
    if word not in _NAME_STOPWORDS:
        return False
    before = words[i - 1][0] if i else None
    after = words[i + 1][0] if i + 1 < len(words) else None
    return _is_name_char(before) or _is_name_char(after)


def tokenize(text: str, index: bool = False) -> list[Tok]:
    """Analyze text; `index=True` adds same-position sub-words (never do that for queries)."""
    folded = fold(text)
    return _tokens([(w, start) for w, start in _words(folded) if _WORD.search(w)], index)


# --- the indexer's tokens, line by line from a cache (issue 19) -------------------------------
# A thread's document holds every reply, so each reply re-analyzed the whole thread: the cost
# of indexing a reply grew with the thread. jieba and the t2s folding never join words across a
# line break, so a document's words are its lines' words end to end; each line's are kept here
# (folded, filtered, with offsets) and a reply to a long thread analyzes only its own lines.
# The tokens are exactly `tokenize(text, index=True)`'s (tests/test_search_index_tokens.py).

LINE_CACHE_SIZE = 200_000  # lines (~a few hundred bytes each)
_line_cache: dict[tuple[str, bool], tuple[tuple[str, int], ...]] = {}
_cache_generation = [0, 0]  # [dictionary changes, generation the cache was filled under]


def _dictionary_changed() -> None:
    """jieba's words changed (an admin's word): cached line words may split differently now."""
    _cache_generation[0] += 1


def _fresh_caches() -> None:
    if _cache_generation[1] != _cache_generation[0]:
        _line_cache.clear()
        _subword_cache.clear()
        _cache_generation[1] = _cache_generation[0]


def _folds_by_char(line: str) -> bool:
    """Whether t2s changes this line's length (then `fold` converts char by char)."""
    text = line.translate(_WIDTH)
    return len(_t2s.convert(text)) != len(text)


def _line_words(line: str, by_char: bool) -> tuple[tuple[str, int], ...]:
    key = (line, by_char)
    words = _line_cache.get(key)
    if words is None:
        text = line.translate(_WIDTH)
        folded = ("".join(c if len(s := _t2s.convert(c)) != 1 else s for c in text) if by_char
                  else _t2s.convert(text))
        words = tuple((w, start) for w, start in _words(folded) if _WORD.search(w))
        if len(_line_cache) >= LINE_CACHE_SIZE:
            _line_cache.clear()
        _line_cache[key] = words
    return words


def index_tokens(text: str) -> list[Tok]:
    """`tokenize(text, index=True)`, from the cached words of each line of `text`."""
    _fresh_caches()
    lines = (text or "").split("\n")
    # fold() converts the whole text char by char when t2s changes its length: so if any line
    # would (t2s rules never span a line break), every line is converted char by char. A line
    # cached as converted whole is one whose length t2s keeps.
    by_char = any(_folds_by_char(line) for line in lines if (line, False) not in _line_cache)
    words: list[tuple[str, int]] = []
    offset = 0
    for line in lines:
        words.extend((w, offset + start) for w, start in _line_words(line, by_char))
        offset += len(line) + 1
    return _tokens(words, True)


_subword_cache: dict[str, tuple[tuple[str, int], ...]] = {}


def _indexed_subwords(term: str) -> tuple[tuple[str, int], ...]:
    """A term's sub-words as the index adds them (cleared with the line cache)."""
    pieces = _subword_cache.get(term)
    if pieces is None:
        pieces = tuple((p, at) for p, at in _subwords(term) if p != term and p not in STOPWORDS)
        if len(_subword_cache) >= LINE_CACHE_SIZE:
            _subword_cache.clear()
        _subword_cache[term] = pieces
    return pieces


def _tokens(words: list[tuple[str, int]], index: bool) -> list[Tok]:
    if index:
        _fresh_caches()
    tokens: list[Tok] = []
    pos = 0
    for i, (word, start) in enumerate(words):
        if not _kept(words, i):
            continue
        term = word.lower()
        tokens.append(Tok(term, pos, start, start + len(word)))
        if index:
            for piece, at in _indexed_subwords(term):
                tokens.append(Tok(piece, pos, start + at, start + at + len(piece)))
        pos += 1
    return tokens


def terms(text: str) -> list[str]:
    """Query terms in order, without duplicates."""
    seen: dict[str, None] = {}
    for tok in tokenize(text):
        seen.setdefault(tok.text, None)
    return list(seen)


def query_terms(text: str) -> list[str]:
    """A query's terms without the residents' fillers (all of them when nothing else is left).
    The thesaurus keys its entries the same way, so 没钱请律师 in the file is the 钱 律师 a
    query holds."""
    words = terms(text)
    return [t for t in words if t not in QUERY_FILLERS] or words


_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”|「([^」]+)」|『([^』]+)』')


def parse_query(q: str) -> tuple[list[str], list[list[str]]]:
    """A user's query → (loose terms, phrases). Quoted parts must match as phrases."""
    phrases: list[list[str]] = []

    def take(match: re.Match) -> str:
        phrase = next(g for g in match.groups() if g)
        words = [t.text for t in tokenize(phrase)]
        if len(words) > 1:
            phrases.append(words)
            return " "
        return " " + phrase + " "

    rest = _QUOTED.sub(take, q or "")
    return query_terms(rest), phrases  # a query of fillers only still searches them


# --- admin-extensible vocabulary (instance/search_words.txt, jieba's user-dictionary format) ---


def words_path(instance_path: str | os.PathLike) -> Path:
    return Path(instance_path) / WORDS_FILE_NAME


def read_words(instance_path: str | os.PathLike) -> list[tuple[str, int | None, str | None]]:
    path = words_path(instance_path)
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[2] if len(parts) > 2 else None
        entries.append((parts[0], freq, tag))
    return entries


def add_word(instance_path: str | os.PathLike, word: str, freq: int | None = None,
             tag: str | None = None) -> bool:
    """Add a word for this process and future ones; False when it was already there."""
    word = fold(word.strip())
    if not word or any(ch.isspace() for ch in word):
        raise ValueError("词语不能为空,也不能包含空格")
    existing = {w for w, _, _ in read_words(instance_path)}
    if word in existing:
        return False
    path = words_path(instance_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = " ".join(str(x) for x in (word, freq or 20000, tag) if x)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    load()
    with _lock:
        _tokenizer.add_word(word, freq or 20000, tag)
        _loaded_extra.add(word)
        _dictionary_changed()
    return True


def remove_word(instance_path: str | os.PathLike, word: str) -> bool:
    path = words_path(instance_path)
    entries = read_words(instance_path)
    kept = [e for e in entries if e[0] != word]
    if len(kept) == len(entries):
        return False
    path.write_text("".join(" ".join(str(x) for x in e if x) + "\n" for e in kept),
                    encoding="utf-8")
    with _lock:
        if _tokenizer.initialized:
            _tokenizer.del_word(word)
        _loaded_extra.discard(word)
        _dictionary_changed()
    return True

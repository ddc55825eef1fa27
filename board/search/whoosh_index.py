"""The embedded search backend: a Whoosh index under instance/ (the only module importing whoosh).

- One searcher per process, refreshed (not reopened) when the index changed; queries share it
  under a lock because Whoosh searchers are not thread-safe.
- Writes come only from the search worker: small batches committed without merging (merging is
  `flask search optimize`, off-peak); a busy lock raises and the worker retries the batch.
- The index path is a symlink to a build directory, so `reindex` builds aside and swaps atomically.
- Whoosh pickles the schema, analyzer included: `BoardTokenizer` must keep this import path.
"""
from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from itertools import islice
from pathlib import Path

from whoosh import index as windex
from whoosh.analysis import CompositeAnalyzer, Token, Tokenizer
from whoosh.collectors import TopCollector
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.matching import Matcher, NullMatcher, WrappingMatcher
from whoosh.query import And, AndNot, DisjunctionMax, NumericRange, Or, Phrase, Term
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher
from whoosh.sorting import FieldFacet

from board.search import analyzer
from board.search.documents import Doc
from board.search.types import Hits, SearchRequest

REFRESH_EVERY = 0.25  # seconds between checks for another process's commits
CACHE_SIZE = 512
MAX_TOTAL = 1000  # results.PER_PAGE * results.MAX_PAGE
RANK_WINDOW = MAX_TOTAL  # relevance is ranked among this many newest matches (>= MAX_TOTAL)
RESTRICTED = ("police_only", "hidden")  # never matched for the public
MAX_SEGMENTS = 40  # past this many small segments, a commit merges the small ones


class BoardTokenizer(Tokenizer):
    """Whoosh face of board.search.analyzer (index mode adds same-position sub-words)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        toks = analyzer.index_tokens(value) if mode == "index" else analyzer.tokenize(value)
        for tok in toks:
            token.text = tok.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = tok.text
            if positions:
                token.pos = start_pos + tok.pos
            if chars:
                token.startchar = start_char + tok.start
                token.endchar = start_char + tok.end
            yield token


def make_schema() -> Schema:
    chinese = CompositeAnalyzer(BoardTokenizer())
    return Schema(
        thread_id=ID(stored=True, unique=True),
        board=ID, kind=ID, status=ID, answered=ID, visibility=ID,
        created=NUMERIC(int, bits=64, sortable=True, signed=True),
        content=TEXT(analyzer=chinese, phrase=True),
        fp=STORED,
    )


def _fields(doc: Doc) -> dict:
    return dict(thread_id=str(doc.thread_id), board=doc.board, kind=doc.kind, status=doc.status,
                answered="1" if doc.answered else "0", visibility=doc.visibility,
                created=int(doc.created.timestamp()),
                content=f"{doc.title}\n{doc.content}",  # the title twice: it weighs more
                fp=doc.fingerprint)


def _group_query(group: tuple[tuple[str, ...], ...]):
    """One word of the query: any of its alternatives, each of whose words must match (the
    thesaurus and compound parts, board/search/thesaurus.py). It scores as its best-matching
    alternative, never as their sum: a thread is not worth more for holding three synonyms."""
    alternatives = [Term("content", a[0]) if len(a) == 1 else And([Term("content", w) for w in a])
                    for a in group]
    return alternatives[0] if len(alternatives) == 1 else DisjunctionMax(alternatives)


class _LazyGroup:
    """One word of the query, its alternatives asked about a document instead of walked.

    A union walks every alternative to its next match; for an alternative of several words
    (港澳 证 for 港澳通行证) that means intersecting their whole lists (港澳 ∩ 证: 3,860 and
    12,701 threads at 100k) to find the next thread holding both, far past the few threads the
    query's rarest word points at. Asked "does thread N match?" each word only skips to N."""

    def __init__(self, alternatives: list[list]) -> None:
        self.alternatives = alternatives  # each: the matchers of its words, all required
        self.matched: list[list] = []

    def at(self, target: int) -> int | None:
        """`target` when an alternative holds it, else a thread no match can come before;
        None when no alternative can match any more."""
        bound, self.matched, alive = None, [], []
        for words in self.alternatives:
            first = target
            for m in words:
                if m.id() < target:
                    m.skip_to(target)
                if not m.is_active():
                    first = None
                    break
                if m.id() > target:
                    first = m.id()
                    break
            if first is None:
                continue
            alive.append(words)
            if first == target:
                self.matched.append(words)
            bound = first if bound is None else min(bound, first)
        self.alternatives = alive
        return bound

    def score(self) -> float:
        """As Whoosh's DisjunctionMax: the best matching alternative's (its words summed)."""
        return max(sum(m.score() for m in words) for words in self.matched)

    def matchers(self) -> list:
        return [m for words in self.alternatives for m in words]


class _AllMatcher(Matcher):
    """Documents every child matches: the rarest children leapfrog, the words with several
    forms are then asked about each document they agree on (`_LazyGroup`).

    Whoosh's And nests binary intersections, the commonest lists deepest: the inner ones then
    walk their long lists to agree with each other between two documents of the rare word. A
    resident's "estate name + 户口簿" (five words, the rarest in 73 threads, the others in
    thousands) cost 30 ms at 100k threads that way, 110 ms with the thesaurus's forms."""

    def __init__(self, eager: list, lazy: list[_LazyGroup]) -> None:
        self._eager, self._lazy = eager, lazy
        self._id = -1
        self._active = all(c.is_active() for c in eager)
        if self._active:
            self._sync(eager[0].id())

    def _sync(self, target: int) -> None:
        """Move to the first document at or after `target` that every child holds."""
        eager, n = self._eager, len(self._eager)
        while True:
            agreed, i = 0, 0
            while agreed < n:
                child = eager[i]
                if child.id() < target:
                    child.skip_to(target)
                    if not child.is_active():
                        self._active = False
                        return
                at = child.id()
                if at > target:
                    target, agreed = at, 1
                else:
                    agreed += 1
                i = (i + 1) % n
            for group in self._lazy:
                at = group.at(target)
                if at is None:
                    self._active = False
                    return
                if at != target:
                    target = at
                    break
            else:
                self._id = target
                return

    def is_active(self) -> bool:
        return self._active

    def id(self) -> int:
        return self._id

    def next(self) -> bool:
        first = self._eager[0]
        first.next()
        if not first.is_active():
            self._active = False
        else:
            self._sync(first.id())
        return False

    def skip_to(self, id) -> bool:
        if self._active and id > self._id:
            self._sync(id)
        return False

    def score(self) -> float:
        return sum(c.score() for c in self._eager) + sum(g.score() for g in self._lazy)

    def weight(self) -> float:
        return self.score()

    def children(self) -> list:
        return [*self._eager, *(m for g in self._lazy for m in g.matchers())]

    def copy(self):
        twin = _AllMatcher.__new__(_AllMatcher)
        twin._eager = [c.copy() for c in self._eager]
        twin._lazy = [_LazyGroup([[m.copy() for m in words] for words in g.alternatives])
                      for g in self._lazy]
        twin._id, twin._active = self._id, self._active
        for group in twin._lazy if twin._active else ():
            group.at(twin._id)  # its matching forms, for score()
        return twin

    def replace(self, minquality=0):
        return self if self._active else NullMatcher()

    def depth(self) -> int:
        return 1 + max(c.depth() for c in self.children())

    def supports_block_quality(self) -> bool:
        return False  # no block skipping (the collectors here do not use it)

    def max_quality(self) -> float:
        return float("inf")  # no bound: a parent never drops this for its quality

    def block_quality(self) -> float:
        return float("inf")

    def skip_to_quality(self, minquality) -> int:
        return 0


class AllOf(And):
    """An And of the query's required words and filters, matched by `_AllMatcher`: the words
    with several forms (DisjunctionMax of Terms or Ands of Terms) are asked, the rest walked
    (the rarest first); when every child has several forms, the rarest of them is walked."""

    def matcher(self, searcher, context=None):
        # Whoosh hands a lone child its own matcher: a word's forms must still be scored here
        return self._matcher(self.subqueries, searcher, context) if self.subqueries \
            else NullMatcher()

    def _matcher(self, subs, searcher, context):
        reader = searcher.reader()
        ordered = sorted(subs, key=lambda q: q.estimate_size(reader))
        askable = [q for q in ordered if _askable(q)]
        eager = [q.matcher(searcher, context) for q in ordered if q not in askable]
        if not eager:  # the rarest word's forms are walked, for their threads only: Whoosh's
            # DisjunctionMax can score a thread with a form positioned at another thread, so
            # they are scored as asked, like the others
            eager = [_Unscored(askable[0].matcher(searcher, context))]
        lazy = []
        for group in askable:
            alternatives = []
            for alt in group.subqueries:
                words = [t.matcher(searcher, context)
                         for t in (alt.subqueries if isinstance(alt, And) else [alt])]
                if all(m.is_active() for m in words):
                    alternatives.append(words)
            if not alternatives:
                return NullMatcher()
            lazy.append(_LazyGroup(alternatives))
        return _AllMatcher(eager, lazy)


class _Unscored(WrappingMatcher):
    """A matcher walked for its documents alone (its score is counted elsewhere)."""

    def score(self) -> float:
        return 0.0


def _askable(q) -> bool:
    """A word with several forms, each a Term or an And of Terms (`_group_query`)."""
    return isinstance(q, DisjunctionMax) and all(
        isinstance(a, Term) or (isinstance(a, And) and all(isinstance(t, Term)
                                                          for t in a.subqueries))
        for a in q.subqueries)


def _groups_matched(req: SearchRequest, words: set) -> int:
    """How many of the query's words a hit has, in any of their forms."""
    words = {w.decode("utf-8") if isinstance(w, bytes) else w for w in words}
    return sum(1 for group in req.word_groups
               if any(all(w in words for w in alt) for alt in group))


class WindowCollector(TopCollector):
    """Top-N by relevance among the first `window` matches, in newest-first document order.

    A very common word (户口, 护照) matches a large share of the board; scoring every match in
    pure Python grows with the corpus (p95 ≈ 310 ms at 100k threads for a naive schema). The
    searcher lists the newest segment first and `rebuild` adds threads newest first, so the
    window holds the most recent matches and a query's cost stays bounded as the board grows.
    """

    def __init__(self, limit: int, window: int) -> None:
        super().__init__(limit=limit, usequality=False)
        self.window = window
        self.seen = 0

    def prepare(self, top_searcher, q, context):
        super().prepare(top_searcher, q, context)
        self.seen = 0

    def collect_matches(self):
        collect = self.collect
        for sub_docnum in self.matches():
            if self.seen >= self.window:
                return
            collect(sub_docnum)
            self.seen += 1


class WhooshIndex:
    name = "whoosh"

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._searcher = None
        self._target: str | None = None
        self._checked = 0.0
        self._cache: OrderedDict = OrderedDict()

    # --- opening ---------------------------------------------------------------------------

    def _builds(self) -> Path:
        return self.path.with_name(self.path.name + ".builds")

    def _ensure(self) -> None:
        """Create an empty index (as a build directory behind the symlink) if there is none."""
        if self.path.exists():
            return
        with self._lock:
            if self.path.exists():
                return
            build = self._new_build()
            windex.create_in(str(build), make_schema())
            self._swap_in(build)

    def _new_build(self) -> Path:
        build = self._builds() / f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        build.mkdir(parents=True)
        return build

    def _swap_in(self, build: Path) -> Path | None:
        """Point the index path at `build` atomically; returns the previous build, if any."""
        old = Path(os.path.realpath(self.path)) if self.path.exists() else None
        if self.path.exists() and not self.path.is_symlink():  # a plain directory: move it aside
            aside = self._builds() / f"legacy-{uuid.uuid4().hex[:8]}"
            os.rename(self.path, aside)
            old = aside
        tmp = self.path.with_name(self.path.name + f".link-{uuid.uuid4().hex[:8]}")
        os.symlink(build, tmp)
        os.replace(tmp, self.path)
        return old

    def open(self):
        self._ensure()
        return windex.open_dir(str(self.path))

    def searcher(self):
        """The process's searcher, refreshed when a commit or a swap happened meanwhile."""
        with self._lock:
            now = time.monotonic()
            if self._searcher is None or now - self._checked > REFRESH_EVERY:
                self._checked = now
                target = os.path.realpath(self.path) if self.path.exists() else None
                if self._searcher is None or target != self._target:  # first use, or a swap
                    if self._searcher is not None:
                        self._searcher.close()
                    self._target = target
                    self._searcher = self._fresh(None)
                    self._cache.clear()
                elif not self._searcher.up_to_date():
                    self._searcher = self._fresh(self._searcher)
                    self._cache.clear()
            return self._searcher

    def _fresh(self, old):
        """A searcher over the current segments, reusing the open readers of unchanged ones.

        Whoosh's own `Searcher.refresh()` (whoosh-reloaded 2.7.5) reuses a segment's reader even
        when its deletions changed, and keeps segments that a merge removed: deleted and
        updated threads would linger. So readers are matched on (segment id, deletions) here.
        """
        ix = self.open()
        toc = ix._read_toc()
        reusable = {}
        if old is not None:
            for reader, _ in old.reader().leaf_readers():
                segment = reader.segment()
                if segment is not None:
                    key = (segment.segment_id(), frozenset(segment.deleted_docs()))
                    reusable[key] = reader
        readers = []
        for segment in reversed(toc.segments):  # newest segment first (see WindowCollector)
            key = (segment.segment_id(), frozenset(segment.deleted_docs()))
            readers.append(reusable.pop(key, None) or SegmentReader(
                ix.storage, ix.schema, segment, generation=toc.generation))
        for reader in reusable.values():
            reader.close()
        reader = (MultiReader(readers, generation=toc.generation) if readers
                  else EmptyReader(ix.schema))
        return Searcher(reader, fromindex=ix)

    def changed(self) -> None:
        """Called by the in-process worker after a commit: check for new segments right away."""
        self._checked = 0.0

    # --- writing (the worker is the only caller) ------------------------------------------

    def apply(self, docs: Iterable[Doc], removed: Iterable[int], merge: bool = False) -> None:
        ix = self.open()
        writer = ix.writer(timeout=5.0)  # LockError after that: the worker retries the batch
        try:
            for thread_id in removed:
                writer.delete_by_term("thread_id", str(thread_id))
            for doc in docs:
                writer.update_document(**_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        many_segments = len(getattr(writer, "segments", ())) > MAX_SEGMENTS
        writer.commit(merge=merge or many_segments)
        self.changed()

    def optimize(self) -> None:
        ix = self.open()
        ix.optimize()
        self.changed()

    def rebuild(self, batches: Iterable[list[Doc]], progress: Callable[[int], None]) -> None:
        """Build a complete new index aside, then swap it in; readers never see a gap."""
        build = self._new_build()
        ix = windex.create_in(str(build), make_schema())
        writer = ix.writer(limitmb=128)
        try:
            for docs in batches:
                for doc in docs:
                    writer.add_document(**_fields(doc))
                progress(len(docs))
        except BaseException:
            writer.cancel()
            shutil.rmtree(build, ignore_errors=True)
            raise
        writer.commit(optimize=True)
        old = self._swap_in(build)
        if old is not None and old != build:
            shutil.rmtree(old, ignore_errors=True)
        self.changed()

    def clear(self) -> None:
        self.rebuild([], lambda n: None)

    # --- reading ---------------------------------------------------------------------------

    def fingerprints(self) -> dict[int, str]:
        with self._lock:
            searcher = self.searcher()
            return {int(f["thread_id"]): f.get("fp", "") for f in searcher.all_stored_fields()}

    def doc_count(self) -> int:
        with self._lock:
            return self.searcher().doc_count()

    def has_word(self, word: str) -> bool:
        """Whether any thread holds this word (spelling correction asks)."""
        with self._lock:
            return ("content", word) in self.searcher().reader()

    def most_holding(self, words) -> int:
        """At most how many threads hold all these words (the rarest one's count)."""
        with self._lock:
            reader = self.searcher().reader()
            return min((reader.doc_frequency("content", w) for w in words), default=0)

    def size_bytes(self) -> int:
        target = Path(os.path.realpath(self.path))
        return sum(f.stat().st_size for f in target.glob("*") if f.is_file())

    def _query(self, req: SearchRequest):
        """Words (all required, or most of them for similar questions), filters, exclusions.

        One text field: the title is indexed twice in it instead of a boosted second field,
        because an Or over two fields defeats Whoosh's block-max skipping (measured ~4x slower).
        """
        parts = [_group_query(g) for g in req.word_groups]
        parts += [Phrase("content", list(p)) for p in req.phrases]
        filters = [Term(name, value) for name, value in (
            ("board", req.board), ("kind", req.kind), ("status", req.status)) if value]
        if req.answered is not None:
            filters.append(Term("answered", "1" if req.answered else "0"))
        if req.since or req.until:
            filters.append(NumericRange(
                "created", int(req.since.timestamp()) if req.since else None,
                int(req.until.timestamp()) if req.until else None))
        # Filters score like any term, the same for every hit (an ID field has no length), so
        # the ranking is the words'. A boost=0.0 filter made Whoosh divide by zero when it
        # skipped low-quality blocks (HTTP 500 in officers' suggestions); Require trips on an
        # assertion in the same place.
        if req.any_terms:  # "at least min_match words" is checked on the hits (see search)
            query = And([Or(parts), *filters]) if filters else Or(parts)
        else:  # every word and filter required: one flat AllOf, the rarest leading
            required = parts + filters
            query = AllOf(required) if len(required) > 1 or _askable(required[0]) \
                else required[0]
        # Exclusions live in the query (AndNot), not in a collector mask: a mask would make
        # Whoosh score every match instead of skipping blocks that cannot reach the top N.
        masked = [] if req.police else [Term("visibility", v) for v in RESTRICTED]
        if req.exclude_id:
            masked.append(Term("thread_id", str(req.exclude_id)))
        if masked:
            query = AndNot(query, Or(masked) if len(masked) > 1 else masked[0])
        return query

    def search(self, req: SearchRequest) -> Hits:
        if req.empty:
            return Hits()
        with self._lock:
            searcher = self.searcher()
            if req in self._cache:  # the commonest queries, until the next commit
                self._cache.move_to_end(req)
                return self._cache[req]
            limit = req.offset + req.limit
            kwargs = {"sortedby": FieldFacet("created", reverse=True)} \
                if req.sort == "newest" else {}
            if req.any_terms:
                hits = self._similar(searcher, req, kwargs)
            else:
                collector = (searcher.collector(limit=limit, **kwargs) if kwargs
                             else WindowCollector(limit, RANK_WINDOW))
                searcher.search_with_collector(self._query(req), collector)
                results = collector.results()
                total = (min(collector.seen, MAX_TOTAL) if isinstance(collector, WindowCollector)
                         else self._count(searcher, results))  # the window counted for free
                hits = Hits(items=[(int(hit["thread_id"]), float(hit.score or 0.0))
                                   for hit in results[req.offset:limit]], total=total)
            self._cache[req] = hits
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            return hits

    def _similar(self, searcher, req: SearchRequest, kwargs: dict) -> Hits:
        """Any of the words may match, but a hit needs at least `min_match` distinct ones.

        Block-quality skipping first; on some expanded queries Whoosh's skip_to_quality
        raises IndexError, and the search is then run scoring every match."""
        query = self._query(req)
        try:
            results = searcher.search(query, limit=req.limit * 4, terms=True, **kwargs)
        except IndexError:
            results = searcher.search(query, limit=req.limit * 4, terms=True, optimize=False,
                                      **kwargs)
        items = []
        for hit in results:
            words = {text for name, text in hit.matched_terms() if name == "content"}
            if _groups_matched(req, words) >= req.min_match:
                items.append((int(hit["thread_id"]), float(hit.score or 0.0)))
            if len(items) == req.limit:
                break
        return Hits(items=items, total=len(items))

    @staticmethod
    def _count(searcher, results) -> int:
        """Matches, counted up to MAX_TOTAL (the pages a reader can reach): an exact count
        of a very common word would cost a second pass over all its postings."""
        if results.has_exact_length():
            return len(results)
        return sum(1 for _ in islice(results.collector.all_ids(), MAX_TOTAL))

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
        if req.any_terms:  # "at least min_match words" is checked on the hits (see search)
            words = Or(parts)
        else:
            words = parts[0] if len(parts) == 1 else And(parts)
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
        query = And([words, *filters]) if filters else words
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

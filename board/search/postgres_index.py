"""The scale-out backend: PostgreSQL full-text search over the same analyzer's tokens.

`thread.search_vector` (tsvector, GIN-indexed; added by a PostgreSQL-only migration) holds the
board analyzer's tokens with their positions — title words weighted A, the rest D — written as a
tsvector literal, so PostgreSQL's own parser (and its locale) never re-splits Chinese: sub-words
share their word's position exactly as in Whoosh, and phrases use `<->`. Filters are the thread's
own columns, always current. Any number of processes and machines may query; the worker writes.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable

from sqlalchemy import text
from sqlalchemy.engine import Engine

from board.search import analyzer
from board.search.documents import Doc
from board.search.types import Hits, SearchRequest

MAX_POSITIONS = 255  # PostgreSQL keeps at most 256 positions per lexeme
MAX_POS = 16383
WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C, B, A
MAX_TOTAL = 1000  # results.PER_PAGE * results.MAX_PAGE: the pages a reader can reach
RANK_WINDOW = MAX_TOTAL  # relevance among this many newest matches; also the count
FETCH_COST = 5  # a match fetched through the GIN index costs about this many rows walked
STATS_TTL = 600.0  # seconds between re-reads of the word statistics


def _quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def to_tsvector_literal(title: str, content: str) -> str:
    """`'词':1A,9 ...` from the analyzer's index-mode tokens (title A, content D)."""
    positions: dict[str, list[str]] = {}
    offset = 1
    for part, weight in ((title, "A"), (content, "")):
        last = 0
        for tok in analyzer.index_tokens(part):
            pos = min(offset + tok.pos, MAX_POS)
            last = max(last, tok.pos)
            slots = positions.setdefault(tok.text, [])
            if len(slots) < MAX_POSITIONS:
                slots.append(f"{pos}{weight}")
        offset += last + 2  # a gap: a phrase never spans title and content
    return " ".join(f"{_quote(term)}:{','.join(slots)}" for term, slots in positions.items())


def group_literal(group: tuple[tuple[str, ...], ...]) -> str:
    """One required word of the query: any of its alternatives (thesaurus, compound parts)."""
    alternatives = [" & ".join(_quote(w) for w in alt) for alt in group]
    if len(alternatives) == 1 and len(group[0]) == 1:
        return alternatives[0]
    return "(" + " | ".join(f"({a})" for a in alternatives) + ")"


def to_tsquery_literal(req: SearchRequest) -> str:
    parts = [group_literal(g) for g in req.word_groups]
    parts += ["(" + " <-> ".join(_quote(t) for t in p) + ")" for p in req.phrases]
    return (" | " if req.any_terms else " & ").join(parts)


class PostgresIndex:
    name = "postgres"

    def __init__(self, engine_getter: Callable[[], Engine]) -> None:
        self._engine = engine_getter
        self._threads, self._share = 0.0, {}
        self._stats_at = float("-inf")

    @property
    def engine(self) -> Engine:
        return self._engine()

    def changed(self) -> None:
        """Nothing to refresh: every query reads the committed rows."""

    def apply(self, docs: Iterable[Doc], removed: Iterable[int], merge: bool = False) -> None:
        rows = [{"id": d.thread_id, "v": to_tsvector_literal(d.title, d.content),
                 "fp": d.fingerprint} for d in docs]
        if not rows:
            return
        with self.engine.begin() as conn:
            conn.execute(text("UPDATE thread SET search_vector = CAST(:v AS tsvector), "
                              "search_fp = :fp WHERE id = :id"), rows)

    def optimize(self) -> None:
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE thread"))

    def rebuild(self, batches: Iterable[list[Doc]], progress: Callable[[int], None]) -> None:
        """In place, batch by batch: the old vectors keep answering until each is replaced."""
        for docs in batches:
            self.apply(docs, ())
            progress(len(docs))

    def clear(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("UPDATE thread SET search_vector = NULL, search_fp = NULL"))

    def fingerprints(self) -> dict[int, str]:
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, search_fp FROM thread "
                                     "WHERE search_vector IS NOT NULL"))
            return {row.id: row.search_fp or "" for row in rows}

    def doc_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM thread WHERE search_vector IS NOT NULL"))

    def has_word(self, word: str) -> bool:
        """Whether any thread holds this word (spelling correction asks; the GIN index answers)."""
        with self.engine.connect() as conn:
            return conn.scalar(text("SELECT EXISTS (SELECT 1 FROM thread WHERE search_vector @@ "
                                    "CAST(:w AS tsquery))"), {"w": _quote(word)})

    def most_holding(self, words) -> int:
        """At most about how many threads hold all these words: the rarest one's share
        (PostgreSQL's column statistics; a word not listed there is rare) times the threads."""
        with self.engine.connect() as conn:
            threads, share = self._stats(conn)
        return int(threads * min((share.get(w, 0.0) for w in words), default=0.0))

    def size_bytes(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(text(
                "SELECT pg_relation_size('ix_thread_search_vector') + "
                "coalesce(sum(pg_column_size(search_vector)), 0) FROM thread")) or 0)

    def _where(self, req: SearchRequest, params: dict) -> str:
        clauses = ["t.search_vector @@ q.q"]
        if not req.police:
            clauses.append("t.visibility = 'public' AND NOT t.hidden AND t.withdrawn_at IS NULL")
        if req.board:
            clauses.append("t.board_id = (SELECT id FROM board WHERE slug = :board)")
            params["board"] = req.board
        for name in ("kind", "status"):
            if getattr(req, name):
                clauses.append(f"t.{name} = :{name}")
                params[name] = getattr(req, name)
        if req.answered is not None:
            clauses.append("t.has_official_reply = :answered")
            params["answered"] = req.answered
        if req.since:
            clauses.append("t.created_at >= :since")
            params["since"] = req.since
        if req.until:
            clauses.append("t.created_at < :until")
            params["until"] = req.until
        if req.exclude_id:
            clauses.append("t.id <> :exclude")
            params["exclude"] = req.exclude_id
        groups = req.word_groups
        if req.any_terms and len(groups) > 1:
            hits = " + ".join(f"(t.search_vector @@ CAST(:w{i} AS tsquery))::int"
                              for i in range(len(groups)))
            params.update({f"w{i}": group_literal(g) for i, g in enumerate(groups)})
            clauses.append(f"({hits}) >= {req.min_match}")
        return " AND ".join(clauses)

    def search(self, req: SearchRequest) -> Hits:
        """Ranks the RANK_WINDOW newest matches, whose number is also the count (capped).

        Two ways to find them. Mostly PostgreSQL plans well: a rare word's few matches come
        from the GIN index, a common word's newest from the date index. But it guesses the
        share of threads holding several words by multiplying their shares, and words of one
        topic go together: 驾驶证 换证 (one thread in twelve) was guessed at one in a hundred and
        cost 350 ms at 1M threads, fetching all 85,000 matches to sort them by date, where
        walking the newest threads reads 12,000 rows in 13 ms. So for several words the share
        is bounded by the rarest word's (PostgreSQL's own column statistics), and when the walk
        reads fewer rows than the index would fetch (fetches cost about five rows walked), it
        walks; should the words seldom meet in fact, the walk stops after twice the expected
        rows and the index answers.
        """
        if req.empty:
            return Hits()
        params: dict = {"q": to_tsquery_literal(req), "limit": req.limit, "offset": req.offset,
                        "weights": WEIGHTS, "window": RANK_WINDOW}
        where = self._where(req, params)
        order = "score DESC, id DESC" if req.sort != "newest" else "created_at DESC, id DESC"
        with self.engine.connect() as conn:
            score = self._score(conn, req, params)
            scan = self._walk(conn, req)
            if scan:
                params["scan"] = scan
                rows = conn.execute(text(_ranked(where, order, "(SELECT * FROM thread "
                                    "ORDER BY created_at DESC LIMIT :scan)", score)),
                                    params).all()
                if rows and rows[0].total >= RANK_WINDOW:
                    return _hits(rows)
            return _hits(conn.execute(text(_ranked(where, order, "thread", score)),
                                      params).all())

    def _score(self, conn, req: SearchRequest, params: dict) -> str:
        """A hit's score. Every word required: ts_rank. Any of the words (the closest threads,
        similar questions): the rarity of each word in the form the thread has it, plus ts_rank
        (which knows no word's rarity, so a thread repeating a common word or holding three
        synonyms would come first). Each word counts once, as its rarest matching form, like
        Whoosh's BM25 over DisjunctionMax."""
        rank = "ts_rank(CAST(:weights AS real[]), m.search_vector, q.q)"
        groups = req.word_groups
        if not req.any_terms or len(groups) < 2:  # every hit has every word: ts_rank decides
            return rank
        threads, share = self._stats(conn)
        floor = min(share.values(), default=0.001) / 2  # a word too rare to be listed
        parts = []
        for i, group in enumerate(groups):
            forms = []
            for j, alt in enumerate(group):
                found = min(share.get(w, floor) for w in alt)
                weight = math.log(1 + 1 / min(1.0, max(found, 1e-6)))
                params[f"a{i}_{j}"] = " & ".join(_quote(w) for w in alt)
                forms.append(f"{weight:.4f} * (m.search_vector @@ CAST(:a{i}_{j} AS tsquery))::int")
            parts.append(forms[0] if len(forms) == 1 else f"GREATEST({', '.join(forms)})")
        return f"{' + '.join(parts)} + {rank}"

    def _walk(self, conn, req: SearchRequest) -> int:
        """How many newest threads to walk for this query's window; 0: leave it to the plan."""
        groups = [*req.word_groups, *(((w,),) for p in req.phrases for w in p)]
        if len(groups) < 2:
            return 0
        threads, share = self._stats(conn)
        # A word's share, counting its alternatives (thesaurus) as the word: their sum, at most 1.
        shares = [min(1.0, sum(min(share.get(w, 0.0) for w in alt) for alt in g))
                  for g in groups]
        if req.any_terms:  # at least min_match of the words: at most this share of threads
            bound = sum(shares) / req.min_match
        else:
            bound = min(shares)
        walked = RANK_WINDOW / bound if bound else float("inf")
        return int(2 * walked) if walked < FETCH_COST * bound * threads else 0

    def _stats(self, conn) -> tuple[float, dict[str, float]]:
        """The thread count and the share of threads holding each common word (PostgreSQL's
        statistics of the column, kept by ANALYZE), re-read every STATS_TTL seconds."""
        now = time.monotonic()
        if now - self._stats_at > STATS_TTL:
            row = conn.execute(text(
                "SELECT most_common_elems::text::text[] AS words, most_common_elem_freqs AS f, "
                "(SELECT reltuples FROM pg_class WHERE relname = 'thread') AS n "
                "FROM pg_stats WHERE tablename = 'thread' AND attname = 'search_vector'")).first()
            if row and row.words:
                self._threads, self._share = float(row.n), dict(zip(row.words, row.f))  # noqa: B905
            # most_common_elem_freqs ends with 3 extra figures (min, max, null share)
            self._stats_at = now
        return self._threads, self._share


def _ranked(where: str, order: str, source: str, score: str) -> str:
    """The window of newest matches from `source`, scored, counted and paged in one query."""
    return (f"WITH m AS (SELECT t.id, t.created_at, t.search_vector FROM {source} AS t, "
            f"CAST(:q AS tsquery) AS q(q) WHERE {where} ORDER BY t.created_at DESC "
            f"LIMIT :window) "
            f"SELECT id, created_at, {score} "
            f"AS score, count(*) OVER () AS total FROM m, CAST(:q AS tsquery) AS q(q) "
            f"ORDER BY {order} LIMIT :limit OFFSET :offset")


def _hits(rows) -> Hits:
    return Hits(items=[(r.id, float(r.score)) for r in rows],
                total=int(rows[0].total) if rows else 0)

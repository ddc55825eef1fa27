"""The scale-out backend: PostgreSQL full-text search over the same analyzer's tokens.

`thread.search_vector` (tsvector, GIN-indexed; added by a PostgreSQL-only migration) holds the
board analyzer's tokens with their positions — title words weighted A, the rest D — written as a
tsvector literal, so PostgreSQL's own parser (and its locale) never re-splits Chinese: sub-words
share their word's position exactly as in Whoosh, and phrases use `<->`. Filters are the thread's
own columns, always current. Any number of processes and machines may query; the worker writes.
"""
from __future__ import annotations

from typing import Callable, Iterable

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


def _quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def to_tsvector_literal(title: str, content: str) -> str:
    """`'词':1A,9 ...` from the analyzer's index-mode tokens (title A, content D)."""
    positions: dict[str, list[str]] = {}
    offset = 1
    for part, weight in ((title, "A"), (content, "")):
        last = 0
        for tok in analyzer.tokenize(part, index=True):
            pos = min(offset + tok.pos, MAX_POS)
            last = max(last, tok.pos)
            slots = positions.setdefault(tok.text, [])
            if len(slots) < MAX_POSITIONS:
                slots.append(f"{pos}{weight}")
        offset += last + 2  # a gap: a phrase never spans title and content
    return " ".join(f"{_quote(term)}:{','.join(slots)}" for term, slots in positions.items())


def to_tsquery_literal(req: SearchRequest) -> str:
    parts = [_quote(t) for t in req.terms]
    parts += ["(" + " <-> ".join(_quote(t) for t in p) + ")" for p in req.phrases]
    return (" | " if req.any_terms else " & ").join(parts)


class PostgresIndex:
    name = "postgres"

    def __init__(self, engine_getter: Callable[[], Engine]) -> None:
        self._engine = engine_getter

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

    def size_bytes(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(text(
                "SELECT pg_relation_size('ix_thread_search_vector') + "
                "coalesce(sum(pg_column_size(search_vector)), 0) FROM thread")) or 0)

    def _where(self, req: SearchRequest, params: dict) -> str:
        clauses = ["t.search_vector @@ q.q"]
        if not req.police:
            clauses.append("t.visibility = 'public' AND NOT t.hidden")
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
        if req.any_terms and len(req.terms) > 1:
            hits = " + ".join(f"(t.search_vector @@ CAST(:w{i} AS tsquery))::int"
                              for i in range(len(req.terms)))
            params.update({f"w{i}": _quote(t) for i, t in enumerate(req.terms)})
            clauses.append(f"({hits}) >= {req.min_match}")
        return " AND ".join(clauses)

    def search(self, req: SearchRequest) -> Hits:
        """Ranks the RANK_WINDOW newest matches (a very common word matches thousands of
        threads; ranking them all would read every vector), and counts up to MAX_TOTAL."""
        if req.empty:
            return Hits()
        params: dict = {"q": to_tsquery_literal(req), "limit": req.limit, "offset": req.offset,
                        "weights": WEIGHTS, "window": RANK_WINDOW, "cap": MAX_TOTAL}
        where = self._where(req, params)
        matches = f"FROM thread t, CAST(:q AS tsquery) AS q(q) WHERE {where}"
        if req.sort == "newest":
            sql = (f"SELECT t.id, 0.0 AS score, NULL AS total {matches} "
                   f"ORDER BY t.created_at DESC, t.id DESC LIMIT :limit OFFSET :offset")
        else:  # the window's size is the count, up to MAX_TOTAL, in the same query
            sql = (f"WITH m AS (SELECT t.id, ts_rank(CAST(:weights AS real[]), t.search_vector, "
                   f"q.q) AS score {matches} ORDER BY t.created_at DESC LIMIT :window) "
                   f"SELECT id, score, count(*) OVER () AS total FROM m "
                   f"ORDER BY score DESC, id DESC LIMIT :limit OFFSET :offset")
        count = f"SELECT count(*) FROM (SELECT 1 {matches} LIMIT :cap) AS c"
        with self.engine.connect() as conn:
            rows = conn.execute(text(sql), params).all()
            if rows and rows[0].total is not None:
                total = rows[0].total
            else:
                total = conn.scalar(text(count), params) if rows or req.offset else 0
        return Hits(items=[(r.id, float(r.score)) for r in rows], total=int(total or 0))

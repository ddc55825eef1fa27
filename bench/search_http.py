"""Search over HTTP (issue 19): `/api/v1/search` and the search page against the engine's own time.

    python bench/search_http.py                          # 10k and 100k threads, Whoosh + SQLite
    python bench/search_http.py --threads 10000 --keep /tmp/search-http   # build once, reuse
    python bench/search_http.py --threads 100000 --keep /tmp/search-http --profile 3

bench/search.py's corpus (the same seed, the same 30 latency queries: 15 common 1–3 word
queries and 15 labelled ones) is loaded as a board: threads, their official answers as replies
and the Whoosh index the board opens, under an instance directory (`--keep`: built once, reused).
Then, in one process and one loop, each query is run three ways, interleaved, with the index's
result cache cleared before each (the index's cost, not the cache's):

- **engine**: what the search costs the index — bench/search.py's `page_search` (the thesaurus
  expansion, `results.ranked_in_words`, the correction when no thread has every word);
- **API**: `GET /api/v1/search?q=…` through the Flask test client (server-side time of the
  whole request: routing, the search, loading the threads, snippets, recording misses, JSON);
- **page**: `GET /search?q=…` the same way (the HTML results page; the anonymous page cache off).

The snippets' analysis cache (board/search/highlight.py) is cleared before each request too, else
the page would find the texts the API's request had just analyzed.

Printed per size: p50 / p95 / p99 of each (wall time, then this process's CPU time, which a
shared machine's waits do not inflate), and the API's and the page's p50 and p95 as a multiple
of the engine's (issue 19's target: within 2×, p95 ≤ 50 ms at 100k on Whoosh).
`--profile N` prints cProfile's top functions of the N slowest API requests (diagnosis).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import search as sbench  # noqa: E402
from board.search import analyzer  # noqa: E402

ANSWERER = 2  # the officer whose replies are the official answers


def _row(table, **values) -> dict:
    """A row for a raw insert: the given values, other issues' required columns defaulted."""
    row = {c.name: None for c in table.columns}
    row.update(values)
    for c in table.columns:
        if row[c.name] is None and not c.nullable and c.default is not None \
                and not callable(c.default.arg):
            row[c.name] = c.default.arg
    return row


def load_board(db, docs) -> None:
    """The corpus as a board's rows: a resident's threads, an officer's official answers."""
    import sqlalchemy as sa
    from flask import current_app

    from board.services import boards

    boards.sync(current_app.config["BOARDS_CONFIG"])
    board_ids = dict(db.session.execute(sa.text("SELECT slug, id FROM board")).all())
    users = db.metadata.tables["user"]
    db.session.execute(users.insert(), [
        _row(users, id=1, username="bench", password_hash="x", nickname="居民", role="citizen",
             disabled=False, created_at=docs[0].created),
        _row(users, id=ANSWERER, username="officer", password_hash="x", nickname="民警",
             role="officer", disabled=False, created_at=docs[0].created)])
    thread_t, post_t = db.metadata.tables["thread"], db.metadata.tables["post"]
    threads, posts = [], []
    for d in docs:
        title, _, rest = d.content.partition("\n")
        body, _, answer = rest.partition("\n")
        threads.append(_row(thread_t, id=d.thread_id, board_id=board_ids[d.board],
                            author_id=1, kind=d.kind, title=d.title[:120], body=body,
                            body_html="", status=d.status, visibility=d.visibility,
                            pinned=False, locked=False, reply_count=1 if answer else 0,
                            has_official_reply=d.answered, created_at=d.created,
                            last_activity_at=d.created, hidden=False))
        if answer:
            posts.append(_row(post_t, thread_id=d.thread_id, author_id=ANSWERER, body=answer,
                              body_html="", official=True, official_name="民警",
                              official_unit="派出所", answer_role="unit", formal_answer=True,
                              hidden=False, created_at=d.created))
    for table, rows in ((thread_t, threads), (post_t, posts)):
        for chunk in sbench.batches(rows, 2000):
            db.session.execute(table.insert(), chunk)
    db.session.commit()


def board_app(docs, instance: Path):
    """The app over the instance (loaded when its database is missing) and its Whoosh index."""
    from board import create_app
    from board.config import TestConfig
    from board.extensions import db

    fresh = not (instance / "test.db").exists()
    instance.mkdir(parents=True, exist_ok=True)
    config = TestConfig(instance)
    config.ANON_CACHE = False  # the cost of really building the page
    config.SERVER_NAME = None
    app = create_app(config)
    with app.app_context():
        import logging

        from flask_migrate import upgrade
        logging.disable(logging.INFO)
        if fresh:
            upgrade()
            load_board(db, docs)
    index, build = sbench.whoosh_index(docs, None, str(instance))  # instance/whoosh
    app.config["SEARCH_INDEX_DIR"] = str(index.path)
    return app, index, build


def summary(name: str, times: list[float], engine: list[float] | None = None) -> str:
    p = sbench.percentile
    line = (f"  {name:<8} p50 {p(times, 50):6.1f} p95 {p(times, 95):6.1f} "
            f"p99 {p(times, 99):6.1f} ms")
    if engine:
        line += (f" | ×{p(times, 50) / p(engine, 50):.1f} p50, "
                 f"×{p(times, 95) / p(engine, 95):.1f} p95 of the engine's")
    return line


def run_size(n: int, keep: str | None, rounds: int, profile: int) -> None:
    from board.search import highlight, thesaurus
    from board.startup import ready_to_serve

    docs, labels = sbench.generate(n)
    queries = sbench.COMMON_QUERIES + [q for q, _ in labels[:15]]
    base = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="search-http-"))
    t0 = time.perf_counter()
    app, index, build = board_app(docs, base / str(n))
    print(f"{n} threads: board ready in {time.perf_counter() - t0:.0f} s"
          f"{' (kept)' if build is None else ''}", flush=True)
    del docs, labels  # not the server's: its heap is the board's alone
    ready_to_serve(app)  # as each serving process starts: its heap frozen out of the GC's walks
    client = app.test_client()
    engine_run = sbench.page_search(index, thesaurus.current.get(lambda: []))
    times: dict[str, list[float]] = {"engine": [], "API": [], "page": []}
    cpu: dict[str, list[float]] = {"engine": [], "API": [], "page": []}  # this process's CPU
    slow: list[tuple[float, str]] = []
    try:
        with app.app_context():
            def url(path, q):
                return f"{path}?{urllib.parse.urlencode({'q': q})}"

            for q in queries[:3]:  # warm-up: the searcher, the templates, the thesaurus
                engine_run(q)
                client.get(url("/api/v1/search", q))
                client.get(url("/search", q))
            for _ in range(rounds):
                for q in queries:
                    t, c = time.perf_counter(), time.process_time()
                    engine_run(q)  # clears the index's result cache itself
                    times["engine"].append((time.perf_counter() - t) * 1000)
                    cpu["engine"].append((time.process_time() - c) * 1000)
                    for name, path in (("API", "/api/v1/search"), ("page", "/search")):
                        index._cache.clear()
                        highlight._spans.cache_clear()  # the page would reuse the API's
                        t, c = time.perf_counter(), time.process_time()
                        response = client.get(url(path, q))
                        ms = (time.perf_counter() - t) * 1000
                        cpu[name].append((time.process_time() - c) * 1000)
                        assert response.status_code == 200, (path, q, response.status_code)
                        times[name].append(ms)
                        if name == "API":
                            slow.append((ms, q))
            print(summary("engine", times["engine"]), flush=True)
            for name in ("API", "page"):
                print(summary(name, times[name], times["engine"]), flush=True)
            print("  CPU time (what a busy machine's waits do not inflate):", flush=True)
            print(summary("engine", cpu["engine"]), flush=True)
            for name in ("API", "page"):
                print(summary(name, cpu[name], cpu["engine"]), flush=True)
            for ms, q in sorted(set(slow), reverse=True)[:profile]:
                index._cache.clear()
                prof = cProfile.Profile(time.process_time)  # CPU: waits are not its cost
                prof.enable()
                client.get(url("/api/v1/search", q))
                prof.disable()
                out = io.StringIO()
                stats = pstats.Stats(prof, stream=out)
                stats.sort_stats("cumulative").print_stats("board/", 30)
                stats.sort_stats("tottime").print_stats(15)
                print(f"--- API {q!r} ({ms:.0f} ms in the loop) ---\n{out.getvalue()}")
    finally:
        if not keep:
            shutil.rmtree(base, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--keep", metavar="DIR",
                        help="build each size's board under DIR/<threads> once and reuse it")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="cProfile the N slowest API requests")
    args = parser.parse_args()
    analyzer.load()
    for n in args.threads:
        run_size(n, args.keep, args.rounds, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())

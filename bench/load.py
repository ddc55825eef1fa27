"""Write load: many citizens posting and replying at once against the real server (`python app.py`).

    python bench/load.py                          # SQLite (WAL), 50 clients, 15 s
    python bench/load.py --seconds 60 --clients 50
    python bench/load.py --postgres               # its own PostgreSQL database, dropped after

Every client is a signed-in citizen (bearer token) alternating new threads and replies to a few
shared threads. Afterwards it checks, and prints: every acknowledged (201) thread and reply is in
the database; the search index holds every acknowledged thread with its replies once the worker
has drained (`verify` shows no drift for them); a listening Socket.IO client received
`thread_created`/`post_created` for each; zero 5xx. Figures: writes/s, p50/p95/p99 latency.
Rate limits are off for the run (FLASK_RATELIMIT_ENABLED=false), as the README says for load tests.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from tests.live_server import BoardServer, register, token  # noqa: E402

PG_ADMIN = os.environ.get("BOARD_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BOARD = "qa"
SHARED_THREADS = 8


# --- PostgreSQL: a database of our own -------------------------------------------------------


def create_pg_database() -> str:
    import sqlalchemy as sa

    name = f"board_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    import sqlalchemy as sa

    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


# --- the live listener --------------------------------------------------------------------------


class Listener:
    """An anonymous Socket.IO client in the board room and the shared threads' rooms."""

    def __init__(self, url: str) -> None:
        import socketio

        self.threads: set[int] = set()
        self.posts: set[int] = set()
        self.client = socketio.Client(reconnection=True)
        self.client.on("thread_created", lambda data: self.threads.add(data["thread"]["id"]))
        self.client.on("post_created", lambda data: self.posts.add(data["post"]["id"]))
        self.url = url
        self.rooms: list[str] = []

    def start(self, rooms: list[str]) -> None:
        self.rooms = rooms
        self.client.on("connect", self._join)
        self.client.connect(self.url, transports=["websocket"], wait_timeout=10)
        self._join()

    def _join(self) -> None:
        for room in self.rooms:
            try:
                self.client.call("join", {"room": room}, timeout=5)
            except Exception:  # rejoined on the next connect
                pass

    def stop(self) -> None:
        self.client.disconnect()


# --- the writers ----------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: dict[str, int] = {}
        self.threads: set[int] = set()
        self.posts: set[int] = set()

    def record(self, status: str, seconds: float, thread_id=None, post_id=None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if thread_id:
                self.threads.add(thread_id)
            if post_id:
                self.posts.add(post_id)


def writer(url: str, bearer: str, shared: list[int], stop: threading.Event, stats: Stats,
           n: int) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {bearer}"
    rng = random.Random(n)
    seq = 0
    while not stop.is_set():
        seq += 1
        started = time.perf_counter()
        try:
            if rng.random() < 0.5:
                r = session.post(f"{url}/api/v1/boards/{BOARD}/threads", timeout=30, json={
                    "title": f"压测问题 c{n} 第{seq}个", "kind": "question",
                    "body": f"请问户口迁移需要哪些材料?压测客户端 {n} 序号 {seq}"})
                ok = r.status_code == 201
                stats.record(str(r.status_code), time.perf_counter() - started,
                             thread_id=r.json()["thread"]["id"] if ok else None)
            else:
                target = rng.choice(shared)
                r = session.post(f"{url}/api/v1/threads/{target}/posts", timeout=30, json={
                    "body": f"补充说明:压测客户端 {n} 第 {seq} 条回复"})
                ok = r.status_code == 201
                stats.record(str(r.status_code), time.perf_counter() - started,
                             post_id=r.json()["post"]["id"] if ok else None)
        except requests.RequestException as exc:
            stats.record(type(exc).__name__, time.perf_counter() - started)
            time.sleep(0.05)


def run_writers(url: str, tokens: list[str], shared: list[int], seconds: float,
                stats: Stats | None = None, stop: threading.Event | None = None) -> Stats:
    stats = stats or Stats()
    stop = stop or threading.Event()
    workers = [threading.Thread(target=writer, args=(url, t, shared, stop, stats, n), daemon=True)
               for n, t in enumerate(tokens)]
    for w in workers:
        w.start()
    time.sleep(seconds)
    stop.set()
    for w in workers:
        w.join(40)
    return stats


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --- checks against the database and the index ----------------------------------------------


def in_process_app(instance: Path, database_url: str | None, search_backend: str):
    """An app on the server's database and index, for checks (imported after env is set)."""
    os.environ["BOARD_INSTANCE"] = str(instance)
    os.environ["SECRET_KEY"] = "live-test-secret"
    os.environ["SEARCH_BACKEND"] = search_backend
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import board.config
    from board import create_app

    board.config.INSTANCE = Path(instance)  # read at import; a second run may use another folder
    return create_app()


def check_database(app, stats: Stats) -> tuple[int, int]:
    """How many acknowledged threads and replies are missing from the database."""
    from board.extensions import db
    from board.models import Post, Thread

    with app.app_context():
        threads = set(db.session.scalars(db.select(Thread.id).where(Thread.id.in_(stats.threads))))
        posts = set(db.session.scalars(db.select(Post.id).where(Post.id.in_(stats.posts))))
        db.session.remove()
    return len(stats.threads - threads), len(stats.posts - posts)


def check_search(app, stats: Stats, shared: list[int], timeout: float = 120) -> dict | None:
    """After the server's worker drains: acknowledged threads missing or stale in the index."""
    try:
        from board.search import cli as search_cli
        from board.search import worker
    except ImportError:
        return None
    deadline = time.monotonic() + timeout
    with app.app_context():
        while worker.pending(app) and time.monotonic() < deadline:
            time.sleep(0.5)
        pending = worker.pending(app)
    drift = search_cli.verify(app, repair=False)
    ours = stats.threads | set(shared)
    return {"pending": pending,
            "missing": len(ours & set(drift["missing"])),
            "stale": len(ours & set(drift["stale"]))}


def setup_people(server: BoardServer, clients: int) -> tuple[list[str], list[int]]:
    tag = uuid.uuid4().hex[:6]
    tokens = []
    for n in range(clients):
        username = f"load_{tag}_{n}"
        register(server, username, f"压测{n}")
        tokens.append(token(server, username))
    shared = []
    for n in range(SHARED_THREADS):
        r = requests.post(f"{server.url}/api/v1/boards/{BOARD}/threads", timeout=30,
                          headers={"Authorization": f"Bearer {tokens[n % len(tokens)]}"},
                          json={"title": f"压测共享帖 {n}", "body": "大家都来回复",
                                "kind": "question"})
        r.raise_for_status()
        shared.append(r.json()["thread"]["id"])
    return tokens, shared


def report(label: str, stats: Stats, seconds: float, missing: tuple[int, int], search: dict | None,
           listener: Listener | None) -> bool:
    acked = len(stats.threads) + len(stats.posts)
    five = sum(v for k, v in stats.statuses.items() if k.startswith("5"))
    print(f"\n== {label}")
    print(f"  requests {len(stats.latencies)}  statuses {dict(sorted(stats.statuses.items()))}")
    print(f"  acknowledged writes {acked} ({len(stats.threads)} threads, "
          f"{len(stats.posts)} replies)  throughput {acked / seconds:.1f} writes/s")
    lat = [x * 1000 for x in stats.latencies]
    print(f"  latency ms: p50 {percentile(lat, 50):.0f}  p95 {percentile(lat, 95):.0f}  "
          f"p99 {percentile(lat, 99):.0f}  max {max(lat, default=0):.0f}  "
          f"mean {statistics.fmean(lat) if lat else 0:.0f}")
    print(f"  missing from database: {missing[0]} threads, {missing[1]} replies")
    ok = five == 0 and missing == (0, 0)
    if search is not None:
        print(f"  search index after drain: {search['missing']} missing, {search['stale']} stale, "
              f"{search['pending']} jobs still queued")
        ok = ok and search["missing"] == 0 and search["stale"] == 0
    if listener is not None:
        lost_threads = len(stats.threads - listener.threads)
        lost_posts = len(stats.posts - listener.posts)
        print(f"  pushed live (listening socket): threads {len(stats.threads) - lost_threads}/"
              f"{len(stats.threads)}, replies {len(stats.posts) - lost_posts}/{len(stats.posts)}")
        ok = ok and lost_threads == 0 and lost_posts == 0
    zero_5xx = "yes" if five == 0 else f"NO ({five})"
    print(f"  zero 5xx: {zero_5xx}   verdict: {'PASS' if ok else 'FAIL'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--postgres", action="store_true",
                        help="run on a fresh PostgreSQL database")
    parser.add_argument("--search-backend", choices=["whoosh", "postgres"])
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="board-load-"))
    database_url = create_pg_database() if args.postgres else None
    backend = args.search_backend or ("postgres" if args.postgres else "whoosh")
    extra = {"SEARCH_BACKEND": backend}
    if database_url:
        extra["DATABASE_URL"] = database_url
    server = BoardServer(instance, extra_env=extra)
    ok = False
    try:
        server.wait_ready(120)
        tokens, shared = setup_people(server, args.clients)
        listener = Listener(server.url)
        listener.start([f"board:{BOARD}"] + [f"thread:{t}" for t in shared])
        started = time.perf_counter()
        stats = run_writers(server.url, tokens, shared, args.seconds)
        elapsed = time.perf_counter() - started
        time.sleep(3)  # the last live events are on their way
        listener.stop()
        app = in_process_app(instance, database_url, backend)
        missing = check_database(app, stats)
        search = check_search(app, stats, shared)
        label = (f"{args.clients} clients × {args.seconds:.0f} s, "
                 f"{'PostgreSQL' if database_url else 'SQLite (WAL)'}, search={backend}")
        ok = report(label, stats, elapsed, missing, search, listener)
    finally:
        server.stop()
        if database_url:
            drop_pg_database(database_url)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

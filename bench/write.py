"""The write path (issue 19), in one run: an officer's reply beside the ceiling, indexing by thread
length, and 50 writers at once on one embedded process and on PostgreSQL + Redis with 2.

    python bench/write.py                              # every part; the load runs 15 s each
    python bench/write.py --load-seconds 60            # the issue's 60 s
    python bench/write.py --parts cpu,index            # some: cpu, index, index-pg, load, load-pg

cpu     gunicorn (gevent, 1 worker, no background workers: what the request itself costs) serves
        POST /api/v1/threads/<id>/posts as an officer (bearer token, JSON), one connection, beside
        bench/ceiling_app.py's template+SQLite row served the same way; windows alternate between
        the two, and the server's CPU per request (utime+stime from /proc) is compared.
index   in one process: an officer's reply to a thread of 5 replies and to one of 500, one at a
        time, alternating; the request, then everything the workers do for it (search indexing,
        the notice fan-out with its bell entries), each timed on the process's CPU clock.
index-pg the same on a fresh PostgreSQL database (dropped after) with the tsvector backend.
load    `python app.py` (SQLite, its own search indexer and notice worker) under 50 signed-in
        citizens posting threads and replies for --load-seconds (bench/load.py's writers, checks
        and report: acknowledged writes in the database, in the index and pushed live, 5xx).
load-pg the same against two `python app.py` processes on one PostgreSQL database (a fresh one,
        dropped after) sharing Socket.IO rooms over Redis; writers split between the two.

Each part runs in a child process of its own (the board reads its instance folder at import).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPLY = "您好,您反映的情况已收到,请携带户口簿和身份证原件到户政窗口办理,工作日 9:00–17:00。"
PG_ADMIN = os.environ.get("BOARD_TEST_PG_ADMIN_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("BOARD_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


# --- a small board of our own ------------------------------------------------------------------


def board_env(instance: Path, database_url: str | None = None) -> dict:
    return {"BOARD_INSTANCE": str(instance), "SECRET_KEY": "bench-write-secret",
            "DATABASE_URL": database_url or f"sqlite:///{instance / 'board.db'}",
            "BOARD_DEMO": "0", "FLASK_RATELIMIT_ENABLED": "false",
            "SEARCH_BACKEND": "postgres" if database_url else "whoosh"}


def make_board(instance: Path, replies: tuple[int, ...] = (5,), database_url: str | None = None):
    """Migrate, sync boards, one officer, one thread per entry of `replies` with that many
    replies (inserted in bulk) and indexed. Returns (app, officer token, thread ids)."""
    os.environ.update(board_env(instance, database_url))
    import logging

    from flask_migrate import upgrade

    from board import create_app, search
    from board.extensions import db
    from board.models import Board, Post, Thread, ThreadStatus, utcnow
    from board.services import accounts, boards

    app = create_app()
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context():
        upgrade()
        boards.sync(app.config["BOARDS_CONFIG"])
        officer = accounts.create_user("officer", "bench_officer", "bench-pass-2026",
                                       real_name="王海峰", badge_no="150231", unit_code="hukou")
        citizens = [accounts.register_citizen(f"bench_c{i}", "bench-pass-2026", f"市民{i}")
                    for i in range(20)]
        hukou = db.session.scalar(db.select(Board).where(Board.slug == "hukou"))
        ids = []
        for n in replies:
            now = utcnow()
            thread = Thread(board=hukou, author=citizens[0], kind="question",
                            title=f"户口迁移需要哪些材料?(有 {n} 条回复的帖子)",
                            body="我想把户口从老家迁到鹿城区,请问需要带哪些材料,去哪个窗口办理?",
                            body_html="<p>户口迁移</p>", status=ThreadStatus.AWAITING_REPLY,
                            visibility="public", created_at=now, last_activity_at=now,
                            reply_count=n)
            db.session.add(thread)
            db.session.flush()
            db.session.add_all(Post(thread_id=thread.id, author=citizens[i % 20],
                                    body=f"我也遇到同样的问题,第{i}楼,请问派出所周末能办理吗?",
                                    body_html="<p>同问</p>", created_at=now)
                               for i in range(n))
            ids.append(thread.id)
        db.session.commit()
        token = accounts.issue_token(officer)
        db.session.remove()
    search.index(app)
    return app, token, ids


# --- cpu: the reply in the request, beside the ceiling ----------------------------------------


class Client:
    """One keep-alive connection, requests one after the other (replies arrive one by one)."""

    def __init__(self, base: str) -> None:
        host, port = base.rsplit("/", 1)[1].split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        self.n = 0

    def get(self, path: str) -> int:
        self.conn.request("GET", path)
        r = self.conn.getresponse()
        r.read()
        return r.status

    def reply(self, thread_id: int, token: str) -> int:
        self.n += 1
        body = json.dumps({"body": f"{REPLY}(第{self.n}次)"}, ensure_ascii=False).encode()
        self.conn.request("POST", f"/api/v1/threads/{thread_id}/posts", body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        r = self.conn.getresponse()
        r.read()
        return r.status


def window(server, call, seconds: float) -> tuple[float, int, int]:
    """CPU ms per request of `server` while `call` runs for `seconds`; (ms, requests, errors)."""
    before, n, errors = server.cpu_seconds(), 0, 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        status = call()
        n += 1
        errors += status >= 400
    return 1000 * (server.cpu_seconds() - before) / max(n, 1), n, errors


def part_cpu(args) -> dict:
    from bench.pages import Server

    instance = Path(tempfile.mkdtemp(prefix="bench-write-cpu-"))
    _, token, (thread_id,) = make_board(instance)
    ceiling_db = tempfile.mktemp(prefix="ceiling-", suffix=".db")
    ceiling = Server("bench.ceiling_app:app", {"CEILING_DB": ceiling_db}, probe="/hello")
    board = Server("board.wsgi:app", board_env(instance), probe="/api/v1/boards")
    try:
        row, reply = Client(ceiling.base), Client(board.base)
        window(ceiling, lambda: row.get("/row"), 1)  # warm-up
        window(board, lambda: reply.reply(thread_id, token), 1)
        rows, replies, errors = [], [], 0
        for i in range(args.rounds):
            rows.append(window(ceiling, lambda: row.get("/row"), args.window)[0])
            ms, n, e = window(board, lambda: reply.reply(thread_id, token), args.window)
            replies.append(ms)
            errors += e
            print(f"  round {i + 1}: ceiling row {rows[-1]:.2f} ms, reply {ms:.2f} ms "
                  f"({n} replies)", flush=True)
    finally:
        board.stop()
        ceiling.stop()
        os.path.exists(ceiling_db) and os.unlink(ceiling_db)
    row_ms, reply_ms = statistics.median(rows), statistics.median(replies)
    return {"row_ms": row_ms, "reply_ms": reply_ms, "share": row_ms / reply_ms,
            "errors": errors, "rounds": args.rounds}


# --- index: 5 replies vs 500 -------------------------------------------------------------------


def part_index(args, postgres: bool = False) -> dict:
    from bench import load

    database_url = load.create_pg_database() if postgres else None
    try:
        return _index(args, database_url)
    finally:
        if database_url:  # its connections are ended by the drop
            load.drop_pg_database(database_url)


def _index(args, database_url: str | None) -> dict:
    from board.search import worker
    from board.services import notice_delivery

    instance = Path(tempfile.mkdtemp(prefix="bench-write-index-"))
    app, token, (small, large) = make_board(instance, (5, 500), database_url)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    clock = time.process_time
    cost: dict[int, dict[str, list[float]]] = {t: {"request": [], "index": [], "fan_out": []}
                                               for t in (small, large)}

    def workers() -> tuple[float, float]:
        started = clock()
        worker.drain(app)
        indexed = clock()
        with app.app_context():
            while notice_delivery.fan_out_batch():
                pass
        return indexed - started, clock() - indexed

    workers()
    for i in range(args.index_replies * 2 + 2):
        thread_id = (small, large)[i % 2] if (i // 2) % 2 == 0 else (large, small)[i % 2]
        started = clock()
        r = client.post(f"/api/v1/threads/{thread_id}/posts", headers=headers,
                        json={"body": f"{REPLY}(第{i}次)"})
        request = clock() - started
        assert r.status_code == 201, r.get_data(as_text=True)
        index, fan_out = workers()
        if i >= 2:  # the first of each: warm-up
            for key, value in (("request", request), ("index", index), ("fan_out", fan_out)):
                cost[thread_id][key].append(1000 * value)
    out = {}
    for name, thread_id in (("5", small), ("500", large)):
        medians = {k: statistics.median(v) for k, v in cost[thread_id].items()}
        medians["total"] = sum(medians.values())
        out[name] = medians
    out["ratio"] = out["500"]["total"] / out["5"]["total"]
    out["replies"] = args.index_replies
    out["backend"] = "PostgreSQL" if database_url else "SQLite + Whoosh"
    with app.app_context():
        from board.extensions import db

        db.engine.dispose()
    return out


# --- load: many writers at once ----------------------------------------------------------------


def part_load(args, postgres: bool) -> dict:
    from bench import load
    from tests.live_server import BoardServer

    instance = Path(tempfile.mkdtemp(prefix="bench-write-load-"))
    database_url = load.create_pg_database() if postgres else None
    backend = "postgres" if postgres else "whoosh"
    extra = {"SEARCH_BACKEND": backend, "LOG_LEVEL": "warning"}
    if database_url:
        extra["DATABASE_URL"] = database_url
    servers = []
    try:
        for _ in range(2 if postgres else 1):
            servers.append(BoardServer(instance, redis_url=REDIS if postgres else None,
                                       channel=f"bench-write-{os.getpid()}", extra_env=extra))
            servers[-1].wait_ready(120)  # the first migrates; the second finds it done
        tokens, shared = load.setup_people(servers[0], args.clients)
        listener = load.Listener(servers[0].url)
        listener.start([f"board:{load.BOARD}"] + [f"thread:{t}" for t in shared])
        stats, stop = load.Stats(), threading.Event()
        writers = [threading.Thread(target=load.writer, daemon=True, args=(
            servers[n % len(servers)].url, t, shared, stop, stats, n))
            for n, t in enumerate(tokens)]
        started = time.perf_counter()
        for w in writers:
            w.start()
        time.sleep(args.load_seconds)
        stop.set()
        for w in writers:
            w.join(40)
        elapsed = time.perf_counter() - started
        time.sleep(3)  # the last live events are on their way
        listener.stop()
        app = load.in_process_app(instance, database_url, backend)
        missing = load.check_database(app, stats)
        search = load.check_search(app, stats, shared)
        label = (f"{args.clients} writers × {args.load_seconds:.0f} s, "
                 + ("PostgreSQL + Redis, 2 processes" if postgres else "SQLite, 1 process"))
        ok = load.report(label, stats, elapsed, missing, search, listener)
        acked = len(stats.threads) + len(stats.posts)
        lat = [x * 1000 for x in stats.latencies]
        return {"label": label, "ok": ok, "writes_per_s": acked / elapsed,
                "p50": load.percentile(lat, 50), "p95": load.percentile(lat, 95),
                "lost": sum(missing), "live_lost": len(stats.threads - listener.threads)
                + len(stats.posts - listener.posts),
                "search": search,
                "5xx": sum(v for k, v in stats.statuses.items() if k.startswith("5")),
                "errors": sum(v for k, v in stats.statuses.items() if not k.startswith("2"))}
    finally:
        for server in servers:
            server.stop()
        if database_url:
            load.drop_pg_database(database_url)


# --- the run -----------------------------------------------------------------------------------


PARTS = ("cpu", "index", "index-pg", "load", "load-pg")


def child(args) -> None:
    part = args.child
    if part.startswith("index"):
        result = part_index(args, part == "index-pg")
    elif part == "cpu":
        result = part_cpu(args)
    else:
        result = part_load(args, part == "load-pg")
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False))


def run_part(part: str, args) -> dict | None:
    out = tempfile.mktemp(prefix=f"bench-write-{part}-", suffix=".json")
    cmd = [sys.executable, __file__, "--child", part, "--out", out,
           "--rounds", str(args.rounds), "--window", str(args.window),
           "--index-replies", str(args.index_replies), "--clients", str(args.clients),
           "--load-seconds", str(args.load_seconds)]
    print(f"\n== {part}", flush=True)
    if subprocess.run(cmd, cwd=ROOT).returncode != 0 or not os.path.exists(out):
        print(f"  {part} failed")
        return None
    result = json.loads(Path(out).read_text())
    os.unlink(out)
    return result


def summary(results: dict) -> None:
    print("\n== summary (write path, issue 19)")
    cpu = results.get("cpu")
    if cpu:
        print(f"  officer's reply (JSON API), server CPU per request: {cpu['reply_ms']:.2f} ms; "
              f"ceiling template+SQLite row {cpu['row_ms']:.2f} ms -> reply at "
              f"{cpu['share']:.0%} of the ceiling (target <= 5 ms, >= 14 %); "
              f"{cpu['errors']} errors")
    for key in ("index", "index-pg"):
        index = results.get(key)
        if not index:
            continue
        for name in ("5", "500"):
            c = index[name]
            print(f"  [{index['backend']}] reply to a thread of {name:>3} replies: request "
                  f"{c['request']:.2f} ms + index {c['index']:.2f} ms + fan-out "
                  f"{c['fan_out']:.2f} ms = {c['total']:.2f} ms CPU")
        print(f"  [{index['backend']}] 500 / 5 replies, request and workers together: "
              f"x{index['ratio']:.2f} (target <= 1.3)")
    for key in ("load", "load-pg"):
        load = results.get(key)
        if load:
            print(f"  {load['label']}: {load['writes_per_s']:.1f} acknowledged writes/s, "
                  f"p50 {load['p50']:.0f} ms, p95 {load['p95']:.0f} ms, lost {load['lost']}, "
                  f"5xx {load['5xx']}, not pushed live {load['live_lost']}  "
                  f"{'PASS' if load['ok'] else 'FAIL'}")
    if results.get("load") and results.get("load-pg"):
        ratio = results["load-pg"]["writes_per_s"] / results["load"]["writes_per_s"]
        print(f"  PostgreSQL + Redis, 2 processes / SQLite, 1 process: x{ratio:.2f} "
              f"(target >= 1.7)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--rounds", type=int, default=5, help="cpu: alternating windows")
    parser.add_argument("--window", type=float, default=3.0, help="cpu: seconds per window")
    parser.add_argument("--index-replies", type=int, default=20,
                        help="index: measured replies per thread")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--load-seconds", type=float, default=15)
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    results = {}
    for part in args.parts.split(","):
        if part not in PARTS:
            sys.exit(f"unknown part {part!r}; parts: {', '.join(PARTS)}")
        results[part] = run_part(part, args)
    summary(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

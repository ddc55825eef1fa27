"""Faults while citizens write: the server is killed, Redis stops, PostgreSQL drops connections.

    python bench/faults.py                 # all three scenarios, short bursts
    python bench/faults.py --only kill --clients 20 --seconds 6

kill   `kill -9` of `python app.py` in the middle of a write burst, restart on the same instance:
       every acknowledged (201) thread/reply is in the database; `flask search verify` (in-process
       `verify(repair=True)`) reports and repairs any index drift.
redis  the board runs with REDIS_URL on a redis-server this script starts on a free port (never
       the machine's shared 6379): posting during the outage must still succeed (rate limits fall
       back to memory, live emits fail softly); after Redis returns, a listening socket receives
       post_created again.
pg     PostgreSQL "restart", simulated without touching the shared server: every backend
       connection of the board's own database is ended with pg_terminate_backend while writers
       run; requests must recover without restarting the board (pool_pre_ping).
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from bench.load import (  # noqa: E402
    PG_ADMIN,
    Listener,
    Stats,
    check_database,
    create_pg_database,
    drop_pg_database,
    in_process_app,
    percentile,
    run_writers,
    setup_people,
)
from tests.live_server import BoardServer, free_port  # noqa: E402


def _summary(label: str, stats: Stats) -> int:
    five = sum(v for k, v in stats.statuses.items() if k.startswith("5"))
    lat = [x * 1000 for x in stats.latencies]
    statuses = dict(sorted(stats.statuses.items()))
    print(f"  {label}: {len(stats.latencies)} requests, statuses {statuses},"
          f" acked {len(stats.threads) + len(stats.posts)}, p95 {percentile(lat, 95):.0f} ms")
    return five


def scenario_kill(clients: int, seconds: float) -> bool:
    print("\n== kill -9 during a write burst (SQLite WAL)")
    instance = Path(tempfile.mkdtemp(prefix="board-fault-kill-"))
    server = BoardServer(instance).wait_ready(120)
    tokens, shared = setup_people(server, clients)
    stats, stop = Stats(), threading.Event()
    burst = threading.Thread(target=run_writers, args=(server.url, tokens, shared, seconds * 3),
                             kwargs={"stats": stats, "stop": stop}, daemon=True)
    burst.start()
    time.sleep(seconds)
    acked_before = len(stats.threads) + len(stats.posts)
    os.kill(server.proc.pid, signal.SIGKILL)
    server.proc.wait(10)
    killed_at = time.monotonic()
    print(f"  killed pid {server.proc.pid} after {acked_before} acknowledged writes")
    server.stop()
    # The same instance (database, index, secret key) on a new port; writers follow it.
    restarted = BoardServer(instance)
    restarted.wait_ready(120)
    print(f"  restarted in {time.monotonic() - killed_at:.1f} s")
    stop.set()
    burst.join(60)
    after = Stats()
    run_writers(restarted.url, tokens, shared, seconds, stats=after)
    restarted.stop()
    for attr in ("threads", "posts"):
        getattr(stats, attr).update(getattr(after, attr))
    _summary("burst (old server, killed)", stats)
    app = in_process_app(instance, None, "whoosh")
    missing = check_database(app, stats)
    print(f"  acknowledged but missing from the database: {missing[0]} threads, "
          f"{missing[1]} replies")
    from board.search import cli as search_cli

    drift = search_cli.verify(app, repair=True)
    again = search_cli.verify(app, repair=False)
    print(f"  search verify: {len(drift['missing'])} missing, {len(drift['stale'])} stale, "
          f"{len(drift['extra'])} extra → repaired; second verify: "
          f"{sum(len(v) for v in again.values())} drift")
    shutil.rmtree(instance, ignore_errors=True)
    return missing == (0, 0) and not any(again.values())


def _redis(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            import redis

            redis.Redis(port=port).ping()
            return proc
        except Exception:
            time.sleep(0.1)
    raise RuntimeError("redis-server did not start")


def _post_some(url: str, bearer: str, shared: list[int], n: int) -> Stats:
    stats = Stats()
    for i in range(n):
        started = time.perf_counter()
        try:
            r = requests.post(f"{url}/api/v1/threads/{shared[0]}/posts", timeout=30,
                              headers={"Authorization": f"Bearer {bearer}"},
                              json={"body": f"Redis 故障测试回复 {i}"})
            stats.record(str(r.status_code), time.perf_counter() - started,
                         post_id=r.json()["post"]["id"] if r.status_code == 201 else None)
        except requests.RequestException as exc:
            stats.record(type(exc).__name__, time.perf_counter() - started)
    return stats


def scenario_redis(clients: int, seconds: float) -> bool:
    print("\n== Redis stops while citizens post (a redis-server of our own)")
    port = free_port()
    redis_proc = _redis(port)
    instance = Path(tempfile.mkdtemp(prefix="board-fault-redis-"))
    server = BoardServer(instance, redis_url=f"redis://127.0.0.1:{port}/0",
                         channel=f"board-fault-{port}",
                         extra_env={"FLASK_RATELIMIT_ENABLED": "true",
                                    "FLASK_RATELIMIT_REPLY": "100000 per minute",
                                    "FLASK_RATELIMIT_THREAD": "100000 per minute",
                                    "FLASK_RATELIMIT_THREAD_NEW_ACCOUNT": "100000 per minute"})
    ok = True
    try:
        server.wait_ready(120)
        tokens, shared = setup_people(server, max(2, clients // 5))
        listener = Listener(server.url)
        listener.start([f"thread:{shared[0]}"])
        before = _post_some(server.url, tokens[0], shared, 5)
        time.sleep(1)
        live_before = len(before.posts & listener.posts)
        _summary("Redis up", before)
        print(f"    pushed live: {live_before}/{len(before.posts)}")
        redis_proc.send_signal(signal.SIGKILL)
        redis_proc.wait(5)
        down = _post_some(server.url, tokens[1], shared, 10)
        five = _summary("Redis DOWN", down)
        ok = ok and five == 0 and len(down.posts) == 10
        redis_proc = _redis(port)
        time.sleep(3)  # the message queue and the limiter reconnect
        back = _post_some(server.url, tokens[0], shared, 5)
        time.sleep(2)
        live_back = len(back.posts & listener.posts)
        _summary("Redis back", back)
        print(f"    pushed live after Redis returned: {live_back}/{len(back.posts)}")
        ok = ok and live_back == len(back.posts) and len(back.posts) == 5
        listener.stop()
    finally:
        server.stop()
        redis_proc.send_signal(signal.SIGKILL)
        redis_proc.wait(5)
        shutil.rmtree(instance, ignore_errors=True)
    return ok


def _terminate_backends(database_url: str) -> int:
    import sqlalchemy as sa

    name = database_url.rsplit("/", 1)[1]
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name}).scalar()
    admin.dispose()
    return int(killed or 0)


def scenario_pg(clients: int, seconds: float) -> bool:
    print("\n== PostgreSQL connections dropped (pg_terminate_backend on our own database,"
          " standing in for a server restart; the shared PostgreSQL is not restarted)")
    database_url = create_pg_database()
    instance = Path(tempfile.mkdtemp(prefix="board-fault-pg-"))
    server = BoardServer(instance, extra_env={"DATABASE_URL": database_url,
                                              "SEARCH_BACKEND": "postgres"})
    try:
        server.wait_ready(120)
        tokens, shared = setup_people(server, clients)
        stats, stop = Stats(), threading.Event()
        burst = threading.Thread(target=run_writers, args=(server.url, tokens, shared, seconds * 2),
                                 kwargs={"stats": stats, "stop": stop}, daemon=True)
        burst.start()
        kills = []
        for _ in range(3):
            time.sleep(seconds / 2)
            kills.append(_terminate_backends(database_url))
        burst.join(seconds * 3 + 60)
        print(f"  terminated backends 3 times: {kills} connections")
        five = _summary("writers across the drops", stats)
        after = _post_some(server.url, tokens[0], shared, 5)
        _summary("after the drops (same process)", after)
        app = in_process_app(instance, database_url, "postgres")
        missing = check_database(app, stats)
        print(f"  acknowledged but missing: {missing[0]} threads, {missing[1]} replies; "
              f"5xx during drops: {five}")
        return len(after.posts) == 5 and missing == (0, 0)
    finally:
        server.stop()
        drop_pg_database(database_url)
        shutil.rmtree(instance, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--only", choices=["kill", "redis", "pg"])
    args = parser.parse_args()
    scenarios = {"kill": scenario_kill, "redis": scenario_redis, "pg": scenario_pg}
    results = {}
    for name, run in scenarios.items():
        if args.only and name != args.only:
            continue
        results[name] = run(args.clients, args.seconds)
    print("\n" + "  ".join(f"{k}: {'PASS' if v else 'FAIL'}" for k, v in results.items()))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

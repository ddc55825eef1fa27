r"""Reporting at scale on PostgreSQL: the leaders' dashboard for a year, the 「公开数据」 page
(uncached) and Open311 requests.json, server time per request at one or more data sizes.

    python bench/dashboard.py --threads 20000 100000     # builds one database per size
    python bench/dashboard.py --threads 100000 --keep    # keep the databases for another run

Each size gets its own database (bench/dataset.py's city: three years of threads, answers,
dispatches; ratings added here for a third of the resolved and answered threads), then each
page is requested through the app (Flask test client, one process, no network) `--rounds` times
after one warm-up; the median server time is reported, and for two sizes the growth ratio.
The dashboard's period is the dataset's last 365 days (its "now" is 2026-11-20), compared with
the 365 before. After the build `flask stats rebuild` fills the per-day pre-aggregate (timed),
as an operator runs it once after the upgrade; every day of the bench's ranges is then closed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1/test")


def _database(name: str, fresh: bool) -> tuple[str, bool]:
    import sqlalchemy as sa

    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and fresh:
            conn.execute(sa.text(f'DROP DATABASE "{name}"'))
            exists = False
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", bool(exists)


def _add_ratings(db) -> int:
    """Ratings on a third of the answered threads, an hour or two after the answer."""
    return db.session.execute(db.text("""
        INSERT INTO rating (thread_id, user_id, score, comment, created_at)
        SELECT t.id, t.author_id, 1 + (t.id * 7) % 5, NULL,
               coalesce(t.resolved_at, t.first_response_at) + interval '90 minutes'
        FROM thread t LEFT JOIN rating r ON r.thread_id = t.id
        WHERE r.id IS NULL AND t.first_response_at IS NOT NULL AND t.id % 3 = 0""")).rowcount


def build(threads: int, keep: bool) -> str:
    name = f"board_bench_dash_{threads}"
    url, existed = _database(name, fresh=not keep)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["BOARD_DEMO"] = "0"
    if existed:
        print(f"{threads:,} threads: reusing database {name}", flush=True)
        _aggregate(threads)
        return url
    from bench import dataset

    os.environ["BOARD_INSTANCE"] = tempfile.mkdtemp(prefix="dash-bench")
    t0 = time.time()
    dataset.generate(threads, search=False)
    from board import create_app
    from board.extensions import db

    app = create_app()
    with app.app_context():
        added = _add_ratings(db)
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    print(f"{threads:,} threads: built in {time.time() - t0:.0f}s, {added:,} ratings", flush=True)
    _aggregate(threads)
    return url


def _aggregate(threads: int) -> None:
    """`flask stats rebuild` (the per-day pre-aggregate), timed; skipped when already built."""
    from flask_migrate import upgrade

    from board import create_app
    from board.extensions import db
    from board.models import DailyStatDay
    from board.services import daily_stats

    if os.environ.get("BENCH_NO_AGGREGATE"):  # build the threads now, aggregate in a later run
        return
    os.environ.setdefault("BOARD_INSTANCE", tempfile.mkdtemp(prefix="dash-bench"))
    app = create_app()
    with app.app_context():
        upgrade()
        if db.session.scalar(db.select(db.func.count()).select_from(DailyStatDay)):
            return
        t0 = time.time()
        days = daily_stats.rebuild_since(None)
        db.session.execute(db.text("ANALYZE daily_stat"))
        db.session.commit()
        rows = db.session.scalar(db.text("SELECT count(*) FROM daily_stat"))
        print(f"{threads:,} threads: flask stats rebuild: {days:,} days, {rows:,} rows in "
              f"{time.time() - t0:.0f}s", flush=True)
        db.engine.dispose()


def measure(url: str, rounds: int) -> dict[str, float]:
    os.environ["DATABASE_URL"] = url
    os.environ["BOARD_INSTANCE"] = tempfile.mkdtemp(prefix="dash-bench")
    from board import create_app
    from board.extensions import db
    from board.models import User
    from board.queries import open_data
    from board.services import accounts

    app = create_app()
    app.config.update(RATELIMIT_ENABLED=False, WTF_CSRF_ENABLED=False)
    with app.app_context():
        leader = db.session.scalar(db.select(User).where(User.username == "bench_leader"))
        if leader is None:
            accounts.create_user("leader", "bench_leader", "bench-pass-2026", real_name="高振华",
                                 badge_no="159999", unit_code="city-bureau")
        anchor = db.session.scalar(db.text("SELECT max(created_at) FROM thread"))
    first = (anchor - timedelta(days=364)).date().isoformat()
    last = anchor.date().isoformat()
    month = (anchor - timedelta(days=29)).date().isoformat()
    pages = {
        "dashboard, a year": f"/leader/?start={first}&end={last}",
        "dashboard, 30 days": f"/leader/?start={month}&end={last}",
        "公开数据 (12 months, cache off)": "/open-data",
        "公开数据 (12 months, as served: per-process cache)": "/open-data?cached",
        "Open311 requests.json (a year, 200 a page)":
            f"/open311/v2/requests.json?start_date={first}&end_date={last}",
        "Open311 requests.json, status=closed&service_code=report":
            f"/open311/v2/requests.json?start_date={first}&end_date={last}"
            "&status=closed&service_code=report",
    }
    client = app.test_client()
    client.post("/login", data={"username": "bench_leader", "password": "bench-pass-2026"})
    out = {}
    for label, path in pages.items():
        times = []
        for n in range(rounds + 1):
            if not path.endswith("?cached"):
                open_data.clear_cache()
            t0 = time.perf_counter()
            response = client.get(path)
            took = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if n:
                times.append(took)
        out[label] = statistics.median(times)
        print(f"  {label:<58} median {out[label]:7.1f} ms  (min {min(times):.1f})", flush=True)
    with app.app_context():
        db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse/keep the databases")
    args = parser.parse_args()
    results = {}
    for n in args.threads:
        url = build(n, args.keep)
        print(f"{n:,} threads:", flush=True)
        results[n] = measure(url, args.rounds)
    if len(results) >= 2:
        small, large = min(results), max(results)
        print(f"growth {small:,} → {large:,} threads (×{large / small:g}):")
        for label in results[small]:
            ratio = results[large][label] / results[small][label]
            print(f"  {label:<58} ×{ratio:.2f}")


if __name__ == "__main__":
    main()

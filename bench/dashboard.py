r"""Reporting at scale on PostgreSQL: the leaders' dashboard for a year, the 「公开数据」 page
and Open311 requests.json, server time per request at 100k and 1M threads.

    python bench/dashboard.py --threads 100000 1000000 --rounds 7   # builds what is missing
    python bench/dashboard.py --threads 1000000 --build-only         # build (or check) only
    python bench/dashboard.py --threads 1000000 --fresh              # drop and rebuild

Each size has its own database, `bench_dashboard_<threads>`, kept between runs: three years of
threads written by PostgreSQL itself (INSERT … SELECT generate_series: about 5 minutes for 1M on
the shared machine, where bench/dataset.py took over 12), ratings on a third of the answered
threads, then the real `flask stats rebuild` (timed). Before measuring, a day's worth of threads
is posted today, so the dashboard's live part (today is computed from the rows) has a real day.
Every page is requested through the app (Flask test client, a signed-in leader), the sizes
alternating request by request; per page the median wall time, the CPU time of this process and
of its PostgreSQL backends (their sum: the server CPU, what a request costs on an idle machine),
and the wall time over the reference page's (`/me`) measured in the same run.
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

REFERENCE = "reference: the leader's own page (/me)"
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


def _defaults(table, given: set[str]) -> dict[str, str]:
    """SQL literals for the NOT NULL columns a set-based INSERT leaves out: their model
    defaults (the ORM would apply them; INSERT … SELECT does not)."""
    out = {}
    for column in table.c:
        if (column.name in given or column.nullable or column.primary_key
                or column.server_default is not None or column.default is None):
            continue
        arg = column.default.arg
        if callable(arg):
            continue  # created_at-like: always given here
        value = getattr(arg, "value", arg)
        out[column.name] = ("TRUE" if value is True else "FALSE" if value is False
                            else str(value) if isinstance(value, int)
                            else "'" + str(value).replace("'", "''") + "'")
    return out


def _sql_array(values, cast: str) -> str:
    items = ",".join("'" + str(v).replace("'", "''") + "'" if cast == "text" else str(int(v))
                     for v in values)
    return f"(ARRAY[{items}]::{cast}[])"


THREAD_SQL = """
INSERT INTO thread ({columns})
SELECT {values}
FROM (
  SELECT g AS id, r.*,
         b.board_id, b.kinds, b.sla, b.officers, b.titles, b.sentences,
         CAST(:start AS timestamptz)
           + make_interval(secs => (g - 1) * :step + r.r0 * :step) AS created
  FROM generate_series(CAST(:lo AS int), CAST(:hi AS int)) AS g
  CROSS JOIN LATERAL (SELECT random() r0, random() r1, random() r2, random() r3, random() r4,
                             random() r5, random() r6, random() r7, random() r8, random() r9,
                             g AS seen) r
  JOIN {boards} AS b(board_id, lo, hi, kinds, sla, officers, titles, sentences)
    ON r.r1 >= b.lo AND r.r1 < b.hi
) s
CROSS JOIN LATERAL (SELECT s.kinds[1 + floor(s.r2 * cardinality(s.kinds))::int] AS kind0) k0
CROSS JOIN LATERAL (SELECT CASE WHEN k0.kind0 = 'publicity' AND s.r3 < 0.7
                                     AND cardinality(s.kinds) > 1
                                THEN (SELECT x FROM unnest(s.kinds) x WHERE x <> 'publicity'
                                      LIMIT 1)
                                ELSE k0.kind0 END AS kind) k
CROSS JOIN LATERAL (
  SELECT k.kind = 'publicity' OR s.r4 < 0.86 AS answered,
         s.created + make_interval(mins => 2 + floor(s.r5 * s.r5 * 1400)::int) AS first_at,
         s.officers[1 + floor(s.r6 * cardinality(s.officers))::int] AS officer,
         k.kind IN ('report', 'help') AND s.r7 < 0.03 AS escalated) a
CROSS JOIN LATERAL (
  SELECT CASE WHEN a.escalated THEN s.created + make_interval(mins => 5 + floor(s.r8 * 110)::int)
         END AS dispatched_at,
         CASE WHEN a.escalated AND s.r9 < 0.5
              THEN s.created + make_interval(hours => 2 + floor(s.r9 * 96)::int) END
           AS resolved_at,
         CASE WHEN a.escalated THEN {stations}[1 + (s.id % {n_stations})] END AS unit) e
"""


def _fast_build(threads: int, seed: float = 0.7) -> dict:
    """The bench's city written by PostgreSQL itself: staff as bench/dataset.py makes them,
    citizens and threads with INSERT … SELECT generate_series (boards weighted as the data
    set's, 86% answered by one of the board's officers within minutes to a day, 3% of reports
    dispatched to a station, half of those resolved, 2% police-only), then ratings. No replies
    are written: none of the measured pages reads them. About 40 s per 1M threads."""
    from flask_migrate import upgrade

    from bench import dataset
    from board import create_app
    from board.extensions import db
    from board.services import boards as board_service

    app = create_app()
    with app.app_context():
        upgrade()
        board_service.sync(app.config["BOARDS_CONFIG"])
        db.session.commit()
        engine = db.engine
        gen = dataset.Generator(app, 200, 7, 5000)  # staff and 50 citizens, as the data set
        with engine.begin() as conn:
            gen.users(conn)
        md = db.metadata.tables
        citizens = max(50, threads // 4)
        t0 = time.time()
        with engine.begin() as conn:
            pw = conn.scalar(db.text('SELECT password_hash FROM "user" LIMIT 1'))
            conn.execute(db.text(
                'INSERT INTO "user" (id, username, password_hash, nickname, role, created_at'
                + "".join(f", {c}" for c in _defaults(md["user"], {"role"}))
                + ") SELECT :base + g, 'citizen' || (g + 50), :pw, '市民' || (g + 50), "
                "'citizen', :at" + "".join(f", {v}" for v in _defaults(md["user"],
                                                                      {"role"}).values())
                + " FROM generate_series(1, CAST(:n AS int)) g"),
                {"base": gen.last_citizen, "pw": pw, "n": citizens - 50,
                 "at": dataset.ANCHOR - timedelta(days=dataset.SPAN_DAYS + 30)})
        last_citizen = gen.last_citizen + citizens - 50
        total = sum(gen.board_weights)
        rows, acc = [], 0.0
        every = [o[0] for v in gen.officers_by_unit.values() for o in v]
        for board, weight in zip(gen.boards, gen.board_weights, strict=True):
            titles, sentences = dataset.TOPICS.get(board.slug, dataset.TOPICS["qa"])
            place = dataset.PLACES[board.id % len(dataset.PLACES)]
            officers = [o[0] for o in gen.answerers[board.id]] or every
            rows.append(f"({board.id}, {acc / total!r}, {(acc + weight) / total!r}, "
                        f"{_sql_array(gen._kinds(board), 'text')}, "
                        f"{int(board.sla_minutes or 0)}, {_sql_array(officers, 'int')}, "
                        f"{_sql_array([t.format(p=place, n=7)[:80] for t in titles], 'text')}, "
                        f"{_sql_array(sentences, 'text')})")
            acc += weight
        boards_sql = "(VALUES " + ", ".join(rows) + ")"
        given = {
            "id": "s.id", "board_id": "s.board_id",
            "author_id": f"{gen.first_citizen} + (s.id::bigint * 7919) % "
                         f"{last_citizen - gen.first_citizen}",
            "kind": "k.kind",
            "title": "s.titles[1 + floor(s.r0 * cardinality(s.titles))::int]",
            "body": "s.sentences[1 + s.id % cardinality(s.sentences)] || "
                    "s.sentences[1 + (s.id / 7) % cardinality(s.sentences)]",
            "body_html": "'<p>' || s.sentences[1 + s.id % cardinality(s.sentences)] || "
                         "s.sentences[1 + (s.id / 7) % cardinality(s.sentences)] || '</p>'",
            "location": "CASE WHEN k.kind = 'report' THEN s.titles[1] END",
            "status": "CASE WHEN e.resolved_at IS NOT NULL THEN 'resolved' "
                      "WHEN a.escalated THEN 'dispatched' "
                      "WHEN a.answered THEN 'answered' ELSE 'awaiting_reply' END",
            "visibility": "CASE WHEN s.r3 > 0.98 THEN 'police_only' ELSE 'public' END",
            "reply_count": "CASE WHEN a.answered THEN 1 ELSE 0 END",
            "has_official_reply": "a.answered",
            "created_at": "s.created",
            "last_activity_at": "greatest(s.created, CASE WHEN a.answered THEN a.first_at END, "
                                "e.dispatched_at, e.resolved_at)",
            "first_response_at": "CASE WHEN a.answered THEN a.first_at END",
            "first_responder_id": "CASE WHEN a.answered THEN a.officer END",
            "sla_due_at": "CASE WHEN s.sla > 0 THEN s.created + make_interval(mins => s.sla) END",
            "urgent": "a.escalated AND s.r8 < 0.5",
            "escalated_at": "CASE WHEN a.escalated THEN s.created + interval '3 minutes' END",
            "dispatched_at": "e.dispatched_at", "dispatched_unit_id": "e.unit",
            "resolved_at": "e.resolved_at",
        }
        given |= _defaults(md["thread"], set(given))
        stations = gen.station_units or [0]
        sql = THREAD_SQL.format(columns=", ".join(given), values=", ".join(given.values()),
                                boards=boards_sql, stations=_sql_array(stations, "int"),
                                n_stations=len(stations))
        start = dataset.ANCHOR - timedelta(days=dataset.SPAN_DAYS)
        step = dataset.SPAN_DAYS * 86400 / threads
        batch = 250_000
        with engine.begin() as conn:
            conn.execute(db.text("SELECT setseed(:s)"), {"s": seed})
            for lo in range(1, threads + 1, batch):
                hi = min(lo + batch - 1, threads)
                conn.execute(db.text(sql), {"lo": lo, "hi": hi, "start": start, "step": step})
                print(f"  threads: {hi:,}/{threads:,} ({time.time() - t0:.0f}s)", flush=True)
        with engine.begin() as conn:
            conn.execute(db.text(
                "UPDATE board SET thread_count = c.n FROM (SELECT board_id, count(*) n "
                "FROM thread GROUP BY board_id) c WHERE c.board_id = board.id"))
            for table in ("user", "thread"):
                conn.execute(db.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f"(SELECT max(id) FROM \"{table}\"))"))
        added = _add_ratings(db)
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))  # the rebuild's plans need the new tables' sizes
        db.session.commit()
        engine.dispose()
    return {"ratings": added, "citizens": citizens}


def build(threads: int, fresh: bool) -> str:
    """The database `bench_dashboard_<threads>`: reused when it holds the threads and the
    pre-aggregate (`--fresh` drops it), else built (_fast_build) and aggregated."""
    name = f"bench_dashboard_{threads}"
    url, existed = _database(name, fresh=fresh)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["BOARD_DEMO"] = "0"
    os.environ.setdefault("BOARD_INSTANCE", tempfile.mkdtemp(prefix="dash-bench"))
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        ready = conn.scalar(sa.text("SELECT to_regclass('daily_stat_day') IS NOT NULL")) and \
            conn.scalar(sa.text("SELECT (SELECT count(*) FROM thread WHERE id <= :n) = :n "
                                "AND EXISTS (SELECT 1 FROM daily_stat_day)"), {"n": threads})
    engine.dispose()
    if ready:
        print(f"{threads:,} threads: reusing database {name}", flush=True)
        from flask_migrate import upgrade

        from board import create_app

        app = create_app()
        with app.app_context():
            upgrade()  # a migration since the build (e.g. the month roll-ups) fills its part
        return url
    if existed:  # a build that did not finish
        url, _ = _database(name, fresh=True)
    t0 = time.time()
    made = _fast_build(threads)
    print(f"{threads:,} threads: built in {time.time() - t0:.0f}s, {made['ratings']:,} ratings",
          flush=True)
    _aggregate(threads)
    return url


def _today(url: str, threads: int) -> int:
    """A day's worth of threads (threads / 1095) posted today, between Beijing midnight and
    now, copied from the data set's last day, so that the dashboard's live part (today is
    always computed from the rows) has a real day to compute whatever the hour. Times after
    now are dropped (not answered yet). Skipped when today already has threads."""
    import sqlalchemy as sa

    from board import periods
    from board.models import utcnow

    now = utcnow()
    midnight = periods.beijing_midnight(periods.today(now))
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if conn.scalar(sa.text("SELECT 1 FROM thread WHERE created_at >= :m LIMIT 1"),
                       {"m": midnight}):
            return 0
        columns = [c for c in conn.scalars(sa.text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'thread' "
            "AND table_schema = current_schema() ORDER BY ordinal_position"))]
        moved = {"id": "m.top + row_number() OVER (ORDER BY t.id)", "created_at": "n.created"}
        for name in ("last_activity_at", "first_response_at", "sla_due_at", "escalated_at",
                     "dispatched_at", "resolved_at"):
            moved[name] = (f"CASE WHEN n.created + (t.{name} - t.created_at) <= :now "
                           f"THEN n.created + (t.{name} - t.created_at) END")
        moved["last_activity_at"] = "n.created"
        moved["first_responder_id"] = ("CASE WHEN n.created + (t.first_response_at - "
                                       "t.created_at) <= :now THEN t.first_responder_id END")
        moved["status"] = ("CASE WHEN n.created + (t.first_response_at - t.created_at) <= :now "
                           "THEN t.status ELSE 'awaiting_reply' END")
        values = ", ".join(moved.get(c, f"t.{c}") for c in columns)
        added = conn.execute(sa.text(
            f"INSERT INTO thread ({', '.join(columns)}) SELECT {values} "
            "FROM (SELECT * FROM thread ORDER BY id DESC LIMIT :n) t "
            "CROSS JOIN (SELECT max(id) AS top FROM thread) m "
            "CROSS JOIN LATERAL (SELECT CAST(:midnight AS timestamptz) "
            "  + (CAST(:now AS timestamptz) - CAST(:midnight AS timestamptz)) * random() "
            "  AS created, t.id AS row) n"),  # t.id: a random() per row
            {"n": max(1, threads // 1095), "now": now, "midnight": midnight}).rowcount
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('thread', 'id'), "
                             "(SELECT max(id) FROM thread))"))
    engine.dispose()
    return added


def _aggregate(threads: int) -> None:
    """`flask stats rebuild` (the per-day pre-aggregate), timed, then ANALYZE."""
    from board import create_app
    from board.extensions import db
    from board.services import daily_stats

    app = create_app()
    with app.app_context():
        t0 = time.time()
        days = daily_stats.rebuild_since(None)
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        rows = db.session.scalar(db.text("SELECT count(*) FROM daily_stat"))
        print(f"{threads:,} threads: flask stats rebuild: {days:,} days, {rows:,} rows in "
              f"{time.time() - t0:.0f}s", flush=True)
        db.engine.dispose()


def _client(url: str):
    """A signed-in leader's test client on the app of the database at `url`."""
    os.environ["DATABASE_URL"] = url
    os.environ["BOARD_INSTANCE"] = tempfile.mkdtemp(prefix="dash-bench")
    from board import create_app
    from board.extensions import db
    from board.models import User
    from board.services import accounts

    app = create_app()
    app.config.update(RATELIMIT_ENABLED=False, WTF_CSRF_ENABLED=False)
    with app.app_context():
        leader = db.session.scalar(db.select(User).where(User.username == "bench_leader"))
        if leader is None:
            accounts.create_user("leader", "bench_leader", "bench-pass-2026", real_name="高振华",
                                 badge_no="159999", unit_code="city-bureau")
        anchor = db.session.scalar(db.text("SELECT max(created_at) FROM thread"))
        db.session.remove()
    client = app.test_client()
    client.post("/login", data={"username": "bench_leader", "password": "bench-pass-2026"})
    client.get("/leader/")  # the pool's connections exist from here on
    with app.app_context():
        pids = set(db.session.scalars(db.text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")))
        db.session.remove()
    return app, client, anchor, pids


def _cpu_ns(pids: set[int]) -> int:
    """CPU time the PostgreSQL backends `pids` have used, in ns (/proc/<pid>/schedstat: exact,
    unlike the 10 ms ticks of /proc/<pid>/stat). 0 when the server is not on this machine."""
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def _pages(anchor) -> dict[str, str]:
    first = (anchor - timedelta(days=364)).date().isoformat()
    last = anchor.date().isoformat()
    month = (anchor - timedelta(days=29)).date().isoformat()
    return {
        REFERENCE: "/me",
        "dashboard, 今年 (period=year)": "/leader/?period=year",
        "dashboard, 近一年 (period=365d)": "/leader/?period=365d",
        "dashboard, a custom 365 days": f"/leader/?start={first}&end={last}",
        "dashboard, 30 days": f"/leader/?start={month}&end={last}",
        "公开数据 (12 months, cache off)": "/open-data",
        "GET /api/v1/stats?months=12 (cache off)": "/api/v1/stats?months=12",
        "公开数据 (as served: per-process cache)": "/open-data?cached",
        "Open311 requests.json (a year, 200 a page)":
            f"/open311/v2/requests.json?start_date={first}&end_date={last}",
        "Open311 requests.json, status=closed&service_code=report":
            f"/open311/v2/requests.json?start_date={first}&end_date={last}"
            "&status=closed&service_code=report",
    }


def measure(urls: dict[int, str], rounds: int) -> dict:
    """Every page at every size, the sizes alternating request by request (the machine's drift
    falls on all of them); per page and size the median wall time and the median CPU time of
    this process (the Python side of the server time, which the other users of a shared
    machine inflate less than the wall time)."""
    from board.queries import open_data

    apps = {n: _client(url) for n, url in urls.items()}
    out: dict[int, dict[str, tuple[float, float, float]]] = {n: {} for n in urls}
    labels = list(_pages(next(iter(apps.values()))[2]))
    for label in labels:
        walls: dict[int, list[float]] = {n: [] for n in urls}
        cpus: dict[int, list[float]] = {n: [] for n in urls}
        dbs: dict[int, list[float]] = {n: [] for n in urls}
        for round_ in range(rounds + 1):
            for n, (_app, client, anchor, pids) in apps.items():
                path = _pages(anchor)[label]
                if not path.endswith("cached"):
                    open_data.clear_cache()
                d0, c0, t0 = _cpu_ns(pids), time.process_time(), time.perf_counter()
                response = client.get(path)
                wall = (time.perf_counter() - t0) * 1000
                cpu = (time.process_time() - c0) * 1000
                db_cpu = (_cpu_ns(pids) - d0) / 1e6
                assert response.status_code == 200, (path, response.status_code)
                if round_:
                    walls[n].append(wall)
                    cpus[n].append(cpu)
                    dbs[n].append(db_cpu)
        for n in urls:
            out[n][label] = (statistics.median(walls[n]), statistics.median(cpus[n]),
                             statistics.median(dbs[n]))
    for n in urls:
        print(f"{n:,} threads: median of {rounds}: wall ms; CPU ms of the app process + of its "
              "PostgreSQL backends = server CPU; wall over the reference's wall")
        ref = out[n][REFERENCE][0]
        for label, (wall, cpu, db_cpu) in out[n].items():
            print(f"  {label:<58} {wall:7.1f} ms  cpu {cpu:6.1f} + {db_cpu:5.1f} = "
                  f"{cpu + db_cpu:6.1f} ms  ×{wall / ref:5.1f}", flush=True)
    from board.extensions import db

    for app, _, _, _ in apps.values():
        with app.app_context():
            db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--fresh", action="store_true",
                        help="drop and rebuild the databases (default: reuse a built one)")
    parser.add_argument("--build-only", action="store_true", help="build, do not measure")
    args = parser.parse_args()
    urls = {n: build(n, args.fresh) for n in args.threads}
    if args.build_only:
        return
    for n, url in urls.items():
        added = _today(url, n)
        if added:
            print(f"{n:,} threads: {added:,} threads posted today (computed live)", flush=True)
    results = measure(urls, args.rounds)
    if len(results) >= 2:
        small, large = min(results), max(results)
        print(f"growth {small:,} → {large:,} threads (×{large / small:g}): wall, server CPU, "
              "and wall over the reference measured in the same run")
        for label in results[small]:
            wall = results[large][label][0] / results[small][label][0]
            cpu = sum(results[large][label][1:]) / max(sum(results[small][label][1:]), 1e-6)
            relative = ((results[large][label][0] / results[large][REFERENCE][0])
                        / (results[small][label][0] / results[small][REFERENCE][0]))
            print(f"  {label:<58} wall ×{wall:.2f}  server cpu ×{cpu:.2f}  "
                  f"relative ×{relative:.2f}", flush=True)


if __name__ == "__main__":
    main()

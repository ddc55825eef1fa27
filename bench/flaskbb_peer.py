"""FlaskBB 2.2.0 as the peer: the same threads and replies copied into it, served the same way.

FlaskBB needs Python >= 3.12 and, there, `from __future__ import annotations` in the modules that
fail to import (no behaviour changes). Build it once (about two minutes):

    /root/.pyenv/versions/3.12.1/bin/python -m venv /tmp/flaskbb-venv
    /tmp/flaskbb-venv/bin/pip install flaskbb==2.2.0 gunicorn gevent
    python bench/flaskbb_peer.py --patch        # adds the __future__ import where imports fail

then `python bench/pages.py ...` finds it (FLASKBB_PYTHON overrides the interpreter path).
Forums = our twelve boards; topic = our thread (body as the first post, then the replies);
authors folded onto 500 FlaskBB users. FlaskBB's search is a CSRF-free POST here and needs
three characters at least, so it is compared on a three-character word.
"""
from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

PYTHON = os.environ.get("FLASKBB_PYTHON", "/tmp/flaskbb-venv/bin/python")
WORKDIR = Path(os.environ.get("FLASKBB_WORKDIR", "/tmp/flaskbb-peer"))
SEARCH_WORD = "身份证"
USERS = 500
CONFIG = """
SQLALCHEMY_DATABASE_URI = "sqlite:///{db}"
SECRET_KEY = "bench-secret"
WTF_CSRF_ENABLED = False
DEBUG = False
REDIS_ENABLED = False
RATELIMIT_ENABLED = False
CELERY_CONFIG = {{"task_always_eager": True, "broker_url": "memory://", "result_backend": None}}
WHOOSHEE_DIR = "{dir}/whoosh_index"
LOG_PATH = "{dir}/logs"
SEND_LOGS = False
"""
WSGI = """from flaskbb import create_app
app = create_app("{cfg}")
"""


def patch() -> None:
    """Add `from __future__ import annotations` to each FlaskBB module that fails to import."""
    for _ in range(30):
        out = subprocess.run([PYTHON, "-c", "from flaskbb import create_app"], capture_output=True,
                             text=True).stderr
        files = re.findall(r'File "([^"]*site-packages/flaskbb/[^"]*)"', out)
        if not out.strip() or not files:
            print("flaskbb imports")
            return
        text = Path(files[-1]).read_text()
        if text.startswith("from __future__ import annotations"):
            raise SystemExit(f"cannot fix by patching:\n{out[-1500:]}")
        Path(files[-1]).write_text("from __future__ import annotations\n" + text)
        print("patched", files[-1])


def unavailable() -> str | None:
    if not Path(PYTHON).exists():
        return f"no FlaskBB interpreter at {PYTHON} (see bench/flaskbb_peer.py for the setup)"
    probe = "import flaskbb, gunicorn, gevent; from flaskbb import create_app"
    out = subprocess.run([PYTHON, "-c", probe], capture_output=True, text=True)
    return None if out.returncode == 0 else "FlaskBB does not import: " + out.stderr.strip()[-300:]


def _install(db: Path, cfg: Path) -> None:
    (WORKDIR / "logs").mkdir(parents=True, exist_ok=True)
    where = "import flaskbb, os; print(os.path.dirname(os.path.dirname(flaskbb.__file__)))"
    site = subprocess.run([PYTHON, "-c", where], capture_output=True, text=True).stdout.strip()
    site_logs = Path(site) / "logs"
    site_logs.mkdir(exist_ok=True)  # FlaskBB's default logging config writes there at import
    cfg.write_text(CONFIG.format(db=db, dir=WORKDIR))
    flaskbb = str(Path(PYTHON).parent / "flaskbb")
    env = dict(os.environ, PATH=f"{Path(PYTHON).parent}:{os.environ['PATH']}")
    subprocess.run([flaskbb, "--config", str(cfg), "install", "-f", "-w", "-u", "admin", "-e",
                    "admin@example.org", "-p", "bench-pass-2026"], check=True, env=env,
                   capture_output=True)


def _copy(source_engine, db: Path) -> dict:
    """Our boards/threads/replies into FlaskBB's tables, in bulk."""
    from sqlalchemy import text

    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous=OFF")
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    password = con.execute("SELECT password FROM users WHERE id = 1").fetchone()[0]
    for table in ("topicsread", "forumsread", "topictracker", "posts", "topics"):
        try:
            con.execute(f"DELETE FROM {table}")
        except sqlite3.OperationalError:
            pass
    con.executemany(
        "INSERT INTO users (id, username, email, password, date_joined, login_attempts, activated, "
        "post_count, primary_group_id) VALUES (?, ?, ?, ?, ?, 0, 1, 0, 4)",
        [(i + 1, f"user{i}", f"user{i}@example.org", password, now) for i in range(1, USERS)])
    with source_engine.connect() as src:
        boards = src.execute(
            text("SELECT id, name, description FROM board ORDER BY position")).all()
        con.execute("DELETE FROM forums")
        con.executemany(
            "INSERT INTO forums (id, category_id, title, description, position, locked, "
            "show_moderators, post_count, topic_count) VALUES (?, 1, ?, ?, ?, 0, 0, 0, 0)",
            [(b.id, b.name, b.description, i) for i, b in enumerate(boards)])
        post_id = 0
        topics = src.execute(text(
            "SELECT id, board_id, author_id, title, body, created_at, last_activity_at FROM thread "
            "WHERE visibility = 'public' ORDER BY id")).all()
        replies: dict[int, list] = {}
        posts = text("SELECT thread_id, author_id, body, created_at FROM post ORDER BY id")
        for row in src.execute(posts):
            replies.setdefault(row.thread_id, []).append(row)
    t_rows, p_rows = [], []
    for t in topics:
        user = t.author_id % USERS + 1
        first = post_id + 1
        for author, body, created in [(t.author_id, t.body, t.created_at)] + [
                (r.author_id, r.body, r.created_at) for r in replies.get(t.id, [])]:
            post_id += 1
            p_rows.append((post_id, t.id, author % USERS + 1, f"user{author % USERS}", body,
                           str(created)[:19], 0))
        t_rows.append((t.id, t.board_id, t.title, user, f"user{user - 1}", str(t.created_at)[:19],
                       str(t.last_activity_at)[:19], post_id - first + 1, first, post_id))
    con.executemany("INSERT INTO posts (id, topic_id, user_id, username, content, date_created, "
                    "hidden) VALUES (?, ?, ?, ?, ?, ?, ?)", p_rows)
    con.executemany("INSERT INTO topics (id, forum_id, title, user_id, username, date_created, "
                    "last_updated, locked, important, views, post_count, first_post_id, "
                    "last_post_id, hidden) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, 0)",
                    t_rows)
    con.execute("UPDATE forums SET "
                "topic_count = (SELECT count(*) FROM topics WHERE forum_id = forums.id), "
                "post_count = (SELECT count(*) FROM posts JOIN topics "
                "ON topics.id = posts.topic_id WHERE topics.forum_id = forums.id), "
                "last_post_id = (SELECT max(last_post_id) FROM topics WHERE forum_id = forums.id)")
    con.commit()
    con.close()
    return {"topics": len(t_rows), "posts": len(p_rows)}


def prepare(info: dict) -> tuple[Path, dict]:
    """Install FlaskBB next to a copy of our data set (once per data set size)."""
    from board import create_app
    from board.extensions import db as our_db

    WORKDIR.mkdir(parents=True, exist_ok=True)
    stem = f"flaskbb-{info['threads']}"
    db, cfg = WORKDIR / f"{stem}.sqlite", WORKDIR / f"{stem}.cfg"
    stats_file = WORKDIR / f"{stem}.done"
    if not stats_file.exists():
        for stale in (db, WORKDIR / "whoosh_index"):
            subprocess.run(["rm", "-rf", str(stale)])
        _install(db, cfg)
        app = create_app()
        with app.app_context():
            stats = _copy(our_db.engine, db)
        t0 = time.time()
        reindex = ("from flaskbb import create_app\nfrom flaskbb.extensions import whooshee\n"
                   f"app = create_app({str(cfg)!r})\nwith app.app_context(): whooshee.reindex()")
        subprocess.run([PYTHON, "-c", reindex], check=True, capture_output=True)
        stats["reindex_s"] = round(time.time() - t0)
        stats_file.write_text(repr(stats))
    (WORKDIR / "flaskbb_wsgi.py").write_text(WSGI.format(cfg=cfg))
    return cfg, eval(stats_file.read_text())  # noqa: S307 - our own repr of a dict


SEARCH_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "%s"
"""
SEARCH_BODY = "search_query={}&search_types=post&search_types=topic"


def _wait_idle(server, limit: float = 600) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = server.cpu_seconds()
        time.sleep(1)
        if server.cpu_seconds() - before < 0.05:
            return


def _one_search(base: str, timeout: float = 600) -> float:
    """Seconds for a single FlaskBB search request (its throughput is one over this)."""
    import urllib.parse
    import urllib.request

    body = SEARCH_BODY.format(urllib.parse.quote(SEARCH_WORD))
    t0 = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(base + "/search", data=body.encode()),
                                timeout=timeout) as response:
        response.read()
    return time.perf_counter() - t0


def run(args, measure, Server, info) -> dict:
    reason = unavailable()
    if reason:
        print(f"\nFlaskBB peer skipped: {reason}", flush=True)
        return {"skipped": reason}
    try:
        cfg, stats = prepare(info)
    except subprocess.CalledProcessError as exc:
        reason = f"FlaskBB setup failed: {(exc.stderr or b'')[-400:]!r}"
        print(f"\nFlaskBB peer skipped: {reason}", flush=True)
        return {"skipped": reason}
    print(f"\nFlaskBB 2.2.0 peer ({stats['topics']} topics, {stats['posts']} posts; "
          f"gunicorn, gevent, {args.workers} worker):", flush=True)
    topic = int(info["thread_path"].rsplit("/", 1)[1])
    board_id = None
    from board import create_app
    from board.extensions import db
    from board.models import Board

    with create_app().app_context():
        board_id = db.session.scalar(db.select(Board.id).where(Board.slug == info["board"]))
    server = Server("flaskbb_wsgi:app", {}, args.workers, python=PYTHON, cwd=WORKDIR, config=None,
                    probe=f"/topic/{topic}")
    pages = {}
    # One connection: at 8, FlaskBB's requests queue past wrk's 10 s timeout on this machine.
    args = type(args)(**{**vars(args), "connections": 1})
    try:
        pages["topic"] = measure(server, "FlaskBB topic (21 posts)", f"/topic/{topic}", args)
        pages["forum"] = measure(server, "FlaskBB forum page 1", f"/forum/{board_id}", args)
        deep = info["deep_page"]
        pages["forum deep"] = measure(server, f"FlaskBB forum page {deep}",
                                      f"/forum/{board_id}?page={deep}", args)
        import urllib.parse

        search_lua = SEARCH_LUA % SEARCH_BODY.format(urllib.parse.quote(SEARCH_WORD))
        pages["search"] = measure(server, f"FlaskBB search '{SEARCH_WORD}'", "/search", args,
                                  script=search_lua)
        if not pages["search"]["requests"]:  # none within wrk's 10 s: time one, however long
            _wait_idle(server)  # wrk's abandoned requests are still running in the worker
            pages["search"]["single_s"] = _one_search(server.base)
            print(f"  FlaskBB search, one request alone: {pages['search']['single_s']:.1f} s",
                  flush=True)
    finally:
        server.stop()
    pairs = [("thread, 20 replies [cache off]", "topic"),
             ("thread, 20 replies [anonymous]", "topic"),
             ("board page 1 [cache off]", "forum"), ("board page 1 [anonymous]", "forum"),
             (f"search '{SEARCH_WORD}' [anonymous]", "search")]
    return {"pages": pages, "pairs": pairs, "stats": stats}


if __name__ == "__main__":
    if sys.argv[1:] == ["--patch"]:
        patch()
    else:
        sys.exit(__doc__)

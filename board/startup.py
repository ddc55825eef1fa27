"""Start-up chores shared by app.py and the production entry point (board.wsgi)."""
from __future__ import annotations

import gc
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from board import demo, search
from board.config import private_dir, private_file
from board.search import analyzer
from board.services import boards


def prepare(app: Flask, seed_demo: bool = False, announce: bool = False) -> None:
    """Apply migrations, sync boards_config.yaml, and seed demo data into an empty database."""
    _private_sqlite_files(app.config["SQLALCHEMY_DATABASE_URI"], Path(app.instance_path))
    with app.app_context():
        upgrade()
        boards.sync(app.config["BOARDS_CONFIG"])
    search.init_process(app)  # jieba's dictionary now, before any fork or request (issue 4)
    if seed_demo:
        with app.app_context():
            if demo.seed():  # does nothing unless the database is brand new (demo.is_empty)
                demo.warn_seeded()
            if announce:
                demo.print_logins()


def _private_sqlite_files(url: str, instance: Path) -> None:
    """The SQLite file is created 0600 before SQLite opens it (its -wal and -shm files then take
    the same mode), in a 0700 folder if the folder is new; older 0644 files are tightened."""
    database = make_url(url)
    if database.get_backend_name() != "sqlite" or database.database in (None, "", ":memory:"):
        return
    path = instance / database.database  # relative: under instance/, as Flask-SQLAlchemy does
    private_dir(path.parent)
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name == path or name.exists():
            private_file(name)


def ready_to_serve(app: Flask) -> None:
    """The last step before a serving process takes requests (app.py, each gunicorn worker).

    jieba's dictionary loads now, not in the first search: that would hold the whole gevent
    process, and with it every live reader, for a second or more. Then what is loaded so far is
    frozen out of the garbage collector's sight: a full collection would otherwise walk the
    dictionary, the ORM and the templates again each time, stopping every delivery while
    hundreds of phones reconnect at once (bench/live.py --gc-pauses measures it).
    """
    analyzer.load(app.instance_path)
    gc.collect()
    gc.freeze()

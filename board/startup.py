"""Start-up chores shared by app.py and the production entry point (board.wsgi)."""
from __future__ import annotations

import gc
import logging
from datetime import datetime
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from board import demo, search, sla
from board.config import private_dir, private_file
from board.search import analyzer
from board.services import boards

log = logging.getLogger(__name__)


def prepare(app: Flask, seed_demo: bool = False, announce: bool = False) -> None:
    """Apply migrations, sync boards_config.yaml, and seed demo data into an empty database."""
    _private_sqlite_files(app.config["SQLALCHEMY_DATABASE_URI"], Path(app.instance_path))
    with app.app_context():
        upgrade()
        boards.sync(app.config["BOARDS_CONFIG"])
    _warn_missing_holidays()
    search.init_process(app)  # jieba's dictionary now, before any fork or request (issue 4)
    if seed_demo:
        with app.app_context():
            if demo.seed():  # does nothing unless the database is brand new (demo.is_empty)
                demo.warn_seeded()
            if announce:
                demo.print_logins()


def _warn_missing_holidays() -> None:
    """Working-hours deadlines need the year's holidays and 调休 days: say which years have
    neither the chinese_calendar package's table nor a `calendar:` entry in boards_config.yaml."""
    for year in sla.missing_years(datetime.now(sla.BEIJING).date()):
        log.warning("节假日安排缺少 %s 年:工作时间的答复时限将按周一至周五计算。"
                    "请在 boards_config.yaml 的 calendar: 中填写国务院公布的 %s 年放假和调休日期"
                    "(或升级 chinese_calendar)。", year, year)


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

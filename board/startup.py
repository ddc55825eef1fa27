"""Start-up chores shared by app.py and the production entry point (board.wsgi)."""
from __future__ import annotations

import gc

from flask import Flask
from flask_migrate import upgrade

from board import demo, search
from board.search import analyzer
from board.services import boards


def prepare(app: Flask, seed_demo: bool = False, announce: bool = False) -> None:
    """Apply migrations, sync boards_config.yaml, and seed demo data into an empty database."""
    with app.app_context():
        upgrade()
        boards.sync(app.config["BOARDS_CONFIG"])
    search.init_process(app)  # jieba's dictionary now, before any fork or request (issue 4)
    if seed_demo:
        with app.app_context():
            demo.seed()  # does nothing unless the database is brand new (demo.is_empty)
            if announce:
                demo.print_logins()


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

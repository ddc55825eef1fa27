"""Start-up chores shared by app.py and the production entry point (board.wsgi)."""
from __future__ import annotations

from flask import Flask
from flask_migrate import upgrade

from board.services import boards


def prepare(app: Flask, seed_demo: bool = False, announce: bool = False) -> None:
    """Apply migrations, sync boards_config.yaml, and seed demo data into an empty database."""
    with app.app_context():
        upgrade()
        boards.sync(app.config["BOARDS_CONFIG"])
    from board import search

    search.init_process(app)  # jieba's dictionary now, before any fork or request (issue 4)
    if seed_demo:
        from board import demo

        with app.app_context():
            demo.seed()  # does nothing unless the database is brand new (demo.is_empty)
            if announce:
                demo.print_logins()

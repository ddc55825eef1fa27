"""Start-up chores shared by app.py and the production entry point (board.wsgi)."""
from __future__ import annotations

from flask import Flask
from flask_migrate import upgrade

from board.extensions import db
from board.models import Thread
from board.services import boards


def prepare(app: Flask, seed_demo: bool = False, announce: bool = False) -> None:
    """Apply migrations, sync boards_config.yaml, and seed demo data into an empty database."""
    with app.app_context():
        upgrade()
        boards.sync(app.config["BOARDS_CONFIG"])
    from board import search

    search.init_process(app)  # jieba's dictionary now, before any fork or request (issue 4)
    with app.app_context():
        if seed_demo and db.session.scalar(db.select(Thread.id).limit(1)) is None:
            from board import demo

            demo.seed()
            if announce:
                demo.print_logins()
        elif seed_demo and announce:
            from board import demo

            demo.print_logins()

"""The board: a public Q&A community where citizens and the police meet online.

`create_app()` only wires things together (config, extensions, the three interfaces — pages,
JSON API, Socket.IO — response plumbing and the CLI); start-up chores such as migrating, syncing
boards and seeding demo data live in board/startup.py.
"""
from __future__ import annotations

import os

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from board import api, cli, i18n, logs, socket_server, views, web
from board.config import ROOT, Config
from board.extensions import babel, csrf, db, limiter, login_manager, migrate
from board.services import boards


def create_app(config: object | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(getattr(config, "INSTANCE_PATH", None) or Config().INSTANCE_PATH),
    )
    app.config.from_object(config or Config())
    app.config.from_prefixed_env()  # FLASK_* overrides at deploy time
    app.json.ensure_ascii = False  # Chinese stays Chinese on the wire
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.testing:
        logs.configure()  # one stream, text or LOG_FORMAT=json, with request ids
    register_extensions(app)
    boards.configure_calendar(app.config["BOARDS_CONFIG"])  # holidays for board/sla.py
    socket_server.init_app(app)
    views.init_app(app)
    app.register_blueprint(api.bp)
    web.init_app(app)  # after the blueprints: rate limits wrap their endpoints
    cli.init_app(app)
    i18n.init_app(app)  # issue 21: `flask translate update|compile|missing`
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: WAL so readers never wait for the writer, foreign keys on, a busy timeout."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, default_locale="zh_Hans_CN", default_timezone="Asia/Shanghai",
                   locale_selector=i18n.select_locale,
                   default_translation_directories=str(i18n.TRANSLATIONS))

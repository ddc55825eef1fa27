"""The board: a public Q&A community where citizens and the police meet online.

`create_app()` only wires things together (config, extensions, blueprints, CLI, error pages);
start-up chores such as migrating, syncing boards and seeding demo data live in app.py.
"""
from __future__ import annotations

import json
import os

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from board.config import ROOT, Config


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
    register_extensions(app)
    register_blueprints(app)
    register_web(app)
    register_cli(app)
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


def _socketio_async_mode() -> str:
    """gevent when the process was monkey-patched (app.py, gunicorn's gevent worker), else
    threads."""
    try:
        from gevent import monkey
    except ImportError:
        return "threading"
    return "gevent" if monkey.is_module_patched("socket") else "threading"


def register_extensions(app: Flask) -> None:
    from board.extensions import csrf, db, limiter, login_manager, migrate, socketio

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    # Before init_app: Flask-SocketIO only remembers handlers registered while it has no server,
    # and replays them into every later app's server (a second create_app() would get none).
    import board.live  # noqa: F401  (registers the Socket.IO handlers)
    socketio.init_app(
        app,
        async_mode=_socketio_async_mode(),
        message_queue=app.config.get("REDIS_URL"),
        channel=(app.config.get("SOCKETIO_CHANNEL") or os.environ.get("SOCKETIO_CHANNEL")
                 or "flask-socketio"),  # one Redis channel per deployment
        json=_UnicodeJSON,
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS", []),
        logger=False,
        engineio_logger=False,
    )
    app.wsgi_app = _declining_websocket_compression(app.wsgi_app)


def _declining_websocket_compression(wsgi_app):
    """Browsers offer permessage-deflate and simple-websocket accepts any offer: each connection
    would then keep its own zlib state and compress every broadcast once per reader (bench/live.py
    --deflate measures both). Payloads are a few hundred bytes; the offer is declined."""
    def app(environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return wsgi_app(environ, start_response)
    return app


class _UnicodeJSON:
    """Socket.IO payloads without \\uXXXX escapes (they would double every Chinese payload)."""

    @staticmethod
    def dumps(obj, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        kwargs.setdefault("separators", (",", ":"))
        return json.dumps(obj, *args, **kwargs)

    @staticmethod
    def loads(s, *args, **kwargs):
        return json.loads(s, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    from board.api import bp as api_bp
    from board.views import register_views

    register_views(app)
    app.register_blueprint(api_bp)


def register_web(app: Flask) -> None:
    """Response plumbing (board/web): login loaders, security headers, rate limits on the write
    endpoints, the anonymous page cache, ETag/304, gzip and the request-size cap, Jinja filters
    and globals."""
    from board import web

    web.init_app(app)


def register_cli(app: Flask) -> None:
    from board import cli

    cli.init_app(app)

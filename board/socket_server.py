"""The Socket.IO server's set-up: async mode, the client manager, the JSON codec, the origin check.

Apart from the handlers (board/sockets.py) because this is transport plumbing: how processes
share rooms and how a suspended user's sockets are closed in every process, how payloads are
encoded, which WebSocket extensions are declined. Importing this module imports the handlers
first, so they are registered before any `socketio.init_app` (see board/sockets.py).
"""
from __future__ import annotations

import json
import os

import socketio as python_socketio
from flask import Flask

from board import (
    live_direct,
    sockets,  # noqa: F401  (registers the event handlers before init_app)
)
from board.extensions import socketio
from board.live import USER_ROOM_PREFIX
from board.origins import origin_allowed


def init_app(app: Flask) -> None:
    socketio.init_app(
        app,
        async_mode=_async_mode(),
        client_manager=_client_manager(
            app.config.get("REDIS_URL"),
            channel=(app.config.get("SOCKETIO_CHANNEL") or os.environ.get("SOCKETIO_CHANNEL")
                     or "flask-socketio")),  # one Redis channel per deployment
        json=UnicodeJSON,
        cors_allowed_origins=_origin_check(app.config),
        logger=False,
        engineio_logger=False,
    )
    app.wsgi_app = _declining_websocket_compression(app.wsgi_app)
    if app.config.get("LIVE_DIRECT_WRITE", True):
        # Broadcasts straight to idle WebSockets, each reader's queue bounded (board/live_direct.py)
        live_direct.install(socketio.server, queue_limit=app.config.get("LIVE_QUEUE_LIMIT", 1000))


class _EndingUserConnections:
    """Closing a `user:<id>` room disconnects its connections instead of only emptying it.

    `close_room` is the one room operation python-socketio's message queue carries to every
    process, each acting on the connections it holds (PubSubManager._handle_close_room): this is
    how `live.disconnect_user` reaches a suspended user's sockets wherever they are connected.
    """

    def basic_close_room(self, room, namespace):
        if room.startswith(USER_ROOM_PREFIX):
            for sid, _eio_sid in list(self.get_participants(namespace, room)):
                self.server.disconnect(sid, namespace=namespace, ignore_queue=True)
        return super().basic_close_room(room, namespace)


class _LocalManager(_EndingUserConnections, python_socketio.Manager):
    """One process (the embedded `python app.py`, tests)."""


class _RedisManager(_EndingUserConnections, python_socketio.RedisManager):
    """Several processes sharing rooms through REDIS_URL."""


def _client_manager(redis_url: str | None, channel: str):
    """A fresh manager per app: the extension is shared, and would otherwise keep the last
    app's queue (Flask-SocketIO only builds one when it is given none)."""
    if redis_url:
        return _RedisManager(redis_url, channel=channel)
    return _LocalManager()


def _origin_check(config):
    """Engine.IO's Origin check, for every handshake, polling request and WebSocket upgrade
    (board/origins.py says which origins are the site's own)."""
    def allowed(origin, environ=None) -> bool:
        return origin_allowed(origin, environ or {}, config)
    return allowed


def _async_mode() -> str:
    """gevent when the process was monkey-patched (app.py, gunicorn's gevent worker), else
    threads."""
    try:
        from gevent import monkey
    except ImportError:
        return "threading"
    return "gevent" if monkey.is_module_patched("socket") else "threading"


def _declining_websocket_compression(wsgi_app):
    """Browsers offer permessage-deflate and simple-websocket accepts any offer: each connection
    would then keep its own zlib state and compress every broadcast once per reader (bench/live.py
    --deflate measures both). Payloads are a few hundred bytes; the offer is declined."""
    def app(environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return wsgi_app(environ, start_response)
    return app


class UnicodeJSON:
    """Socket.IO payloads without \\uXXXX escapes (they would double every Chinese payload)."""

    @staticmethod
    def dumps(obj, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        kwargs.setdefault("separators", (",", ":"))
        return json.dumps(obj, *args, **kwargs)

    @staticmethod
    def loads(s, *args, **kwargs):
        return json.loads(s, *args, **kwargs)

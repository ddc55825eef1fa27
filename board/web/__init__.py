"""Response plumbing shared by the pages and the API: who is asking (login), security headers,
rate limits, the anonymous page cache, conditional GET and gzip (http), error responses and
general Jinja helpers (registered by board/views/jinja.py). Nothing here imports the views.

`init_app` runs after the blueprints are registered (rate limits wrap their endpoints). Flask
runs after-request hooks last-registered first, so each response is gzipped (http) before the
security headers are added to it (headers). The guard (board/web/guard.py) refuses input no
view can use (NUL bytes, over-deep JSON, non-ASCII ids) before any view runs.
"""
from __future__ import annotations

from flask import Flask

from board.web import (
    errors,
    guard,
    headers,
    http,
    login,
    page_cache,
    password_gate,
    proxy,
    ratelimits,
    request_log,
)


def init_app(app: Flask) -> None:
    request_log.init_app(app)  # the request id first, the log line last
    login.init_app(app)
    password_gate.init_app(app)  # issue 17: temporary passwords are replaced first
    headers.init_app(app)
    ratelimits.init_app(app)
    page_cache.init_app(app)
    http.init_app(app)
    guard.init_app(app)  # after http: the body-size cap applies before the guard reads it
    errors.init_app(app)
    proxy.init_app(app)  # last: the outermost WSGI layer, so every layer sees the real client

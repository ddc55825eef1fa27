"""In-process cache of the pages that are the same for every anonymous reader (home, board pages).

Correct across processes: every cache key carries a stamp read from the database on each request
(board/web/page_stamps.py: the boards' `version` counters, one indexed row read), and every write
that an anonymous reader could see bumps its board's version in the same transaction
(board/web/stamp_bumps.py). A short TTL bounds anything else that ages on a page ("3分钟前").

Never cached: signed-in users (session, remember cookie or bearer token), requests with pending
flash messages, query arguments a view did not declare, non-200 responses. Keys vary on every
cookie except the session cookie (the elder-mode cookie among them). A CSRF token in a cached page
is rendered as a placeholder and filled in per request, so no two readers share a token.
"""
from __future__ import annotations

import gzip
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps

from flask import Flask, current_app, g, make_response, request, session
from flask_login import current_user

from board import i18n
from board.web import stamp_bumps

CSRF_PLACEHOLDER = "__anon-cache-csrf-token__"
_SKIP_HEADERS = {"set-cookie", "content-length", "vary", "content-encoding", "etag"}


class _Store:
    """A small LRU with expiry; one per process, shared by its threads/greenlets."""

    def __init__(self, size: int) -> None:
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.items.get(key)
            if entry is None:
                return None
            if entry.expires < time.monotonic():
                del self.items[key]
                return None
            self.items.move_to_end(key)
            return entry

    def put(self, key, entry) -> None:
        with self.lock:
            self.items[key] = entry
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


class _Entry:
    __slots__ = ("expires", "status", "headers", "body", "gz", "needs_token")

    def __init__(self, response, ttl: float) -> None:
        self.expires = time.monotonic() + ttl
        self.status = response.status_code
        self.headers = [(k, v) for k, v in response.headers.items()
                        if k.lower() not in _SKIP_HEADERS]
        self.body = response.get_data()
        self.needs_token = CSRF_PLACEHOLDER.encode() in self.body
        # Pages without a per-reader token are compressed once, here, not on every request.
        self.gz = None if self.needs_token else gzip.compress(self.body, 6, mtime=0)

    def response(self, state: str):
        from flask_wtf.csrf import generate_csrf

        body, gz = self.body, None
        if self.needs_token:
            body = body.replace(CSRF_PLACEHOLDER.encode(), generate_csrf().encode())
        elif self.gz is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
            gz = self.gz
        response = current_app.response_class(gz or body, status=self.status, headers=self.headers)
        if gz:
            response.headers["Content-Encoding"] = "gzip"
        response.vary.update(("Cookie", "Accept-Encoding", "Accept-Language"))
        response.headers["X-Anon-Cache"] = state
        return response


def _store() -> _Store:
    return current_app.extensions["anon_cache"]


def cookie_key() -> tuple:
    """Every cookie that can change a page (elder mode, …), minus the session cookie itself, and
    the interface language, which on a first visit comes from Accept-Language, not a cookie."""
    skip = {current_app.config.get("SESSION_COOKIE_NAME", "session")}
    cookies = tuple(sorted((k, v) for k, v in request.cookies.items() if k not in skip))
    return (*cookies, ("", i18n.language()))


def cacheable(allowed_args: tuple[str, ...] = ()) -> bool:
    """May this request be answered from, and stored into, the anonymous cache?"""
    if not current_app.config.get("ANON_CACHE", True) or request.method not in ("GET", "HEAD"):
        return False
    if any(name not in allowed_args for name in request.args):
        return False
    if "Authorization" in request.headers:
        return False
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        return False
    if session.get("_flashes"):
        return False
    return not current_user.is_authenticated


def _key(stamp) -> tuple:
    """The host too: link cards and share boxes carry absolute addresses (board/share/links.py),
    built from the request's host when BASE_URL is unset; a forged Host stays in its own entry."""
    return (request.host, request.path, request.query_string, cookie_key(), stamp)


def stored(stamp, allowed_args: tuple[str, ...] = ()) -> bool:
    """Would serve() answer this request from the cache (for an anonymous reader)?"""
    return stamp is not None and cacheable(allowed_args) and _store().get(_key(stamp)) is not None


def serve(stamp, render: Callable[[], object], allowed_args: tuple[str, ...] = ()):
    """The page for (path, query, cookies, stamp) from the cache, else render() and keep it."""
    if stamp is None or not cacheable(allowed_args):
        return render()
    key = _key(stamp)
    entry = _store().get(key)
    if entry is not None:
        return entry.response("hit")
    g.anon_cache_render = True
    try:
        response = make_response(render())
    finally:
        g.anon_cache_render = False
    if response.status_code != 200 or response.direct_passthrough or current_user.is_authenticated:
        return response
    entry = _Entry(response, current_app.config.get("ANON_CACHE_TTL", 10))
    _store().put(key, entry)
    return entry.response("miss")


def anonymous_page(stamp: Callable[..., object], allowed_args: tuple[str, ...] = ()):
    """Decorator: cache a view's page for anonymous readers under stamp(**view_args)."""

    def decorate(view):
        @wraps(view)
        def wrapper(**kwargs):
            if not cacheable(allowed_args):
                return view(**kwargs)
            return serve(stamp(**kwargs), lambda: view(**kwargs), allowed_args)

        return wrapper

    return decorate


def placeholder_token() -> dict:
    """Jinja context: while a page is rendered for the cache, csrf_token() writes a placeholder
    (registered in board/views/jinja.py)."""
    if g.get("anon_cache_render"):
        return {"csrf_token": lambda: CSRF_PLACEHOLDER}
    return {}


def init_app(app: Flask) -> None:
    app.config.setdefault("ANON_CACHE", True)
    app.config.setdefault("ANON_CACHE_TTL", 10)
    app.config.setdefault("ANON_CACHE_SIZE", 512)
    app.extensions["anon_cache"] = _Store(int(app.config["ANON_CACHE_SIZE"]))
    stamp_bumps.listen_on_app_session()

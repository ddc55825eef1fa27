"""In-process cache of the pages that are the same for every anonymous reader (home, board pages).

Correct across processes: every cache key carries a stamp read from the database on each request
(the boards' `version` counters — one indexed row read), and every write to a model marked
`BumpsBoardVersion` (a board, a thread, its posts, photos, public timeline, rating) bumps its
board's version in the same transaction: hooks on the app's session (`db.session`), so services
written later need not remember to. Other writes (the bell, search jobs, reports) keep the cache.
A short TTL bounds anything else that ages on a page ("3分钟前").

The version is the *public* stamp (issue 15, item 15): it moves only when something an anonymous
reader can see changes, else the cache hit/miss and the thread pages' ETag would tell outsiders
when police-only or hidden content is filed or answered. So a write bumps only if its row was or
becomes public: a thread that is (or was, before this flush) public and not hidden; a reply that
is (or was) not hidden, on such a thread; a timeline step with public text; photos and ratings
of such a thread. A bulk UPDATE/DELETE bumps for the matched rows that are public before it runs
(visibility and hiding are ORM writes, compared before and after by the flush hook).

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
from itertools import chain

from flask import Flask, current_app, g, make_response, request, session
from flask_login import current_user
from sqlalchemy import event, func, inspect, select, update

from board.extensions import db
from board.models import Board, Post, Thread, ThreadEvent, Visibility
from board.orm import BumpsBoardVersion
from board.queries.threads import MAX_ID

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
        response.vary.update(("Cookie", "Accept-Encoding"))
        response.headers["X-Anon-Cache"] = state
        return response


def _store() -> _Store:
    return current_app.extensions["anon_cache"]


def cookie_key() -> tuple:
    """Every cookie that can change a page (elder mode, …), minus the session cookie itself."""
    skip = {current_app.config.get("SESSION_COOKIE_NAME", "session")}
    return tuple(sorted((k, v) for k, v in request.cookies.items() if k not in skip))


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
    return (request.path, request.query_string, cookie_key(), stamp)


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


# --- stamps: one cheap read each ------------------------------------------------------------


_BOARDS = Board.__table__
_SITE = select(func.coalesce(func.sum(_BOARDS.c.version), 0), func.count(_BOARDS.c.id))
_ONE_BOARD = select(_BOARDS.c.id, _BOARDS.c.version)


def site_stamp() -> tuple:
    """Changes whenever any board's version changes (the home page). Core, not ORM: cheaper."""
    return tuple(db.session.connection().execute(_SITE).one())


def board_stamp(slug: str) -> tuple | None:
    row = db.session.connection().execute(_ONE_BOARD.where(_BOARDS.c.slug == slug)).first()
    return tuple(row) if row else None


_THREADS = Thread.__table__
_ONE_THREAD = (select(_THREADS.c.id, _THREADS.c.last_activity_at, _THREADS.c.status,
                      _THREADS.c.visibility, _THREADS.c.hidden, _THREADS.c.locked,
                      _THREADS.c.pinned, _THREADS.c.reply_count, _BOARDS.c.version)
               .join_from(_THREADS, _BOARDS, _THREADS.c.board_id == _BOARDS.c.id))


def thread_stamp(thread_id: int) -> tuple | None:
    """What the thread page shows, cheaply: any write to the thread, its posts or its timeline
    bumps the board's version; the minute keeps "3分钟前" honest. None: no such thread."""
    if not 0 < thread_id <= MAX_ID:
        return None
    row = db.session.connection().execute(_ONE_THREAD.where(_THREADS.c.id == thread_id)).first()
    if row is None:
        return None
    return (*row, current_app.config["BUILD_ID"], int(time.time() // 60))


# --- invalidation: writes bump their board's version in the same transaction ----------------


_THREAD_IS_PUBLIC = ((Thread.__table__.c.visibility == Visibility.PUBLIC)
                     & Thread.__table__.c.hidden.is_(False))


def _before_and_now(obj, *names: str) -> list[tuple | None]:
    """The attributes' values before this flush, and now. The before-values are None (unknown)
    when one was changed on an expired object, never loaded: then the caller bumps."""
    state = inspect(obj)
    now = tuple(getattr(obj, name) for name in names)
    before = []
    for name, value in zip(names, now, strict=True):
        history = state.attrs[name].history
        if history.deleted:
            before.append(history.deleted[0])
        elif history.added and state.key is not None:  # persistent: the old value is unknown
            return [None, now]
        else:
            before.append(value)
    return [tuple(before), now]


def _public_thread(visibility, hidden) -> bool:
    return visibility in (None, Visibility.PUBLIC) and not hidden  # None: default not applied


def _seen_by_anonymous(obj) -> bool:
    """Was the row, or is it now, on a page anonymous readers see? (Its thread's part is checked
    in SQL by `_bump`.)"""
    if isinstance(obj, Thread):
        states = _before_and_now(obj, "visibility", "hidden")
        return any(v is None or _public_thread(*v) for v in states)
    if isinstance(obj, Post):
        return any(v is None or not v[0] for v in _before_and_now(obj, "hidden"))
    if isinstance(obj, ThreadEvent):
        return any(v is None or v[0] is not None for v in _before_and_now(obj, "public_text"))
    return True


def _board_ids_for(objects) -> tuple[set[int], set[int], bool]:
    boards, threads, everything = set(), set(), False
    for obj in objects:
        if not isinstance(obj, BumpsBoardVersion) or not _seen_by_anonymous(obj):
            continue
        if isinstance(obj, Board):
            if obj.id is not None:
                boards.add(obj.id)
        elif isinstance(obj, Thread):
            history = inspect(obj).attrs.board_id.history
            boards.update(b for b in chain(history.added, history.unchanged, history.deleted) if b)
            if obj.board_id is None:
                everything = True
        elif obj.thread_id is not None:  # posts, photos, timeline events, ratings
            threads.add(obj.thread_id)
    return boards, threads, everything


def _bump(connection, boards: set[int], threads: set[int], everything: bool = False) -> None:
    table = Board.__table__
    stmt = update(table).values(version=table.c.version + 1)
    if not everything:
        where = table.c.id.in_(sorted(boards)) if boards else None
        if threads:  # replies, photos, steps: only those of public threads
            in_threads = table.c.id.in_(
                select(Thread.__table__.c.board_id).where(
                    Thread.__table__.c.id.in_(sorted(threads)), _THREAD_IS_PUBLIC))
            where = in_threads if where is None else where | in_threads
        if where is None:
            return
        stmt = stmt.where(where)
    connection.execute(stmt)


def _after_flush(session, _context) -> None:
    changed = [o for o in session.dirty if session.is_modified(o, include_collections=True)]
    boards, threads, everything = _board_ids_for(chain(session.new, changed, session.deleted))
    if boards or threads or everything:
        _bump(session.connection(), boards, threads, everything)


def _bulk_write(state) -> None:
    """db.update(Thread)… / db.delete(Post)…: bump the boards of the rows about to change."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    if not issubclass(state.bind_mapper.class_, BumpsBoardVersion):
        return
    table = state.bind_mapper.local_table
    where = getattr(state.statement, "whereclause", None)
    if table is Board.__table__:
        ids = select(table.c.id)
    elif table is Thread.__table__:
        ids = select(table.c.board_id).where(_THREAD_IS_PUBLIC)
    else:
        ids = select(Thread.__table__.c.board_id).where(_THREAD_IS_PUBLIC).where(
            Thread.__table__.c.id.in_(select(table.c.thread_id).where(
                where if where is not None else True)))
        where = None
    if where is not None:
        ids = ids.where(where)
    board = Board.__table__
    state.session.connection().execute(
        update(board).where(board.c.id.in_(ids)).values(version=board.c.version + 1))


def placeholder_token() -> dict:
    """Jinja context: while a page is rendered for the cache, csrf_token() writes a placeholder
    (registered in board/views/jinja.py)."""
    if g.get("anon_cache_render"):
        return {"csrf_token": lambda: CSRF_PLACEHOLDER}
    return {}


def _listen_on_app_session() -> None:
    """On the app's session only (its own Session subclass): a plain `Session(engine)`, such as
    the search worker's, never bumps."""
    for name, hook in (("after_flush", _after_flush), ("do_orm_execute", _bulk_write)):
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)


def init_app(app: Flask) -> None:
    app.config.setdefault("ANON_CACHE", True)
    app.config.setdefault("ANON_CACHE_TTL", 10)
    app.config.setdefault("ANON_CACHE_SIZE", 512)
    app.extensions["anon_cache"] = _Store(int(app.config["ANON_CACHE_SIZE"]))
    _listen_on_app_session()

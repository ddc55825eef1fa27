"""Socket.IO, the interface side: the handlers clients talk to (connect, join, leave, catch_up,
typing), beside the HTML views and the JSON API. The server's set-up (async mode, client manager,
JSON, origin check) is board/socket_server.py.

Clients may only join thread, board and home rooms, each after the permission check below; user
and unit rooms are assigned on connect. What the rooms then hear is published by board/live.py.
The handlers register on the shared extension when this module is imported, which
board/socket_server.py does before any `socketio.init_app`: Flask-SocketIO only remembers handlers
registered while it has no server, and replays them into every later app's server.
"""
from __future__ import annotations

import time
from functools import wraps

from flask import current_app, g, request
from flask_login import current_user, login_user
from flask_socketio import ConnectionRefusedError, emit, join_room, leave_room

from board import fragments, inputs, metrics, permissions, serializers
from board.extensions import db, socketio
from board.live import (
    HOME_ROOM,
    author_room,
    staff_room,
    thread_audience,
    thread_room,
    unit_room,
    user_room,
)
from board.models import Board, Thread, User
from board.origins import origin_allowed
from board.queries import inbox, threads
from board.services import accounts, following, notifications

CATCH_UP_LIMIT = 200  # posts per catch_up answer; the client asks again while `more` is true
TYPING_INTERVAL = 1.0  # seconds: typing events closer together than this are dropped
_last_typing: dict[str, float] = {}


def handler(event: str):
    """socketio.on(event), with the user loaded from this connection's own session each time.

    Flask-Login caches the user on `g`; when events run inside an outer app context (tests,
    scripts) that cache would carry one connection's user into another's event.
    """

    def register(fn):
        @wraps(fn)
        def wrapper(*args):
            g.pop("_login_user", None)
            return fn(*args)

        return socketio.on(event)(wrapper)

    return register


def _user_for_auth(auth) -> User | None:
    token = auth.get("token") if isinstance(auth, dict) else None
    if not token:
        return None
    user = accounts.user_for_token(str(token))
    if user is None:
        raise ConnectionRefusedError("invalid_token")
    return user


def _assigned_rooms(user) -> list[str]:
    """The rooms the server puts a signed-in user in: their own, their inbox units, and their own
    unit's (incidents dispatched to it reach its work list even when it answers no board)."""
    rooms = [user_room(user.id)]
    codes = set()
    if permissions.can(user, "inbox.view"):
        codes = {unit.code for board in inbox.boards_for(user) for unit in board.units}
    if user.is_police and user.unit:
        codes.add(user.unit.code)
    return rooms + [unit_room(code) for code in sorted(codes)]


@handler("connect")
def on_connect(auth=None):
    """Engine.IO has checked the Origin of the HTTP request already; this checks it again for
    the Socket.IO session itself (and for the test client, which skips HTTP). No Origin at all:
    a browser's same-origin long-polling handshake, or a program (which could write any Origin)."""
    origin = request.headers.get("Origin")
    if origin and not origin_allowed(origin, request.environ, current_app.config):
        raise ConnectionRefusedError("origin_not_allowed")
    user = _user_for_auth(auth)
    if user is not None:
        login_user(user)  # kept in this socket's own session, not in any cookie
    if current_user.is_authenticated:
        for room in _assigned_rooms(current_user):
            join_room(room)
    metrics.reader_connected()


@handler("disconnect")
def on_disconnect(*_args):
    metrics.reader_disconnected()
    _last_typing.pop(request.sid, None)


def _parse_room(room: str):
    if room == HOME_ROOM:
        return HOME_ROOM
    if not inputs.usable_text(room):  # a number, a list, NUL: PostgreSQL cannot compare it
        return None
    kind, _, key = room.partition(":")
    if kind == "thread":
        thread_id = inputs.parse_id(key)
        return db.session.get(Thread, thread_id) if thread_id else None
    if kind == "board":
        return db.session.scalar(db.select(Board).where(Board.slug == key))
    return None


@handler("join")
def on_join(data):
    room = data.get("room") if isinstance(data, dict) else None
    room = room if isinstance(room, str) else ""
    target = _parse_room(room)
    if target is None:
        return {"ok": False, "error": "not_found"}
    if isinstance(target, Thread):
        if not permissions.can(current_user, "thread.view", target):
            return {"ok": False, "error": "forbidden"}
        join_room(_reader_room(target))
        if current_user.is_authenticated:  # the thread is open on their screen (issue 17)
            following.seen(current_user, target)
    else:
        join_room(room)
    return {"ok": True, "room": room}


def _reader_room(thread: Thread) -> str:
    """The thread room for *why* this viewer may read it (board/live.py): police and the asker
    keep their rooms when the thread stops being public; everyone else is in the public one."""
    if permissions.can(current_user, "police_only.view"):
        return staff_room(thread.id)
    if current_user.is_authenticated and current_user.id == thread.author_id:
        return author_room(thread.id)
    return thread_room(thread.id)


@handler("leave")
def on_leave(data):
    room = data.get("room") if isinstance(data, dict) else None
    room = room if isinstance(room, str) else ""
    kind, _, key = room.partition(":")
    thread_id = inputs.parse_id(key) if kind == "thread" else None
    if thread_id:
        for each in thread_audience(thread_id):
            leave_room(each)
    elif kind == "board" or room == HOME_ROOM:
        leave_room(room)
    return {"ok": True}


def _int(data, key: str) -> int | None:
    return inputs.parse_id(data.get(key)) if isinstance(data, dict) else None


@handler("catch_up")
def on_catch_up(data):
    """Every post after `after_post_id` the viewer may read, from the database, in order.

    The client sends this after every (re)connect, after joining the room, so nothing posted
    while it was away is lost; it de-duplicates by post id.
    """
    thread_id, after = _int(data, "thread_id"), _int(data, "after_post_id") or 0
    thread = db.session.get(Thread, thread_id) if thread_id else None
    if thread is None or not permissions.can(current_user, "thread.view", thread):
        return {"ok": False, "error": "not_found"}
    posts = threads.thread_posts(thread, current_user, after_id=after)
    page = posts[:CATCH_UP_LIMIT]
    viewer = current_user._get_current_object()  # the author and police read the original
    return {"ok": True, "thread_id": thread.id,
            "thread": serializers.thread_to_dict(thread, viewer),
            "posts": fragments.posts_with_html(page, viewer),
            "more": len(posts) > len(page)}


@handler("notification_seen")
def on_notification_seen(data):
    """The page received a `notification` push: {"id", "reading"} (issue 17). `reading`: the
    page shows that very thread, visible; an off-site notice of it is then not needed."""
    note_id = _int(data, "id")
    if not note_id or not current_user.is_authenticated:
        return {"ok": False}
    reading = isinstance(data, dict) and data.get("reading") is True
    return {"ok": notifications.seen_live(current_user, note_id, reading)}


@handler("typing")
def on_typing(data):
    """An officer composing a reply: the thread's readers see "民警正在回复…" with the name.

    Only official accounts' typing is relayed (citizens' typing is nobody's business), at most
    once per TYPING_INTERVAL per connection; `typing: false` (stopped) always goes through.
    """
    thread_id = _int(data, "thread_id")
    active = not (isinstance(data, dict) and data.get("typing") is False)
    if not thread_id or not current_user.is_authenticated or not current_user.is_official:
        return {"ok": False}
    now = time.monotonic()
    if active and now - _last_typing.get(request.sid, 0.0) < TYPING_INTERVAL:
        return {"ok": True, "throttled": True}
    thread = db.session.get(Thread, thread_id)
    if thread is None or not permissions.can(current_user, "post.create", thread):
        return {"ok": False}
    _last_typing[request.sid] = now if active else 0.0
    payload = {"thread_id": thread.id, "typing": active,
               "user": serializers.user_to_dict(current_user)}
    emit("typing", payload, to=thread_audience(thread.id), include_self=False)
    return {"ok": True}

"""Socket.IO: room names, who may join which room, and the publish functions services call.

This module is the only place that emits. Services call the publish functions after their
commit; a failed emit is logged and never fails or loses the write. Who receives what is decided
here, from the permission module, in one place:
- `thread:<id>`: anyone who may view the thread (police-only threads: police and the asker);
  `thread:<id>:staff`: police viewers of it (they also see hidden posts);
- `board:<slug>` and `home`: anyone; they only ever receive public threads (`_public_rooms`);
- `user:<id>`: one signed-in user (notifications); `unit:<code>`: an officer inbox.
Clients may only join thread, board and home rooms; user and unit rooms are assigned on connect.
"""
from __future__ import annotations

import logging
import time
from functools import wraps

from flask import g, request
from flask_login import current_user, login_user
from flask_socketio import ConnectionRefusedError, emit, join_room, leave_room

from board import inputs, permissions, serializers
from board.extensions import db, socketio
from board.models import Board, Post, Thread, User
from board.queries import inbox, threads

log = logging.getLogger(__name__)

HOME_ROOM = "home"
CATCH_UP_LIMIT = 200  # posts per catch_up answer; the client asks again while `more` is true
TYPING_INTERVAL = 1.0  # seconds: typing events closer together than this are dropped
_last_typing: dict[str, float] = {}


def thread_room(thread_id: int) -> str:
    return f"thread:{thread_id}"


def staff_room(thread_id: int) -> str:
    return f"thread:{thread_id}:staff"


def board_room(slug: str) -> str:
    return f"board:{slug}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def unit_room(code: str) -> str:
    return f"unit:{code}"


def _emit(event: str, payload: dict, room: str | list[str]) -> None:
    """One emit to one room or several (a client in several of them receives it once)."""
    if not room:
        return
    try:
        socketio.emit(event, payload, to=room)
        # Under gevent the request would otherwise run on (notifications, the response) before
        # the connections' writer greenlets get to send: let them deliver now.
        socketio.sleep(0)
    except Exception:  # the write is already committed; live delivery is best effort here
        log.exception("emit %s to %s failed", event, room)


def _public_rooms(thread: Thread) -> list[str]:
    """The rooms anyone may be in: only public threads are ever announced there."""
    if not thread.is_public:
        return []
    return [board_room(thread.board.slug), HOME_ROOM]


def _inbox_rooms(thread: Thread) -> list[str]:
    return [unit_room(unit.code) for unit in thread.board.units]


# --- publishing (called by services after commit) -----------------------------------------


def _to_lists(event: str, payload: dict, thread: Thread) -> None:
    """The rooms of the pages that list the thread, each with its row rendered once for that
    audience under `html`: the public rows to board and home rooms, the inbox row (police-only
    markup) to unit rooms only. The pages insert these server rows instead of building their own.
    """
    public, units = _public_rooms(thread), _inbox_rooms(thread)
    if public:
        _emit(event, {**payload, "html": serializers.public_rows(thread)}, public)
    if units:
        _emit(event, {**payload, "html": serializers.inbox_rows(thread)}, units)


def thread_created(thread: Thread) -> None:
    payload = {"board": thread.board.slug, "thread": serializers.thread_to_dict(thread)}
    _to_lists("thread_created", payload, thread)


def post_created(post: Post, thread_changed: bool = True) -> None:
    """`thread_changed`: the reply moved the thread's state (status, first official answer).

    The thread's readers count replies themselves, so its room hears `thread_updated` only then:
    with a thousand phones on a busy thread, every later reply is one message each, not two.
    Lists and inboxes always get the new counts. `html`: the reply as the page renders it for
    any reader (masked, no per-reader actions), rendered once for the whole room.
    """
    payload = {"thread_id": post.thread_id, "post": serializers.post_to_dict(post),
               "html": serializers.post_html(post, new=True)}
    _emit("post_created", payload, thread_room(post.thread_id))
    thread_updated(post.thread, to_thread_room=thread_changed)


def post_updated(post: Post) -> None:
    """An edit, a hide or new photos. A hidden post's text and markup go only to police viewers
    and its author, unmasked (they read originals); its room learns only that it is hidden
    (no `html`: pages remove the reply). Those two are in the room too, so they hear the full
    version first: a page that already shows the reply as hidden keeps it."""
    full = {"thread_id": post.thread_id, "post": serializers.post_to_dict(post)}
    if not post.hidden:
        _emit("post_updated", {**full, "html": serializers.post_html(post)},
              thread_room(post.thread_id))
        return
    _emit("post_updated", {**full, "html": serializers.post_html(post, original=True)},
          [staff_room(post.thread_id), user_room(post.author_id)])
    redacted = {"thread_id": post.thread_id,
                "post": {"id": post.id, "thread_id": post.thread_id, "hidden": True}}
    _emit("post_updated", redacted, thread_room(post.thread_id))


def thread_updated(thread: Thread, to_thread_room: bool = True) -> None:
    """Status, pin, lock, counts: the thread page, the lists that show it, the inboxes."""
    payload = {"thread": serializers.thread_to_dict(thread)}
    if to_thread_room:  # the thread page needs no row: its readers get the lean payload
        _emit("thread_updated", payload, thread_room(thread.id))
    _to_lists("thread_updated", payload, thread)


def thread_updated_to_units(thread: Thread, codes: list[str]) -> None:
    """Issue 5: also tell units outside the board's own (the 110 command centre's queue, the
    unit a thread was dispatched to); rooms thread_updated() already reached are skipped."""
    rooms = [unit_room(c) for c in dict.fromkeys(codes) if unit_room(c) not in _inbox_rooms(thread)]
    if rooms:
        _emit("thread_updated", {"thread": serializers.thread_to_dict(thread)}, rooms)


def notification_created(note, unread_count: int) -> None:
    payload = {"notification": serializers.notification_to_dict(note),
               "unread_count": unread_count}
    _emit("notification", payload, user_room(note.user_id))


def unread_changed(user_id: int, unread_count: int) -> None:
    """After mark-read: every open tab of that user updates its bell."""
    _emit("notification", {"notification": None, "unread_count": unread_count},
          user_room(user_id))


# --- handlers ------------------------------------------------------------------------------


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
    from board.services.accounts import user_for_token

    user = user_for_token(str(token))
    if user is None:
        raise ConnectionRefusedError("invalid_token")
    return user


def _assigned_rooms(user) -> list[str]:
    """The rooms the server puts a signed-in user in: their own, and their inbox units."""
    rooms = [user_room(user.id)]
    if permissions.can(user, "inbox.view"):
        codes = {unit.code for board in inbox.boards_for(user) for unit in board.units}
        rooms += [unit_room(code) for code in sorted(codes)]
    elif user.is_police and user.unit:
        rooms.append(unit_room(user.unit.code))
    return rooms


@handler("connect")
def on_connect(auth=None):
    user = _user_for_auth(auth)
    if user is not None:
        login_user(user)  # kept in this socket's own session, not in any cookie
    if current_user.is_authenticated:
        for room in _assigned_rooms(current_user):
            join_room(room)


@handler("disconnect")
def on_disconnect(*_args):
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
    room = (data or {}).get("room", "") if isinstance(data, dict) else ""
    target = _parse_room(room)
    if target is None:
        return {"ok": False, "error": "not_found"}
    if isinstance(target, Thread):
        if not permissions.can(current_user, "thread.view", target):
            return {"ok": False, "error": "forbidden"}
        if permissions.can(current_user, "police_only.view"):
            join_room(staff_room(target.id))
    join_room(room)
    return {"ok": True, "room": room}


@handler("leave")
def on_leave(data):
    room = data.get("room") if isinstance(data, dict) else None
    room = room if isinstance(room, str) else ""
    if room.startswith(("thread:", "board:")) or room == HOME_ROOM:
        leave_room(room)
        thread_id = inputs.parse_id(room[7:]) if room.startswith("thread:") else None
        if thread_id:
            leave_room(staff_room(thread_id))
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
            "posts": serializers.posts_with_html(page, viewer),
            "more": len(posts) > len(page)}


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
    emit("typing", payload, to=thread_room(thread.id), include_self=False)
    return {"ok": True}

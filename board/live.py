"""Socket.IO: room names, connection and room handlers, and the publish functions services call.

Services call the publish functions only after their commit; a failed emit is logged and never
fails or loses the write.
"""
from __future__ import annotations

import logging

from flask_login import current_user
from flask_socketio import join_room, leave_room

from board import permissions, serializers
from board.extensions import db, socketio
from board.models import Board, Post, Thread

log = logging.getLogger(__name__)


def thread_room(thread_id: int) -> str:
    return f"thread:{thread_id}"


def board_room(slug: str) -> str:
    return f"board:{slug}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def unit_room(code: str) -> str:
    return f"unit:{code}"


def _emit(event: str, payload: dict, room: str) -> None:
    try:
        socketio.emit(event, payload, to=room)
    except Exception:  # the write is already committed; live delivery is best effort here
        log.exception("emit %s to %s failed", event, room)


# --- publishing (called by services after commit) -----------------------------------------


def thread_created(thread: Thread) -> None:
    payload = {"board": thread.board.slug, "thread": serializers.thread_to_dict(thread)}
    if thread.is_public:
        _emit("thread_created", payload, board_room(thread.board.slug))
    for unit in thread.board.units:
        _emit("thread_created", payload, unit_room(unit.code))


def post_created(post: Post) -> None:
    payload = {"thread_id": post.thread_id, "post": serializers.post_to_dict(post)}
    _emit("post_created", payload, thread_room(post.thread_id))
    thread_updated(post.thread)


def thread_updated(thread: Thread) -> None:
    payload = {"thread": serializers.thread_to_dict(thread)}
    _emit("thread_updated", payload, thread_room(thread.id))
    for unit in thread.board.units:
        _emit("thread_updated", payload, unit_room(unit.code))


# --- handlers ------------------------------------------------------------------------------


def _parse_room(room: str):
    kind, _, key = (room or "").partition(":")
    if kind == "thread" and key.isdigit():
        return db.session.get(Thread, int(key))
    if kind == "board":
        return db.session.scalar(db.select(Board).where(Board.slug == key))
    return None


@socketio.on("connect")
def on_connect(auth=None):
    if current_user.is_authenticated:
        join_room(user_room(current_user.id))
        if current_user.is_police and current_user.unit:
            join_room(unit_room(current_user.unit.code))


@socketio.on("join")
def on_join(data):
    room = (data or {}).get("room", "")
    target = _parse_room(room)
    if target is None:
        return {"ok": False, "error": "not_found"}
    if isinstance(target, Thread) and not permissions.can(current_user, "thread.view", target):
        return {"ok": False, "error": "forbidden"}
    join_room(room)
    return {"ok": True}


@socketio.on("leave")
def on_leave(data):
    leave_room((data or {}).get("room", ""))
    return {"ok": True}



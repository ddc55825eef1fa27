"""Socket.IO, the publish side: room names and the functions services call after their commit.

This module and the handlers in board/sockets.py are the only places that emit. A failed emit is
logged and never fails or loses the write. Who receives what is decided here and in sockets.py
(who may join which room), from the permission module:
- a thread's readers, in one of three rooms by *why* they may read it (`thread_audience`):
  `thread:<id>:staff` police viewers (they also see hidden posts), `thread:<id>:author` its
  asker, `thread:<id>` everyone else, there only while the thread is public: when it stops being
  public (hidden), that room is closed and the rest keep following (`thread_withdrawn`);
- `board:<slug>` and `home`: anyone; they only ever receive public threads (`_public_rooms`);
- `user:<id>`: every connection of one signed-in user (notifications); closing it disconnects
  them, in every process (`disconnect_user`, board/socket_server.py); `unit:<code>`: an officer
  inbox.
Clients may only join thread, board and home rooms; user and unit rooms are assigned on connect.
"""
from __future__ import annotations

import logging

from board import bell_entries, fragments, i18n, request_ids, serializers
from board.extensions import socketio
from board.models import Post, Thread

log = logging.getLogger(__name__)

HOME_ROOM = "home"
USER_ROOM_PREFIX = "user:"


def thread_room(thread_id: int) -> str:
    return f"thread:{thread_id}"


def staff_room(thread_id: int) -> str:
    return f"thread:{thread_id}:staff"


def author_room(thread_id: int) -> str:
    return f"thread:{thread_id}:author"


def thread_audience(thread_id: int) -> list[str]:
    """Everyone following a thread: its public readers, its police viewers and its asker."""
    return [thread_room(thread_id), staff_room(thread_id), author_room(thread_id)]


def board_room(slug: str) -> str:
    return f"board:{slug}"


def user_room(user_id: int) -> str:
    return f"{USER_ROOM_PREFIX}{user_id}"


def unit_room(code: str) -> str:
    return f"unit:{code}"


def _emit(event: str, payload: dict, room: str | list[str], yield_now: bool = True) -> None:
    """One emit to one room or several (a client in several of them receives it once), logged
    and stamped with the causing request's id (`request_id`, board/request_ids.py).
    `yield_now=False`: one of many emits in a row (the notice worker's fan-out), which calls
    `let_deliver()` once after the last."""
    if not room:
        return
    request_id = request_ids.current()
    if request_id:  # the request that caused it: a report can be followed into the push
        payload = {**payload, "request_id": request_id}
    log.info("emit %s to %s", event, room if isinstance(room, str) else ",".join(room))
    try:
        socketio.emit(event, payload, to=room)
        if yield_now:
            let_deliver()
    except Exception:  # the write is already committed; live delivery is best effort here
        log.exception("emit %s to %s failed", event, room)


def let_deliver() -> None:
    """Under gevent the request would otherwise run on (notifications, the response) before
    the connections' writer greenlets get to send: let them deliver now."""
    socketio.sleep(0)


def _public_rooms(thread: Thread) -> list[str]:
    """The rooms anyone may be in: only public threads are ever announced there."""
    if not thread.is_public:
        return []
    return [board_room(thread.board.slug), HOME_ROOM]


def _inbox_rooms(thread: Thread) -> list[str]:
    return [unit_room(unit.code) for unit in thread.board.units]


def _to_lists(event: str, payload: dict, thread: Thread) -> None:
    """The rooms of the pages that list the thread, each with its row rendered once for that
    audience under `html`: the public rows to board and home rooms, the inbox row (police-only
    markup) to unit rooms only. The pages insert these server rows instead of building their own.
    """
    public, units = _public_rooms(thread), _inbox_rooms(thread)
    if public:
        rows = fragments.in_languages(lambda code: fragments.public_rows(thread, code))
        _emit(event, {**payload, **rows}, public)
    if units:
        rows = fragments.in_languages(lambda code: fragments.inbox_rows(thread, code))
        _emit(event, {**payload, **rows}, units)


def _thread_json(thread: Thread) -> dict:
    """The thread as every live client has always read it, in Chinese whoever's request
    publishes it (a resident using the English interface must not turn a badge English for
    everyone), and its status label in English for pages shown in English (issue 21)."""
    with i18n.in_language("zh"):
        data = serializers.thread_to_dict(thread)
    with i18n.in_language("en"):
        data["status_label_en"] = thread.status_label
    return data


def thread_created(thread: Thread) -> None:
    payload = {"board": thread.board.slug, "thread": _thread_json(thread)}
    _to_lists("thread_created", payload, thread)


def post_created(post: Post, thread_changed: bool = True) -> None:
    """`thread_changed`: the reply moved the thread's state (status, first official answer).

    The thread's readers count replies themselves, so its room hears `thread_updated` only then:
    with a thousand phones on a busy thread, every later reply is one message each, not two.
    Lists and inboxes always get the new counts. `html`: the reply as the page renders it for
    any reader (masked, no per-reader actions), rendered once for the whole room.
    """
    payload = {"thread_id": post.thread_id, "post": serializers.post_to_dict(post),
               **fragments.in_languages(lambda code: fragments.post_html(post, new=True,
                                                                         language=code))}
    _emit("post_created", payload, thread_audience(post.thread_id))
    thread_updated(post.thread, to_thread_room=thread_changed)


def post_updated(post: Post) -> None:
    """An edit, a hide or new photos. A hidden post's text and markup go only to police viewers
    and its author, unmasked (they read originals); its room learns only that it is hidden
    (no `html`: pages remove the reply). Those two are in the room too, so they hear the full
    version first: a page that already shows the reply as hidden keeps it."""
    full = {"thread_id": post.thread_id, "post": serializers.post_to_dict(post)}
    if not post.hidden:
        _emit("post_updated", {**full, **fragments.in_languages(
            lambda code: fragments.post_html(post, language=code))},
              thread_audience(post.thread_id))
        return
    _emit("post_updated", {**full, **fragments.in_languages(
        lambda code: fragments.post_html(post, original=True, language=code))},
          [staff_room(post.thread_id), user_room(post.author_id)])
    redacted = {"thread_id": post.thread_id,
                "post": {"id": post.id, "thread_id": post.thread_id, "hidden": True}}
    _emit("post_updated", redacted, thread_audience(post.thread_id))


def thread_updated(thread: Thread, to_thread_room: bool = True, content: bool = False) -> None:
    """Status, pin, lock, counts: the thread page, the lists that show it, the inboxes.

    `content`: its author edited or withdrew its words (issue 18); the thread page gets them as
    the page renders them for any reader (`html`, masked), rendered once for the whole room."""
    payload = {"thread": _thread_json(thread)}
    if to_thread_room:  # the thread page needs no row: its readers get the lean payload
        page = ({**payload, **fragments.in_languages(
            lambda code: fragments.thread_content(thread, code))} if content else payload)
        _emit("thread_updated", page, thread_audience(thread.id))
    _to_lists("thread_updated", payload, thread)


def thread_withdrawn(thread: Thread) -> None:
    """The thread stopped being public (hidden): its public readers, who joined while anyone
    could, are told `thread_gone` and sent out of its room; police and the asker, who are in
    rooms of their own, keep following it. `close_room` goes through the message queue, so
    readers connected to other processes leave too."""
    room = thread_room(thread.id)
    _emit("thread_gone", {"thread_id": thread.id}, room)
    _close(room)


def disconnect_user(user_id: int) -> None:
    """End every Socket.IO connection of one user, in every process: an account was suspended,
    and what its open pages were receiving (a unit's police-only threads) must stop now."""
    _close(user_room(user_id))


def _close(room: str) -> None:
    try:
        socketio.close_room(room)
    except Exception:  # the change is committed; a socket left behind is logged, not raised
        log.exception("closing room %s failed", room)


def thread_updated_to_units(thread: Thread, codes: list[str]) -> None:
    """Issue 5: also tell units outside the board's own (the 110 command centre's queue, the
    unit a thread was dispatched to); rooms thread_updated() already reached are skipped."""
    rooms = [unit_room(c) for c in dict.fromkeys(codes) if unit_room(c) not in _inbox_rooms(thread)]
    if rooms:
        _emit("thread_updated", {"thread": _thread_json(thread)}, rooms)


def notification_created(note, unread_count: int, yield_now: bool = True) -> None:
    with i18n.in_language("zh"):  # as any push: not in the language of whoever caused it
        entry = bell_entries.notification_to_dict(note)
    payload = {"notification": entry,
               "unread_count": unread_count}
    _emit("notification", payload, user_room(note.user_id), yield_now)


def unread_changed(user_id: int, unread_count: int) -> None:
    """After mark-read: every open tab of that user updates its bell."""
    _emit("notification", {"notification": None, "unread_count": unread_count},
          user_room(user_id))


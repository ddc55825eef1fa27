"""The outbox: a `notice_event` row written by the session in the same transaction as the change
that causes it, so a committed answer is never without its notice and a rolled-back one never has
one. One row per event, whatever the number of followers: the fan-out is the worker's job."""
from __future__ import annotations

import threading

from board import commit_hooks, request_ids
from board.extensions import db
from board.models import NoticeEvent, NoticeKind, Post, Thread, utcnow

_RECORDED = "notice_recorded"  # session.info: an event was added in this transaction
REPLIED = "notice_replied"  # session.info: a reply's bell entries wait in this transaction
_wakeup = threading.Event()


def record(kind: NoticeKind, thread: Thread, *, post: Post | None = None, actor=None,
           subject_id: int | None = None, status: str | None = None,
           reason: str | None = None) -> NoticeEvent:
    """Add the event to the current transaction (the caller commits)."""
    row = NoticeEvent(kind=kind, thread=thread, post=post, actor_id=getattr(actor, "id", None),
                      subject_id=subject_id, status=status,
                      reason=(reason or None) and reason[:300], created_at=utcnow(),
                      request_id=request_ids.current())  # the worker logs it
    db.session.add(row)
    db.session.info[_RECORDED] = True
    if kind == NoticeKind.REPLY:
        db.session.info[REPLIED] = True
    return row


def nudge() -> None:
    """Wake the worker once the current transaction commits: something else of its queue was
    written (an alert to fan out, board/services/alerts.py)."""
    db.session.info[_RECORDED] = True


def wake() -> None:
    _wakeup.set()


def wait(timeout: float) -> bool:
    woken = _wakeup.wait(timeout)
    _wakeup.clear()
    return woken


commit_hooks.wake_after_commit(_RECORDED, wake)

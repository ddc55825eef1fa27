"""Pin and lock: officers of the board's unit, leaders and admins; every change is audited."""
from __future__ import annotations

from board import live, permissions
from board.extensions import db
from board.models import Thread, utcnow
from board.services import audit


def _set(user, thread: Thread, action: str, **values) -> Thread:
    permissions.require(user, action, thread)
    fields = tuple(values)
    before = audit.snapshot(thread, *fields)
    if all(before[k] == (v.isoformat() if hasattr(v, "isoformat") else v)
           for k, v in values.items()):
        return thread  # already so: nothing to record
    for key, value in values.items():
        setattr(thread, key, value)
    audit.record(user, action, "thread", thread.id, before, audit.snapshot(thread, *fields))
    db.session.commit()
    live.thread_updated(thread)
    return thread


def pin(user, thread: Thread) -> Thread:
    """Pinned threads come first on their board, the newest pin on top."""
    if thread.pinned:
        return thread
    return _set(user, thread, "thread.pin", pinned=True, pinned_at=utcnow())


def unpin(user, thread: Thread) -> Thread:
    if not thread.pinned:
        return thread
    return _set(user, thread, "thread.unpin", pinned=False, pinned_at=None)


def lock(user, thread: Thread) -> Thread:
    """A locked thread takes no new replies (police may still add official notes)."""
    return _set(user, thread, "thread.lock", locked=True)


def unlock(user, thread: Thread) -> Thread:
    return _set(user, thread, "thread.unlock", locked=False)

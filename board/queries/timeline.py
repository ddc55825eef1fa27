"""A thread's timeline as one viewer may read it: public steps for everyone, internal notes for
police only (one writer: `status.add_event`, called by the status, escalation and supervision
services)."""
from __future__ import annotations

from board import permissions
from board.extensions import db
from board.models import Thread, ThreadEvent


def events_for(viewer, thread: Thread) -> list[tuple[ThreadEvent, bool]]:
    """(event, show_internal) pairs, oldest first; one query."""
    internal = permissions.can(viewer, "thread.internal_notes", thread)
    stmt = db.select(ThreadEvent).where(ThreadEvent.thread_id == thread.id)
    if not internal:
        stmt = stmt.where(ThreadEvent.public_text.is_not(None))
    return [(event, internal) for event in db.session.scalars(stmt.order_by(ThreadEvent.id))]

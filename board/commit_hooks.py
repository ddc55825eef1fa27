"""A queue written in the caller's own transaction (search jobs, the notice outbox) wakes its
in-process worker once that transaction commits, and never for one rolled back: the writer marks
`session.info[key]`, the hook reads the mark after the commit and drops it after a rollback."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event

from board.extensions import db


def wake_after_commit(key: str, wake: Callable[[], None]) -> None:
    """Call `wake()` after each commit of a transaction that set `session.info[key]`."""

    @event.listens_for(db.session, "after_commit")
    def _after_commit(session) -> None:
        if session.info.pop(key, None):
            wake()

    @event.listens_for(db.session, "after_rollback")
    def _after_rollback(session) -> None:
        session.info.pop(key, None)

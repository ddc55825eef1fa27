"""The one way search work is queued: a `search_job` row per changed thread, written by the
session in the same transaction as the change, so the database stays the truth.

Services never call the index. Whatever adds, changes or deletes a Thread or a Post — through
the ORM (a new reply, a hidden post, a new visibility) or as a guarded UPDATE/DELETE statement
(a status move) — queues that thread: in the flush that writes the change (the reply path stays
at one flush), or just before the statement runs. After the commit the in-process worker is
nudged, and the change is searchable within a second.
"""
from __future__ import annotations

import logging
from itertools import chain

from flask import current_app
from sqlalchemy import event, insert, select

from board import commit_hooks, request_ids
from board.extensions import db
from board.models import Post, SearchJob, Thread, utcnow
from board.search import worker

log = logging.getLogger(__name__)

_QUEUED = "search_queued"  # session.info: thread ids queued in this transaction


def _changed_thread_ids(session) -> set[int]:
    ids: set[int] = set()
    changed = [o for o in session.dirty if isinstance(o, (Thread, Post))
               and session.is_modified(o, include_collections=False)]
    for obj in chain(session.new, session.deleted, changed):
        if isinstance(obj, Thread):
            ids.add(obj.id)
        elif isinstance(obj, Post):
            ids.add(obj.thread_id if obj.thread_id is not None else
                    (obj.thread.id if obj.thread is not None else None))
    ids.discard(None)
    return ids


def _queue(session, ids) -> None:
    """One job row per thread not yet queued in this transaction."""
    ids = set(ids) - session.info.setdefault(_QUEUED, set())
    if not ids:
        return
    now, request_id = utcnow(), request_ids.current()  # the indexer logs it with the job
    session.connection().execute(insert(SearchJob), [
        {"thread_id": i, "created_at": now, "not_before": now, "attempts": 0,
         "request_id": request_id} for i in sorted(ids)
    ])
    session.info[_QUEUED] |= ids


@event.listens_for(db.session, "after_flush")
def _after_flush(session, _context) -> None:
    _queue(session, _changed_thread_ids(session))


@event.listens_for(db.session, "do_orm_execute")
def _before_bulk_write(state) -> None:
    """db.update(Thread)… / db.delete(Post)…: queue the threads of the rows about to change
    (read before the statement runs, while its WHERE still matches them)."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    model = state.bind_mapper.class_
    if model not in (Thread, Post):
        return
    column = Thread.__table__.c.id if model is Thread else Post.__table__.c.thread_id
    where = getattr(state.statement, "whereclause", None)
    query = select(column) if where is None else select(column).where(where)
    _queue(state.session, state.session.connection().execute(query).scalars())


def nudge() -> None:
    """Wake the in-process worker; under SEARCH_SYNC (tests) index right here instead."""
    worker.wake()
    try:
        app = current_app._get_current_object()
    except RuntimeError:
        return
    if app.config.get("SEARCH_SYNC"):
        try:
            worker.drain(app)
        except Exception:  # the post is committed; its job stays queued for a retry
            log.exception("synchronous search indexing failed")


commit_hooks.wake_after_commit(_QUEUED, nudge)  # the indexer starts once the post commits

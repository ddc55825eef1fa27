"""Search: a small interface over two backends, and the hooks that keep the index current.

    index(app)            drain the queue now (what the worker does)     -> int
    remove(thread_id)     queue a thread for removal/refresh              (same transaction)
    enqueue(thread)       queue a thread for (re)indexing                 (same transaction)
    query(viewer, q, ...) a page of results, visibility-filtered         -> results.SearchPage
    similar(viewer, title) answered threads like this title              -> list[results.Result]

The backend is chosen by SEARCH_BACKEND: "whoosh" (embedded default, files under instance/) or
"postgres" (tsvector + GIN, for several processes or machines). Every change to a thread or a
reply adds a row to `search_job` in the same transaction (an ORM flush hook, plus explicit
`enqueue` calls from services), so the database stays the truth; after the commit the in-process
worker is nudged and the change is searchable within a second.
"""
from __future__ import annotations

import logging
from itertools import chain

from flask import Flask, current_app
from sqlalchemy import event, insert

from board.extensions import db
from board.models import Post, SearchJob, Thread, utcnow
from board.search import analyzer

log = logging.getLogger(__name__)

_BACKENDS: dict[tuple, object] = {}
_MARKS = "search_marks"
_QUEUED = "search_queued"


def backend(app: Flask | None = None):
    """The configured backend for this app (one per index location per process)."""
    app = app or current_app._get_current_object()
    name = app.config.get("SEARCH_BACKEND", "whoosh")
    if name == "postgres":
        key = ("postgres", app.config["SQLALCHEMY_DATABASE_URI"])
        if key not in _BACKENDS:
            from board.search.postgres_index import PostgresIndex

            _BACKENDS[key] = PostgresIndex(lambda: db.engine)
        return _BACKENDS[key]
    if name != "whoosh":
        raise RuntimeError(f"unknown SEARCH_BACKEND {name!r} (use 'whoosh' or 'postgres')")
    key = ("whoosh", app.config["SEARCH_INDEX_DIR"])
    if key not in _BACKENDS:
        from board.search.whoosh_index import WhooshIndex

        _BACKENDS[key] = WhooshIndex(app.config["SEARCH_INDEX_DIR"])
    return _BACKENDS[key]


def init_process(app: Flask) -> None:
    """Start-up: load jieba's dictionary (before a pre-forking server forks) and open the index;
    an empty index over a non-empty database (first start, lost files) is queued for building."""
    analyzer.load(app.instance_path)
    with app.app_context():
        try:
            if backend(app).doc_count() == 0:
                ids = db.session.scalars(db.select(Thread.id)).all()
                if ids and not db.session.scalar(db.select(SearchJob.id).limit(1)):
                    now = utcnow()
                    db.session.execute(insert(SearchJob), [
                        {"thread_id": i, "created_at": now, "not_before": now, "attempts": 0}
                        for i in ids])
                    db.session.commit()
        except Exception:  # a broken index must not stop the board: `flask search reindex`
            log.exception("search index could not be opened")
            db.session.rollback()


def start_worker(app: Flask) -> None:
    """The embedded server runs the one indexer as a background task (a greenlet under gevent)."""
    from board.extensions import socketio
    from board.search import worker

    socketio.start_background_task(worker.run_forever, app)


# --- the queue, written inside the caller's transaction ---------------------------------------


def enqueue(thread: Thread | int) -> None:
    """Mark a thread for (re)indexing; the job row is written by the next flush of this session,
    in the same transaction. Idempotent within a transaction."""
    db.session.info.setdefault(_MARKS, []).append(thread)


def remove(thread_id: int) -> None:
    """A thread is being deleted: its job (no foreign key) outlives it and removes it."""
    enqueue(thread_id)


def _thread_ids(session) -> set[int]:
    ids: set[int] = set()
    changed = [o for o in session.dirty if isinstance(o, (Thread, Post))
               and session.is_modified(o, include_collections=False)]
    for obj in chain(session.new, session.deleted, changed):
        if isinstance(obj, Thread):
            ids.add(obj.id)
        elif isinstance(obj, Post):
            ids.add(obj.thread_id if obj.thread_id is not None else
                    (obj.thread.id if obj.thread is not None else None))
    for mark in session.info.pop(_MARKS, ()):
        ids.add(mark if isinstance(mark, int) else mark.id)
    ids.discard(None)
    return ids


@event.listens_for(db.session, "after_flush")
def _write_jobs(session, _context) -> None:
    ids = _thread_ids(session) - session.info.setdefault(_QUEUED, set())
    if not ids:
        return
    now = utcnow()
    session.connection().execute(insert(SearchJob), [
        {"thread_id": i, "created_at": now, "not_before": now, "attempts": 0} for i in sorted(ids)
    ])
    session.info[_QUEUED] |= ids


@event.listens_for(db.session, "before_commit")
def _flush_marks(session) -> None:
    """Marks made after the last flush still become jobs before the commit."""
    if session.info.get(_MARKS):
        session.flush()  # gives new threads their ids; the flush hook writes the jobs
    if session.info.get(_MARKS):  # nothing was left to flush
        _write_jobs(session, None)


@event.listens_for(db.session, "after_commit")
def _nudge_after_commit(session) -> None:
    queued = session.info.pop(_QUEUED, None)
    session.info.pop(_MARKS, None)
    if queued:
        nudge()


@event.listens_for(db.session, "after_rollback")
def _forget(session) -> None:
    session.info.pop(_QUEUED, None)
    session.info.pop(_MARKS, None)


def nudge() -> None:
    """Wake the in-process worker; under SEARCH_SYNC (tests) index right here instead."""
    from board.search import worker

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


# --- reading -------------------------------------------------------------------------------


def index(app: Flask | None = None) -> int:
    from board.search import worker

    return worker.drain(app or current_app._get_current_object())


def query(viewer, q: str, **filters):
    from board.search import results

    return results.search(viewer, q, **filters)


def similar(viewer, title: str, **options):
    from board.search import results

    return results.similar(viewer, title, **options)

"""Search: a small interface over two backends; the job queue that keeps the index current.

    init_process(app)     start-up: jieba's dictionary, the index (queued for building if empty)
    start_worker(app)     the embedded server's one indexer, as a background task
    index(app)            drain the queue now (what the worker does)     -> int
    query(viewer, q, ...) a page of results, visibility-filtered         -> results.SearchPage
    similar(viewer, title) answered threads like this title              -> list[results.Result]
    backend(app)          the configured index (backends.py: "whoosh" or "postgres")

Writers do nothing for search: every change to a thread or a reply queues a `search_job` row in
its own transaction (jobs.py), and the worker (worker.py) applies the queue.
"""
from __future__ import annotations

import logging

from flask import Flask, current_app
from sqlalchemy import insert

from board.extensions import db, socketio
from board.models import SearchJob, Thread, utcnow
from board.search import analyzer, jobs, results, worker
from board.search.backends import backend

log = logging.getLogger(__name__)

__all__ = ["backend", "index", "init_process", "jobs", "query", "similar", "start_worker"]


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
    socketio.start_background_task(worker.run_forever, app)


def index(app: Flask | None = None) -> int:
    return worker.drain(app or current_app._get_current_object())


def query(viewer, q: str, **filters):
    return results.search(viewer, q, **filters)


def similar(viewer, title: str, **options):
    return results.similar(viewer, title, **options)

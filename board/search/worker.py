"""The one indexer: drains `search_job` in small batches, in order, with retries.

A batch is claimed, the threads are read from the database (the truth, as of now), written to the
backend in one commit without merging, and only then are the jobs deleted. A failure leaves the
jobs in place with a growing back-off, so a busy lock or a crash delays an update, never loses
it. One writer per process (a lock); across processes Whoosh's own write lock serializes, and on
PostgreSQL claimed rows are locked (SKIP LOCKED) so several workers never take the same job.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from board import leases
from board.extensions import db
from board.models import SearchJob, utcnow
from board.search import documents
from board.search.backends import backend

log = logging.getLogger(__name__)

BATCH_SIZE = 50
POLL_SECONDS = 0.5  # picks up jobs written by other processes
# After a nudge, let the request that committed finish and its live pushes go out first: in the
# one-process gevent server the indexer shares the CPU with them. Also batches bursts of posts.
SETTLE_SECONDS = 0.15
PAUSE_STALE_SECONDS = 6 * 3600

_writer_lock = threading.Lock()
_wakeup = threading.Event()


def wake() -> None:
    _wakeup.set()


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(300, 2 ** min(attempts, 9)))


# --- pausing while `flask search reindex` builds aside ------------------------------------


def pause_flag(app: Flask) -> Path:
    return Path(app.config["SEARCH_INDEX_DIR"] + ".reindexing")


def paused(app: Flask) -> bool:
    if app.config.get("SEARCH_BACKEND", "whoosh") != "whoosh":
        return False
    flag = pause_flag(app)
    try:
        age = time.time() - flag.stat().st_mtime
    except FileNotFoundError:
        return False
    return age < PAUSE_STALE_SECONDS


def set_paused(app: Flask, on: bool) -> None:
    flag = pause_flag(app)
    if on:
        flag.parent.mkdir(parents=True, exist_ok=True)
        flag.write_text(str(os.getpid()))
    else:
        flag.unlink(missing_ok=True)


# --- draining --------------------------------------------------------------------------------


def _claim(session: Session, size: int) -> list[SearchJob]:
    stmt = (select(SearchJob).where(SearchJob.not_before <= utcnow())
            .order_by(SearchJob.id).limit(size))
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def run_batch(app: Flask, size: int = BATCH_SIZE) -> int:
    """Apply one batch; returns how many jobs were completed (0: nothing due, or it failed)."""
    index = backend(app)
    with Session(db.engine, expire_on_commit=False) as session:
        jobs = _claim(session, size)
        if not jobs:
            session.rollback()
            return 0
        job_ids = [j.id for j in jobs]
        done = [(j.id, j.thread_id, j.created_at, j.attempts, j.request_id) for j in jobs]
        attempts = max(j.attempts for j in jobs) + 1
        thread_ids = {j.thread_id for j in jobs}
        try:
            docs = documents.load(session, thread_ids)
            index.apply(list(docs.values()), sorted(thread_ids - docs.keys()))
        except Exception as exc:
            session.rollback()
            log.warning("search batch failed, will retry: %r", exc)
            session.execute(update(SearchJob).where(SearchJob.id.in_(job_ids)).values(
                attempts=SearchJob.attempts + 1, last_error=repr(exc)[:500],
                not_before=utcnow() + backoff(attempts)))
            session.commit()
            return 0
        if session.bind.dialect.name != "postgresql":
            session.rollback()  # SQLite: end the read snapshot before writing
        session.execute(delete(SearchJob).where(SearchJob.id.in_(job_ids)))
        session.commit()
        _log_done(done, index.name)
        return len(jobs)


def _log_done(done: list[tuple], backend_name: str) -> None:
    """One line per job a request queued, under that request's id: the end of a report's trail
    from the web process (its request line) through the live push to the index. Jobs queued
    outside any request (a first build, a repair) get one line per batch."""
    now = utcnow()
    anonymous = 0
    for job_id, thread_id, created_at, attempts, request_id in done:
        if not request_id:
            anonymous += 1
            continue
        waited = (now - created_at).total_seconds() if created_at else 0.0
        log.info("indexed thread %s (job %s, %s backend, queued %.2fs, attempt %s)",
                 thread_id, job_id, backend_name, waited, attempts + 1,
                 extra={"request_id": request_id, "job_id": job_id, "thread_id": thread_id,
                        "queued_seconds": round(waited, 3)})
    if anonymous:
        log.info("indexed %s threads queued outside a request (%s backend)", anonymous,
                 backend_name)


def drain(app: Flask, size: int = BATCH_SIZE, max_batches: int | None = None) -> int:
    """Apply every due job, batch after batch; one writer per process at a time."""
    done = 0
    with app.app_context(), _writer_lock:
        if paused(app):
            return 0
        batches = 0
        while max_batches is None or batches < max_batches:
            n = run_batch(app, size)
            if n == 0:
                break
            done += n
            batches += 1
    return done


def pending(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(db.func.count(SearchJob.id))) or 0


LEASE_NAME = "search-indexer"
LEASE_TTL = 30.0
BATCHES_PER_ROUND = 20  # then the lease is renewed: a long backlog never outlives it


def run_forever(app: Flask, stop: threading.Event | None = None,
                lease: leases.Lease | None = None) -> None:
    """The indexer loop, in whichever process holds the `search-indexer` lease (board/leases.py):
    start it on every machine, one drains, the others wait and take over when it stops.
    The holder wakes on a nudge (its own process's posts) or polls for other processes' jobs."""
    lease = lease or leases.Lease(LEASE_NAME, ttl=LEASE_TTL)
    log.info("search worker started (%s), waiting for the %s lease", lease.holder, lease.name)

    def step() -> None:
        try:
            drain(app, max_batches=BATCHES_PER_ROUND)
        except Exception:  # never let the worker die; the jobs are still queued
            log.exception("search worker iteration failed")
            time.sleep(1.0)

    def idle(_seconds: float) -> None:
        if _wakeup.wait(timeout=POLL_SECONDS):
            time.sleep(SETTLE_SECONDS)
        _wakeup.clear()

    with app.app_context():
        leases.run_while_holding(lease, step, stop, idle=idle)

"""Leases: one process at a time runs a single worker (the search indexer, the SLA check, the
notice outbox, …), however many machines start it. The holder renews its lease well before it
expires; the others keep asking, and the first to ask after the holder stopped renewing (it
crashed, its machine went away) takes the work over.

The row lives in the database every process shares (`worker_lease`: name, holder, expires_at),
and each step is one short transaction of its own, apart from the worker's work:

    lease = Lease("search-indexer", ttl=30)
    if lease.acquire():      # also renews: call it again before ttl runs out
        ...
    lease.release()          # on a clean stop, so another process need not wait for the expiry

or let `run_while_holding(lease, step, stop)` loop: step while holding, wait while not.

The compare-and-set is one UPDATE guarded by `holder = me OR expires_at < now` (rowcount says who
won), and an INSERT for a name never used (the primary key lets only one insert win): the same on
SQLite and PostgreSQL. Clocks: every machine compares its own clock with the expiry another wrote,
so keep them in sync (NTP) and the ttl well above any skew.
"""
from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from board.extensions import db
from board.models import WorkerLease, utcnow

log = logging.getLogger(__name__)

DEFAULT_TTL = 30.0  # seconds; a holder renews every ttl/3


def default_holder() -> str:
    """host:pid:random — unique per process start, readable in the metrics and the log."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Lease:
    def __init__(self, name: str, ttl: float = DEFAULT_TTL, holder: str | None = None,
                 engine_getter: Callable | None = None) -> None:
        self.name, self.ttl = name, float(ttl)
        self.holder = holder or default_holder()
        self._engine = engine_getter or (lambda: db.engine)
        self.held = False

    def acquire(self) -> bool:
        """Take the lease if it is free or expired, or renew it if it is ours; True if held."""
        now = utcnow()
        expires = now + timedelta(seconds=self.ttl)
        with Session(self._engine()) as session:
            taken = session.execute(
                update(WorkerLease)
                .where(WorkerLease.name == self.name,
                       (WorkerLease.holder == self.holder) | (WorkerLease.expires_at < now))
                .values(holder=self.holder, expires_at=expires,
                        acquired_at=_keep_or_now(self.holder, now))
                .execution_options(synchronize_session=False)).rowcount == 1
            if not taken:
                try:
                    session.execute(insert(WorkerLease).values(
                        name=self.name, holder=self.holder, expires_at=expires, acquired_at=now))
                    taken = True
                except IntegrityError:  # someone holds it (or inserted it a moment ago)
                    session.rollback()
                    taken = False
            session.commit()
        if taken != self.held:
            log.info("lease %s %s by %s", self.name, "taken" if taken else "lost", self.holder)
        self.held = taken
        return taken

    renew = acquire

    def release(self) -> None:
        """Give the lease up now (a clean stop): the next process need not wait for the expiry."""
        with Session(self._engine()) as session:
            session.execute(delete(WorkerLease).where(WorkerLease.name == self.name,
                                                      WorkerLease.holder == self.holder))
            session.commit()
        if self.held:
            log.info("lease %s released by %s", self.name, self.holder)
        self.held = False


def _keep_or_now(holder: str, now):
    """acquired_at: unchanged on a renewal, now when the lease changes hands."""
    return db.case((WorkerLease.holder == holder, WorkerLease.acquired_at), else_=now)


def current(engine_getter: Callable | None = None) -> list[WorkerLease]:
    """Every lease row (the metrics and `flask doctor` show who runs what)."""
    with Session((engine_getter or (lambda: db.engine))(), expire_on_commit=False) as session:
        return list(session.scalars(select(WorkerLease).order_by(WorkerLease.name)))


def run_while_holding(lease: Lease, step: Callable[[], None], stop: threading.Event | None = None,
                      idle: Callable[[float], object] | None = None) -> None:
    """Loop until `stop`: while the lease is held, call `step()` (one short round of work: keep
    it well under the ttl) and renew every ttl/3; while another process holds it, ask again every
    ttl/3. `idle(seconds)` waits between rounds (default: sleep ttl/3). Releases it on the way out.
    """
    stop = stop or threading.Event()
    interval = lease.ttl / 3
    renewed = float("-inf")
    try:
        while not stop.is_set():
            if not lease.held or time.monotonic() - renewed >= interval:
                try:
                    lease.acquire()
                    renewed = time.monotonic()
                except Exception:  # the database is away: hold nothing, ask again later
                    log.exception("lease %s: could not reach the database", lease.name)
                    lease.held = False
            if not lease.held:
                stop.wait(interval)
                continue
            try:
                step()
            except Exception:
                log.exception("worker %s: round failed", lease.name)
            (idle or stop.wait)(interval)
    finally:
        try:
            lease.release()
        except Exception:
            log.exception("lease %s: release failed (it expires by itself)", lease.name)


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM (systemd's stop) or SIGINT (Ctrl+C): a worker's command loop ends
    its round, releases its lease and exits, so the next machine takes over at once."""
    stop = threading.Event()

    def handle(_signum, _frame) -> None:
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, handle)
    return stop

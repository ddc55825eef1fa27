"""Worker leases (issue 22): every machine starts the same single workers; one wins the lease and
works, the others wait, and when the holder stops renewing (its machine died) another takes over
after the expiry — never two at once."""
from __future__ import annotations

import threading
import time

from board import leases
from board.extensions import db
from board.models import NoticeKind
from board.notices import outbox
from board.notices import worker as notice_worker
from board.queries import notices as notice_queries
from board.search import worker


def test_one_holder_at_a_time_and_take_over_after_expiry(app):
    first = leases.Lease("notice-outbox", ttl=0.6, holder="web-1")
    second = leases.Lease("notice-outbox", ttl=0.6, holder="web-2")
    assert first.acquire() is True
    assert second.acquire() is False
    assert first.renew() is True  # renewing is taking it again as its holder
    assert second.acquire() is False
    assert [(lease.name, lease.holder) for lease in leases.current()] == [
        ("notice-outbox", "web-1")]
    time.sleep(0.7)  # web-1 stopped renewing (its machine went away)
    assert second.acquire() is True
    assert first.acquire() is False  # it came back: too late, web-2 holds it now
    second.release()  # a clean stop: no need to wait for the expiry
    assert first.acquire() is True
    other = leases.Lease("search-indexer", ttl=0.6, holder="web-2")
    assert other.acquire() is True  # leases are per worker name


def test_two_workers_one_works_the_other_takes_over(app):
    """Two running loops (as two machines would run `flask search worker`): only the holder's
    steps run; when it dies without releasing, the other's steps start after the expiry."""
    rounds: list[str] = []
    loops = {}
    for name in ("machine-a", "machine-b"):
        lease = leases.Lease("sla-check", ttl=0.45, holder=name)
        stop = threading.Event()
        runner = threading.Thread(target=_in_app, args=(app, lease, rounds, stop), daemon=True)
        loops[name] = (lease, stop, runner)
    loops["machine-a"][2].start()
    time.sleep(0.1)
    loops["machine-b"][2].start()
    time.sleep(0.8)
    assert rounds and set(rounds) == {"machine-a"}, rounds

    crashed, stop_a, runner_a = loops["machine-a"]
    crashed.release = lambda: None  # killed: it never gives the lease back
    stop_a.set()
    runner_a.join(2)
    seen = len(rounds)
    time.sleep(1.0)  # the expiry (0.45 s) and the next ask (every 0.15 s)
    assert set(rounds[seen:]) == {"machine-b"}, rounds[seen:]
    loops["machine-b"][1].set()
    loops["machine-b"][2].join(2)
    assert leases.current() == []  # machine-b stopped cleanly and released it


def _in_app(app, lease, rounds, stop):
    with app.app_context():
        leases.run_while_holding(lease, lambda: rounds.append(lease.holder), stop)
        db.session.remove()


def test_the_search_indexer_waits_for_the_lease(app, make):
    app.config["SEARCH_SYNC"] = False
    holder = leases.Lease(worker.LEASE_NAME, ttl=30, holder="other-machine")
    assert holder.acquire()
    make.make_thread(make.make_user("citizen"), "hukou")
    stop = threading.Event()
    mine = leases.Lease(worker.LEASE_NAME, ttl=0.6, holder="this-machine")
    runner = threading.Thread(target=worker.run_forever, args=(app, stop, mine), daemon=True)
    runner.start()
    time.sleep(0.6)
    assert worker.pending(app) >= 1  # another machine holds the lease: nothing drained here
    holder.release()
    deadline = time.monotonic() + 15
    while worker.pending(app) and time.monotonic() < deadline:
        time.sleep(0.2)
    stop.set()
    runner.join(5)
    assert worker.pending(app) == 0  # taken over once the lease was free


def test_the_notice_worker_waits_for_the_lease(app, make):
    """The notice outbox, too, is worked by whichever machine holds its lease."""
    app.config["NOTICE_POLL_SECONDS"] = 0.2
    holder = leases.Lease(notice_worker.LEASE_NAME, ttl=30, holder="other-machine")
    assert holder.acquire()
    thread = make.make_thread(make.make_user("citizen"), "hukou")
    outbox.record(NoticeKind.STATUS, thread, status="resolved")
    db.session.commit()

    def waiting() -> int:
        db.session.expire_all()
        return notice_queries.waiting_events()

    stop = threading.Event()
    mine = leases.Lease(notice_worker.LEASE_NAME, ttl=0.6, holder="this-machine")
    runner = threading.Thread(target=notice_worker.run_forever, args=(app, stop, mine),
                              daemon=True)
    runner.start()
    time.sleep(0.6)
    assert waiting() == 1  # another machine holds the lease: nothing fanned out here
    holder.release()
    deadline = time.monotonic() + 15
    while waiting() and time.monotonic() < deadline:
        time.sleep(0.2)
    stop.set()
    runner.join(5)
    assert waiting() == 0  # taken over once the lease was free
    assert not runner.is_alive()

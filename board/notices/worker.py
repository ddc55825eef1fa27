"""The notice worker: fans out new events, then delivers what is due, round after round.

`python app.py` runs it as a background task of the server (like the search indexer); with
several processes `flask notices worker` runs beside them (deploy/run.sh, the systemd unit
board-notice-worker.service). Like the search indexer and the SLA check it works only while it
holds its lease (`notice-outbox`, board/leases.py): start it on every machine, one works, the
others wait and take over when it stops. Should a round outlive its lease (a gateway timing out
on every message) and another machine take over meanwhile, the two still never send one notice
twice on PostgreSQL: both claim their rows with SKIP LOCKED (services/notice_delivery.py).
A round that fails is logged and retried; the rows stay in the outbox.
"""
from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app

from board import commit_hooks, leases
from board.extensions import db
from board.models import NoticeKind
from board.notices import outbox
from board.services import alert_delivery, notice_delivery

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0  # notices fall due later (grace, quiet hours, retries): look again this often
MAX_BATCHES = 200  # per round, so a flood of notices cannot starve the fan-out of new events
LEASE_NAME = "notice-outbox"
LEASE_TTL = 30.0
BATCHES_PER_ROUND = 10  # under the lease: then it is renewed, so a long backlog never outlives it
# After a nudge, let the request that committed finish first, and gather a burst of replies into
# one batch (issue 19: 50 writers at once); a reply's bells still ring well within a second.
SETTLE_SECONDS = 0.1
_lock = threading.Lock()


def drain(app: Flask, max_batches: int = MAX_BATCHES) -> tuple[int, int]:
    """One round: every new event fanned out, then the due notices; (events, notices)."""
    events = notices = 0
    with app.app_context(), _lock:
        try:
            events += _drain(notice_delivery.fan_out_batch, max_batches)
            notices += _drain(notice_delivery.deliver_batch, max_batches)
            events += _drain(alert_delivery.fan_out_batch, max_batches)  # 预警 (issue 21)
            notices += _drain(alert_delivery.deliver_batch, max_batches)
        finally:
            db.session.remove()
    return events, notices


def _drain(step, max_batches: int) -> int:
    done = 0
    for _ in range(max_batches):
        n = step()
        done += n
        if n == 0:
            break
    return done


def run_forever(app: Flask, stop: threading.Event | None = None,
                lease: leases.Lease | None = None) -> None:
    """Round after round while holding the `notice-outbox` lease; the holder wakes on a nudge
    (an event committed in its own process) or polls for other processes' events."""
    lease = lease or leases.Lease(LEASE_NAME, ttl=LEASE_TTL)
    poll = float(app.config.get("NOTICE_POLL_SECONDS", POLL_SECONDS))
    log.info("notice worker started (%s), waiting for the %s lease", lease.holder, lease.name)

    def step() -> None:
        try:
            drain(app, max_batches=BATCHES_PER_ROUND)
        except Exception:  # never let the worker die; the outbox keeps everything
            log.exception("notice worker round failed")
            time.sleep(1.0)

    def idle(_seconds: float) -> None:
        if outbox.wait(poll):
            time.sleep(SETTLE_SECONDS)

    with app.app_context():
        leases.run_while_holding(lease, step, stop, idle=idle)


def ring_now() -> None:
    """Under NOTICE_BELLS_SYNC (tests): a reply's bell entries right after its commit, as if the
    worker had run at once; the rest of the outbox waits for a round of the worker."""
    try:
        app = current_app._get_current_object()
    except RuntimeError:
        return
    if not app.config.get("NOTICE_BELLS_SYNC"):
        return
    try:
        for _ in range(100):
            if not notice_delivery.fan_out_batch(kinds=(NoticeKind.REPLY,)):
                break
    except Exception:  # the reply is committed; its event stays for the worker
        log.exception("ringing a reply's bells at once failed")


commit_hooks.wake_after_commit(outbox.REPLIED, ring_now)

"""The notice worker: fans out new events, then delivers what is due, round after round.

`python app.py` runs it as a background task of the server (like the search indexer); with
several processes one `flask notices worker` runs beside them (deploy/run.sh). A round that
fails is logged and retried; the rows stay in the outbox.
"""
from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from board.extensions import db
from board.notices import outbox
from board.services import notice_delivery

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0  # notices fall due later (grace, quiet hours, retries): look again this often
MAX_BATCHES = 200  # per round, so a flood of notices cannot starve the fan-out of new events
_lock = threading.Lock()


def drain(app: Flask, max_batches: int = MAX_BATCHES) -> tuple[int, int]:
    """One round: every new event fanned out, then the due notices; (events, notices)."""
    events = notices = 0
    with app.app_context(), _lock:
        try:
            for _ in range(max_batches):
                n = notice_delivery.fan_out_batch()
                events += n
                if n == 0:
                    break
            for _ in range(max_batches):
                n = notice_delivery.deliver_batch()
                notices += n
                if n == 0:
                    break
        finally:
            db.session.remove()
    return events, notices


def run_forever(app: Flask, stop: threading.Event | None = None) -> None:
    log.info("notice worker started")
    while stop is None or not stop.is_set():
        try:
            drain(app)
        except Exception:  # never let the worker die; the outbox keeps everything
            log.exception("notice worker round failed")
            time.sleep(1.0)
        outbox.wait(float(app.config.get("NOTICE_POLL_SECONDS", POLL_SECONDS)))

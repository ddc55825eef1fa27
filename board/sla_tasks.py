"""Running the overdue check: `flask sla check` (once, e.g. from cron), `flask sla worker` (every
minute, in whichever process holds the `sla-check` lease: start it on every machine), and a
background task of the embedded server (`python app.py`, the same lease). Each overdue thread's
leaders are told once: the `overdue_notified` flag is claimed with a guarded UPDATE, so several
processes running the check at once would still never send it twice; the lease saves the work."""
from __future__ import annotations

import logging
from datetime import UTC, datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from board import leases
from board.extensions import db, socketio
from board.services.supervision import check_overdue

log = logging.getLogger(__name__)
sla_cli = AppGroup("sla", help="Response-time targets: mark overdue threads, tell the leaders.")


@sla_cli.command("check")
@click.option("--now", "now_text", help="ISO time to check at (default: now), e.g. for a replay")
def sla_check(now_text):
    """Notify the responsible leaders of every newly overdue thread (once per thread)."""
    now = datetime.fromisoformat(now_text) if now_text else None
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=UTC)  # a bare time is UTC, like the database
    threads = check_overdue(now)
    for thread in threads:
        click.echo(f"overdue: #{thread.id} {thread.board.slug} due {thread.sla_due_at.isoformat()}")
    click.echo(f"{len(threads)} newly overdue")


LEASE_NAME = "sla-check"


def run_forever(app: Flask, interval: float = 60.0, stop=None,
                lease: leases.Lease | None = None) -> None:
    """Check every `interval` seconds while holding the lease (ttl: three intervals, so another
    machine takes over within about three minutes of the holder's end)."""
    lease = lease or leases.Lease(LEASE_NAME, ttl=3 * interval)

    def step() -> None:
        with app.app_context():
            try:
                check_overdue()
            except Exception:  # a failed round is logged and retried next interval
                log.exception("sla check failed")
                db.session.rollback()
            finally:
                db.session.remove()

    with app.app_context():
        leases.run_while_holding(lease, step, stop)


@sla_cli.command("worker")
@click.option("--interval", default=60.0, show_default=True, help="seconds between checks")
def sla_worker(interval):
    """Run the check every minute on whichever machine holds the lease (start it everywhere)."""
    click.echo(f"sla worker: checking every {interval:g}s while holding the {LEASE_NAME} lease")
    run_forever(current_app._get_current_object(), interval, leases.stop_on_signals())


def start_background(app: Flask, interval: float = 60.0) -> None:
    """Run the check inside the server (gevent greenlet or thread), under the same lease."""
    socketio.start_background_task(run_forever, app, interval)

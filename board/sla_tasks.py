"""Running the overdue check: `flask sla check` (cron, or a sidecar), and a background task of the
embedded server (`python app.py`) that runs it every minute. Each overdue thread's leaders are
told once: the `overdue_notified` flag is claimed with a guarded UPDATE, so several processes
running the check at once never send it twice."""
from __future__ import annotations

import logging
from datetime import UTC, datetime

import click
from flask import Flask
from flask.cli import AppGroup

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


def start_background(app: Flask, interval: float = 60.0) -> None:
    """Run the check every `interval` seconds inside the server (gevent greenlet or thread)."""
    def loop():
        while True:
            socketio.sleep(interval)
            with app.app_context():
                try:
                    check_overdue()
                except Exception:  # a failed round is logged and retried next minute
                    log.exception("sla check failed")
                    db.session.rollback()
                finally:
                    db.session.remove()

    socketio.start_background_task(loop)

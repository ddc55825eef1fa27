"""`flask notices …`: run the worker, drain once, see the outbox, retry failed notices."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from board import leases
from board.notices import worker
from board.queries import notices as outbox_queries
from board.services import notice_settings

notices_cli = AppGroup("notices", help="Notices off the page: the outbox and its worker.")


@notices_cli.command("worker")
def notices_worker():
    """Run the notice worker until stopped, on whichever machine holds its lease (start it on
    every machine)."""
    click.echo(f"notice worker: sending while holding the {worker.LEASE_NAME} lease "
               "(Ctrl+C to stop)")
    worker.run_forever(current_app._get_current_object(), leases.stop_on_signals())


@notices_cli.command("drain")
def notices_drain():
    """One round: fan out new events and deliver what is due now."""
    events, notices = worker.drain(current_app._get_current_object())
    click.echo(f"{events} events fanned out, {notices} notices settled")


@notices_cli.command("status")
def notices_status():
    """How many notices are in each state, and events not fanned out yet."""
    for state, count in outbox_queries.state_counts().items():
        click.echo(f"{state:<8} {count}")
    click.echo(f"events waiting for fan-out: {outbox_queries.waiting_events()}")


@notices_cli.command("retry")
def notices_retry():
    """Put every failed notice back in the queue (e.g. after fixing the gateway's address)."""
    click.echo(f"{notice_settings.retry_failed()} failed notices queued again")

"""Demo data for a fresh embedded board: police staff of several units, citizens, and threads.

Everything goes through the services, so the demo obeys the same rules as real use (a citizen
cannot publish a notice, an officer's reply carries the badge snapshot...). The accounts are in
accounts.py, the threads in threads.yaml (written, then backdated, by threads.py), and the
escalation stories in escalation_stories.py (played through the services by escalations.py).
`seed()` and `print_logins()` are what app.py and `flask demo seed` call.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager

from board.demo import agencies, alerts, bulletins, escalations, following
from board.demo.accounts import (
    AGENCY_ACCOUNTS,
    CITIZENS,
    DEMO_PASSWORD,
    STAFF,
    create_accounts,
    print_logins,
)
from board.demo.threads import create_thread, load_threads
from board.extensions import db
from board.models import Board, Thread, User, utcnow

__all__ = ["DEMO_PASSWORD", "is_empty", "print_logins", "seed", "warn_seeded"]


def is_empty() -> bool:
    """Seed only a brand-new database: no threads and no accounts (a real admin means real use)."""
    return (db.session.scalar(db.select(Thread.id).limit(1)) is None
            and db.session.scalar(db.select(User.id).limit(1)) is None)


def seed() -> bool:
    """Seed an empty database; returns False (and does nothing) if it holds anything already."""
    if not is_empty():
        return False
    with _keep_loaded_objects():
        users = create_accounts()
        boards = {b.slug: b for b in db.session.scalars(db.select(Board))}
        now = utcnow()
        threads: dict[str, Thread] = {}
        for item in load_threads():
            threads[item["key"]] = create_thread(item, users, boards, now)
    _after_seed(users, threads)
    return True


def warn_seeded() -> None:
    """Said loudly, on stderr: every demo account, admin included, has a published password."""
    bar = "!" * 78
    count = len(STAFF) + len(CITIZENS) + len(AGENCY_ACCOUNTS)
    print(f"""
{bar}
!! 已写入演示数据 DEMO DATA SEEDED: {count} accounts, ADMIN INCLUDED,
!! all with the PUBLISHED password "{DEMO_PASSWORD}". Anyone who can reach this site can
!! sign in as admin.
!! For a look on your own computer only. For real use: start from an empty database with
!! SECRET_KEY set (the demo is then never seeded unless BOARD_DEMO=1), or set BOARD_DEMO=0.
{bar}
""", file=sys.stderr, flush=True)


@contextmanager
def _keep_loaded_objects():
    """Don't expire every loaded account and board at each of the ~300 commits the services make
    (each would be re-read); the services refresh what they change with SQL themselves."""
    session = db.session()
    saved, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = saved
        session.expire_all()


def _after_seed(users: dict[str, User], threads: dict[str, Thread]) -> None:
    """Hook for later demo steps (pinning, escalation...): add calls here, through the services.

    `users` maps demo usernames (STAFF, CITIZENS) to accounts; `threads` maps the `key` of each
    entry in threads.yaml to its thread, already backdated.
    """
    escalations.seed(users, threads)  # issue 5: escalations, dispatch, supervision, pins
    agencies.seed(users, threads)  # issue 21: a property company invited to a lift breakdown
    following.seed(users, threads)  # issue 17: 同问, and the seeded history settled
    alerts.seed(users)  # issue 21: an anti-fraud alert to the residents of 东河区
    bulletins.seed(users)  # issue 21: a found wallet claimed privately, a pinned appeal

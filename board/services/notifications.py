"""Notifications: who hears about a new thread's mentions or a status change; marking them read.

Called by the posting and escalation services after their own commit (a reply's bell entries
are written by the notice worker after the response: services/notice_delivery.py, issue 19).
Notifications are written and committed first, then announced live, so a client that misses
the live event still finds them in the database. A failure here is logged and never undoes
the post that caused it.
"""
from __future__ import annotations

import logging
from functools import wraps

from board import live, mentions, permissions
from board.extensions import db
from board.models import Notification, NotificationKind, Thread, User, utcnow
from board.queries import notifications as bell

log = logging.getLogger(__name__)

def _never_fail(fn):
    """The write that triggered a notification is committed already: never fail it from here."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception:
            log.exception("notifications: %s failed", fn.__name__)
            db.session.rollback()
            return []

    return wrapper


def _deliver(recipients: dict[int, dict], thread: Thread | None) -> list[Notification]:
    """Write one notification per recipient who may read the thread, commit, then announce."""
    rows = []
    for user_id, fields in recipients.items():
        user = fields.pop("user")
        if thread is not None and not permissions.can(user, "thread.view", thread):
            continue  # never tell anyone about a police-only thread they cannot open
        rows.append(Notification(user_id=user_id, thread_id=thread.id if thread else None,
                                 created_at=utcnow(), **fields))
    if not rows:
        return []
    db.session.add_all(rows)
    db.session.commit()
    for row in rows:
        live.notification_created(row, bell.unread_count(row.user_id))
    return rows


@_never_fail
def thread_created(thread: Thread) -> list[Notification]:
    """A new thread: only @mentions in its body notify anyone (the inbox covers the officers)."""
    recipients = {
        user.id: {"user": user, "kind": NotificationKind.MENTION, "actor_id": thread.author_id}
        for user in mentions.mentioned_users(thread.body) if user.id != thread.author_id
    }
    return _deliver(recipients, thread)


@_never_fail
def notify_status_changed(thread: Thread, actor: User | None = None) -> list[Notification]:
    """The asker hears that their thread moved (escalated, dispatched, resolved, ...).

    For the escalation service to call after its commit; not called when the actor is the asker.
    """
    if actor is not None and actor.id == thread.author_id:
        return []
    recipients = {thread.author_id: {
        "user": thread.author, "kind": NotificationKind.STATUS_CHANGED, "status": thread.status,
        "actor_id": actor.id if actor is not None else None}}
    return _deliver(recipients, thread)


@_never_fail
def notify_staff(users: list[User], thread: Thread, actor: User | None = None,
                 reason: str | None = None) -> list[Notification]:
    """Issue 5: police work items — escalated to the command centre, dispatched to my unit,
    supervised by a leader, overdue (reason goes in `status`; see bell_entries.WORK_TEXT)."""
    recipients = {
        user.id: {"user": user, "kind": NotificationKind.WORK,
                  "status": reason or thread.status,
                  "actor_id": actor.id if actor is not None else None}
        for user in users if actor is None or user.id != actor.id}
    return _deliver(recipients, thread)


@_never_fail
def account_throttled(user: User) -> list[Notification]:
    """Issue 15: the owner hears that someone is guessing their password (sign-in throttled)."""
    return _deliver({user.id: {"user": user, "kind": NotificationKind.SECURITY}}, None)


def mark_read(user: User, ids: list[int] | None = None, everything: bool = False) -> int:
    """Mark some (by id) or all of my notifications read; returns the new unread count."""
    stmt = db.update(Notification).where(Notification.user_id == user.id,
                                         Notification.read_at.is_(None))
    if not everything:
        clean = [int(i) for i in ids or [] if isinstance(i, int) or str(i).isdigit()]
        if not clean:
            return bell.unread_count(user.id)
        stmt = stmt.where(Notification.id.in_(clean))
    db.session.execute(stmt.values(read_at=utcnow()),
                       execution_options={"synchronize_session": False})
    db.session.commit()
    count = bell.unread_count(user.id)
    live.unread_changed(user.id, count)
    return count


def seen_live(user: User, note_id: int, reading: bool = False) -> bool:
    """An open page of the user received this bell entry live (issue 17): an off-site notice
    about it then waits to see if it is read. `reading`: the page showed the very thread,
    visible on screen, so it is read as well. Returns whether the entry was the user's."""
    now = utcnow()
    changed = db.session.execute(
        db.update(Notification).where(Notification.id == note_id,
                                      Notification.user_id == user.id,
                                      Notification.seen_live_at.is_(None))
        .values(seen_live_at=now), execution_options={"synchronize_session": False}).rowcount
    read = 0
    if reading:
        read = db.session.execute(
            db.update(Notification).where(Notification.id == note_id,
                                          Notification.user_id == user.id,
                                          Notification.read_at.is_(None))
            .values(read_at=now), execution_options={"synchronize_session": False}).rowcount
    db.session.commit()
    if read:
        live.unread_changed(user.id, bell.unread_count(user.id))
    return bool(changed or read)

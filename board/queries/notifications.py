"""The bell: how many of my notifications are unread, and my notifications page by page.

Its writer is services/notifications.py (deliver, mark read), which also reads the unread count
here to push it live after each change.
"""
from __future__ import annotations

from board.extensions import db
from board.models import Notification, User

PAGE_SIZE = 30


def unread_count(user_id: int) -> int:
    stmt = db.select(db.func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))
    return db.session.scalar(stmt) or 0


def for_user(user: User, before_id: int | None = None,
             limit: int = PAGE_SIZE) -> tuple[list[Notification], int | None]:
    """My notifications, newest first, one keyset page; the cursor is the last id shown."""
    stmt = (db.select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.id.desc()).limit(limit + 1))
    if before_id:
        stmt = stmt.where(Notification.id < before_id)
    rows = list(db.session.scalars(stmt))
    next_before = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], next_before


def unread_counts(session, user_ids: list[int]) -> dict[int, int]:
    """Several users' unread counts in one query per 500 users (the notice worker's pushes)."""
    counts: dict[int, int] = {}
    for i in range(0, len(user_ids), 500):
        chunk = user_ids[i:i + 500]
        stmt = (db.select(Notification.user_id, db.func.count()).where(
            Notification.user_id.in_(chunk), Notification.read_at.is_(None))
            .group_by(Notification.user_id))
        counts |= dict(session.execute(stmt).tuples().all())
    return counts

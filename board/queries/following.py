"""The threads I follow (关注, 同问, and my own questions), newest followed first, with unread
marks: activity on the thread since I last opened it."""
from __future__ import annotations

from sqlalchemy import tuple_

from board import permissions
from board.extensions import db
from board.models import Thread, ThreadFollow

PAGE_SIZE = 30


def is_unread(follow: ThreadFollow) -> bool:
    seen = follow.last_seen_at or follow.created_at
    return follow.thread.last_activity_at > seen


def for_user(user, before: tuple | None = None,
             limit: int = PAGE_SIZE) -> tuple[list[ThreadFollow], tuple | None]:
    """One keyset page on (created_at, thread_id); threads I may no longer read are left out."""
    stmt = (db.select(ThreadFollow).where(ThreadFollow.user_id == user.id)
            .order_by(ThreadFollow.created_at.desc(), ThreadFollow.thread_id.desc())
            .limit(limit + 1))
    if before is not None:
        stmt = stmt.where(tuple_(ThreadFollow.created_at, ThreadFollow.thread_id) < before)
    rows = list(db.session.scalars(stmt))
    last = rows[limit - 1] if len(rows) > limit else None
    shown = [r for r in rows[:limit] if permissions.can(user, "thread.view", r.thread)]
    return shown, ((last.created_at, last.thread_id) if last else None)


def follower_count(thread: Thread) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(ThreadFollow)
                             .where(ThreadFollow.thread_id == thread.id)) or 0

"""The edit history of a thread or reply, oldest first (issue 18): police and the author."""
from __future__ import annotations

from board.extensions import db
from board.models import Post, Revision, Thread


def history(thread: Thread, post: Post | None = None) -> list[Revision]:
    stmt = (db.select(Revision).where(Revision.thread_id == thread.id)
            .where(Revision.post_id == post.id if post else Revision.post_id.is_(None))
            .order_by(Revision.id))
    return list(db.session.scalars(stmt))

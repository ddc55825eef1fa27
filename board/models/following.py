"""Following a thread: 「关注」 (tell me when it moves) or 「同问」 (I have the same question).

The asker follows their own thread from the start. `last_seen_at` is when the follower last
opened the thread: a followed thread with activity after it is unread (GET /api/v1/me/following).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db
from board.models.thread import Thread
from board.orm import utcnow


class ThreadFollow(db.Model):
    __tablename__ = "thread_follow"
    __table_args__ = (
        # My followed threads, latest first; and the worker's fan-out: a thread's followers.
        Index("ix_thread_follow_user_created", "user_id", "created_at"),
    )

    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"),
                                           primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    same_question: Mapped[bool] = mapped_column(default=False)  # 同问: counted on the thread
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]

    thread: Mapped[Thread] = relationship(lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"<ThreadFollow {self.user_id} -> {self.thread_id}>"

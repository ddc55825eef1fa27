"""Idempotency keys: one client submission (a form render, an API call) stores one thread or reply.

A double-tapped 发布 button, or an app retrying after a lost answer, sends the same submission
twice. The form carries a key made when it was rendered, the API an `Idempotency-Key` header;
the first submission stores the key with what it created, in the same transaction, and a second
one with the same key finds it and gets the same thread or reply back. Keys belong to one user
and count for a day (board/services/idempotency.py).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db
from board.models.thread import Post, Thread
from board.orm import utcnow


class IdempotencyKey(db.Model):
    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("user_id", "key"),)  # the guard against two at once

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    # What was submitted (sha256): the same key with other content is not a repeat.
    fingerprint: Mapped[str] = mapped_column(String(64))
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"),
                                           index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"),
                                                index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    thread: Mapped[Thread] = relationship()
    post: Mapped[Post | None] = relationship()

"""The asker's satisfaction rating (1–5) of a resolved thread."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from board.extensions import db
from board.orm import BumpsBoardVersion, utcnow


class Rating(BumpsBoardVersion, db.Model):
    __tablename__ = "rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"),
                                           unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    score: Mapped[int]
    comment: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

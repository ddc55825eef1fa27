"""Earlier versions of a thread or reply, kept when its author edits or withdraws it (issue 18).

Each row is the text as it was *before* one change: the current text is on the thread or post
itself. The police read every version (also what a withdrawal replaced); the public only sees
that a post was edited (「已编辑」).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db
from board.models.user import User
from board.orm import utcnow


class Revision(db.Model):
    __tablename__ = "revision"
    __table_args__ = (Index("ix_revision_target", "thread_id", "post_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(10))  # "edit" | "withdraw": what replaced it
    title: Mapped[str | None] = mapped_column(String(120))  # the thread's; None for replies
    body: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(120))
    written_at: Mapped[datetime]  # when this version was written (posted or last edited)
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    editor: Mapped[User | None] = relationship(lazy="joined")

    ACTION_LABELS = {"edit": "修改前", "withdraw": "撤回前"}

    @property
    def action_label(self) -> str:
        return self.ACTION_LABELS.get(self.action, self.action)

"""Evidence photos attached to a thread or a reply: re-encoded files under UPLOAD_DIR."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from board.extensions import db
from board.orm import BumpsBoardVersion, utcnow


class Attachment(BumpsBoardVersion, db.Model):
    """One image; the file name is a random token, never anything the user sent."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_thread", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"),
                                                index=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def extension(self) -> str:
        return "png" if self.content_type == "image/png" else "jpg"

    @property
    def filename(self) -> str:
        return f"{self.token}.{self.extension}"

    @property
    def thumb_filename(self) -> str:
        return f"{self.token}_t.jpg"

    def __repr__(self) -> str:
        return f"<Attachment {self.id} of thread {self.thread_id}>"

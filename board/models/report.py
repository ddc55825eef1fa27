"""Moderation items: a citizen's report of a post, or a post held back by the word list."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db
from board.i18n import N_
from board.models.thread import Post, Thread
from board.models.user import User
from board.orm import utcnow


class ReportKind(enum.StrEnum):
    REPORT = "report"  # 举报: a reader flagged it
    HELD = "held"      # 待审核: the word list held it before publishing


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    HIDDEN = "hidden"        # an officer hid the content
    KEPT = "kept"            # an officer found nothing wrong (or approved a held post)


REPORT_REASONS = {
    "personal_data": N_("泄露他人隐私"),
    "abuse": N_("辱骂、人身攻击"),
    "spam": N_("广告、垃圾信息"),
    "false": N_("虚假信息、谣言"),
    "illegal": N_("违法违规内容"),
    "other": N_("其他"),
}


class Report(db.Model):
    """One item in the officers' review queue; a thread report has post_id None."""

    __tablename__ = "report"
    __table_args__ = (
        Index("ix_report_status_created", "status", "created_at"),
        Index("ix_report_thread_post", "thread_id", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default=ReportKind.REPORT)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(String(20), default="other")
    detail: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default=ReportStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolved_at: Mapped[datetime | None]

    thread: Mapped[Thread] = relationship(lazy="joined", innerjoin=True)
    post: Mapped[Post | None] = relationship(lazy="joined")
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id], lazy="joined")

    @property
    def reason_label(self) -> str:
        if self.kind == ReportKind.HELD:  # a resident's missing-person appeal (issue 21), or words
            return "寻人启事,待审核" if self.reason == "appeal" else "含敏感词,待审核"
        return REPORT_REASONS.get(self.reason, "其他")

"""Notifications: what happened that a user should know about, kept until they read it."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db
from board.i18n import N_, translate
from board.models.thread import Post, Thread
from board.models.user import User
from board.orm import utcnow


class NotificationKind(enum.StrEnum):
    OFFICIAL_REPLY = "official_reply"  # an officer answered my thread
    REPLY = "reply"  # someone replied in a thread I started or posted in
    MENTION = "mention"  # someone wrote @my_username
    STATUS_CHANGED = "status_changed"  # my thread's status changed (escalated, resolved, ...)
    WORK = "work"  # police (issue 5): escalated/dispatched to my unit, supervised, overdue
    SECURITY = "security"  # my account is being throttled after wrong passwords (issue 15)
    FOLLOWED = "followed"  # a thread I follow (关注/同问) was answered or moved (issue 17)
    MODERATION = "moderation"  # my thread or reply was hidden, held or shown again (issue 17)
    ALERT = "alert"  # a unit's anti-fraud or safety alert reached me (issue 21, models/alert.py)

    @property
    def label(self) -> str:
        return translate({
                "official_reply": N_("民警回复"), "reply": N_("新回复"), "mention": N_("有人@我"),
                "status_changed": N_("状态变更"), "work": N_("工作提醒"),
                "security": N_("账号安全"), "followed": N_("关注动态"),
                "moderation": N_("内容审核"), "alert": N_("预警")}[self])


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (
        # The bell: my unread count, and my list newest first (keyset on id).
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_user_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("thread.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"),
                                                index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The thread's status at the time, for status_changed (the thread may have moved on since).
    status: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # An open page of the user received it live (its `notification` push was acknowledged):
    # the off-site notice then waits to see whether it is read (board/notices/delivery.py).
    seen_live_at: Mapped[datetime | None]
    # Issue 17: the text of a moderation notice (the reason), and the notice kind behind a
    # followed-thread entry (official_reply / status).
    detail: Mapped[str | None] = mapped_column(String(300))
    # Issue 21: the alert an `alert` entry tells of (its sentence is in `detail`). No foreign
    # key: SQLite adds one only by rebuilding this big table, and alerts are never deleted.
    alert_id: Mapped[int | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)
    thread: Mapped[Thread | None] = relationship(lazy="joined")
    post: Mapped[Post | None] = relationship()
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")

    @property
    def kind_label(self) -> str:
        return NotificationKind(self.kind).label

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} for {self.user_id}>"

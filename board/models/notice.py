"""Notices that reach people off the page (issue 17): the outbox and each person's settings.

`NoticeEvent` is the outbox: one row per thing worth telling (an official answer, a status the
asker should know, a hide/hold/release), written by the service in the same transaction as the
change itself, whatever the number of followers. The worker (board/notices/worker.py) fans each
event out to its recipients as `Notice` rows, one per person and channel, and delivers them with
retries; each row's state is what the admins' page shows.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db
from board.models.thread import Post, Thread
from board.models.user import User
from board.models.workflow import ThreadStatus
from board.orm import utcnow


class NoticeKind(enum.StrEnum):
    OFFICIAL_REPLY = "official_reply"  # an officer answered
    STATUS = "status"  # dispatched, resolved, closed (with the reason)
    HIDDEN = "hidden"  # an officer hid my thread or reply (with the reason)
    HELD = "held"  # the word list held my post for review
    RELEASED = "released"  # my hidden or held post is shown again
    # A visible reply (issue 19): its bell entries (the asker, earlier repliers, @mentions) are
    # written by the worker after the response, never an off-site notice of its own.
    REPLY = "reply"

    @property
    def label(self) -> str:
        return {"official_reply": "民警答复", "status": "状态变化", "hidden": "被隐藏",
                "held": "待审核", "released": "恢复显示",
                "reply": "新回复"}[self]

    @property
    def to_followers(self) -> bool:
        """Followers hear of the thread's answer and status; a hide concerns its author only."""
        return self in (NoticeKind.OFFICIAL_REPLY, NoticeKind.STATUS)


class NoticeState(enum.StrEnum):
    PENDING = "pending"  # waiting for its time (grace, quiet hours, the hourly limit, a retry)
    SENT = "sent"
    FOLDED = "folded"  # told in a later notice to the same person about the same thread
    SKIPPED = "skipped"  # seen on the board already, or no longer allowed to read the thread
    FAILED = "failed"  # the channel refused it every time (attempts exhausted)

    @property
    def label(self) -> str:
        return {"pending": "待发送", "sent": "已发送", "folded": "已合并", "skipped": "无需发送",
                "failed": "发送失败"}[self]


class NoticeEvent(db.Model):
    __tablename__ = "notice_event"
    __table_args__ = (Index("ix_notice_event_due", "fanned_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Who the event is about when it is not the thread's asker (the author of a hidden reply).
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    status: Mapped[str | None] = mapped_column(String(20))  # the status moved to
    reason: Mapped[str | None] = mapped_column(String(300))  # a closing or hiding reason
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fanned_at: Mapped[datetime | None]  # the worker wrote its notices
    recipients: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # The request that caused it (board/request_ids.py): the worker logs it when it fans the
    # event out and sends each notice, so a report can be followed into the text it caused.
    request_id: Mapped[str | None] = mapped_column(String(64))

    thread: Mapped[Thread] = relationship(lazy="joined", innerjoin=True)
    post: Mapped[Post | None] = relationship()

    @property
    def status_label(self) -> str | None:
        return ThreadStatus(self.status).label if self.status in set(ThreadStatus) else None
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")


class Notice(db.Model):
    __tablename__ = "notice"
    __table_args__ = (
        Index("ix_notice_due", "state", "not_before"),
        # The hourly limit: my latest notice about this thread on this channel.
        Index("ix_notice_user_thread", "user_id", "thread_id", "channel", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("notice_event.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10), default=NoticeState.PENDING)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(String(200))  # why skipped, what was folded in
    folded_into_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id",
                                                                  ondelete="SET NULL"))
    text: Mapped[str | None] = mapped_column(Text)  # what was sent
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    event: Mapped[NoticeEvent] = relationship(lazy="joined", innerjoin=True)
    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    @property
    def kind_label(self) -> str:
        return NoticeKind(self.event.kind).label

    @property
    def state_label(self) -> str:
        return NoticeState(self.state).label


class NoticeSettings(db.Model):
    """Each person's choices; no row means the defaults (see board/notices/settings.py)."""

    __tablename__ = "notice_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    sms: Mapped[bool] = mapped_column(default=True)  # to the verified phone, if any
    email: Mapped[bool] = mapped_column(default=False)
    email_address: Mapped[str | None] = mapped_column(String(254))
    followed: Mapped[bool] = mapped_column(default=True)  # also for threads I follow / 同问
    quiet_start: Mapped[str] = mapped_column(String(5), default="22:00")  # Beijing time
    quiet_end: Mapped[str] = mapped_column(String(5), default="07:00")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Anti-fraud and safety alerts (预警, issue 21): a unit's short warning to everyone, to the
followers of some boards, or to the residents of one district, shown for a set time.

The alert row is also its own outbox: the notice worker fans it out in chunks of recipients
(`fan_cursor`: the last user id done), so "everyone" costs the publishing request one row.
Each recipient gets an `AlertReceipt` (the unit's counts: targeted / seen / acknowledged), a bell
entry, and an `AlertNotice` per off-site channel they opted into (SMS, e-mail).
Residents choose what reaches them with `BoardFollow` and `PlaceFollow` (a district).
"""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db
from board.i18n import N_, board_text, translate
from board.models.board import Board
from board.models.place import Place
from board.models.unit import Unit
from board.models.user import User
from board.orm import utcnow


class AlertLevel(enum.StrEnum):
    NOTICE = "notice"  # 提示
    WARNING = "warning"  # 警示
    URGENT = "urgent"  # 紧急: may wake people in their quiet hours

    @property
    def label(self) -> str:
        return translate(LEVEL_LABELS[self])

    @property
    def rank(self) -> int:
        return {"notice": 0, "warning": 1, "urgent": 2}[self]


class AlertTarget(enum.StrEnum):
    ALL = "all"  # everyone
    BOARDS = "boards"  # the followers of the chosen boards (and shown on those boards)
    DISTRICT = "district"  # the residents who follow one district

    @property
    def label(self) -> str:
        return translate(TARGET_LABELS[self])


LEVEL_LABELS = {"notice": N_("提示"), "warning": N_("警示"), "urgent": N_("紧急")}
TARGET_LABELS = {"all": N_("所有人"), "boards": N_("版块关注者"), "district": N_("辖区居民")}


alert_board = Table(
    "alert_board",
    db.metadata,
    Column("alert_id", ForeignKey("alert.id", ondelete="CASCADE"), primary_key=True),
    Column("board_id", ForeignKey("board.id", ondelete="CASCADE"), primary_key=True),
)


class Alert(db.Model):
    __tablename__ = "alert"
    __table_args__ = (
        Index("ix_alert_window", "ends_at", "starts_at"),  # the active ones
        Index("ix_alert_fan_out", "fanned_at", "id"),  # the worker's queue
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(10))  # an AlertLevel
    target: Mapped[str] = mapped_column(String(10))  # an AlertTarget
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))  # the district
    starts_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id",
                                                                   ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fanned_at: Mapped[datetime | None]  # every recipient has their receipt, bell and notices
    fan_cursor: Mapped[int] = mapped_column(default=0, server_default="0")
    request_id: Mapped[str | None] = mapped_column(String(64))  # logged by the worker

    unit: Mapped[Unit] = relationship(lazy="joined", innerjoin=True)
    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")
    place: Mapped[Place | None] = relationship(lazy="joined")
    boards: Mapped[list[Board]] = relationship(secondary=alert_board, lazy="selectin")

    @property
    def level_label(self) -> str:
        return AlertLevel(self.level).label

    @property
    def target_label(self) -> str:
        if self.target == AlertTarget.DISTRICT and self.place is not None:
            return gettext("%(place)s居民", place=self.place.name)
        if self.target == AlertTarget.BOARDS and self.boards:
            return gettext("%(boards)s 关注者", boards=gettext("、").join(
                board_text(b.slug, "name", b.name) for b in self.boards))
        return AlertTarget(self.target).label

    @property
    def urgent(self) -> bool:
        return self.level == AlertLevel.URGENT

    def active_at(self, now: datetime) -> bool:
        return self.withdrawn_at is None and self.starts_at <= now < self.ends_at

    def __repr__(self) -> str:
        return f"<Alert {self.id} {self.level} {self.target}>"


class AlertReceipt(db.Model):
    """One reader of one alert: targeted at fan-out (`delivered_at`), shown a banner or the
    page (`seen_at`), tapped 「我知道了」 (`acknowledged_at`)."""

    __tablename__ = "alert_receipt"

    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    delivered_at: Mapped[datetime | None]
    seen_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]


class BoardFollow(db.Model):
    """A resident receives the alerts published to this board."""

    __tablename__ = "board_follow"
    __table_args__ = (Index("ix_board_follow_board_user", "board_id", "user_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="CASCADE"),
                                          primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlaceFollow(db.Model):
    """A resident receives the alerts published to this district (where they live or work)."""

    __tablename__ = "place_follow"
    __table_args__ = (Index("ix_place_follow_place_user", "place_id", "user_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"),
                                          primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    place: Mapped[Place] = relationship(lazy="joined", innerjoin=True)


class AlertNotice(db.Model):
    """An alert on its way off the page: one per person and channel, with the notice outbox's
    states (models/notice.py NoticeState). Its own table, as `notice` rows are about threads."""

    __tablename__ = "alert_notice"
    __table_args__ = (Index("ix_alert_notice_due", "state", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)  # what was sent
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    alert: Mapped[Alert] = relationship(lazy="joined", innerjoin=True)
    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)

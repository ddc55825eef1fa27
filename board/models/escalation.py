"""Escalations to the 110 command centre, and the per-day counter behind incident numbers."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db
from board.models.unit import Unit
from board.models.user import User
from board.orm import utcnow


class Urgency(enum.StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"
    CRITICAL = "critical"

    @property
    def label(self) -> str:
        return {"normal": "一般", "urgent": "紧急", "critical": "特急"}[self]

    @property
    def rank(self) -> int:
        """Higher is more urgent; the command centre's queue sorts on it."""
        return {"normal": 0, "urgent": 1, "critical": 2}[self]


class Escalation(db.Model):
    """One hand-over of a thread to the command centre, and its dispatch to a unit."""

    __tablename__ = "escalation"
    __table_args__ = (Index("ix_escalation_thread", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(10), default=Urgency.NORMAL)
    escalated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    dispatched_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    dispatched_at: Mapped[datetime | None]
    dispatch_note: Mapped[str | None] = mapped_column(Text)
    incident_no: Mapped[str | None] = mapped_column(String(20), unique=True)

    unit: Mapped[Unit | None] = relationship()
    escalated_by: Mapped[User] = relationship(foreign_keys=[escalated_by_id])
    dispatched_by: Mapped[User | None] = relationship(foreign_keys=[dispatched_by_id])

    @property
    def urgency_label(self) -> str:
        return Urgency(self.urgency).label


class IncidentCounter(db.Model):
    """The last incident number issued on a day (Beijing time); bumped with one atomic UPDATE."""

    __tablename__ = "incident_counter"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)  # YYYYMMDD
    last: Mapped[int] = mapped_column(default=0)

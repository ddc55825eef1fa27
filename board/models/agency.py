"""Partner agencies (协作单位, issue 21): property management, water, power, gas, the 12345
hotline, residents' committees. Not police: their accounts (Role.AGENCY) read and reply only
where the police invited their agency, under the badge 「协作单位·<name>」, and their replies
never answer a thread for the police (board/answers.py). Named "agency" because "partner"
already means the Open311 API keys (models/partner.py)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db
from board.i18n import N_, translate
from board.orm import utcnow


class AgencyKind(enum.StrEnum):
    PROPERTY = "property"
    WATER = "water"
    POWER = "power"
    GAS = "gas"
    HOTLINE = "hotline"
    COMMITTEE = "committee"
    OTHER = "other"

    @property
    def label(self) -> str:
        return translate(AGENCY_KIND_LABELS[self])


AGENCY_KIND_LABELS = {
    AgencyKind.PROPERTY: N_("物业"), AgencyKind.WATER: N_("供水"), AgencyKind.POWER: N_("供电"),
    AgencyKind.GAS: N_("燃气"), AgencyKind.HOTLINE: N_("12345热线"),
    AgencyKind.COMMITTEE: N_("居委会"), AgencyKind.OTHER: N_("其他"),
}
BADGE_PREFIX = "协作单位·"


class Agency(db.Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default=AgencyKind.OTHER)
    contact: Mapped[str | None] = mapped_column(String(120))  # who the police call there
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def badge(self) -> str:
        return BADGE_PREFIX + self.name

    @property
    def kind_label(self) -> str:
        return AgencyKind(self.kind).label if self.kind in set(AgencyKind) else self.kind

    def __repr__(self) -> str:
        return f"<Agency {self.name}>"


class AgencyInvitation(db.Model):
    """The police asked this agency into this (public) thread; one row per thread and agency."""

    __tablename__ = "agency_invitation"
    __table_args__ = (
        UniqueConstraint("thread_id", "agency_id", name="uq_agency_invitation_thread_agency"),
        Index("ix_agency_invitation_agency", "agency_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship(lazy="joined")
    thread = relationship("Thread")


def is_invited(user, thread) -> bool:
    """Is the user's agency invited to this thread? (the permission rules' one question)"""
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None or thread is None or getattr(thread, "id", None) is None:
        return False
    return db.session.scalar(db.select(AgencyInvitation.id).where(
        AgencyInvitation.thread_id == thread.id,
        AgencyInvitation.agency_id == agency_id)) is not None

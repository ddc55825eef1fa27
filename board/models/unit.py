"""Police units: the city bureau, the 110 command centre, branches, stations, specialist units."""
from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db


class UnitKind(enum.StrEnum):
    """What a unit is; stored in Unit.kind as these strings (boards_config.yaml uses them too)."""

    BUREAU = "bureau"
    COMMAND = "command"
    BRANCH = "branch"
    STATION = "station"
    SPECIALIST = "specialist"

    @property
    def label(self) -> str:
        return UNIT_KIND_LABELS[self]


UNIT_KIND_LABELS = {
    UnitKind.BUREAU: "市局",
    UnitKind.COMMAND: "指挥中心",
    UnitKind.BRANCH: "分局",
    UnitKind.STATION: "派出所",
    UnitKind.SPECIALIST: "专业警种",
}
# Where a dispatcher may send police: not the bureau as a whole, nor the command centre itself.
DISPATCHABLE_UNIT_KINDS = frozenset({UnitKind.STATION, UnitKind.BRANCH, UnitKind.SPECIALIST})


class Unit(db.Model):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))  # a UnitKind
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    @property
    def kind_label(self) -> str:
        """The Chinese name of the unit's kind (an unknown stored kind shows as stored)."""
        return UnitKind(self.kind).label if self.kind in set(UnitKind) else self.kind

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"

"""Places of the city (区 → 街道 → 社区), synced from boards_config.yaml, each with the police
station whose 辖区 (jurisdiction) holds it. A thread may name one beside its free-text location."""
from __future__ import annotations

import enum

from sqlalchemy import JSON, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db
from board.models.unit import Unit


class PlaceLevel(enum.StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"

    @property
    def label(self) -> str:
        return {"district": "区", "street": "街道", "community": "社区"}[self]

    @property
    def code_length(self) -> int:
        """Digits of the national 区划代码 at this level (150202 / 150202001 / 150202001001)."""
        return {"district": 6, "street": 9, "community": 12}[self]


class Place(db.Model):
    """One district, street or community. Never deleted: a place gone from the config stays,
    inactive, for the threads that name it."""

    __tablename__ = "place"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # 统计用区划代码
    name: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(12))  # a PlaceLevel
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))
    # The station whose 辖区 holds all of this place (resolved at sync by board/jurisdictions.py);
    # None when no station is configured, or a street is split between stations.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    # Residential estates (小区) and other names residents know the place by.
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Place | None] = relationship(remote_side=[id])
    unit: Mapped[Unit | None] = relationship()

    def __repr__(self) -> str:
        return f"<Place {self.code} {self.name}>"

"""Police units: the city bureau, the 110 command centre, branches, stations, specialist units."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db


class Unit(db.Model):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))  # bureau, command, branch, station, specialist
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    @property
    def is_command_centre(self) -> bool:
        return self.kind == "command"

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"

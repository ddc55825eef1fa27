"""Boards, synced from boards_config.yaml, and the units that answer each one."""
from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board import i18n
from board.extensions import db
from board.models import kinds
from board.models.unit import Unit
from board.orm import BumpsBoardVersion

board_unit = Table(
    "board_unit",
    db.metadata,
    Column("board_id", ForeignKey("board.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True),
)


class Board(BumpsBoardVersion, db.Model):
    __tablename__ = "board"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(200), default="")
    icon: Mapped[str] = mapped_column(String(16), default="")
    position: Mapped[int] = mapped_column(default=0)
    kinds: Mapped[list] = mapped_column(JSON, default=list)
    # Denormalised, updated in the same transaction as the write: reading never counts rows.
    thread_count: Mapped[int] = mapped_column(default=0)
    # Bumped in the same transaction as any write to the board's threads or posts
    # (board/web/stamp_bumps.py): the cheap stamp that keys every process's page cache.
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    # First-response target (minutes) and whether it runs around the clock or in working hours.
    sla_minutes: Mapped[int | None]
    sla_hours: Mapped[str] = mapped_column(String(10), default="always")

    units: Mapped[list[Unit]] = relationship(secondary=board_unit, lazy="selectin")

    @property
    def shown_name(self) -> str:
        """The name in the reader's language (`name_en` in boards_config.yaml, issue 21)."""
        return i18n.board_text(self.slug, "name", self.name)

    @property
    def shown_description(self) -> str:
        return i18n.board_text(self.slug, "description", self.description)

    def allows_kind(self, kind: str) -> bool:
        return kind in (self.kinds or [])

    @property
    def kind_labels(self) -> list[str]:
        """The kinds this board takes, in Chinese (models/kinds.py), for the admin's board list."""
        return [kinds.label(kind) for kind in self.kinds or []]

    def __repr__(self) -> str:
        return f"<Board {self.slug}>"

"""Lost-and-found (失物招领) and missing-person (寻人) bulletins: a thread's own notice fields.

A bulletin is a Thread of kind `lost_found` or `missing_person` (board/models/kinds.py), so its
photos, search, timeline, page cache and link cards are the thread's; this side table holds what
only a notice has: where and when, the station holding the item or handling the case, the notice
state, its expiry, a pin on every board, and who approved a resident's appeal. Named apart from
`notice` (off-site notifications, board/models/notice.py).

The private answers (「这是我的」, 「我见过此人」) are BulletinMessage rows: seen only by their
sender and the station's police, so they never bump the public page stamp.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db
from board.i18n import N_, translate
from board.models.thread import Thread
from board.models.unit import Unit
from board.models.user import User
from board.orm import BumpsBoardVersion, utcnow

LOST_FOUND = "lost_found"
MISSING_PERSON = "missing_person"
BULLETIN_KINDS = (LOST_FOUND, MISSING_PERSON)
# A resident's appeal waits, hidden with this reason, for the station's police to approve it.
HELD_REASON = "寻人启事待民警审核后公开"


class BulletinState(enum.StrEnum):
    SEARCHING = "searching"
    FOUND = "found"
    CLAIMED = "claimed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return translate(STATE_LABELS[self])


STATE_LABELS = {"searching": N_("寻找中"), "found": N_("已找到"), "claimed": N_("已认领"),
                "withdrawn": N_("已撤销")}


class Bulletin(BumpsBoardVersion, db.Model):
    """One notice's own fields; its words, photos and board are its thread's."""

    __tablename__ = "bulletin"
    __table_args__ = (
        # The /bulletins list: open notices, newest first, not yet expired.
        Index("ix_bulletin_state_created", "state", "created_at"),
        # Every board's pinned rows: appeals pinned everywhere until a moment.
        Index("ix_bulletin_pinned_until", "pinned_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"),
                                           unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # the thread's kind, for filtering
    # The station holding the item or handling the case: private answers go to its police.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    spot: Mapped[str] = mapped_column(String(120))  # where found / lost / last seen
    happened_at: Mapped[datetime]  # when found / lost / last seen
    state: Mapped[str] = mapped_column(String(12), default=BulletinState.SEARCHING)
    expires_at: Mapped[datetime]  # archived after: off the lists, the page stays
    pinned_until: Mapped[datetime | None]  # a missing-person appeal atop every board until
    photos_public: Mapped[bool] = mapped_column(default=True)  # False once found: police only
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[datetime | None]
    close_note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    thread: Mapped[Thread] = relationship(lazy="joined", innerjoin=True)
    unit: Mapped[Unit] = relationship(lazy="joined", innerjoin=True)
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    @property
    def state_label(self) -> str:
        return BulletinState(self.state).label

    @property
    def is_open(self) -> bool:
        return self.state == BulletinState.SEARCHING

    def is_archived(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or utcnow())

    def is_pinned_everywhere(self, now: datetime | None = None) -> bool:
        return (self.is_open and self.pinned_until is not None
                and self.pinned_until > (now or utcnow()))

    def __repr__(self) -> str:
        return f"<Bulletin {self.id} {self.kind} {self.state}>"


class BulletinMessage(db.Model):
    """A resident's private answer to a notice, and the station's private follow-up."""

    __tablename__ = "bulletin_message"
    __table_args__ = (Index("ix_bulletin_message_bulletin", "bulletin_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(ForeignKey("bulletin.id", ondelete="CASCADE"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)  # the station's reply, to the sender only
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime | None]

    bulletin: Mapped[Bulletin] = relationship(lazy="joined", innerjoin=True)
    sender: Mapped[User] = relationship(foreign_keys=[sender_id], lazy="joined", innerjoin=True)
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    def __repr__(self) -> str:
        return f"<BulletinMessage {self.id} on {self.bulletin_id}>"

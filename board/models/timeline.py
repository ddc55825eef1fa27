"""A thread's public timeline (worded for the citizen, with police-only notes) and the audit log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from board.extensions import db
from board.models.user import User
from board.orm import BumpsBoardVersion, utcnow


class ThreadEvent(BumpsBoardVersion, db.Model):
    """One step of a thread's handling: escalated, dispatched, handling, resolved, supervised…

    `public_text` is what the citizen reads; `internal_note` is shown to police only. An event
    with no public text (an internal note alone) is hidden from the public entirely.
    """

    __tablename__ = "thread_event"
    __table_args__ = (Index("ix_thread_event_thread", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(20))  # the status after this step
    public_text: Mapped[str | None] = mapped_column(Text)
    internal_note: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")

    @property
    def is_public(self) -> bool:
        return bool(self.public_text)


class AuditEntry(db.Model):
    """Who did what to which object, when, with the values before and after."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_created", "created_at", "id"),
        Index("ix_audit_entry_target", "target_type", "target_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int | None]
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or remove an audit entry: the log only grows."""


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(_mapper, _connection, target: AuditEntry) -> None:
    raise AuditLogIsAppendOnly(f"audit entry {target.id} cannot be changed or deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state) -> None:
    """Bulk UPDATE/DELETE statements through the ORM session (db.update(AuditEntry)…)."""
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ is AuditEntry:
        raise AuditLogIsAppendOnly("audit entries cannot be changed or deleted")

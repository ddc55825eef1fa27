"""The admins' view of the notice outbox: each notice and its state, events not fanned out yet."""
from __future__ import annotations

from sqlalchemy import func, select

from board.extensions import db
from board.models import Notice, NoticeEvent, NoticeState

PAGE_SIZE = 50


def state_counts() -> dict[str, int]:
    rows = db.session.execute(select(Notice.state, func.count()).group_by(Notice.state))
    counts = {state.value: 0 for state in NoticeState}
    counts |= dict(rows.tuples().all())
    return counts


def waiting_events() -> int:
    return db.session.scalar(select(func.count()).select_from(NoticeEvent)
                             .where(NoticeEvent.fanned_at.is_(None))) or 0


def recent(state: str | None = None, before_id: int | None = None,
           limit: int = PAGE_SIZE) -> tuple[list[Notice], int | None]:
    """Newest first, one keyset page; optionally one state only."""
    stmt = select(Notice).order_by(Notice.id.desc()).limit(limit + 1)
    if state:
        stmt = stmt.where(Notice.state == state)
    if before_id:
        stmt = stmt.where(Notice.id < before_id)
    rows = list(db.session.scalars(stmt))
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)

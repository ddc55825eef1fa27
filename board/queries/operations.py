"""Figures an operator watches (the metrics scrape, board/metrics.py): the search-job queue, the
notice outbox, threads past their first-response target, the worker leases. Counts only, no
content."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from board.extensions import db
from board.models import (
    Board,
    Notice,
    NoticeEvent,
    NoticeState,
    SearchJob,
    Thread,
    WorkerLease,
    utcnow,
)
from board.sla import overdue_clause


def search_queue(now: datetime | None = None) -> tuple[int, float]:
    """(jobs waiting, seconds the oldest has waited; 0 when empty)."""
    return _depth_and_age(SearchJob.created_at, now=now)


@dataclass(frozen=True, slots=True)
class NoticeOutbox:
    events_waiting: int  # outbox events not fanned out yet
    event_oldest_age: float  # seconds the oldest of them has waited
    pending: int  # notices not settled, including those held for later on purpose
    due: int  # pending notices whose time has come (grace, quiet hours, retry back-off over)
    due_oldest_age: float  # seconds the most overdue of them is late: the worker's lag


def notice_outbox(now: datetime | None = None) -> NoticeOutbox:
    """The notice outbox's depth and age. A notice held for quiet hours or the hourly limit is
    pending but not late, so lateness is measured from its due time, not its creation."""
    now = now or utcnow()
    events, event_age = _depth_and_age(NoticeEvent.created_at, NoticeEvent.fanned_at.is_(None),
                                       now=now)
    pending = db.session.scalar(select(func.count(Notice.id))
                                .where(Notice.state == NoticeState.PENDING)) or 0
    due, due_age = _depth_and_age(Notice.not_before, Notice.state == NoticeState.PENDING,
                                  Notice.not_before <= now, now=now)
    return NoticeOutbox(events, event_age, pending, due, due_age)


def _depth_and_age(since, *where, now: datetime | None = None) -> tuple[int, float]:
    """(rows matching, seconds since the smallest `since` among them; 0 when none)."""
    count, oldest = db.session.execute(select(func.count(), func.min(since)).where(*where)).one()
    if not count or oldest is None:
        return 0, 0.0
    return count, max(0.0, ((now or utcnow()) - _aware(oldest)).total_seconds())


def overdue_by_board(now: datetime | None = None) -> dict[str, int]:
    """Threads past their first-response target right now, per board slug (the one rule,
    board/sla.py); boards with none are listed with 0, so a dashboard line drops to zero."""
    counts = dict(db.session.execute(
        select(Board.slug, func.count(Thread.id)).join(Thread, Thread.board_id == Board.id)
        .where(overdue_clause(Thread, now or utcnow())).group_by(Board.slug)).all())
    return {slug: counts.get(slug, 0) for slug in db.session.scalars(select(Board.slug))}


def worker_leases(now: datetime | None = None) -> list[tuple[str, str, float]]:
    """(name, holder, seconds until it expires; negative: expired, nobody renewing)."""
    now = now or utcnow()
    return [(lease.name, lease.holder, (_aware(lease.expires_at) - now).total_seconds())
            for lease in db.session.scalars(select(WorkerLease).order_by(WorkerLease.name))]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

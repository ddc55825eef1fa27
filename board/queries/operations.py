"""Figures an operator watches (the metrics scrape, board/metrics.py): the search-job queue,
threads past their first-response target, the worker leases. Counts only, no content."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from board.extensions import db
from board.models import Board, SearchJob, Thread, WorkerLease, utcnow
from board.sla import overdue_clause


def search_queue(now: datetime | None = None) -> tuple[int, float]:
    """(jobs waiting, seconds the oldest has waited; 0 when empty)."""
    count, oldest = db.session.execute(
        select(func.count(SearchJob.id), func.min(SearchJob.created_at))).one()
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

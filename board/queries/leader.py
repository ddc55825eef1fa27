"""The dashboard's figures leaders read: status counts, overdue now, response and resolution
times, open escalations, satisfaction, busiest boards.

Times are computed over threads opened in the last N days, with one query per figure group
(no per-row queries); medians and p90s are taken in Python over that bounded window. The CSV
download's layout is board/dashboard_csv.py; the threads behind each number are
queries/drilldown.py, the audit log queries/audit_log.py.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func

from board import permissions, sla
from board.errors import PermissionDenied, ValidationFailed
from board.extensions import db
from board.models import (
    Board,
    Rating,
    Thread,
    ThreadStatus,
    Unit,
    User,
    kinds,
    utcnow,
)
from board.stats import TimeRow

S = ThreadStatus
PERIODS = (7, 30)


def parse_days(raw) -> int:
    """The period a request asks for (7 by default); anything but 7 or 30 is a 400."""
    try:
        days = int(raw or 7)
    except (TypeError, ValueError):
        days = 0
    if days not in PERIODS:
        raise ValidationFailed(fields={"days": "统计周期只能是 7 或 30 天"})
    return days


def figures(viewer, days: int = 7, now: datetime | None = None) -> dict:
    """Everything the dashboard shows, as plain data (the API returns it as JSON)."""
    if not permissions.can(viewer, "dashboard.view"):
        raise PermissionDenied()
    now = now or utcnow()
    since = now - timedelta(days=days)
    by_status = dict(db.session.execute(
        db.select(Thread.status, func.count()).group_by(Thread.status)).all())
    overdue_now = db.session.scalar(db.select(func.count()).select_from(Thread).where(
        sla.overdue_clause(Thread, now))) or 0
    return {
        "days": days,
        "generated_at": now.isoformat(),
        "by_status": [{"status": s.value, "label": s.label, "count": by_status.get(s.value, 0)}
                      for s in ThreadStatus],
        "unanswered_now": by_status.get(S.AWAITING_REPLY, 0),
        "overdue_now": overdue_now,
        "escalations_open": by_status.get(S.ESCALATED, 0),
        "dispatches_open": by_status.get(S.DISPATCHED, 0) + by_status.get(S.HANDLING, 0),
        "supervised_open": db.session.scalar(db.select(func.count()).select_from(Thread).where(
            Thread.supervised.is_(True), Thread.status.not_in([S.RESOLVED, S.CLOSED]))) or 0,
        **_times(since),
        "satisfaction": _satisfaction(since),
        "busiest_boards": _busiest(since),
    }


def _times(since: datetime) -> dict:
    """Median and p90 first-response and resolution seconds per board and per unit: the first
    response is the formal answer's (board/answers.py), credited to the unit that gave it."""
    responder = db.aliased(User)
    rows = db.session.execute(
        db.select(Thread.created_at, Thread.first_response_at, Thread.resolved_at,
                  Board.slug, Board.name,
                  # the unit credited when it answered; rows from before issue 18: the
                  # responder's unit
                  func.coalesce(Thread.first_response_unit_id, responder.unit_id),
                  Thread.dispatched_unit_id)
        .join(Board, Board.id == Thread.board_id)
        .outerjoin(responder, responder.id == Thread.first_responder_id)
        .where(Thread.created_at >= since, Thread.kind.in_(kinds.needing_answer()))).all()
    units = {u.id: u for u in db.session.scalars(db.select(Unit))}
    boards: dict[str, TimeRow] = {}
    per_unit: dict[str, TimeRow] = {}
    for created, first, resolved, slug, name, responder_unit, dispatched_unit in rows:
        board_row = boards.setdefault(slug, TimeRow(slug, name))
        if first is not None and responder_unit in units:
            unit = units[responder_unit]
            per_unit.setdefault(unit.code, TimeRow(unit.code, unit.name)).first_response.append(
                (first - created).total_seconds())
        if first is not None:
            board_row.first_response.append((first - created).total_seconds())
        if resolved is not None:
            board_row.resolution.append((resolved - created).total_seconds())
            unit = units.get(dispatched_unit or responder_unit)
            if unit is not None:
                per_unit.setdefault(unit.code, TimeRow(unit.code, unit.name)).resolution.append(
                    (resolved - created).total_seconds())
    return {"per_board": [r.figures() for r in sorted(boards.values(), key=lambda r: r.key)],
            "per_unit": [r.figures() for r in sorted(per_unit.values(), key=lambda r: r.key)]}


def _satisfaction(since: datetime) -> dict:
    rows = db.session.execute(db.select(Rating.score, func.count())
                              .where(Rating.created_at >= since).group_by(Rating.score)).all()
    counts = {score: n for score, n in rows}
    total = sum(counts.values())
    average = round(sum(s * n for s, n in counts.items()) / total, 2) if total else None
    return {"count": total, "average": average,
            "distribution": [{"score": s, "count": counts.get(s, 0)} for s in range(1, 6)]}


def _busiest(since: datetime, limit: int = 5) -> list[dict]:
    rows = db.session.execute(
        db.select(Board.slug, Board.name, func.count(Thread.id).label("n"))
        .join(Thread, Thread.board_id == Board.id)
        .where(Thread.created_at >= since)
        .group_by(Board.slug, Board.name).order_by(func.count(Thread.id).desc(), Board.slug)
        .limit(limit)).all()
    return [{"slug": slug, "name": name, "count": n} for slug, name, n in rows]

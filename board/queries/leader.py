"""What leaders read: the dashboard's figures (status counts, overdue now, response and
resolution times, open escalations, satisfaction, busiest boards), the threads behind each number
(from the same filters the number used), and the audit log.

Times are computed over threads opened in the last N days, with one query per figure group
(no per-row queries); medians and p90s are taken in Python over that bounded window. The CSV
download's layout is board/dashboard_csv.py.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func

from board import permissions, sla
from board.errors import PermissionDenied, ValidationFailed
from board.extensions import db
from board.models import (
    AuditEntry,
    Board,
    Rating,
    Thread,
    ThreadStatus,
    Unit,
    User,
    Visibility,
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
    """Median and p90 first-response and resolution seconds per board and per unit."""
    responder = db.aliased(User)
    rows = db.session.execute(
        db.select(Thread.created_at, Thread.first_response_at, Thread.resolved_at,
                  Board.slug, Board.name, responder.unit_id, Thread.dispatched_unit_id)
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


# --- the threads behind a number ------------------------------------------------------------

FILTERS = ("status", "board", "unit", "overdue", "supervised", "rated", "days")


def threads_behind(viewer, args: dict, now: datetime | None = None, limit: int = 200) -> list:
    """The threads a dashboard number counts, from the same filters the number used."""
    if not permissions.can(viewer, "dashboard.view"):
        raise PermissionDenied()
    now = now or utcnow()
    stmt = db.select(Thread).order_by(Thread.created_at.desc(), Thread.id.desc()).limit(limit)
    if args.get("status") == "open_dispatch":
        stmt = stmt.where(Thread.status.in_([S.DISPATCHED, S.HANDLING]))
    elif args.get("status") in set(ThreadStatus):
        stmt = stmt.where(Thread.status == args["status"])
    if args.get("board"):
        stmt = stmt.join(Board, Board.id == Thread.board_id).where(Board.slug == args["board"])
    if args.get("unit"):
        unit_id = db.session.scalar(db.select(Unit.id).where(Unit.code == args["unit"]))
        if unit_id is None:
            return []
        responder = db.aliased(User)
        stmt = stmt.outerjoin(responder, responder.id == Thread.first_responder_id).where(
            (Thread.dispatched_unit_id == unit_id) | (responder.unit_id == unit_id))
    if args.get("overdue"):
        stmt = stmt.where(sla.overdue_clause(Thread, now))
    if args.get("supervised"):
        stmt = stmt.where(Thread.supervised.is_(True))
    if args.get("rated"):
        stmt = stmt.join(Rating, Rating.thread_id == Thread.id)
        if str(args["rated"]).isdigit() and 1 <= int(args["rated"]) <= 5:
            stmt = stmt.where(Rating.score == int(args["rated"]))
    if args.get("days") and str(args["days"]).isdigit():
        stmt = stmt.where(Thread.created_at >= now - timedelta(days=int(args["days"])))
    if not permissions.can(viewer, "police_only.view"):
        stmt = stmt.where(Thread.visibility == Visibility.PUBLIC)
    return list(db.session.scalars(stmt))


# --- the audit log --------------------------------------------------------------------------


def audit_entries(viewer, before_id: int | None = None, action: str | None = None,
                  target_type: str | None = None, target_id: int | None = None,
                  limit: int = 50) -> tuple[list[AuditEntry], int | None]:
    """The log newest first, one keyset page; leaders and admins only (services/audit writes)."""
    if not permissions.can(viewer, "audit.view"):
        raise PermissionDenied()
    stmt = db.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
    if before_id:
        stmt = stmt.where(AuditEntry.id < before_id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if target_type:
        stmt = stmt.where(AuditEntry.target_type == target_type)
    if target_id is not None:
        stmt = stmt.where(AuditEntry.target_id == target_id)
    rows = list(db.session.scalars(stmt))
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)

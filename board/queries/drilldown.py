"""The threads behind a dashboard number, chosen by the same filters the number used, and the
number's name in Chinese for the page's title (「已超时 · 户政 · 2026年9月1日至9月30日」, never
「overdue=1」).

It exists apart from the figures (queries/leader.py) because a leader clicks through one number
at a time: this is a filtered list of threads, with the reader's visibility applied, not a count.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from board import periods, permissions, sla
from board.errors import PermissionDenied
from board.extensions import db
from board.models import (
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

S = ThreadStatus

FILTERS = ("status", "board", "unit", "overdue", "missed", "supervised", "rated", "days",
           "start", "end")


def _day(raw) -> date | None:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        return None


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
        responder = db.aliased(User)  # the credited unit, as queries/leader.py counts it
        stmt = stmt.outerjoin(responder, responder.id == Thread.first_responder_id).where(
            (Thread.dispatched_unit_id == unit_id)
            | (db.func.coalesce(Thread.first_response_unit_id, responder.unit_id) == unit_id))
    if args.get("overdue"):
        stmt = stmt.where(sla.overdue_clause(Thread, now))
    if args.get("missed"):  # the trend's 超时: answered after the target, or not yet and past it
        stmt = stmt.where(Thread.kind.in_(kinds.needing_answer()), Thread.sla_due_at.is_not(None),
                          ((Thread.first_response_at > Thread.sla_due_at)
                           | (Thread.first_response_at.is_(None) & (Thread.sla_due_at <= now))))
    if args.get("supervised"):
        stmt = stmt.where(Thread.supervised.is_(True))
    if args.get("rated"):
        stmt = stmt.join(Rating, Rating.thread_id == Thread.id)
        if str(args["rated"]).isdigit() and 1 <= int(args["rated"]) <= 5:
            stmt = stmt.where(Rating.score == int(args["rated"]))
    first, last = _day(args.get("start")), _day(args.get("end"))
    if first or last:
        if first:
            stmt = stmt.where(Thread.created_at >= periods.beijing_midnight(first))
        if last:
            stmt = stmt.where(Thread.created_at < periods.beijing_midnight(
                last + timedelta(days=1)))
    elif args.get("days") and str(args["days"]).isdigit():
        stmt = stmt.where(Thread.created_at >= now - timedelta(days=int(args["days"])))
    if not permissions.can(viewer, "police_only.view"):
        stmt = stmt.where(Thread.visibility == Visibility.PUBLIC)
    return list(db.session.scalars(stmt))


_FLAGS = (("overdue", "当前已超时"), ("missed", "未在时限内首次回复"), ("supervised", "领导督办"))


def describe(args: dict) -> str:
    """The filters in the words of the dashboard: 「已办结 · 户政 · 近30天」."""
    parts = []
    status = args.get("status")
    if status == "open_dispatch":
        parts.append("处置中(已派警)")
    elif status in set(ThreadStatus):
        parts.append(ThreadStatus(status).label)
    parts += [label for key, label in _FLAGS if args.get(key)]
    if args.get("rated"):
        rated = str(args["rated"])
        parts.append(f"{rated}星评价" if rated.isdigit() else "已评价")
    if args.get("board"):
        name = db.session.scalar(db.select(Board.name).where(Board.slug == args["board"]))
        parts.append(f"{name or args['board']}版块")
    if args.get("unit"):
        name = db.session.scalar(db.select(Unit.name).where(Unit.code == args["unit"]))
        parts.append(name or args["unit"])
    first, last = _day(args.get("start")), _day(args.get("end"))
    if first or last:
        first, last = first or last, last or first
        parts.append(periods.Period(first, last, "range", "").label_range())
    elif args.get("days"):
        parts.append(f"近{args['days']}天新帖")
    return " · ".join(parts) or "全部帖子"

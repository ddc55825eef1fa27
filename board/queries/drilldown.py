"""The threads behind a dashboard number, chosen by the same filters the number used.

It exists apart from the figures (queries/leader.py) because a leader clicks through one number
at a time: this is a filtered list of threads, with the reader's visibility applied, not a count.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from board import permissions, sla
from board.errors import PermissionDenied
from board.extensions import db
from board.models import Board, Rating, Thread, ThreadStatus, Unit, User, Visibility, utcnow

S = ThreadStatus

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
        responder = db.aliased(User)  # the credited unit, as queries/leader.py counts it
        stmt = stmt.outerjoin(responder, responder.id == Thread.first_responder_id).where(
            (Thread.dispatched_unit_id == unit_id)
            | (db.func.coalesce(Thread.first_response_unit_id, responder.unit_id) == unit_id))
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

"""The command queue: what the 110 command centre works through — escalations awaiting dispatch
(most urgent, then oldest first), dispatched incidents still open, and unescalated posts that
look like emergencies — and the units it may dispatch to.

Named apart from the review queue (queries/review_queue.py: reports for officers) and the search
jobs (board/search: index work for the worker)."""
from __future__ import annotations

from dataclasses import dataclass

from board import lists, permissions
from board.errors import PermissionDenied
from board.extensions import db
from board.models import DISPATCHABLE_UNIT_KINDS, Escalation, Thread, ThreadStatus, Unit

S = ThreadStatus
URGENCY_RANK = lists.URGENCY_RANK


@dataclass
class CommandQueue:
    waiting: list[Thread]
    in_progress: list[Thread]
    urgent_posts: list[Thread]
    reasons: dict[int, Escalation]


def load(viewer, limit: int = 100) -> CommandQueue:
    """The three lists and each listed escalation's reason; command-centre staff only."""
    if not permissions.can(viewer, "command.view"):
        raise PermissionDenied()
    waiting = list(db.session.scalars(
        db.select(Thread).where(Thread.status == S.ESCALATED)
        .order_by(URGENCY_RANK.desc(), Thread.urgent.desc(), Thread.escalated_at, Thread.id)
        .limit(limit)))
    in_progress = list(db.session.scalars(
        db.select(Thread).where(Thread.status.in_([S.DISPATCHED, S.HANDLING]))
        .order_by(URGENCY_RANK.desc(), Thread.dispatched_at, Thread.id).limit(limit)))
    urgent_posts = list(db.session.scalars(
        db.select(Thread).where(Thread.urgent.is_(True),
                                Thread.status.in_([S.AWAITING_REPLY, S.ANSWERED]))
        .order_by(Thread.created_at, Thread.id).limit(limit)))
    reasons = latest_escalations(waiting + in_progress)
    return CommandQueue(waiting, in_progress, urgent_posts, reasons)


def latest_escalations(threads: list[Thread]) -> dict[int, Escalation]:
    """The current escalation of each thread, in one query."""
    ids = [t.id for t in threads]
    if not ids:
        return {}
    latest = (db.select(db.func.max(Escalation.id)).where(Escalation.thread_id.in_(ids))
              .group_by(Escalation.thread_id))
    rows = db.session.scalars(db.select(Escalation).where(Escalation.id.in_(latest)))
    return {row.thread_id: row for row in rows}


def dispatch_units() -> list[Unit]:
    """Where a dispatcher may send police (models/unit.py's DISPATCHABLE_UNIT_KINDS), in tree
    order."""
    return list(db.session.scalars(db.select(Unit).where(
        Unit.kind.in_(sorted(DISPATCHABLE_UNIT_KINDS))).order_by(Unit.position)))

"""The unit's work list (the officer inbox): four tabs over the threads of an officer's unit.

- 待回复 `awaiting`: unanswered threads of the boards the unit answers (the inbox since issue 5);
- 待处置 `handling`: incidents dispatched to the unit and not yet resolved;
- 督办 `supervised`: supervised threads still open, on the unit's boards or dispatched to it;
- 已超时 `overdue`: threads of the unit's boards past their first-response target.

A leader whose unit answers no board oversees them all: every board, every dispatched incident.
Which statuses and in what order live in `board.lists`, the overdue rule in `board.sla`.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, func, or_

from board import lists, permissions, sla
from board.extensions import db
from board.models import Board, Escalation, Role, Thread, User, utcnow
from board.queries import command_queue, threads

TABS = {"awaiting": "待回复", "handling": "待处置", "supervised": "督办", "overdue": "已超时"}
DEFAULT_TAB = "awaiting"


def boards_for(officer: User) -> list[Board]:
    """The boards an officer answers: their unit's; leaders without one see every board."""
    all_boards = threads.boards()
    mine = [b for b in all_boards if permissions.answers_for(officer, b)]
    if not mine and officer.role == Role.LEADER:
        return all_boards
    return mine


def _oversees_all(officer: User) -> bool:
    return officer.role == Role.LEADER and not any(
        permissions.answers_for(officer, b) for b in threads.boards())


@dataclass
class Scope:
    """Whose threads: the boards the unit answers, the unit (dispatches), or everything."""
    board_ids: list[int]
    unit_id: int | None
    everything: bool

    def on_boards(self) -> ColumnElement[bool]:
        return Thread.board_id.in_(self.board_ids) if self.board_ids else false()

    def dispatched_here(self) -> ColumnElement[bool]:
        if self.everything:
            return Thread.dispatched_unit_id.is_not(None)
        return Thread.dispatched_unit_id == self.unit_id if self.unit_id else false()


def scope_of(officer: User) -> Scope:
    return Scope([b.id for b in boards_for(officer)], officer.unit_id, _oversees_all(officer))


def _where(tab: str, scope: Scope, now) -> list[ColumnElement[bool]]:
    if tab == "awaiting":
        return [scope.on_boards(), Thread.status == lists.INBOX_STATUS]
    if tab == "handling":
        return [scope.dispatched_here(), Thread.status.in_(lists.HANDLING_STATUSES)]
    if tab == "supervised":
        return [or_(scope.on_boards(), scope.dispatched_here()), Thread.supervised.is_(True),
                Thread.status.not_in(lists.SUPERVISED_OPEN)]
    return [scope.on_boards(), sla.overdue_clause(Thread, now)]


ORDERS = {"awaiting": lists.INBOX, "handling": lists.HANDLING,
          "supervised": lists.SUPERVISED, "overdue": lists.OVERDUE}


def parse_tab(raw) -> str | None:
    """A known tab name, the default for none; None for anything else (the caller's 400)."""
    if raw in (None, ""):
        return DEFAULT_TAB
    return raw if isinstance(raw, str) and raw in TABS else None


def threads_for(officer: User, limit: int = 100, tab: str = DEFAULT_TAB,
                now=None) -> list[Thread]:
    """One tab's threads, in its order (the default: unanswered, urgent first, longest waiting)."""
    scope = scope_of(officer)
    stmt = (db.select(Thread).where(*_where(tab, scope, now or utcnow()))
            .order_by(*ORDERS[tab]).limit(limit))
    return list(db.session.scalars(stmt))


def counts_for(officer: User, now=None) -> dict[str, int]:
    """How many threads each tab holds (one query per tab)."""
    scope, now = scope_of(officer), now or utcnow()
    return {tab: db.session.scalar(db.select(func.count()).select_from(Thread)
                                   .where(*_where(tab, scope, now))) or 0
            for tab in TABS}


def dispatches_of(rows: list[Thread]) -> dict[int, Escalation]:
    """Each listed incident's dispatch (urgency, the dispatcher's note), in one query."""
    return command_queue.latest_escalations([t for t in rows if t.incident_no])

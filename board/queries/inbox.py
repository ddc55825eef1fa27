"""The officer inbox: unanswered threads of the boards an officer's unit answers.

Which status the inbox holds and in what order live in `board.lists`, shared with the live path
that places an arriving row on an open inbox page.
"""
from __future__ import annotations

from board import lists, permissions
from board.extensions import db
from board.models import Board, Role, Thread, User
from board.queries import threads


def boards_for(officer: User) -> list[Board]:
    """The boards an officer answers: their unit's; leaders without one see every board."""
    all_boards = threads.boards()
    mine = [b for b in all_boards if permissions.answers_for(officer, b)]
    if not mine and officer.role == Role.LEADER:
        return all_boards
    return mine


def threads_for(officer: User, limit: int = 100) -> list[Thread]:
    """Unanswered threads of the officer's boards: urgent ones first, then longest waiting."""
    board_ids = [b.id for b in boards_for(officer)]
    if not board_ids:
        return []
    stmt = (db.select(Thread)
            .where(Thread.board_id.in_(board_ids), Thread.status == lists.INBOX_STATUS)
            .order_by(*lists.INBOX).limit(limit))
    return list(db.session.scalars(stmt))

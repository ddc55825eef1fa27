"""Committing a row a unique constraint guards, when two requests may race for it.

A service checks first ("is the name free?", "rated already?") to answer in Chinese, but two
requests can both pass the check before either commits; the database's unique constraint then
refuses the second, and that IntegrityError used to surface as a 500. `commit_unless_taken`
rolls the loser back and looks again, after the winner committed, so the loser gets the same
409/400 with the same message as if it had come a second later.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError

from board.errors import ServiceError
from board.extensions import db


def commit_unless_taken(refusal: Callable[[], ServiceError | None],
                        flushed: Callable[[], object] | None = None) -> None:
    """Commit; on a unique violation roll back and raise `refusal()` (re-checked after the
    rollback), or the original error when the re-check finds nothing taken. `flushed` runs
    after the rows got their ids and before the commit (e.g. the audit entry naming them)."""
    try:
        if flushed is not None:
            db.session.flush()
            flushed()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        error = refusal()
        if error is None:
            raise
        raise error from None

"""The notice workers' database access: a session of their own, outside any request, and the
row claim that keeps two workers (on two machines) from taking the same rows."""
from __future__ import annotations

from sqlalchemy.orm import Session

from board.extensions import db


def worker_session() -> Session:
    """Objects stay readable after commit: a worker sends after it has recorded the attempt."""
    return Session(db.engine, expire_on_commit=False)


def claimed(stmt, session: Session, model):
    """On PostgreSQL, lock the selected rows and skip rows another worker holds (SKIP LOCKED);
    SQLite has one writer at a time, and the lease (board/leases.py) keeps one worker anyway."""
    if session.bind.dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True, of=model)
    return stmt

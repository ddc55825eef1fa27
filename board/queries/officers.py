"""Officers as the public sees them: a public card (name, badge, unit, role), and the officers
of a thread's units for @mention suggestions while typing (issue 17)."""
from __future__ import annotations

from sqlalchemy import or_

from board.errors import NotFound
from board.extensions import db
from board.models import OFFICIAL_ROLES, Thread, User, board_unit

SUGGESTIONS = 8


def public_card(user_id: int) -> User:
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None or user.role not in OFFICIAL_ROLES or user.disabled or not user.real_name:
        raise NotFound("没有这位民警")
    return user


def for_thread(thread: Thread, prefix: str = "", limit: int = SUGGESTIONS) -> list[User]:
    """Officers of the units answering the thread's board (and of the unit it was dispatched
    to) whose real name starts with `prefix` (or whose username does), by name."""
    units = db.select(board_unit.c.unit_id).where(board_unit.c.board_id == thread.board_id)
    unit_ids = [*db.session.scalars(units)]
    if thread.dispatched_unit_id:
        unit_ids.append(thread.dispatched_unit_id)
    stmt = (db.select(User).where(User.unit_id.in_(unit_ids), User.role.in_(list(OFFICIAL_ROLES)),
                                  User.disabled.is_(False), User.real_name.is_not(None))
            .order_by(User.real_name, User.id).limit(limit))
    prefix = prefix.strip()[:12]
    if prefix:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(or_(User.real_name.like(f"{escaped}%", escape="\\"),
                              User.username.like(f"{escaped}%", escape="\\")))
    return list(db.session.scalars(stmt))

"""The admins' account list: search by username, nickname, real name, badge number or phone
(stored in full, shown masked), filters by role, unit and state, one keyset page at a time.

Apart from the other lists because only admins read it (`user.manage`), and it is the one list
that can be searched by a personal field (the phone), matched whole, never by a fragment.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_

from board import permissions
from board.errors import PermissionDenied
from board.extensions import db
from board.models import Role, Unit, User
from board.phones import normalize_phone

STATES = {"active": "正常", "disabled": "已停用"}
PAGE = 50


@dataclass
class UserFilters:
    q: str = ""
    role: str = ""
    unit: str = ""
    state: str = ""

    @classmethod
    def from_args(cls, args) -> UserFilters:
        role, state = args.get("role") or "", args.get("state") or ""
        return cls(q=(args.get("q") or "").strip()[:40],
                   role=role if role in set(Role) else "",
                   unit=(args.get("unit") or "")[:40],
                   state=state if state in STATES else "")

    def as_args(self) -> dict:
        return {k: v for k, v in vars(self).items() if v}


def search(viewer, filters: UserFilters, after_id: int | None = None,
           limit: int = PAGE) -> tuple[list[User], int | None]:
    """Accounts matching the filters, by id, one keyset page; the id to continue after."""
    if not permissions.can(viewer, "user.manage"):
        raise PermissionDenied()
    stmt = db.select(User).order_by(User.id).limit(limit + 1)
    if after_id:
        stmt = stmt.where(User.id > after_id)
    if filters.q:
        q = filters.q
        like = f"%{q.replace('%', '').replace('_', '')}%"
        terms = [User.username.ilike(like), User.nickname.ilike(like),
                 User.real_name.ilike(like), User.badge_no == q]
        phone = normalize_phone(q)
        if phone:
            terms.append(User.phone == phone)
        stmt = stmt.where(or_(*terms))
    if filters.role:
        stmt = stmt.where(User.role == filters.role)
    if filters.unit:
        stmt = stmt.where(User.unit_id.in_(db.select(Unit.id).where(Unit.code == filters.unit)))
    if filters.state:
        stmt = stmt.where(User.disabled.is_(filters.state == "disabled"))
    rows = list(db.session.scalars(stmt))
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)

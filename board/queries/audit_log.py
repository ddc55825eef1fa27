"""Reading the audit log: leaders and admins page through who did what, newest first.

It exists apart from the dashboard (queries/leader.py) because it answers a different question
with a different permission (`audit.view`); services/audit.py is the only writer.
"""
from __future__ import annotations

from board import permissions
from board.errors import PermissionDenied
from board.extensions import db
from board.models import AuditEntry


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

"""The review queue: citizens' reports and posts held by the word list, waiting for an officer.

Its writer is services/moderation_reports.py (report, hide, unhide, keep). Named apart from the
command queue (queries/command_queue.py) and the search jobs (board/search).
"""
from __future__ import annotations

from board import permissions
from board.errors import NotFound
from board.extensions import db
from board.models import Report, ReportStatus
from board.queries.threads import MAX_ID


def items(officer, status: str = ReportStatus.OPEN, limit: int = 100) -> list[Report]:
    """Items in one status (open by default), oldest first: held posts wait for someone, too."""
    permissions.require(officer, "review.view")
    stmt = (db.select(Report).where(Report.status == status)
            .order_by(Report.created_at, Report.id).limit(limit))
    return list(db.session.scalars(stmt))


def get_report(report_id: int) -> Report:
    """One item by id; an id beyond the key's range is 'not found', not a database error."""
    item = db.session.get(Report, report_id) if 0 < report_id <= MAX_ID else None
    if item is None:
        raise NotFound("举报记录不存在")
    return item

"""The data model; every class is re-exported here."""
from board.orm import utcnow
from board.models.board import Board, board_unit
from board.models.thread import Post, Thread, ThreadKind, ThreadStatus, Visibility
from board.models.unit import Unit
from board.models.user import (
    OFFICIAL_ROLES, POLICE_ROLES, Anonymous, ApiToken, Role,
    SignInThrottle, User,
)
from board.models.notification import Notification, NotificationKind
from board.models.escalation import Escalation, IncidentCounter, Urgency
from board.models.timeline import AuditEntry, ThreadEvent
from board.models.reply_template import ReplyTemplate
from board.models.rating import Rating
from board.models.attachment import Attachment
from board.models.report import REPORT_REASONS, Report, ReportKind, ReportStatus
from board.models.search_job import SearchJob

__all__ = [
    "Anonymous", "ApiToken", "Board", "OFFICIAL_ROLES", "POLICE_ROLES", "Post", "Role", "Thread",
    "ThreadKind", "ThreadStatus", "Unit", "User", "Visibility", "board_unit", "utcnow",
    "Notification", "NotificationKind",
    "AuditEntry", "Escalation", "IncidentCounter", "Rating", "ReplyTemplate", "ThreadEvent",
    "Urgency",
    "Attachment", "REPORT_REASONS", "Report", "ReportKind", "ReportStatus",
    "SearchJob", "SignInThrottle",
]

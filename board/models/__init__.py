"""The data model; every class is re-exported here."""
from board.models.agency import AGENCY_KIND_LABELS, Agency, AgencyInvitation, AgencyKind
from board.models.alert import (
    Alert,
    AlertLevel,
    AlertNotice,
    AlertReceipt,
    AlertTarget,
    BoardFollow,
    PlaceFollow,
)
from board.models.attachment import Attachment
from board.models.board import Board, board_unit
from board.models.bulletin import Bulletin, BulletinMessage, BulletinState
from board.models.credentials import ApiToken, UserSession
from board.models.daily_stat import DailyStat, DailyStatDay, DailyStatMonth
from board.models.escalation import Escalation, IncidentCounter, Urgency
from board.models.following import ThreadFollow
from board.models.idempotency import IdempotencyKey
from board.models.notice import (
    Notice,
    NoticeEvent,
    NoticeKind,
    NoticeSettings,
    NoticeState,
)
from board.models.notification import Notification, NotificationKind
from board.models.operations import PhotoBlob, WorkerLease
from board.models.partner import PartnerKey
from board.models.place import Place, PlaceLevel
from board.models.rating import Rating
from board.models.reply_template import ReplyTemplate
from board.models.report import REPORT_REASONS, Report, ReportKind, ReportStatus
from board.models.revision import Revision
from board.models.search_job import SearchJob
from board.models.search_terms import SearchMiss, SearchSynonym
from board.models.thread import Post, Thread, Visibility
from board.models.timeline import AuditEntry, AuditLogIsAppendOnly, ThreadEvent
from board.models.unit import DISPATCHABLE_UNIT_KINDS, Unit, UnitKind
from board.models.user import (
    OFFICIAL_ROLES,
    POLICE_ROLES,
    Anonymous,
    Role,
    SignInThrottle,
    User,
)
from board.models.verification import SmsCode
from board.models.workflow import ThreadStatus
from board.orm import utcnow

__all__ = [
    "Anonymous", "ApiToken", "Board", "OFFICIAL_ROLES", "POLICE_ROLES", "Post", "Role", "Thread",
    "SignInThrottle", "ThreadStatus", "Unit", "User", "Visibility", "board_unit",
    "utcnow",
    "DISPATCHABLE_UNIT_KINDS", "UnitKind",
    "Notification", "NotificationKind",
    "AuditEntry",
    "AuditLogIsAppendOnly",
    "Escalation", "IncidentCounter", "Rating", "ReplyTemplate", "ThreadEvent",
    "Urgency",
    "Attachment", "REPORT_REASONS", "Report", "ReportKind", "ReportStatus",
    "SearchJob", "SignInThrottle", "SearchMiss", "SearchSynonym", "UserSession",
    "IdempotencyKey", "SmsCode", "Revision",
    "Place", "PlaceLevel",
    "PhotoBlob", "WorkerLease",
    "ThreadFollow", "Notice", "NoticeEvent", "NoticeKind", "NoticeSettings", "NoticeState",
    "PartnerKey", "DailyStat", "DailyStatDay",
    "Alert", "AlertLevel", "AlertNotice", "AlertReceipt", "AlertTarget", "BoardFollow",
    "PlaceFollow",  # issue 21: 预警
    "AGENCY_KIND_LABELS", "Agency", "AgencyInvitation", "AgencyKind",  # issue 21: 协作单位
    "PartnerKey", "DailyStat", "DailyStatDay", "DailyStatMonth",
    "Bulletin", "BulletinMessage", "BulletinState",
]

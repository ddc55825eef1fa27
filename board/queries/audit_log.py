"""Reading the audit log: leaders and admins page through who did what, newest first, filtered
by person, action, thread and Beijing dates, and read each entry in the words staff use:
「停用: 否 → 是」, 「单位: — → 南门派出所」, 「状态: 已回复 → 已办结」, never raw keys or
Python values.

It exists apart from the dashboard (queries/leader.py) because it answers a different question
with a different permission (`audit.view`); services/audit.py is the only writer, and the log
is append-only (models/timeline.py).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import or_

from board import periods, permissions
from board.errors import PermissionDenied
from board.extensions import db
from board.models import (
    AGENCY_KIND_LABELS,
    AuditEntry,
    Board,
    Post,
    Role,
    Thread,
    ThreadStatus,
    Unit,
    Urgency,
    User,
)
from board.phones import mask_phone
from board.services.audit import ACTION_LABELS
from board.sla import BEIJING

EXPORT_LIMIT = 50_000


@dataclass
class Filters:
    person: str = ""  # a username, real name, nickname or badge number
    action: str = ""
    thread: int | None = None
    start: date | None = None
    end: date | None = None

    @classmethod
    def from_args(cls, args, parse_id: Callable) -> Filters:
        def day(name):
            try:
                return date.fromisoformat(args.get(name) or "")
            except ValueError:
                return None
        action = args.get("action") or ""
        return cls(person=(args.get("person") or "").strip()[:40],
                   action=action if action in ACTION_LABELS else "",
                   thread=parse_id(args.get("thread")), start=day("start"), end=day("end"))

    def as_args(self) -> dict:
        out = {"person": self.person, "action": self.action, "thread": self.thread,
               "start": self.start.isoformat() if self.start else None,
               "end": self.end.isoformat() if self.end else None}
        return {k: v for k, v in out.items() if v}


def _filtered(filters: Filters):
    stmt = db.select(AuditEntry)
    if filters.person:
        who = filters.person
        stmt = stmt.where(AuditEntry.actor_id.in_(db.select(User.id).where(or_(
            User.username == who, User.real_name == who, User.nickname == who,
            User.badge_no == who))))
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action)
    if filters.thread:
        stmt = stmt.where(or_(
            (AuditEntry.target_type == "thread") & (AuditEntry.target_id == filters.thread),
            (AuditEntry.target_type == "post") & AuditEntry.target_id.in_(
                db.select(Post.id).where(Post.thread_id == filters.thread))))
    if filters.start:
        stmt = stmt.where(AuditEntry.created_at >= periods.beijing_midnight(filters.start))
    if filters.end:
        stmt = stmt.where(AuditEntry.created_at < periods.beijing_midnight(
            filters.end + timedelta(days=1)))
    return stmt


def audit_entries(viewer, before_id: int | None = None, action: str | None = None,
                  target_type: str | None = None, target_id: int | None = None,
                  limit: int = 50, filters: Filters | None = None,
                  ) -> tuple[list[AuditEntry], int | None]:
    """The log newest first (by time, then id), one keyset page after the entry `before_id`;
    leaders and admins only (services/audit writes)."""
    if not permissions.can(viewer, "audit.view"):
        raise PermissionDenied()
    stmt = _filtered(filters or Filters()).order_by(
        AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit + 1)
    if before_id:
        moment = db.session.scalar(db.select(AuditEntry.created_at).where(
            AuditEntry.id == before_id))
        if moment is not None:
            stmt = stmt.where(or_(AuditEntry.created_at < moment,
                                  (AuditEntry.created_at == moment)
                                  & (AuditEntry.id < before_id)))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if target_type:
        stmt = stmt.where(AuditEntry.target_type == target_type)
    if target_id is not None:
        stmt = stmt.where(AuditEntry.target_id == target_id)
    rows = list(db.session.scalars(stmt))
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)


def export_entries(viewer, filters: Filters) -> Iterator[list[AuditEntry]]:
    """Every entry the filters choose, newest first, in keyset batches (the CSV download)."""
    before, sent = None, 0
    while sent < EXPORT_LIMIT:
        rows, before = audit_entries(viewer, before_id=before, filters=filters, limit=1000)
        yield rows
        sent += len(rows)
        if before is None:
            return


# --- rendering: the entry in staff's words -----------------------------------------------------


def _yes_no(value) -> str:
    return "是" if value else "否"


def _time(value) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if moment.tzinfo else str(value)


def _status(value) -> str:
    return ThreadStatus(value).label if value in set(ThreadStatus) else str(value)


def _role(value) -> str:
    return Role(value).label if value in set(Role) else str(value)


def _urgency(value) -> str:
    return Urgency(value).label if value in set(Urgency) else str(value)


def _seconds(value) -> str:
    seconds = int(value)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}小时{rest // 60}分钟" if hours else f"{rest // 60}分钟"


def _stars(value) -> str:
    return f"{int(value)} 星"


# field: (the name staff use, how its value reads); "unit" values are resolved to unit names
FIELDS: dict[str, tuple[str, Callable | str | None]] = {
    "pinned": ("置顶", _yes_no), "pinned_at": ("置顶时间", _time),
    "locked": ("锁定", _yes_no), "status": ("状态", _status), "reason": ("原因", None),
    "urgency": ("紧急程度", _urgency), "unit": ("单位", "unit"), "unit_id": ("单位", "unit_id"),
    "incident_no": ("警情编号", None), "note": ("说明", None),
    "internal": ("仅警方可见", _yes_no), "supervised": ("领导督办", _yes_no),
    "supervision_instruction": ("督办意见", None), "score": ("评分", _stars),
    "hidden": ("隐藏", _yes_no), "hidden_reason": ("隐藏原因", None),
    "disabled": ("停用", _yes_no), "disabled_reason": ("停用原因", None),
    "due_at": ("回复时限", _time), "overdue_seconds": ("超时", _seconds),
    "line": ("同义词", None), "word": ("词语", None), "words": ("词语", None),
    "role": ("角色", _role), "badge_no": ("警号", None), "real_name": ("姓名", None),
    "nickname": ("昵称", None), "username": ("用户名", None), "contact": ("公开联系方式", None),
    "phone": ("手机号", mask_phone), "source": ("来源", None), "freq": ("词频", None),
    "temporary_password": ("临时密码", lambda v: "已签发(仅显示一次)" if v else "无"),
    "name": ("名称", None), "partner": ("合作系统", None),
    "agency": ("协作单位", None), "kind": ("类型", lambda v: AGENCY_KIND_LABELS.get(v, v)),
}
TARGETS = {"thread": "帖子", "post": "回复", "user": "账号", "search_synonym": "同义词",
           "config": "配置", "search_word": "分词词语", "partner_key": "接口密钥",
           "agency": "协作单位"}


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Row:
    entry: AuditEntry
    when: str
    actor: str
    actor_detail: str
    action: str
    target: str
    href: str | None
    changes: list[Change] = field(default_factory=list)


class _Lookups:
    """The names an entry's values refer to, loaded once per page (units, threads, accounts)."""

    def __init__(self, entries: list[AuditEntry]):
        self.units = {u.code: u.name for u in db.session.scalars(db.select(Unit))}
        self.unit_ids = {u.id: u.name for u in db.session.scalars(db.select(Unit))}
        self.boards = {b.slug: b.name for b in db.session.scalars(db.select(Board))}
        ids = {kind: {e.target_id for e in entries if e.target_type == kind and e.target_id}
               for kind in ("thread", "post", "user")}
        self.post_thread = dict(db.session.execute(
            db.select(Post.id, Post.thread_id).where(Post.id.in_(ids["post"]))).all()) \
            if ids["post"] else {}
        thread_ids = ids["thread"] | set(self.post_thread.values())
        self.threads = dict(db.session.execute(db.select(Thread.id, Thread.title).where(
            Thread.id.in_(thread_ids))).all()) if thread_ids else {}
        self.users = {u.id: u for u in db.session.scalars(
            db.select(User).where(User.id.in_(ids["user"])))} if ids["user"] else {}

    def value(self, key: str, value) -> str:
        if value is None or value == "":
            return "—"
        how = FIELDS.get(key, (None, None))[1]
        if how == "unit":
            return self.units.get(value, str(value))
        if how == "unit_id":
            return self.unit_ids.get(value, str(value))
        if callable(how):
            return how(value)
        if isinstance(value, bool):
            return _yes_no(value)
        if isinstance(value, list):
            return "、".join(self.value(key, v) for v in value) or "—"
        if isinstance(value, dict):
            return ";".join(f"{self.label(k)}:{self.value(k, v)}" for k, v in value.items())
        return str(value)

    def label(self, key: str) -> str:
        if key in FIELDS:
            return FIELDS[key][0]
        kind, _, code = key.partition(":")
        if kind == "board":
            return f"版块「{self.boards.get(code, code)}」"
        if kind == "unit":
            return f"单位「{self.units.get(code, code)}」"
        return key

    def target(self, entry: AuditEntry) -> tuple[str, str | None]:
        kind, ident = entry.target_type, entry.target_id
        noun = TARGETS.get(kind, kind)
        if kind == "thread" and ident:
            return f"帖子 #{ident} {self.threads.get(ident, '')}".strip(), f"/t/{ident}"
        if kind == "post" and ident:
            thread_id = self.post_thread.get(ident)
            title = self.threads.get(thread_id, "")
            return (f"回复 #{ident}(帖子「{title}」)" if title else f"回复 #{ident}",
                    f"/t/{thread_id}" if thread_id else None)
        if kind == "user" and ident:
            user = self.users.get(ident)
            if user is None:
                return f"账号 #{ident}", None
            extra = f"({user.role_label}{' ' + user.badge_no if user.badge_no else ''})"
            return f"账号 {user.username} {user.display_name}{extra}", None
        if kind == "config":
            return "boards_config.yaml", None
        return (f"{noun} #{ident}" if ident else noun), None


def present(entries: list[AuditEntry]) -> list[Row]:
    """The entries as staff read them: Beijing time, names, labels, before → after."""
    look = _Lookups(entries)
    rows = []
    for e in entries:
        before, after = e.before or {}, e.after or {}
        keys = list(before) + [k for k in after if k not in before]
        changes = [Change(look.label(k), look.value(k, before.get(k)) if k in before else "—",
                          look.value(k, after.get(k)) if k in after else "—") for k in keys]
        actor = e.actor
        target, href = look.target(e)
        rows.append(Row(
            entry=e, when=e.created_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
            actor=actor.display_name if actor else "系统",
            actor_detail=" ".join(x for x in (
                actor.role_label if actor else "", actor.badge_no if actor else "",
                actor.unit.name if actor and actor.unit else "") if x),
            action=ACTION_LABELS.get(e.action, e.action), target=target, href=href,
            changes=changes))
    return rows

"""Lost-and-found and missing-person notices as readers see them (issue 21): the filtered list,
a thread's notice, every board's pinned appeals, and the private messages by who may read them.

Visibility is the thread's (police-only, hidden and held appeals never list for the public);
archiving is decided here at query time: a notice past `expires_at` leaves the lists, its page
stays. Writes are board/services/bulletins.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from board import periods, permissions
from board.errors import NotFound, ValidationFailed
from board.extensions import db
from board.models import (
    Bulletin,
    BulletinMessage,
    BulletinState,
    Place,
    Role,
    Thread,
    Unit,
    kinds,
    utcnow,
)
from board.models.bulletin import BULLETIN_KINDS, HELD_REASON
from board.queries import places, threads
from board.queries.threads import MAX_ID

PAGE_SIZE = 20


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    district: str = ""
    since: date | None = None
    until: date | None = None
    state: str = BulletinState.SEARCHING  # "" for every state
    archived: bool = False
    page: int = 1

    def args(self) -> dict:
        """The filters as query-string arguments (for links to other pages of the list)."""
        out = {"kind": self.kind, "district": self.district, "state": self.state,
               "since": self.since.isoformat() if self.since else "",
               "until": self.until.isoformat() if self.until else "",
               "archived": "1" if self.archived else ""}
        return {k: v for k, v in out.items() if v}


def _date(raw: str, name: str, errors: dict) -> date | None:
    if not raw:
        return None
    try:
        if not raw.isascii():
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("日期格式应为 YYYY-MM-DD")
        return None


def parse_filters(args) -> Filters:
    """From a query string; a value that is not one of the choices is a 400 with the field."""
    errors: dict[str, str] = {}
    kind = (args.get("kind") or "").strip()
    if kind and kind not in BULLETIN_KINDS:
        errors["kind"] = _("可选: ") + ", ".join(BULLETIN_KINDS)
    district = (args.get("district") or "").strip()
    if district and district not in {code for code, _name in districts()}:
        errors["district"] = _("请选择列表中的区")
    state = (args.get("state") if args.get("state") is not None else BulletinState.SEARCHING)
    state = state.strip()
    if state and state not in set(BulletinState):
        errors["state"] = _("可选: ") + ", ".join(BulletinState)
    since, until = _date(args.get("since") or "", "since", errors), _date(
        args.get("until") or "", "until", errors)
    page = args.get("page") or "1"
    if not (page.isascii() and page.isdigit()) or not 1 <= int(page) <= 1000:
        errors["page"] = _("页码无效")
    if errors:
        raise ValidationFailed(_("筛选条件无效"), fields=errors)
    return Filters(kind, district, since, until, state, args.get("archived") == "1", int(page))


def districts() -> list[tuple[str, str]]:
    """(code, name) of the city's districts, in the config's order."""
    return [(p.code, p.name) for p in places.picker() if p.level == "district"]


def _stations_in(district: str) -> set[str]:
    return {p.unit_code for p in places.picker()
            if p.unit_code and p.code.startswith(district)}




def listing(viewer, filters: Filters, now: datetime | None = None) -> tuple[list[Bulletin], bool]:
    """One page of notices, newest first, and whether there is a next page."""
    now = now or utcnow()
    stmt = select(Bulletin).join(Bulletin.thread)
    if filters.kind:
        stmt = stmt.where(Bulletin.kind == filters.kind)
    if filters.state:
        stmt = stmt.where(Bulletin.state == filters.state)
    stmt = stmt.where(Bulletin.expires_at <= now if filters.archived else Bulletin.expires_at > now)
    if filters.district:
        in_place = Thread.place_id.in_(select(Place.id).where(
            Place.code.startswith(filters.district)))
        at_station = Bulletin.unit_id.in_(select(Unit.id).where(
            Unit.code.in_(_stations_in(filters.district) or {""})))
        stmt = stmt.where(or_(in_place, at_station))
    if filters.since:
        stmt = stmt.where(Bulletin.happened_at >= periods.beijing_midnight(filters.since))
    if filters.until:
        end = periods.beijing_midnight(filters.until + timedelta(days=1))
        stmt = stmt.where(Bulletin.happened_at < end)
    stmt = (threads.visible_only(stmt, viewer)
            .order_by(Bulletin.created_at.desc(), Bulletin.id.desc())
            .offset((filters.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    rows = list(db.session.scalars(stmt))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def for_thread(thread: Thread) -> Bulletin | None:
    """A thread's notice fields; None for any other kind (one query only for bulletin kinds)."""
    if thread.kind not in BULLETIN_KINDS:
        return None
    return db.session.scalar(select(Bulletin).where(Bulletin.thread_id == thread.id))


def photos_shown(viewer, thread: Thread) -> bool:
    """Are a notice's photos shown to this viewer? Not once a missing person is found, except to
    the police and its author; other threads' photos are not this module's business."""
    if thread.kind not in BULLETIN_KINDS:
        return True
    return permissions.can(viewer, "bulletin.photos", for_thread(thread))


def get(viewer, bulletin_id: int) -> Bulletin:
    """A notice the viewer may read; others are 'not found', as its thread would be."""
    bulletin = db.session.get(Bulletin, bulletin_id) if 0 < bulletin_id <= MAX_ID else None
    if bulletin is None or not permissions.can(viewer, "thread.view", bulletin.thread):
        raise NotFound(_("启事不存在或您无权查看"))
    return bulletin


def messages_for(viewer, bulletin: Bulletin) -> list[BulletinMessage]:
    """The station's police read every message on it; a resident only their own."""
    stmt = select(BulletinMessage).where(BulletinMessage.bulletin_id == bulletin.id)
    if not permissions.can(viewer, "bulletin.manage", bulletin):
        if viewer.id is None:
            return []
        stmt = stmt.where(BulletinMessage.sender_id == viewer.id)
    return list(db.session.scalars(stmt.order_by(BulletinMessage.id)))


def message_for(viewer, message_id: int) -> BulletinMessage:
    message = db.session.get(BulletinMessage, message_id) if 0 < message_id <= MAX_ID else None
    if message is None or not permissions.can(viewer, "bulletin_message.view", message):
        raise NotFound(_("私信不存在或您无权查看"))
    return message


def station_messages(officer, unanswered_only: bool = False,
                     limit: int = 50) -> list[BulletinMessage]:
    """The work list's 认领/线索 section: messages to the officer's station (leaders and admins:
    every station), unanswered first, then newest."""
    stmt = select(BulletinMessage).join(BulletinMessage.bulletin)
    if officer.role not in (Role.LEADER, Role.ADMIN):
        if officer.unit_id is None:
            return []
        stmt = stmt.where(Bulletin.unit_id == officer.unit_id)
    if unanswered_only:
        stmt = stmt.where(BulletinMessage.answered_at.is_(None))
    stmt = stmt.order_by(BulletinMessage.answered_at.is_not(None),
                         BulletinMessage.id.desc()).limit(limit)
    return list(db.session.scalars(stmt))


def desk_counts(officer) -> tuple[int, int]:
    """(unanswered messages, appeals awaiting approval) for the work list's section, in one
    statement: the work list page has a query budget (tests/test_query_counts.py)."""
    waiting = select(func.count()).select_from(BulletinMessage).join(BulletinMessage.bulletin) \
        .where(BulletinMessage.answered_at.is_(None))
    pending = select(func.count()).select_from(Bulletin).join(Bulletin.thread).where(
        Bulletin.approved_at.is_(None), Thread.hidden.is_(True),
        Thread.hidden_reason == HELD_REASON, Bulletin.state == BulletinState.SEARCHING)
    if officer.role not in (Role.LEADER, Role.ADMIN):
        waiting = waiting.where(Bulletin.unit_id == officer.unit_id)
        pending = pending.where(Bulletin.unit_id == officer.unit_id)
    row = db.session.execute(select(waiting.scalar_subquery(), pending.scalar_subquery())).one()
    return int(row[0] or 0), int(row[1] or 0)


def pending_appeals(officer) -> list[Bulletin]:
    """Residents' appeals held for the officer's station to approve (leaders: all)."""
    stmt = select(Bulletin).join(Bulletin.thread).where(
        Bulletin.approved_at.is_(None), Thread.hidden.is_(True),
        Thread.hidden_reason == HELD_REASON,
        Bulletin.state == BulletinState.SEARCHING)
    if officer.role not in (Role.LEADER, Role.ADMIN):
        stmt = stmt.where(Bulletin.unit_id == officer.unit_id)
    return list(db.session.scalars(stmt.order_by(Bulletin.id)))


def kind_choices() -> list[tuple[str, str]]:
    return [(k, kinds.label(k)) for k in BULLETIN_KINDS]


def state_choices() -> list[tuple[str, str]]:
    return [(s.value, s.label) for s in BulletinState]

"""Lost-and-found and missing-person notices (issue 21): publish, approve, answer privately,
follow up, pin on every board, close. The only code that changes a Bulletin.

A notice is a thread of its kind (posting.submit_thread adds the Bulletin row in the thread's own
transaction), so photos, search, the timeline and the page cache come with it. A resident's
missing-person appeal is held like a word-list hit (hidden, a HELD review item) until the
station's police approve it. Closing as found takes a missing person's photos off public view.

An appeal pinned on every board also goes out as an alert (预警, board/services/alerts.py),
after the pin is committed; a failing alert never undoes the pin.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask_babel import gettext as _

from board import live, permissions, text
from board.errors import Conflict, NotAuthenticated, ValidationFailed
from board.extensions import db
from board.models import (
    AlertLevel,
    AlertTarget,
    Board,
    Bulletin,
    BulletinMessage,
    BulletinState,
    NoticeKind,
    Report,
    ReportKind,
    ReportStatus,
    Role,
    Thread,
    ThreadEvent,
    Unit,
    UnitKind,
    User,
    kinds,
    utcnow,
)
from board.models.bulletin import BULLETIN_KINDS, HELD_REASON, LOST_FOUND, MISSING_PERSON
from board.notices import outbox
from board.queries import places
from board.services import alerts, audit, idempotency, moderation_reports, notifications, posting

log = logging.getLogger(__name__)

DEFAULT_DAYS = {LOST_FOUND: 30, MISSING_PERSON: 90}
MAX_DAYS = 365
MAX_PIN_HOURS = 24 * 14
CLOSING = {  # the states a notice may be closed into, per kind
    LOST_FOUND: (BulletinState.CLAIMED, BulletinState.FOUND, BulletinState.WITHDRAWN),
    MISSING_PERSON: (BulletinState.FOUND, BulletinState.WITHDRAWN),
}
MESSAGE_MAX = 1000

def board_for(kind: str) -> Board | None:
    """The board that takes this kind (boards_config.yaml): the first in order."""
    for board in db.session.scalars(db.select(Board).order_by(Board.position)):
        if board.allows_kind(kind):
            return board
    return None


def stations() -> list[Unit]:
    """The units that hold found property and handle missing persons: the police stations."""
    return list(db.session.scalars(db.select(Unit).where(Unit.kind == UnitKind.STATION)
                                   .order_by(Unit.id)))


def _station(author, unit_code: str, place: str) -> Unit | None:
    """The station named, else the one whose 辖区 holds the place, else the officer's own."""
    code = unit_code
    if not code and place:
        info = next((p for p in places.picker() if p.code == place), None)
        code = info.unit_code if info else ""
    if code:
        unit = db.session.scalar(db.select(Unit).where(Unit.code == code))
        return unit if unit is not None and unit.kind == UnitKind.STATION else None
    unit = getattr(author, "unit", None)
    return unit if getattr(author, "is_police", False) and unit is not None else None


def _validate(kind, spot, happened_at, days, unit, now) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in BULLETIN_KINDS:
        errors["kind"] = _("请选择失物招领或寻人")
    if not 2 <= len(spot) <= 100:
        errors["spot"] = _("请填写地点(2–100 字)")
    if happened_at is None:
        errors["happened_at"] = _("请填写时间")
    elif happened_at > now + timedelta(minutes=5):
        errors["happened_at"] = _("时间不能晚于现在")
    elif happened_at < now - timedelta(days=3650):
        errors["happened_at"] = _("时间太早了,请检查")
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = _("有效期需为 1–%(n)s 天", n=MAX_DAYS)
    if unit is None:
        errors["unit"] = _("请选择负责的派出所")
    return errors


def publish(author, kind: str, title: str, body: str, spot: str, happened_at: datetime | None,
            unit_code: str = "", place: str = "", days: int | None = None,
            key: str | None = None) -> idempotency.Submission:
    """A station posts found property or an appeal; a resident posts a lost item or an appeal.

    A resident's missing-person appeal is held (hidden, in the review queue) until the station's
    police approve it: an appeal naming a person must not go public on anyone's word alone."""
    if not getattr(author, "is_authenticated", False):
        raise NotAuthenticated()
    now = utcnow()
    spot = text.clean_line(spot)
    days = DEFAULT_DAYS.get(kind, 30) if days is None else days
    unit = _station(author, (unit_code or "").strip(), (place or "").strip())
    errors = _validate(kind, spot, happened_at, days, unit, now)
    board = board_for(kind) if "kind" not in errors else None
    if "kind" not in errors and board is None:
        errors["kind"] = _("没有接受%(kind)s的版块", kind=kinds.label(kind))
    if errors:
        raise ValidationFailed(fields=errors)
    held = kind == MISSING_PERSON and not author.is_police

    def own_row(thread: Thread) -> None:
        db.session.add(Bulletin(thread=thread, kind=kind, unit=unit, spot=spot,
                                happened_at=happened_at, expires_at=now + timedelta(days=days),
                                created_at=now))
        if held and not thread.hidden:
            thread.hidden, thread.hidden_reason = True, HELD_REASON
            db.session.add(Report(kind=ReportKind.HELD, thread=thread, reason="appeal"))

    return posting.submit_thread(author, board, kind, title, body, location=spot, key=key,
                                 place=place or None, own_row=own_row)


def approve(officer, bulletin: Bulletin) -> Bulletin:
    """The station's police publish a resident's appeal held for review."""
    permissions.require(officer, "bulletin.approve", bulletin)
    thread = bulletin.thread
    if not thread.hidden or bulletin.approved_at is not None:
        return bulletin
    now = utcnow()
    bulletin.approved_by_id, bulletin.approved_at = officer.id, now
    # As an approved word-list hold (moderation_reports.unhide), by the station's police rather
    # than the board's moderators: the held item closes, the thread counts and is announced.
    for item in db.session.scalars(db.select(Report).where(
            Report.thread_id == thread.id, Report.post_id.is_(None),
            Report.status == ReportStatus.OPEN)):
        item.status, item.resolved_by_id, item.resolved_at = ReportStatus.KEPT, officer.id, now
    thread.hidden, thread.hidden_reason = False, None
    moderation_reports.count_delta(thread, None, +1)
    outbox.record(NoticeKind.RELEASED, thread, actor=officer, subject_id=thread.author_id)
    audit.record(officer, "bulletin.approve", "thread", thread.id, {"hidden": True},
                 {"hidden": False})
    db.session.commit()
    try:
        live.thread_created(thread)
    except Exception:  # best effort, the approval is committed
        log.exception("bulletins: announcing an approved appeal failed")
    return bulletin


def close(user, bulletin: Bulletin, state: str, note: str = "") -> Bulletin:
    """寻找中 → 已找到 / 已认领 / 已撤销, once. A found person's photos leave public view and the
    appeal leaves every board's top."""
    action = "bulletin.withdraw" if state == BulletinState.WITHDRAWN else "bulletin.manage"
    permissions.require(user, action, bulletin)
    if state not in CLOSING.get(bulletin.kind, ()):
        raise ValidationFailed(fields={"state": _("这条启事不能改为该状态")})
    if not bulletin.is_open:
        raise Conflict(_("这条启事已是「%(state)s」", state=bulletin.state_label))
    note = text.clean_line(note)[:200]
    now, was_everywhere = utcnow(), bulletin.is_pinned_everywhere()
    before = audit.snapshot(bulletin, "state", "photos_public", "pinned_until")
    bulletin.state, bulletin.closed_by_id, bulletin.closed_at = state, user.id, now
    bulletin.close_note = note or None
    bulletin.pinned_until = None
    if bulletin.kind == MISSING_PERSON and state == BulletinState.FOUND:
        bulletin.photos_public = False  # kept for the police, off public view
    thread = bulletin.thread
    thread.pinned, thread.pinned_at = False, None
    label = BulletinState(state).label
    db.session.add(ThreadEvent(thread_id=thread.id, kind="bulletin", created_at=now,
                               public_text=label + (f"({note})" if note else ""),
                               actor_id=user.id))
    audit.record(user, "bulletin.close", "thread", thread.id, before,
                 audit.snapshot(bulletin, "state", "photos_public", "pinned_until"))
    if was_everywhere:
        _bump_every_board()
    db.session.commit()
    _announce(thread)
    return bulletin


def pin_everywhere(officer, bulletin: Bulletin, hours: int) -> Bulletin:
    """A missing-person appeal atop every board for `hours`, then pushed as an alert (hooks)."""
    permissions.require(officer, "bulletin.manage", bulletin)
    if bulletin.kind != MISSING_PERSON:
        raise ValidationFailed(fields={"hours": _("只有寻人启事可以全站置顶")})
    if not 1 <= hours <= MAX_PIN_HOURS:
        raise ValidationFailed(fields={"hours": _("置顶时长需为 1–%(n)s 小时", n=MAX_PIN_HOURS)})
    if not bulletin.is_open or not bulletin.thread.is_public:
        raise Conflict(_("只有已公开、寻找中的启事可以全站置顶"))
    now = utcnow()
    before = audit.snapshot(bulletin, "pinned_until")
    bulletin.pinned_until = now + timedelta(hours=hours)
    bulletin.thread.pinned, bulletin.thread.pinned_at = True, now
    audit.record(officer, "bulletin.pin", "thread", bulletin.thread_id, before,
                 audit.snapshot(bulletin, "pinned_until"))
    _bump_every_board()
    db.session.commit()
    _announce(bulletin.thread)
    _push_as_alert(officer, bulletin, hours)
    return bulletin


def _push_as_alert(officer, bulletin: Bulletin, hours: int) -> None:
    """An appeal pinned on every board also goes out as a 警示 alert (预警) to everyone, for as
    long as the pin: the banner, the bell, and off the page for those who opted in. An admin may
    pin but publishes no alerts (permissions.py), so then only the pin happens. The pin is
    committed already; a failing alert is logged and leaves it in place."""
    if not permissions.can(officer, "alert.publish"):
        return
    try:
        alerts.publish_alert(
            officer, title=_("寻人启事:%(title)s", title=bulletin.thread.title)[:alerts.TITLE_MAX],
            text=_("%(spot)s。见到此人请在本站「失物招领 · 寻人启事」页私信派出所,或拨打110。",
                   spot=bulletin.spot)[:alerts.TEXT_MAX],
            level=AlertLevel.WARNING, target=AlertTarget.ALL, hours=hours)
    except Exception:
        db.session.rollback()
        log.exception("bulletins: pushing the pinned appeal as an alert failed")


def send_message(user, bulletin: Bulletin, body: str) -> BulletinMessage:
    """「这是我的」/「我见过此人」: to the station's police only, never shown on the notice."""
    if not getattr(user, "is_authenticated", False):
        raise NotAuthenticated()
    permissions.require(user, "bulletin.message", bulletin)
    body = text.clean_body(body)
    if not 2 <= len(body) <= MESSAGE_MAX:
        raise ValidationFailed(fields={"body": _("请写下 2–%(n)s 字的说明", n=MESSAGE_MAX)})
    message = BulletinMessage(bulletin=bulletin, sender_id=user.id, body=body,
                              created_at=utcnow())
    db.session.add(message)
    db.session.commit()
    officers = db.session.scalars(db.select(User).where(
        User.unit_id == bulletin.unit_id, User.role == Role.OFFICER, User.disabled.is_(False)))
    notifications.notify_staff(list(officers), bulletin.thread, user, reason="bulletin_message")
    return message


def answer_message(officer, message: BulletinMessage, body: str) -> BulletinMessage:
    """The station's private follow-up to the sender (how to come and identify the item...)."""
    permissions.require(officer, "bulletin.manage", message.bulletin)
    body = text.clean_body(body)
    if not 2 <= len(body) <= MESSAGE_MAX:
        raise ValidationFailed(fields={"answer": _("请写下 2–%(n)s 字的回复", n=MESSAGE_MAX)})
    message.answer, message.answered_by_id, message.answered_at = body, officer.id, utcnow()
    db.session.commit()
    return message


def unpin_expired(now: datetime | None = None) -> int:
    """Appeals whose time atop every board is over leave their own board's top too (`flask
    bulletins expire`); every list already stops showing them at the moment itself."""
    now = now or utcnow()
    rows = list(db.session.scalars(db.select(Bulletin).where(Bulletin.pinned_until <= now)))
    for bulletin in rows:
        bulletin.pinned_until = None
        bulletin.thread.pinned, bulletin.thread.pinned_at = False, None
    if rows:
        _bump_every_board()
        db.session.commit()
    return len(rows)


def _bump_every_board() -> None:
    """A pin on every board changes every board page: every cached one must go."""
    db.session.execute(db.update(Board).values(version=Board.version + 1))


def _announce(thread: Thread) -> None:
    try:
        live.thread_updated(thread)
    except Exception:  # best effort, the change is committed
        log.exception("bulletins: announcing a change failed")

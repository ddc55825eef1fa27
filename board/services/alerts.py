"""预警 (issue 21): publish and withdraw a unit's alert; readers mark it seen and acknowledge it
(「我知道了」); residents follow a board or a district to receive its alerts.

Publishing writes one row (and the audit entry) and wakes the notice worker: the fan-out to
its readers — receipts, bell entries, SMS and e-mail — is board/services/alert_delivery.py's,
so an alert to a million residents costs the officer's request the same as one to ten.
`publish_alert` is the entry point for other features too (a missing-person notice pushed as
an alert).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from board import permissions, request_ids
from board.errors import Conflict, ValidationFailed
from board.extensions import db
from board.inputs import parse_int, usable_text
from board.models import (
    Alert,
    AlertLevel,
    AlertReceipt,
    AlertTarget,
    Board,
    BoardFollow,
    Place,
    PlaceFollow,
    PlaceLevel,
    utcnow,
)
from board.notices import outbox
from board.services import audit
from board.text import clean_body, clean_line

TITLE_MAX, TEXT_MAX = 40, 500
MAX_HOURS = 24 * 30  # shown at most a month
DEFAULT_HOURS = 24


def _clean(value, limit: int, field: str, name: str, errors: dict) -> str:
    """Plain text (escaped wherever it is shown, never rendered as Markdown)."""
    if value is not None and not usable_text(value):
        errors[field] = _("%(name)s含有无法保存的字符", name=name)
        return ""
    text = (clean_line if field == "title" else clean_body)(value or "")
    if not text:
        errors[field] = _("请填写%(name)s", name=name)
    elif len(text) > limit:
        errors[field] = _("%(name)s最多 %(n)s 个字", name=name, n=limit)
    return text


def _boards(values: Iterable, errors: dict) -> list[Board]:
    slugs = [v.slug if isinstance(v, Board) else v for v in values or ()]
    slugs = [v for v in slugs if usable_text(v)]
    found = list(db.session.scalars(select(Board).where(Board.slug.in_(slugs)))) if slugs else []
    if not found or len(found) != len(set(slugs)):
        errors["boards"] = _("请选择要显示预警的版块")
    return found


def _district(value, errors: dict) -> Place | None:
    code = value.code if isinstance(value, Place) else value
    place = db.session.scalar(select(Place).where(
        Place.code == code, Place.active.is_(True), Place.level == PlaceLevel.DISTRICT)
    ) if usable_text(code) else None
    if place is None:
        errors["district"] = _("请选择一个辖区(区)")
    return place


def publish_alert(author, *, title: str, text: str, level: str, target: str,
                  boards: Iterable = (), district=None, hours: int | None = DEFAULT_HOURS,
                  starts_at: datetime | None = None) -> Alert:
    """Publish an alert of the author's unit; shown from `starts_at` (now) for `hours`.

    `boards`: slugs or Board rows (target "boards"); `district`: a district's code or Place
    (target "district"). Raises ValidationFailed with Chinese field messages."""
    permissions.require(author, "alert.publish")
    errors: dict[str, str] = {}
    title = _clean(title, TITLE_MAX, "title", _("标题"), errors)
    text = _clean(text, TEXT_MAX, "text", _("内容"), errors)
    if not isinstance(level, str) or level not in set(AlertLevel):
        errors["level"] = _("请选择预警级别")
    if not isinstance(target, str) or target not in set(AlertTarget):
        errors["target"] = _("请选择发给谁")
    chosen = _boards(boards, errors) if target == AlertTarget.BOARDS else []
    place = _district(district, errors) if target == AlertTarget.DISTRICT else None
    hours = parse_int(DEFAULT_HOURS if hours is None else hours, 1, MAX_HOURS)
    if hours is None:
        errors["hours"] = _("显示时长须在 1 到 %(n)s 小时之间", n=MAX_HOURS)
    now = utcnow()
    if starts_at is not None and (starts_at.tzinfo is None or starts_at > now + timedelta(days=30)):
        errors["starts_at"] = _("开始时间无效")
    if errors:
        raise ValidationFailed(fields=errors)
    start = max(starts_at or now, now - timedelta(minutes=1))
    alert = Alert(unit_id=author.unit_id, author_id=author.id, title=title, text=text,
                  level=level, target=target, place=place, boards=chosen, starts_at=start,
                  ends_at=start + timedelta(hours=hours), created_at=now,
                  request_id=request_ids.current())
    db.session.add(alert)
    db.session.flush()
    audit.record(author, "alert.publish", "alert", alert.id, after=audit.snapshot(
        alert, "title", "level", "target", "starts_at", "ends_at") | {
        "boards": [b.slug for b in chosen], "district": place.code if place else None})
    outbox.nudge()
    db.session.commit()
    return alert


def withdraw_alert(user, alert: Alert) -> Alert:
    """Take it down: the banner goes, notices not sent yet are not sent."""
    permissions.require(user, "alert.manage", alert)
    if alert.withdrawn_at is not None:
        raise Conflict(_("该预警已撤回"))
    alert.withdrawn_at, alert.withdrawn_by_id = utcnow(), user.id
    audit.record(user, "alert.withdraw", "alert", alert.id,
                 before={"withdrawn_at": None},
                 after={"withdrawn_at": alert.withdrawn_at.isoformat()})
    db.session.commit()
    return alert


def _receipt(user_id: int, alert_id: int) -> AlertReceipt:
    row = db.session.get(AlertReceipt, (alert_id, user_id))
    if row is None:
        row = AlertReceipt(alert_id=alert_id, user_id=user_id)
        db.session.add(row)
    return row


def _commit_or_retry(apply) -> None:
    """Two tabs at once may both insert the receipt: the loser applies its change again."""
    apply()
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        apply()
        db.session.commit()


def mark_seen(user, alerts: Iterable[Alert]) -> int:
    """The banners these alerts were shown to a signed-in reader; returns how many were new."""
    alerts = [a for a in alerts if a.withdrawn_at is None]
    if not alerts:
        return 0
    now, new = utcnow(), []

    def apply() -> None:
        new.clear()
        for alert in alerts:
            row = _receipt(user.id, alert.id)
            if row.seen_at is None:
                row.seen_at = now
                new.append(alert.id)

    _commit_or_retry(apply)
    return len(new)


def acknowledge(user, alert: Alert) -> AlertReceipt:
    """「我知道了」: the banner stays away for this reader; counted for the unit."""
    permissions.require(user, "alert.acknowledge", alert)
    now = utcnow()

    def apply() -> None:
        row = _receipt(user.id, alert.id)
        row.seen_at = row.seen_at or now
        row.acknowledged_at = row.acknowledged_at or now

    _commit_or_retry(apply)
    return db.session.get(AlertReceipt, (alert.id, user.id))


# --- following a board or a district for its alerts ------------------------------------------


def follow_board(user, board: Board, on: bool = True) -> bool:
    permissions.require(user, "alert.follow")
    row = db.session.get(BoardFollow, (user.id, board.id))
    if on and row is None:
        db.session.add(BoardFollow(user_id=user.id, board_id=board.id, created_at=utcnow()))
    elif not on and row is not None:
        db.session.delete(row)
    try:
        db.session.commit()
    except IntegrityError:  # followed from another tab meanwhile
        db.session.rollback()
    return on


def set_districts(user, codes: Iterable[str]) -> list[Place]:
    """The districts whose alerts reach me (where I live or work): exactly these, from now."""
    permissions.require(user, "alert.follow")
    codes = list(codes or ())
    if not all(usable_text(c) for c in codes):
        raise ValidationFailed(fields={"districts": _("请选择列表中的辖区")})
    codes = set(codes)
    places = list(db.session.scalars(select(Place).where(
        Place.code.in_(codes), Place.level == PlaceLevel.DISTRICT, Place.active.is_(True))))
    if len(places) != len(codes):
        raise ValidationFailed(fields={"districts": _("请选择列表中的辖区")})
    wanted = {p.id for p in places}
    current = {r.place_id: r for r in db.session.scalars(
        select(PlaceFollow).where(PlaceFollow.user_id == user.id))}
    for place_id, row in current.items():
        if place_id not in wanted:
            db.session.delete(row)
    for place_id in wanted - set(current):
        db.session.add(PlaceFollow(user_id=user.id, place_id=place_id, created_at=utcnow()))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    return places

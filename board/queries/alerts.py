"""Reading alerts (预警, issue 21): the banners a reader should see now, a unit's alerts with
their counts (targeted / seen / acknowledged), and what a resident follows for alerts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, or_, select

from board import permissions
from board.errors import NotFound
from board.extensions import db
from board.models import (
    Alert,
    AlertReceipt,
    AlertTarget,
    Board,
    BoardFollow,
    Place,
    PlaceFollow,
    PlaceLevel,
    Role,
    utcnow,
)
from board.models.alert import alert_board

BANNERS_MAX = 5
LEVEL_ORDER = case({"urgent": 0, "warning": 1}, value=Alert.level, else_=2)


@dataclass(frozen=True)
class Counts:
    targeted: int = 0  # reached at fan-out (followers, residents, everyone)
    seen: int = 0  # shown the banner or the page, signed in
    acknowledged: int = 0  # tapped 「我知道了」


def alert_for(alert_id: int) -> Alert:
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(_("预警不存在"))
    return alert


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "id", None))


def active_for(user, board: Board | None = None, now: datetime | None = None) -> list[Alert]:
    """The alerts to show this reader now, most urgent first: everyone's; those of `board` (the
    board page being read); and, signed in, those of the boards and districts they follow —
    minus the ones they acknowledged."""
    now = now or utcnow()
    wanted = [Alert.target == AlertTarget.ALL]
    board_ids = select(alert_board.c.alert_id)
    if board is not None:
        wanted.append(Alert.id.in_(board_ids.where(alert_board.c.board_id == board.id)))
    if _signed_in(user):
        mine = select(BoardFollow.board_id).where(BoardFollow.user_id == user.id)
        wanted.append(Alert.id.in_(board_ids.where(alert_board.c.board_id.in_(mine))))
        places = select(PlaceFollow.place_id).where(PlaceFollow.user_id == user.id)
        wanted.append(and_(Alert.target == AlertTarget.DISTRICT, Alert.place_id.in_(places)))
    stmt = (select(Alert).where(Alert.withdrawn_at.is_(None), Alert.starts_at <= now,
                                Alert.ends_at > now, or_(*wanted))
            .order_by(LEVEL_ORDER, Alert.id.desc()).limit(BANNERS_MAX))
    if _signed_in(user):
        stmt = stmt.where(~exists().where(AlertReceipt.alert_id == Alert.id,
                                          AlertReceipt.user_id == user.id,
                                          AlertReceipt.acknowledged_at.is_not(None)))
    return list(db.session.scalars(stmt))


def acknowledged(user, alert: Alert) -> bool:
    if not _signed_in(user):
        return False
    row = db.session.get(AlertReceipt, (alert.id, user.id))
    return bool(row and row.acknowledged_at)


def counts(alert_ids: list[int]) -> dict[int, Counts]:
    """Per alert, three counts in one grouped query."""
    if not alert_ids:
        return {}
    rows = db.session.execute(
        select(AlertReceipt.alert_id, func.count(AlertReceipt.delivered_at),
               func.count(AlertReceipt.seen_at), func.count(AlertReceipt.acknowledged_at))
        .where(AlertReceipt.alert_id.in_(alert_ids)).group_by(AlertReceipt.alert_id))
    found = {row[0]: Counts(row[1], row[2], row[3]) for row in rows}
    return {i: found.get(i, Counts()) for i in alert_ids}


def for_manager(user, limit: int = 50) -> list[tuple[Alert, Counts]]:
    """The alerts page for police: leaders see every unit's, officers their own unit's."""
    permissions.require(user, "alert.manage")
    stmt = select(Alert).order_by(Alert.id.desc()).limit(limit)
    if user.role != Role.LEADER:
        stmt = stmt.where(Alert.unit_id == user.unit_id)
    alerts = list(db.session.scalars(stmt))
    found = counts([a.id for a in alerts])
    return [(a, found[a.id]) for a in alerts]


def districts() -> list[Place]:
    """The districts a resident may follow (or an officer may target), in the config's order."""
    return list(db.session.scalars(select(Place).where(
        Place.level == PlaceLevel.DISTRICT, Place.active.is_(True))
        .order_by(Place.position, Place.id)))


def followed_district_codes(user) -> set[str]:
    if not _signed_in(user):
        return set()
    return set(db.session.scalars(select(Place.code).join(
        PlaceFollow, PlaceFollow.place_id == Place.id).where(PlaceFollow.user_id == user.id)))


def followed_boards(user) -> list[Board]:
    if not _signed_in(user):
        return []
    return list(db.session.scalars(select(Board).join(
        BoardFollow, BoardFollow.board_id == Board.id).where(BoardFollow.user_id == user.id)
        .order_by(Board.position)))


def follows_board(user, board: Board) -> bool:
    return _signed_in(user) and db.session.get(BoardFollow, (user.id, board.id)) is not None

"""API: alerts (预警, issue 21) — the banners for me now, publish and withdraw, 「我知道了」, the
unit's counts, and following a board or a district for its alerts."""
from __future__ import annotations

from datetime import datetime

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from board import permissions
from board.api.base import bp, json_body, require_user
from board.errors import NotFound, ValidationFailed
from board.extensions import db
from board.inputs import parse_ids, usable_text
from board.models import Alert, Board
from board.queries import alerts as alert_queries
from board.serializers import iso
from board.services import alerts


def alert_to_dict(alert: Alert, counts: alert_queries.Counts | None = None) -> dict:
    data = {
        "id": alert.id, "title": alert.title, "text": alert.text,
        "level": alert.level, "level_label": alert.level_label,
        "target": alert.target, "target_label": alert.target_label,
        "boards": [b.slug for b in alert.boards],
        "district": alert.place.code if alert.place else None,
        "unit": alert.unit.name, "starts_at": iso(alert.starts_at), "ends_at": iso(alert.ends_at),
        "withdrawn": alert.withdrawn_at is not None, "url": f"/alerts/{alert.id}",
    }
    if counts is not None:
        data["counts"] = {"targeted": counts.targeted, "seen": counts.seen,
                          "acknowledged": counts.acknowledged}
    return data


def _board(slug: str | None) -> Board | None:
    if not slug:
        return None
    board = (db.session.scalar(db.select(Board).where(Board.slug == slug))
             if usable_text(slug) else None)
    if board is None:
        raise NotFound(_("版块不存在"))
    return board


@bp.get("/alerts/active")
def active_alerts():
    """The banners for this reader now (`?board=slug`: on that board's page too)."""
    found = alert_queries.active_for(current_user, _board(request.args.get("board")))
    return {"alerts": [alert_to_dict(a) for a in found]}


@bp.post("/alerts/seen")
def alerts_seen():
    """{"ids": [...]}: the banners shown to me (the unit's 「已看到」 count)."""
    user = require_user()
    ids = parse_ids(json_body().get("ids"), limit=20)
    shown = [a for a in (db.session.get(Alert, i) for i in ids) if a is not None]
    return {"seen": alerts.mark_seen(user, shown)}


@bp.post("/alerts/<int:alert_id>/acknowledge")
def acknowledge_alert(alert_id: int):
    user = require_user()
    alerts.acknowledge(user, alert_queries.alert_for(alert_id))
    return {"acknowledged": True}


def _starts_at(raw) -> datetime | None:
    if raw is None or raw == "":
        return None
    try:
        if not isinstance(raw, str):
            raise ValueError(raw)
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(fields={"starts_at": _("开始时间格式无效")}) from None


@bp.post("/alerts")
def publish_alert():
    """{"title", "text", "level": notice|warning|urgent, "target": all|boards|district,
    "boards": [slug], "district": code, "hours": 24, "starts_at": ISO 8601 (optional)}."""
    user = require_user()
    data = json_body()
    boards = data.get("boards") or []
    if not isinstance(boards, list):
        raise ValidationFailed(fields={"boards": _("必须是版块标识的列表")})
    alert = alerts.publish_alert(
        user, title=data.get("title"), text=data.get("text"), level=data.get("level"),
        target=data.get("target"), boards=boards,
        district=data.get("district"), hours=data.get("hours", alerts.DEFAULT_HOURS),
        starts_at=_starts_at(data.get("starts_at")))
    return alert_to_dict(alert), 201


@bp.get("/alerts")
def my_unit_alerts():
    """The police's alerts page: leaders see all units', officers their own, with counts."""
    user = require_user()
    return {"alerts": [alert_to_dict(a, c) for a, c in alert_queries.for_manager(user)]}


@bp.get("/alerts/<int:alert_id>/stats")
def alert_stats(alert_id: int):
    user = require_user()
    alert = alert_queries.alert_for(alert_id)
    permissions.require(user, "alert.manage", alert)
    return alert_to_dict(alert, alert_queries.counts([alert.id])[alert.id])


@bp.post("/alerts/<int:alert_id>/withdraw")
def withdraw_alert(alert_id: int):
    user = require_user()
    return alert_to_dict(alerts.withdraw_alert(user, alert_queries.alert_for(alert_id)))


@bp.get("/me/alert-follows")
def my_alert_follows():
    user = require_user()
    return {"boards": [b.slug for b in alert_queries.followed_boards(user)],
            "districts": sorted(alert_queries.followed_district_codes(user))}


@bp.put("/me/alert-follows/districts")
def set_my_districts():
    """{"districts": [code, ...]}: exactly these districts' alerts reach me."""
    user = require_user()
    codes = json_body().get("districts")
    if not isinstance(codes, list):
        raise ValidationFailed(fields={"districts": _("必须是辖区代码的列表")})
    places = alerts.set_districts(user, codes)
    return {"districts": sorted(p.code for p in places)}


@bp.post("/boards/<slug>/alert-follow")
def follow_board_alerts(slug: str):
    user = require_user()
    return {"following": alerts.follow_board(user, _board(slug), on=True)}


@bp.delete("/boards/<slug>/alert-follow")
def unfollow_board_alerts(slug: str):
    user = require_user()
    return {"following": alerts.follow_board(user, _board(slug), on=False)}

"""API: lost-and-found and missing-person notices (issue 21) under /api/v1/bulletins: list and
filter, publish, the private claim / sighting messages, and the station's follow-up."""
from __future__ import annotations

from datetime import datetime

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from board import permissions
from board.api.base import bp, json_body, require_user
from board.errors import ValidationFailed
from board.queries import bulletins as notices
from board.serializers import attachment_to_dict, thread_to_dict
from board.services import attachments, idempotency
from board.services import bulletins as service


def bulletin_to_dict(bulletin, viewer) -> dict:
    def stamp(value):
        return value.isoformat() if value else None

    return {
        "id": bulletin.id, "kind": bulletin.kind, "state": bulletin.state,
        "state_label": bulletin.state_label, "spot": bulletin.spot,
        "happened_at": stamp(bulletin.happened_at), "expires_at": stamp(bulletin.expires_at),
        "archived": bulletin.is_archived(),
        "pinned_everywhere_until": stamp(bulletin.pinned_until
                                         if bulletin.is_pinned_everywhere() else None),
        "unit": {"code": bulletin.unit.code, "name": bulletin.unit.name},
        "approved": bulletin.thread.is_public, "closed_at": stamp(bulletin.closed_at),
        "close_note": bulletin.close_note, "photos_public": bulletin.photos_public,
        "thread": thread_to_dict(bulletin.thread, viewer),
    }


def message_to_dict(message) -> dict:
    return {"id": message.id, "bulletin_id": message.bulletin_id, "body": message.body,
            "sender": message.sender.display_name, "created_at": message.created_at.isoformat(),
            "answer": message.answer,
            "answered_at": message.answered_at.isoformat() if message.answered_at else None}


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _when(raw: str) -> datetime | None:
    """ISO 8601 with an offset (2026-12-01T08:30:00+08:00); a naive time is refused."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ValidationFailed(fields={"happened_at": _("时间格式应为带时区的 ISO 8601")})
    return value


@bp.get("/bulletins")
def bulletins_list():
    filters = notices.parse_filters(request.args)
    rows, more = notices.listing(current_user, filters)
    return {"bulletins": [bulletin_to_dict(b, current_user) for b in rows],
            "page": filters.page, "has_more": more}


@bp.post("/bulletins")
def bulletins_create():
    user = require_user()
    data = json_body()
    days = data.get("days")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool)):
        raise ValidationFailed(fields={"days": _("有效期应为天数(整数)")})
    thread, replayed = service.publish(
        user, _text(data, "kind"), _text(data, "title"), _text(data, "body"),
        _text(data, "spot"), _when(_text(data, "happened_at")), unit_code=_text(data, "unit"),
        place=_text(data, "place"), days=days, key=request.headers.get(idempotency.HEADER))
    bulletin = notices.for_thread(thread)
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return {"bulletin": bulletin_to_dict(bulletin, user)}, 201, headers


@bp.get("/bulletins/<int:bulletin_id>")
def bulletins_show(bulletin_id: int):
    bulletin = notices.get(current_user, bulletin_id)
    photos = (attachments.for_thread(bulletin.thread_id).get(None, [])
              if notices.photos_shown(current_user, bulletin.thread) else [])
    return {"bulletin": bulletin_to_dict(bulletin, current_user)
            | {"attachments": [attachment_to_dict(a) for a in photos]}}


@bp.get("/bulletins/<int:bulletin_id>/messages")
def bulletins_messages(bulletin_id: int):
    user = require_user()
    bulletin = notices.get(user, bulletin_id)
    return {"messages": [message_to_dict(m) for m in notices.messages_for(user, bulletin)]}


@bp.post("/bulletins/<int:bulletin_id>/messages")
def bulletins_message(bulletin_id: int):
    """「这是我的」/「我见过此人」: private, to the station's police only."""
    user = require_user()
    bulletin = notices.get(user, bulletin_id)
    message = service.send_message(user, bulletin, _text(json_body(), "body"))
    return {"message": message_to_dict(message)}, 201


@bp.post("/bulletins/messages/<int:message_id>/answer")
def bulletins_answer(message_id: int):
    user = require_user()
    message = notices.message_for(user, message_id)
    service.answer_message(user, message, _text(json_body(), "answer"))
    return {"message": message_to_dict(message)}


@bp.post("/bulletins/<int:bulletin_id>/close")
def bulletins_close(bulletin_id: int):
    user = require_user()
    bulletin = notices.get(user, bulletin_id)
    data = json_body()
    service.close(user, bulletin, _text(data, "state"), _text(data, "note"))
    return {"bulletin": bulletin_to_dict(bulletin, user)}


@bp.post("/bulletins/<int:bulletin_id>/approve")
def bulletins_approve(bulletin_id: int):
    user = require_user()
    bulletin = notices.get(user, bulletin_id)
    service.approve(user, bulletin)
    return {"bulletin": bulletin_to_dict(bulletin, user)}


@bp.post("/bulletins/<int:bulletin_id>/pin")
def bulletins_pin(bulletin_id: int):
    user = require_user()
    bulletin = notices.get(user, bulletin_id)
    hours = json_body().get("hours")
    if not isinstance(hours, int) or isinstance(hours, bool):
        raise ValidationFailed(fields={"hours": _("置顶时长应为小时数(整数)")})
    service.pin_everywhere(user, bulletin, hours)
    return {"bulletin": bulletin_to_dict(bulletin, user)}


@bp.get("/bulletins/station/messages")
def bulletins_station_messages():
    """The station's work list of claims and sightings, unanswered first."""
    user = require_user()
    permissions.require(user, "inbox.view")
    return {"messages": [message_to_dict(m) | {"bulletin": m.bulletin.id}
                         for m in notices.station_messages(user)]}

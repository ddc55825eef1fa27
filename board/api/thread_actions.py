"""API thread actions: pin, lock, escalate, dispatch, status, supervise, rate; a thread's timeline
and reply templates. Wrong role → 403; an illegal status move → 409 naming the allowed ones.
Each answers with the thread as the actor now sees it."""
from __future__ import annotations

from flask_login import current_user

from board.api.base import bp, json_body, require_user
from board.queries import threads, timeline
from board.serializers import event_to_dict, iso, thread_to_dict
from board.services import escalation, moderation, replies, status, supervision


def _str(data: dict, key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _thread_payload(thread, user) -> dict:
    return {"thread": thread_to_dict(thread, user, timeline=timeline.events_for(user, thread))}


def _moderate(thread_id: int, action):
    user = require_user()
    thread = threads.thread_for(user, thread_id)
    action(user, thread)
    return _thread_payload(thread, user)


@bp.post("/threads/<int:thread_id>/pin")
def pin(thread_id: int):
    return _moderate(thread_id, moderation.pin)


@bp.post("/threads/<int:thread_id>/unpin")
def unpin(thread_id: int):
    return _moderate(thread_id, moderation.unpin)


@bp.post("/threads/<int:thread_id>/lock")
def lock(thread_id: int):
    return _moderate(thread_id, moderation.lock)


@bp.post("/threads/<int:thread_id>/unlock")
def unlock(thread_id: int):
    return _moderate(thread_id, moderation.unlock)


@bp.post("/threads/<int:thread_id>/escalate")
def escalate(thread_id: int):
    user = require_user()
    thread = threads.thread_for(user, thread_id)
    data = json_body()
    escalation.escalate(user, thread, _str(data, "reason"), _str(data, "urgency") or "normal")
    return _thread_payload(thread, user)


@bp.post("/threads/<int:thread_id>/dispatch")
def dispatch(thread_id: int):
    user = require_user()
    thread = threads.thread_for(user, thread_id)
    data = json_body()
    row = escalation.dispatch(user, thread, _str(data, "unit"), _str(data, "note"))
    return _thread_payload(thread, user) | {"incident_no": row.incident_no}


@bp.post("/threads/<int:thread_id>/status")
def set_status(thread_id: int):
    user = require_user()
    thread = threads.thread_for(user, thread_id)
    data = json_body()
    status.change(user, thread, _str(data, "status"), _str(data, "note"),
                  internal=data.get("internal") is True)
    return _thread_payload(thread, user)


@bp.post("/threads/<int:thread_id>/supervise")
def supervise(thread_id: int):
    user = require_user()
    thread = threads.thread_for(user, thread_id)
    supervision.supervise(user, thread, _str(json_body(), "instruction"))
    return _thread_payload(thread, user)


@bp.post("/threads/<int:thread_id>/rate")
def rate(thread_id: int):
    user = require_user()
    thread = threads.thread_for(user, thread_id)
    data = json_body()
    rating = supervision.rate(user, thread, data.get("score"), _str(data, "comment"))
    return _thread_payload(thread, user) | {"rating": {  # the rater reads their own comment
        "score": rating.score, "comment": rating.comment,
        "created_at": iso(rating.created_at)}}, 201


@bp.get("/threads/<int:thread_id>/timeline")
def thread_timeline(thread_id: int):
    thread = threads.thread_for(current_user, thread_id)
    events = timeline.events_for(current_user, thread)
    return {"timeline": [event_to_dict(e, i, current_user) for e, i in events],
            "allowed_status": status.allowed_for(current_user, thread)}


@bp.get("/threads/<int:thread_id>/reply-templates")
def reply_templates(thread_id: int):
    user = require_user()
    thread = threads.thread_for(user, thread_id)
    return {"templates": replies.expanded_for(user, thread)}

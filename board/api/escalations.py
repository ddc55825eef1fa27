"""API: pin, lock, escalate, dispatch, status, supervise, rate; the command-centre queue; the
dashboard. Wrong role → 403; an illegal status move → 409 naming the allowed ones."""
from __future__ import annotations

from flask import Response, request
from flask_login import current_user

from board import queries, queue, timeline
from board.api.base import bp, json_body, require_user
from board.serializers import event_to_dict, iso, thread_to_dict, user_to_dict
from board.services import audit, dashboard, escalation, moderation, replies, status, supervision


def _str(data: dict, key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _thread_payload(thread, user) -> dict:
    return {"thread": thread_to_dict(thread, user, timeline=timeline.events_for(user, thread))}


def _moderate(thread_id: int, action):
    user = require_user()
    thread = queries.thread_for(user, thread_id)
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
    thread = queries.thread_for(user, thread_id)
    data = json_body()
    escalation.escalate(user, thread, _str(data, "reason"), _str(data, "urgency") or "normal")
    return _thread_payload(thread, user)


@bp.post("/threads/<int:thread_id>/dispatch")
def dispatch(thread_id: int):
    user = require_user()
    thread = queries.thread_for(user, thread_id)
    data = json_body()
    row = escalation.dispatch(user, thread, _str(data, "unit"), _str(data, "note"))
    return _thread_payload(thread, user) | {"incident_no": row.incident_no}


@bp.post("/threads/<int:thread_id>/status")
def set_status(thread_id: int):
    user = require_user()
    thread = queries.thread_for(user, thread_id)
    data = json_body()
    status.change(user, thread, _str(data, "status"), _str(data, "note"),
                  internal=data.get("internal") is True)
    return _thread_payload(thread, user)


@bp.post("/threads/<int:thread_id>/supervise")
def supervise(thread_id: int):
    user = require_user()
    thread = queries.thread_for(user, thread_id)
    supervision.supervise(user, thread, _str(json_body(), "instruction"))
    return _thread_payload(thread, user)


@bp.post("/threads/<int:thread_id>/rate")
def rate(thread_id: int):
    user = require_user()
    thread = queries.thread_for(user, thread_id)
    data = json_body()
    rating = supervision.rate(user, thread, data.get("score"), _str(data, "comment"))
    return _thread_payload(thread, user) | {"rating": {
        "score": rating.score, "comment": rating.comment, "created_at": iso(rating.created_at)}}, 201


@bp.get("/threads/<int:thread_id>/timeline")
def thread_timeline(thread_id: int):
    thread = queries.thread_for(current_user, thread_id)
    return {"timeline": [event_to_dict(e, i) for e, i in timeline.events_for(current_user, thread)],
            "allowed_status": status.allowed_for(current_user, thread)}


@bp.get("/threads/<int:thread_id>/reply-templates")
def reply_templates(thread_id: int):
    user = require_user()
    thread = queries.thread_for(user, thread_id)
    return {"templates": replies.expanded_for(user, thread)}


@bp.get("/command-centre/queue")
def command_queue():
    user = require_user()
    q = queue.command_queue(user)

    def row(thread):
        esc = q.reasons.get(thread.id)
        return thread_to_dict(thread, user) | {
            "escalated_at": iso(thread.escalated_at),
            "reason": esc.reason if esc else None,
            "escalated_by": user_to_dict(esc.escalated_by) if esc else None}

    return {"waiting": [row(t) for t in q.waiting],
            "in_progress": [row(t) for t in q.in_progress],
            "urgent_posts": [thread_to_dict(t, user) for t in q.urgent_posts],
            "units": [{"code": u.code, "name": u.name, "kind": u.kind}
                      for u in queue.dispatch_units()]}


@bp.get("/dashboard")
def dashboard_figures():
    user = require_user()
    data = dashboard.figures(user, dashboard.parse_days(request.args.get("days")))
    if request.args.get("format") == "csv":
        return Response(dashboard.to_csv(data), mimetype="text/csv; charset=utf-8")
    return data


@bp.get("/audit")
def audit_log():
    user = require_user()
    before = request.args.get("before", type=int)
    rows, next_before = audit.entries(user, before_id=before,
                                      action=request.args.get("action") or None)
    return {"entries": [{
        "id": e.id, "action": e.action, "action_label": audit.ACTION_LABELS.get(e.action, e.action),
        "target_type": e.target_type, "target_id": e.target_id,
        "actor": user_to_dict(e.actor) if e.actor else None,
        "before": e.before, "after": e.after, "created_at": iso(e.created_at)} for e in rows],
        "next_before": next_before}

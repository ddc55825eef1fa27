"""API for leaders: the dashboard's figures for a period (JSON, or `?format=csv` / `xlsx`) and the
audit log, one keyset page at a time. Both read through board/queries (leader.py, audit_log.py),
like the pages."""
from __future__ import annotations

from flask import Response, request

from board import dashboard_csv
from board.api.base import bp, require_user
from board.inputs import parse_id
from board.queries import leader
from board.queries.audit_log import audit_entries
from board.serializers import iso, user_to_dict
from board.services.audit import ACTION_LABELS


@bp.get("/dashboard")
def dashboard_figures():
    user = require_user()
    data = leader.figures(user, period=leader.parse_period(request.args))
    if request.args.get("format") == "csv":
        return Response(dashboard_csv.to_csv(data), mimetype="text/csv; charset=utf-8")
    if request.args.get("format") == "xlsx":
        return Response(dashboard_csv.to_xlsx(data), mimetype=dashboard_csv.XLSX)
    return data


@bp.get("/audit")
def audit_log():
    user = require_user()
    before = parse_id(request.args.get("before"))
    rows, next_before = audit_entries(user, before_id=before,
                                      action=request.args.get("action") or None)
    return {"entries": [{
        "id": e.id, "action": e.action, "action_label": ACTION_LABELS.get(e.action, e.action),
        "target_type": e.target_type, "target_id": e.target_id,
        "actor": user_to_dict(e.actor) if e.actor else None,
        "before": e.before, "after": e.after, "created_at": iso(e.created_at)} for e in rows],
        "next_before": next_before}

"""API for leaders: the dashboard's figures for a period (JSON, or `?format=csv` / `xlsx`) and the
audit log, one keyset page at a time. Both read through board/queries (leader.py, audit_log.py),
like the pages."""
from __future__ import annotations

from flask import Response, request

from board import dashboard_csv
from board.api.base import bp, require_user
from board.inputs import parse_id
from board.queries import leader
from board.queries.audit_log import Filters, audit_entries, present
from board.serializers import iso, user_to_dict


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
    """One keyset page of the log; filters person, action, thread, start, end (Beijing dates);
    each entry with its raw before/after and as staff read it (`action_label`, `changes`)."""
    user = require_user()
    filters = Filters.from_args(request.args, parse_id)
    rows, next_before = audit_entries(user, before_id=parse_id(request.args.get("before")),
                                      filters=filters)
    return {"entries": [{
        "id": r.entry.id, "action": r.entry.action, "action_label": r.action,
        "target_type": r.entry.target_type, "target_id": r.entry.target_id,
        "target_label": r.target,
        "actor": user_to_dict(r.entry.actor) if r.entry.actor else None,
        "before": r.entry.before, "after": r.entry.after,
        "changes": [{"field": c.label, "before": c.before, "after": c.after} for c in r.changes],
        "created_at": iso(r.entry.created_at)} for r in present(rows)],
        "next_before": next_before}

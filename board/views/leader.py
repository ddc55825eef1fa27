"""Leaders: the dashboard (server-rendered SVG charts, every number a link), CSV, the threads
behind a number, and the audit log."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from board import permissions
from board.dashboard_csv import to_csv
from board.inputs import parse_id, parse_int
from board.queries import audit_log, drilldown, leader
from board.services.audit import ACTION_LABELS

bp = Blueprint("leader", __name__, url_prefix="/leader")
BOUNDED = (("days", 3660), ("rated", 5))  # a period of up to ten years; a star rating


@bp.before_request
@login_required
def _signed_in():
    return None


@bp.get("/")
def dashboard_page():
    data = leader.figures(current_user, leader.parse_days(request.args.get("days")))
    return render_template("leader/dashboard.html", d=data, periods=leader.PERIODS)


@bp.get("/dashboard.csv")
def dashboard_csv():
    days = leader.parse_days(request.args.get("days"))
    data = leader.figures(current_user, days)
    return Response(to_csv(data), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=dashboard-{days}d.csv"})


@bp.get("/threads")
def threads_behind():
    args = {k: request.args.get(k) for k in drilldown.FILTERS if request.args.get(k)}
    for name, high in BOUNDED:  # numbers the query uses as numbers: valid ones only
        if name in args and parse_int(args[name], 1, high) is None:
            del args[name]
    threads = drilldown.threads_behind(current_user, args)
    return render_template("leader/threads.html", threads=threads, filters=args)


@bp.get("/audit")
def audit_page():
    permissions.require(current_user, "audit.view")
    rows, next_before = audit_log.audit_entries(
        current_user, before_id=parse_id(request.args.get("before")),
        action=request.args.get("action") or None)
    return render_template("leader/audit.html", rows=rows, next_before=next_before,
                           labels=ACTION_LABELS, action=request.args.get("action") or "")

"""Leaders: the dashboard for any period (server-rendered SVG charts, every number a link), its
CSV and Excel exports, the threads and ratings behind a number, and the audit log."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import current_user, login_required

from board import charts, periods, permissions
from board.dashboard_csv import XLSX, audit_csv_lines, to_csv, to_xlsx
from board.errors import ValidationFailed
from board.inputs import parse_id, parse_int
from board.models import utcnow
from board.queries import audit_log, drilldown, leader
from board.services.audit import ACTION_LABELS
from board.web.templating import duration

bp = Blueprint("leader", __name__, url_prefix="/leader")
BOUNDED = (("days", 3660), ("rated", 5))  # a period of up to ten years; a star rating


@bp.before_request
@login_required
def _signed_in():
    return None


def _period(now):
    """The asked period, or 近7天 with the reason when the dates cannot be read."""
    try:
        return leader.parse_period(request.args, now), None
    except ValidationFailed as exc:
        return periods.preset("7d", now), next(iter(exc.fields.values()), exc.message)


@bp.get("/")
def dashboard_page():
    now = utcnow()
    period, error = _period(now)
    data = leader.figures(current_user, now=now, period=period)
    return render_template(
        "leader/dashboard.html", d=data, period=period, error=error,
        presets=periods.PRESETS, here=periods.query_args(period),
        span={"start": period.first.isoformat(), "end": period.last.isoformat()},
        typed={"start": request.args.get("start", ""), "end": request.args.get("end", "")},
        charts=charts.trend_charts(data["trend"]["buckets"], duration)), 400 if error else 200


def _export_name(period, ext: str) -> str:
    return f"dashboard-{period.first:%Y%m%d}-{period.last:%Y%m%d}.{ext}"


@bp.get("/dashboard.csv")
def dashboard_csv():
    period = leader.parse_period(request.args)
    data = leader.figures(current_user, period=period)
    return Response(to_csv(data), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename={_export_name(period, 'csv')}"})


@bp.get("/dashboard.xlsx")
def dashboard_xlsx():
    period = leader.parse_period(request.args)
    data = leader.figures(current_user, period=period)
    return Response(to_xlsx(data), mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename={_export_name(period, 'xlsx')}"})


@bp.get("/threads")
def threads_behind():
    args = {k: request.args.get(k) for k in drilldown.FILTERS if request.args.get(k)}
    for name, high in BOUNDED:  # numbers the query uses as numbers: valid ones only
        if name in args and parse_int(args[name], 1, high) is None:
            del args[name]
    threads = drilldown.threads_behind(current_user, args)
    back = {k: args[k] for k in ("start", "end") if k in args}
    return render_template("leader/threads.html", threads=threads, filters=args,
                           title=drilldown.describe(args), back=back)


@bp.get("/ratings")
def ratings_behind():
    """The ratings and comments behind a unit's or an officer's satisfaction."""
    period = leader.parse_period(request.args)
    officer = parse_id(request.args.get("officer"))
    unit = request.args.get("unit") or None
    score = parse_int(request.args.get("score"), 1, 5)
    rows = leader.ratings_behind(current_user, period, unit=unit, officer=officer, score=score)
    return render_template("leader/ratings.html", rows=rows, period=period, unit=unit,
                           officer=officer, here=periods.query_args(period))


@bp.get("/audit")
def audit_page():
    permissions.require(current_user, "audit.view")
    filters = audit_log.Filters.from_args(request.args, parse_id)
    rows, next_before = audit_log.audit_entries(
        current_user, before_id=parse_id(request.args.get("before")), filters=filters)
    return render_template("leader/audit.html", rows=audit_log.present(rows),
                           next_before=next_before, labels=ACTION_LABELS, filters=filters,
                           here=filters.as_args())


@bp.get("/audit.csv")
def audit_csv():
    """The log as the filters choose it, every page, in Beijing time and staff's words."""
    permissions.require(current_user, "audit.view")
    filters = audit_log.Filters.from_args(request.args, parse_id)
    batches = audit_log.export_entries(current_user._get_current_object(), filters)
    return Response(stream_with_context(audit_csv_lines(batches)),
                    mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=audit-log.csv"})

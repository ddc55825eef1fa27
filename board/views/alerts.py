"""Pages of 预警 (issue 21): the police's alerts page (publish, withdraw, who read it), one
alert's own page (where the bell and text messages link), and a resident's choice of the
districts and boards whose alerts reach them. The banners themselves are drawn by
static/js/alerts.js from /api/v1/alerts/active, so cached anonymous pages show new ones too."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from board import permissions
from board.errors import ServiceError
from board.models import AlertLevel, AlertTarget
from board.queries import alerts as alert_queries
from board.queries import threads
from board.services import alerts
from board.web.templating import user_words

bp = Blueprint("alerts", __name__)

HOURS = (6, 24, 72, 168)


def _form_values() -> dict:
    form = request.form
    return {"title": form.get("title", ""), "text": form.get("text", ""),
            "level": form.get("level", ""), "target": form.get("target", ""),
            "boards": form.getlist("boards"), "district": form.get("district", ""),
            "hours": form.get("hours", str(alerts.DEFAULT_HOURS))}


@bp.route("/alerts/manage", methods=["GET", "POST"])
@login_required
def manage():
    permissions.require(current_user, "alert.manage")
    errors, values = {}, {"level": AlertLevel.WARNING, "target": AlertTarget.DISTRICT,
                          "hours": str(alerts.DEFAULT_HOURS), "boards": []}
    if request.method == "POST":
        values = _form_values()
        try:
            alert = alerts.publish_alert(current_user, **values)
            flash(user_words(_("预警已发布:%(title)s", title=alert.title), alert.title), "success")
            return redirect(url_for("alerts.manage"))
        except ServiceError as exc:
            errors = exc.fields
            flash(exc.message, "error")
    return render_template("alerts/manage.html", rows=alert_queries.for_manager(current_user),
                           values=values, errors=errors, levels=list(AlertLevel),
                           targets=list(AlertTarget), boards=threads.boards(),
                           districts=alert_queries.districts(), hours=HOURS), \
        (400 if errors else 200)


@bp.post("/alerts/<int:alert_id>/withdraw")
@login_required
def withdraw(alert_id: int):
    try:
        alerts.withdraw_alert(current_user, alert_queries.alert_for(alert_id))
        flash(_("预警已撤回"), "success")
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
    return redirect(url_for("alerts.manage"))


@bp.get("/alerts/<int:alert_id>")
def show(alert_id: int):
    alert = alert_queries.alert_for(alert_id)
    if current_user.is_authenticated and alert.withdrawn_at is None:
        alerts.mark_seen(current_user, [alert])
    return render_template("alerts/detail.html", alert=alert,
                           acknowledged=alert_queries.acknowledged(current_user, alert))


@bp.post("/alerts/<int:alert_id>/acknowledge")
@login_required
def acknowledge(alert_id: int):
    alerts.acknowledge(current_user, alert_queries.alert_for(alert_id))
    flash(_("已确认收到此预警"), "success")
    return redirect(url_for("alerts.show", alert_id=alert_id))


@bp.route("/me/alert-follows", methods=["GET", "POST"])
@login_required
def follows():
    """The districts whose alerts reach me (where I live or work), and the boards I follow."""
    errors = {}
    if request.method == "POST":
        try:
            alerts.set_districts(current_user, request.form.getlist("districts"))
            flash(_("预警订阅已保存"), "success")
            return redirect(url_for("alerts.follows"))
        except ServiceError as exc:
            errors = exc.fields
            flash(exc.message, "error")
    return render_template("alerts/follows.html", districts=alert_queries.districts(),
                           chosen=alert_queries.followed_district_codes(current_user),
                           boards=alert_queries.followed_boards(current_user), errors=errors), \
        (400 if errors else 200)


@bp.post("/b/<slug>/alert-follow")
@login_required
def follow_board(slug: str):
    """「订阅本版预警」 on a board's page, and its undo (here and on the follows page)."""
    board = threads.board_by_slug(slug)
    on = request.form.get("action") != "unfollow"
    alerts.follow_board(current_user, board, on=on)
    flash(_("已订阅本版预警") if on else _("已取消订阅本版预警"), "success")
    back = request.form.get("next")
    return redirect(url_for("alerts.follows") if back == "follows"
                    else url_for("main.board", slug=slug))

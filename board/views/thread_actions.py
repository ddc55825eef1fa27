"""Thread-page actions for police and the asker: pin, lock, escalate, dispatch, status, supervise,
rate; the live timeline fragment; a unit's reply templates. Thin: load, call one service,
redirect."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from board import permissions
from board.errors import ServiceError
from board.i18n import N_, translate
from board.inputs import parse_id
from board.models import workflow
from board.queries import command_queue, threads, timeline
from board.services import escalation, moderation, replies, status, supervision
from board.views.helpers import safe_next

# Registered under its old name: templates and redirects say url_for("moderation.escalate") etc.,
# and renaming the blueprint would rename every endpoint.
bp = Blueprint("moderation", __name__)

DONE = {
    "pin": N_("已置顶"), "unpin": N_("已取消置顶"), "lock": N_("已锁定,不能再回复"),
    "unlock": N_("已解锁"), "escalate": N_("已转交110指挥中心"), "status": N_("状态已更新"),
    "supervise": N_("已督办"), "rate": N_("感谢您的评价!"),
}


def _back(thread_id: int):
    return redirect(safe_next(url_for("threads.show", thread_id=thread_id)))


def _run(thread_id: int, name: str, call):
    thread = threads.thread_for(current_user, thread_id)
    try:
        result = call(thread)
    except ServiceError as exc:
        details = ";".join(exc.fields.values())
        flash(f"{exc.message}{(':' + details) if details else ''}", "error")
    else:
        message = translate(DONE.get(name))
        if name == "dispatch":
            message = _("已派警:%(unit)s,警情编号 %(no)s", unit=thread.dispatched_unit.name,
                        no=result.incident_no)
        flash(message, "success")
    return _back(thread_id)


@bp.post("/t/<int:thread_id>/<any(pin, unpin, lock, unlock):action>")
@login_required
def moderate(thread_id: int, action: str):
    return _run(thread_id, action, lambda t: getattr(moderation, action)(current_user, t))


@bp.post("/t/<int:thread_id>/escalate")
@login_required
def escalate(thread_id: int):
    form = request.form
    return _run(thread_id, "escalate", lambda t: escalation.escalate(
        current_user, t, form.get("reason", ""), form.get("urgency", "normal")))


@bp.post("/t/<int:thread_id>/dispatch")
@login_required
def dispatch(thread_id: int):
    form = request.form
    return _run(thread_id, "dispatch", lambda t: escalation.dispatch(
        current_user, t, form.get("unit", ""), form.get("note", "")))


@bp.post("/t/<int:thread_id>/status")
@login_required
def set_status(thread_id: int):
    form = request.form
    return _run(thread_id, "status", lambda t: status.change(
        current_user, t, form.get("status", ""), form.get("note", ""),
        internal=form.get("internal") == "1"))


@bp.post("/t/<int:thread_id>/supervise")
@login_required
def supervise(thread_id: int):
    return _run(thread_id, "supervise", lambda t: supervision.supervise(
        current_user, t, request.form.get("instruction", "")))


@bp.post("/t/<int:thread_id>/rate")
@login_required
def rate(thread_id: int):
    form = request.form
    return _run(thread_id, "rate", lambda t: supervision.rate(
        current_user, t, form.get("score"), form.get("comment", "")))


@bp.get("/t/<int:thread_id>/timeline")
def timeline_fragment(thread_id: int):
    """The timeline section alone, for the live refresh (static/js/timeline.js)."""
    thread = threads.thread_for(current_user, thread_id)
    return (render_template("threads/_timeline.html", thread=thread, fragment=True)
            + render_template("threads/_rating.html", thread=thread))


@bp.route("/me/reply-templates", methods=["GET", "POST"])
@login_required
def reply_templates():
    permissions.require(current_user, "reply_template.manage")
    if request.method == "POST":
        try:
            if request.form.get("delete"):
                replies.delete(current_user, parse_id(request.form["delete"]) or 0)
                flash(_("模板已删除"), "success")
            else:
                replies.create(current_user, request.form.get("title", ""),
                               request.form.get("body", ""))
                flash(_("模板已保存"), "success")
        except ServiceError as exc:
            flash(getattr(exc, "message", "操作失败") + ";".join(
                getattr(exc, "fields", {}).values()), "error")
        return redirect(url_for("moderation.reply_templates"))
    return render_template("command/reply_templates.html",
                           templates=replies.for_user(current_user),
                           placeholders=replies.PLACEHOLDERS)


def thread_panel(thread):
    """Jinja: what this viewer sees and may do on the thread page's partials (registered in
    board/views/jinja.py); three partials, one set of queries per thread."""
    cache = g.setdefault("thread_panels", {})
    if thread.id not in cache:
        cache[thread.id] = _panel(thread)
    return cache[thread.id]

def _panel(thread):
    user = current_user
    police = permissions.can(user, "thread.internal_notes", thread)
    return {
        "events": timeline.events_for(user, thread),
        "statuses": status.allowed_for(user, thread),
        "can_escalate": bool(status.allowed_for(user, thread, via="escalate"))
        and permissions.can(user, "thread.escalate", thread),
        "can_dispatch": bool(status.allowed_for(user, thread, via="dispatch")),
        "units": command_queue.dispatch_units() if permissions.can(user, "thread.dispatch", thread)
        else [],
        "templates": replies.expanded_for(user, thread) if police else [],
        "rating": supervision.rating_for(thread),
        "rateable": thread.status in workflow.RATEABLE
        and permissions.can(user, "thread.rate", thread),
        "supervisable": thread.status in workflow.SUPERVISABLE
        and permissions.can(user, "thread.supervise", thread),
        "police": police,
    }

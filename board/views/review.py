"""Report a post (举报此帖), the officers' review queue, hide/unhide with a reason.

The queue's 停用作者账号 button posts to the admin blueprint's one suspension route.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from board import permissions
from board.errors import ServiceError
from board.extensions import db
from board.forms import ConfirmForm
from board.inputs import parse_id
from board.models import REPORT_REASONS, Post
from board.queries import review_queue, threads
from board.services import moderation_reports

bp = Blueprint("review", __name__)


def _target(thread_id: int):
    thread = threads.thread_for(current_user, thread_id)
    raw = request.values.get("post", "")
    if not raw:
        return thread, None
    post_id = parse_id(raw)
    post = db.session.get(Post, post_id) if post_id is not None else None
    if (post is None or post.thread_id != thread.id
            or not permissions.can(current_user, "post.view", post)):
        abort(404)
    return thread, post


def _back(thread, post) -> str:
    return url_for("threads.show", thread_id=thread.id, _anchor=f"p{post.id}" if post else None)


@bp.route("/t/<int:thread_id>/report", methods=["GET", "POST"])
@login_required
def report(thread_id: int):
    thread, post = _target(thread_id)
    permissions.require(current_user, "content.report", post or thread)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            moderation_reports.report(current_user, thread, post, request.form.get("reason", ""),
                                      request.form.get("detail"))
        except ServiceError as exc:
            flash(exc.fields.get("reason") or exc.message, "error")
        else:
            flash(_("已收到您的举报,民警会尽快核实处理。谢谢!"), "success")
            return redirect(_back(thread, post))
    return render_template("review/report.html", thread=thread, post=post, form=form,
                           reasons=REPORT_REASONS)


@bp.get("/review")
@login_required
def queue():
    permissions.require(current_user, "review.view")
    return render_template("review/queue.html", items=review_queue.items(current_user),
                           form=ConfirmForm())


@bp.post("/t/<int:thread_id>/hide")
@login_required
def hide(thread_id: int):
    thread, post = _target(thread_id)
    if ConfirmForm().validate_on_submit():
        try:
            moderation_reports.hide(current_user, thread, post, request.form.get("reason", ""))
        except ServiceError as exc:
            flash(exc.fields.get("reason") or exc.message, "error")
        else:
            flash(_("已隐藏,作者可以看到原因。"), "success")
    return redirect(request.form.get("back") == "review" and url_for("review.queue")
                    or _back(thread, post))


@bp.post("/t/<int:thread_id>/unhide")
@login_required
def unhide(thread_id: int):
    thread, post = _target(thread_id)
    if ConfirmForm().validate_on_submit():
        moderation_reports.unhide(current_user, thread, post)
        flash(_("已恢复显示。"), "success")
    return redirect(request.form.get("back") == "review" and url_for("review.queue")
                    or _back(thread, post))


@bp.post("/review/<int:report_id>/keep")
@login_required
def keep(report_id: int):
    item = review_queue.get_report(report_id)
    if ConfirmForm().validate_on_submit():
        moderation_reports.keep(current_user, item)
        flash(_("已处理:内容保留/已通过审核。"), "success")
    return redirect(url_for("review.queue"))

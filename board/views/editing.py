"""The author's own thread or reply: 编辑 (within the window), 撤回, the edit history (issue 18).

The rule is board/models/editing.py + board/permissions.py; the writing, board/services/editing.py.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from board import permissions, urgency
from board.errors import Conflict, ServiceError
from board.forms import ConfirmForm, EditReplyForm, EditThreadForm
from board.models import editing as policy
from board.queries import revisions, threads
from board.services import editing
from board.views.helpers import apply_service_error

bp = Blueprint("editing", __name__)


def _back(thread, post) -> str:
    return url_for("threads.show", thread_id=thread.id, _anchor=f"p{post.id}" if post else None)


def _edit(thread, post):
    target = post or thread
    try:  # not theirs: 403; the window closed: why (30 minutes, an officer answered) on the page
        editing.check_editable(current_user, thread, post)
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(_back(thread, post))
    form = EditReplyForm(obj=post) if post else EditThreadForm(obj=thread)
    if form.validate_on_submit():
        try:
            done = editing.edit(current_user, thread, post, form.body.data,
                                *(() if post else (form.title.data, form.location.data)))
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            if done.held:
                flash(_("修改后的内容含敏感词,民警审核后才会公开"), "error")
            elif done.changed:
                flash(_("已保存修改"), "success")
            if done.urgent:
                flash(_(urgency.CALL_110), "error")
            return redirect(_back(thread, post))
    status = 400 if form.errors else 200
    return render_template("threads/edit.html", thread=thread, post=post, form=form,
                           deadline=policy.edit_deadline(target)), status


@bp.route("/t/<int:thread_id>/edit", methods=["GET", "POST"])
@login_required
def edit_thread(thread_id: int):
    return _edit(threads.thread_for(current_user, thread_id), None)


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    post = threads.post_for(current_user, post_id)
    return _edit(post.thread, post)


def _withdraw(thread, post):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            editing.withdraw(current_user, thread, post)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash(_("已撤回。其他人只会看到「作者已撤回」"), "success")
    return redirect(_back(thread, post))


@bp.post("/t/<int:thread_id>/withdraw")
@login_required
def withdraw_thread(thread_id: int):
    return _withdraw(threads.thread_for(current_user, thread_id), None)


@bp.post("/p/<int:post_id>/withdraw")
@login_required
def withdraw_post(post_id: int):
    post = threads.post_for(current_user, post_id)
    return _withdraw(post.thread, post)


def _history(thread, post):
    target = post or thread
    permissions.require(current_user, "content.history", target)
    return render_template("threads/history.html", thread=thread, post=post, target=target,
                           versions=revisions.history(thread, post))


@bp.get("/t/<int:thread_id>/history")
@login_required
def thread_history(thread_id: int):
    return _history(threads.thread_for(current_user, thread_id), None)


@bp.get("/p/<int:post_id>/history")
@login_required
def post_history(post_id: int):
    post = threads.post_for(current_user, post_id)
    return _history(post.thread, post)

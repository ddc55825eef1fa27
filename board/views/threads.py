"""New thread, thread page, reply."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from board import queries
from board.forms import ReplyForm, ThreadForm
from board.services import ServiceError, posting
from board.views import apply_service_error

bp = Blueprint("threads", __name__)


@bp.route("/b/<slug>/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    board = queries.board_by_slug(slug)
    form = ThreadForm()
    form.set_kinds(board, current_user)
    if form.validate_on_submit():
        try:
            thread = posting.create_thread(current_user, board, form.kind.data, form.title.data,
                                           form.body.data, form.location.data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            return redirect(url_for("threads.show", thread_id=thread.id))
    status = 400 if form.errors else 200
    return render_template("threads/new.html", board=board, form=form), status


@bp.get("/t/<int:thread_id>")
def show(thread_id: int):
    thread = queries.thread_for(current_user, thread_id)
    return render_template("threads/show.html", thread=thread,
                           posts=queries.thread_posts(thread, current_user), form=ReplyForm())


@bp.post("/t/<int:thread_id>/reply")
@login_required
def reply(thread_id: int):
    thread = queries.thread_for(current_user, thread_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            post = posting.reply(current_user, thread, form.body.data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            return redirect(url_for("threads.show", thread_id=thread.id, _anchor=f"p{post.id}"))
    return render_template("threads/show.html", thread=thread,
                           posts=queries.thread_posts(thread, current_user), form=form), 400

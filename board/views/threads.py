"""New thread, thread page, reply."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from board import urgency
from board.errors import ServiceError
from board.forms import ReplyForm, ThreadForm, new_submission_key
from board.queries import places, threads
from board.services import attachments, following, posting
from board.share import card
from board.views.helpers import apply_service_error
from board.views.photos import attachments_of
from board.web import headers, http, page_cache, page_stamps, ratelimits

bp = Blueprint("threads", __name__)


@bp.route("/b/<slug>/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    board = threads.board_by_slug(slug)
    form = ThreadForm()
    form.set_kinds(board, current_user)
    if form.validate_on_submit():
        try:
            thread, replayed = posting.submit_thread(
                current_user, board, form.kind.data, form.title.data, form.body.data,
                form.location.data, "police_only" if form.police_only.data else "public",
                key=form.idempotency_key.data, place=form.place.data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            if not replayed:  # a double tap: the first submission stored the thread and photos
                _attach_photos(thread, None)
            if thread.urgent:  # issue 5: reads like an emergency → call 110 now, one tap
                flash(Markup('{} <a class="btn-call" href="{}">{}</a>').format(
                    escape(_(urgency.CALL_110)), urgency.CALL_HREF, _("拨打 110")), "error")
            return redirect(url_for("threads.show", thread_id=thread.id))
    status = 400 if form.errors else 200
    _fresh_key(form)
    response = make_response(render_template(
        "threads/new.html", board=board, form=form, place_choices=places.form_choices()), status)
    return headers.allow_geolocation(response)  # the place picker's 「使用我的位置」


@ratelimits.keeps_form("threads.new")
def _new_refused(reason: str):
    """The day's limit refused the thread: the same form, everything typed kept, and why."""
    board = threads.board_by_slug(request.view_args["slug"])
    form = ThreadForm()
    form.set_kinds(board, current_user)
    _fresh_key(form)
    return render_template("threads/new.html", board=board, form=form, refused=reason)


@ratelimits.keeps_form("threads.reply")
def _reply_refused(reason: str):
    thread = threads.thread_for(current_user, request.view_args["thread_id"])
    form = ReplyForm()
    _fresh_key(form)
    return render_template("threads/show.html", thread=thread, refused=reason,
                           posts=threads.thread_posts(thread, current_user), form=form)


@bp.get("/t/<int:thread_id>")
def show(thread_id: int):
    stamp = page_stamps.thread_stamp(thread_id)  # None: no such thread, and thread_for says 404
    # A page stored for anonymous readers at this very stamp passed the same permission check
    # when it was rendered, and every write to the thread changes the stamp: a hit needs no
    # thread loaded. Anyone else is checked first, as always.
    thread = None if page_cache.stored(stamp) else threads.thread_for(current_user, thread_id)
    follow = None
    if thread is not None and current_user.is_authenticated:  # 关注/同问 (issue 17)
        follow = following.state(current_user, thread)
        stamp = (*stamp, follow.following, follow.same_question)
    unchanged = http.not_modified(http.thread_etag(stamp))
    if unchanged is not None:
        return unchanged

    def page():
        shown = thread or threads.thread_for(current_user, thread_id)  # the entry just expired
        return render_template("threads/show.html", thread=shown,
                               posts=threads.thread_posts(shown, current_user), form=ReplyForm(),
                               follow=follow,
                               card=card.link_card(shown, attachments_of(shown.id)))

    response = page_cache.serve(stamp, page)
    # After rendering: the page may have just given this reader their CSRF token.
    return http.mark(make_response(response), http.thread_etag(stamp))


@bp.post("/t/<int:thread_id>/reply")
@login_required
def reply(thread_id: int):
    thread = threads.thread_for(current_user, thread_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            post, replayed = posting.submit_reply(current_user, thread, form.body.data,
                                                  key=form.idempotency_key.data,
                                                  formal=form.formal_answer.data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            if not replayed:
                _attach_photos(thread, post)
            return redirect(url_for("threads.show", thread_id=thread.id, _anchor=f"p{post.id}"))
    _fresh_key(form)
    return render_template("threads/show.html", thread=thread,
                           posts=threads.thread_posts(thread, current_user), form=form), 400


def _fresh_key(form) -> None:
    """A form shown again after a refused submission gets a new key: nothing was stored under
    the old one, unless it was refused as a repeat with other content, and then the next tap
    must go through."""
    if request.method == "POST":
        form.idempotency_key.data = new_submission_key()


def _attach_photos(thread, post) -> None:
    """The post is already saved: a refused photo only costs that photo, with the reason shown."""
    saved, errors = attachments.attach(current_user, thread, post, request.files.getlist("images"))
    for message in errors:
        flash(_(message), "error")
    if saved:
        flash(_("已上传 %(n)s 张图片(已去除拍摄位置等信息)", n=len(saved)), "success")

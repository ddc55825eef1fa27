"""Pages of issue 17: 关注/同问 on a thread (a form that works without JavaScript), the threads I
follow, my notice settings, an officer's public card, and the admins' notice outbox."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from board import permissions
from board.errors import ServiceError
from board.i18n import N_
from board.inputs import parse_id
from board.models import NoticeState
from board.queries import following as followed
from board.queries import notice_settings as settings_query
from board.queries import notices as outbox_queries
from board.queries import officers, threads
from board.services import following, notice_settings

bp = Blueprint("following", __name__)

FOLLOW_ACTIONS = {"follow": N_("已关注,有民警答复或进展时会提醒您"),
                  "same_question": N_("已同问,有民警答复或进展时会提醒您"),
                  "unfollow": N_("已取消关注")}


@bp.post("/t/<int:thread_id>/follow")
@login_required
def follow(thread_id: int):
    """The 关注 / 同问 / 取消关注 buttons (static/js/follow.js sends them without a reload)."""
    thread = threads.thread_for(current_user, thread_id)
    action = request.form.get("action", "follow")
    if action not in FOLLOW_ACTIONS:
        action = "follow"
    try:
        if action == "unfollow":
            following.unfollow(current_user, thread)
        else:
            following.follow(current_user, thread, same_question=action == "same_question")
        flash(_(FOLLOW_ACTIONS[action]), "success")
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect(url_for("threads.show", thread_id=thread.id) + "#follow")


@bp.get("/me/following")
@login_required
def my_following():
    rows, _ = followed.for_user(current_user, limit=100)
    return render_template("following/index.html",
                           items=[(r, followed.is_unread(r)) for r in rows])


def _form_settings() -> dict:
    form = request.form
    return {"sms": form.get("sms") == "1", "email": form.get("email") == "1",
            "followed": form.get("followed") == "1",
            "email_address": form.get("email_address", ""),
            "quiet_start": form.get("quiet_start", ""), "quiet_end": form.get("quiet_end", "")}


@bp.route("/me/notification-settings", methods=["GET", "POST"])
@login_required
def settings_page():
    errors, values = {}, None
    if request.method == "POST":
        values = _form_settings()
        try:
            notice_settings.update(current_user, values)
            flash(_("提醒设置已保存"), "success")
            return redirect(url_for("following.settings_page"))
        except ServiceError as exc:
            errors = exc.fields
            flash(exc.message, "error")
    row = settings_query.for_user(current_user)
    shown = values or {name: getattr(row, name) for name in settings_query.DEFAULTS}
    return render_template("following/settings.html", values=shown, errors=errors,
                           phone_verified=current_user.phone_verified_at is not None,
                           mail_ready=bool(current_app.config.get("MAIL_SERVER"))), \
        (400 if errors else 200)


@bp.get("/officers/<int:user_id>")
def officer_card(user_id: int):
    return render_template("following/officer.html", officer=officers.public_card(user_id))


@bp.get("/admin/notices")
@login_required
def outbox_page():
    permissions.require(current_user, "notices.admin")
    state = request.args.get("state") or None
    if state not in {s.value for s in NoticeState}:
        state = None
    rows, next_before = outbox_queries.recent(state, parse_id(request.args.get("before")))
    return render_template("following/outbox.html", rows=rows, next_before=next_before,
                           state=state, counts=outbox_queries.state_counts(),
                           waiting=outbox_queries.waiting_events(), states=list(NoticeState))


@bp.post("/admin/notices/retry")
@login_required
def retry_failed():
    permissions.require(current_user, "notices.admin")
    flash(f"已将 {notice_settings.retry_failed()} 条发送失败的提醒重新排队", "success")
    return redirect(url_for("following.outbox_page"))

"""失物招领 and 寻人 pages (issue 21): the filtered list, the publish form, the poster, the private
messages between a resident and the station, and the station's follow-up (approve, close, pin).
The notice itself is its thread's page (/t/<id>), with the bulletin's panel on it."""
from __future__ import annotations

from datetime import UTC

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from board import periods, permissions
from board.bulletin_forms import (
    AnswerForm,
    ApproveForm,
    BulletinForm,
    CloseForm,
    MessageForm,
    PinForm,
)
from board.errors import ServiceError
from board.models import BulletinState
from board.models.bulletin import BULLETIN_KINDS
from board.queries import bulletins as notices
from board.queries import places
from board.services import attachments
from board.services import bulletins as service
from board.views.helpers import apply_service_error
from board.web import page_cache, page_stamps
from board.web.templating import user_words

bp = Blueprint("bulletins", __name__)


@bp.get("/bulletins")
@page_cache.anonymous_page(page_stamps.site_stamp, allowed_args=(
    "kind", "district", "state", "since", "until", "archived", "page"))
def index():
    """Every write to a notice bumps its board's version, so the site stamp keys this list; an
    expiry or a pin running out shows within the cache's short TTL."""
    try:
        filters = notices.parse_filters(request.args)
    except ServiceError as exc:
        flash(exc.message, "error")
        filters, status = notices.Filters(), 400
    else:
        status = 200
    rows, more = notices.listing(current_user, filters)
    return render_template("bulletins/index.html", rows=rows, more=more, filters=filters,
                           districts=notices.districts(), kinds=notices.kind_choices(),
                           states=notices.state_choices()), status


def _set_choices(form: BulletinForm) -> None:
    form.kind.choices = notices.kind_choices()
    named = {"data-user-text": ""}  # stations' and places' names stay as written (issue 21)
    form.unit.choices = [("", _("按所在区域确定"))] + [(u.code, u.name, named)
                                                   for u in service.stations()]
    form.place.choices = [("", _("不选"))] + [(p.code, p.label, named)
                                              for p in places.picker()]


@bp.route("/bulletins/new", methods=["GET", "POST"])
@login_required
def new():
    form = BulletinForm()
    _set_choices(form)
    if request.method == "GET":
        form.kind.data = request.args.get("kind") if request.args.get("kind") in BULLETIN_KINDS \
            else BULLETIN_KINDS[0]
        if current_user.is_police and current_user.unit:
            form.unit.data = current_user.unit.code
    if form.validate_on_submit():
        typed = form.happened_at.data  # typed as Beijing time
        happened = typed.replace(tzinfo=periods.BEIJING).astimezone(UTC)
        try:
            thread, replayed = service.publish(
                current_user, form.kind.data, form.title.data, form.body.data, form.spot.data,
                happened, unit_code=form.unit.data or "", place=form.place.data or "",
                days=form.days.data, key=form.idempotency_key.data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            if not replayed:
                saved, errors = attachments.attach(current_user, thread, None,
                                                   request.files.getlist("images"))
                for message in errors:
                    flash(message, "error")
            if thread.hidden:
                flash(_("已提交,民警审核后公开"), "success")
            else:
                flash(_("已发布"), "success")
            return redirect(url_for("threads.show", thread_id=thread.id))
    return render_template("bulletins/new.html", form=form), 400 if form.errors else 200


@bp.get("/bulletins/<int:bulletin_id>")
def show(bulletin_id: int):
    bulletin = notices.get(current_user, bulletin_id)
    return redirect(url_for("threads.show", thread_id=bulletin.thread_id))


@bp.get("/bulletins/<int:bulletin_id>/poster")
def poster(bulletin_id: int):
    """A4, printable: what, where, when, the station and the page's address."""
    bulletin = notices.get(current_user, bulletin_id)
    return render_template("bulletins/poster.html", bulletin=bulletin, thread=bulletin.thread)


@bp.route("/bulletins/<int:bulletin_id>/messages", methods=["GET", "POST"])
@login_required
def messages(bulletin_id: int):
    """The private conversation: a resident's own messages, or all of them for the station."""
    bulletin = notices.get(current_user, bulletin_id)
    form = MessageForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                service.send_message(current_user, bulletin, form.body.data)
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                flash(user_words(_("已私信%(unit)s,民警会与您联系", unit=bulletin.unit.name),
                                 bulletin.unit.name), "success")
                return redirect(url_for("bulletins.messages", bulletin_id=bulletin.id))
        status = 400
    else:
        status = 200
    rows = notices.messages_for(current_user, bulletin)
    manager = permissions.can(current_user, "bulletin.manage", bulletin)
    if not rows and not manager and not permissions.can(current_user, "bulletin.message",
                                                        bulletin):
        abort(403)
    return render_template("bulletins/messages.html", bulletin=bulletin, thread=bulletin.thread,
                           rows=rows, form=form, answer_form=AnswerForm(),
                           manager=manager), status


@bp.post("/bulletins/messages/<int:message_id>/answer")
@login_required
def answer(message_id: int):
    message = notices.message_for(current_user, message_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            service.answer_message(current_user, message, form.answer.data)
        except ServiceError as exc:
            flash(exc.fields.get("answer") or exc.message, "error")
        else:
            flash(_("已回复"), "success")
    else:
        for errors in form.errors.values():
            flash(errors[0], "error")
    return redirect(url_for("bulletins.messages", bulletin_id=message.bulletin_id))


def _act(bulletin_id: int, form, work) -> object:
    bulletin = notices.get(current_user, bulletin_id)
    if form.validate_on_submit():
        try:
            work(bulletin, form)
        except ServiceError as exc:
            flash(next(iter(exc.fields.values()), exc.message), "error")
    else:
        for errors in form.errors.values():
            flash(errors[0], "error")
    return redirect(url_for("threads.show", thread_id=bulletin.thread_id))


@bp.post("/bulletins/<int:bulletin_id>/close")
@login_required
def close(bulletin_id: int):
    form = CloseForm()
    form.state.choices = [(s.value, s.label) for s in BulletinState]

    def work(bulletin, form):
        service.close(current_user, bulletin, form.state.data, form.note.data or "")
        flash(_("启事已改为「%(state)s」", state=bulletin.state_label), "success")

    return _act(bulletin_id, form, work)


@bp.post("/bulletins/<int:bulletin_id>/approve")
@login_required
def approve(bulletin_id: int):
    def work(bulletin, _form):
        service.approve(current_user, bulletin)
        flash(_("已审核通过,启事已公开"), "success")

    return _act(bulletin_id, ApproveForm(), work)


@bp.post("/bulletins/<int:bulletin_id>/pin")
@login_required
def pin(bulletin_id: int):
    def work(bulletin, form):
        service.pin_everywhere(current_user, bulletin, form.hours.data)
        flash(_("已在所有版块置顶 %(n)s 小时", n=form.hours.data), "success")

    return _act(bulletin_id, PinForm(), work)


@bp.get("/bulletins/desk")
@login_required
def desk():
    """The station's 认领/线索 and appeals waiting for approval (also a section of /inbox)."""
    permissions.require(current_user, "inbox.view")
    return render_template("bulletins/desk.html",
                           rows=notices.station_messages(current_user),
                           pending=notices.pending_appeals(current_user))


def panel_forms() -> dict:
    """Jinja: the station's forms on a notice's page (rendered for signed-in police only)."""
    return {"close": CloseForm(), "pin": PinForm(), "approve": ApproveForm(),
            "message": MessageForm()}

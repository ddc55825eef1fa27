"""Partner agencies (协作单位, issue 21): the agency account's work list, the police's 「邀请协作
单位」 on a thread page, and the admin's agencies and their accounts. Thin: load, check, call
board/services/agencies.py, render or redirect."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from board import permissions
from board.errors import ServiceError
from board.forms import ConfirmForm
from board.inputs import parse_id
from board.models import AgencyKind
from board.queries import agencies as agency_query
from board.queries import threads
from board.services import agencies
from board.web.templating import user_words

bp = Blueprint("agency", __name__)


@bp.get("/agency")
@login_required
def worklist():
    """协作事项: the threads the account's agency was invited to."""
    permissions.require(current_user, "agency.worklist")
    return render_template("agency/worklist.html", items=agency_query.worklist(current_user),
                           agency=current_user.agency)


@bp.post("/t/<int:thread_id>/invite-agency")
@login_required
def invite(thread_id: int):
    thread = threads.thread_for(current_user, thread_id)
    permissions.require(current_user, "agency.invite", thread)  # a wrong role: 403, not a flash
    if ConfirmForm().validate_on_submit():
        try:
            invitation, new = agencies.invite(current_user, thread,
                                              parse_id(request.form.get("agency_id", "")))
        except ServiceError as exc:
            details = ";".join(exc.fields.values())
            flash(f"{exc.message}{(':' + details) if details else ''}", "error")
        else:
            badge = invitation.agency.badge
            flash(user_words(_("已邀请%(badge)s", badge=badge) if new
                             else _("%(badge)s已在邀请之列", badge=badge), badge), "success")
    return redirect(url_for("threads.show", thread_id=thread.id, _anchor="progress"))


def agency_panel(thread):
    """Jinja: the 「邀请协作单位」 box for the police who may invite (None for anyone else)."""
    if not permissions.can(current_user, "agency.invite", thread):
        return None
    invited = agency_query.invited(thread)
    taken = {a.id for a in invited}
    return {"invited": invited, "public": thread.is_public,
            "choices": [a for a in agency_query.choices() if a.id not in taken]}


# --- admin: agencies and their accounts -----------------------------------------------------


def _agencies_page(status: int = 200, **context):
    return render_template("agency/admin_list.html", agencies=agency_query.all_agencies(),
                           kinds=list(AgencyKind), confirm=ConfirmForm(),
                           form=context.pop("form", {}), **context), status


@bp.route("/admin/agencies", methods=["GET", "POST"])
@login_required
def admin_list():
    permissions.require(current_user, "agency.manage")
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        form = {k: request.form.get(k, "") for k in ("name", "kind", "contact")}
        try:
            agency = agencies.create_agency(current_user, **form)
        except ServiceError as exc:
            return _agencies_page(exc.status, form=form, errors=exc.fields, error=exc.message)
        flash(user_words(_("已登记协作单位「%(name)s」", name=agency.name), agency.name), "success")
        return redirect(url_for("agency.admin_agency", agency_id=agency.id))
    return _agencies_page()


def _agency_page(agency, status: int = 200, **context):
    return render_template("agency/admin_agency.html", agency=agency,
                           accounts=agency_query.accounts_of(agency), confirm=ConfirmForm(),
                           form=context.pop("form", {}), **context), status


@bp.route("/admin/agencies/<int:agency_id>", methods=["GET", "POST"])
@login_required
def admin_agency(agency_id: int):
    """One agency: its accounts, and a new account with a temporary password shown once."""
    permissions.require(current_user, "agency.manage")
    agency = agencies.get(agency_id)  # NotFound: the error page's 404
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        form = {k: request.form.get(k, "") for k in ("username", "nickname")}
        try:
            user, password = agencies.create_account(current_user, agency, **form)
        except ServiceError as exc:
            return _agency_page(agency, exc.status, form=form, errors=exc.fields,
                                error=exc.message)
        return _agency_page(agency, issued=password, issued_user=user)
    return _agency_page(agency)

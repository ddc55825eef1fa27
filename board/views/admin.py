"""Admin: users (create police staff, suspend and reinstate accounts), units and boards."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from board import permissions
from board.errors import ServiceError
from board.extensions import db
from board.forms import ConfirmForm, StaffForm
from board.models import Unit, User
from board.queries import threads
from board.services import accounts, boards
from board.views.helpers import apply_service_error

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def require_admin():
    permissions.require(current_user, "admin.access")


def _units() -> list[Unit]:
    return list(db.session.scalars(db.select(Unit).order_by(Unit.position)))


def _staff_form() -> StaffForm:
    form = StaffForm()
    form.unit.choices = [("", "—")] + [(u.code, u.name) for u in _units()]
    return form


def _users_page(form: StaffForm, status: int = 200, row: dict | None = None,
               issued: dict | None = None):
    """The users page; `row` re-shows one user's 停用 form as typed, with the service's error;
    `issued` shows a temporary password just issued (once, on this page, never in a cookie)."""
    all_users = db.session.scalars(db.select(User).order_by(User.role, User.id)).all()
    page = render_template("admin/users.html", form=form, users=all_users,
                           confirm=ConfirmForm(), row=row or {}, issued=issued)
    return page, status, {"Cache-Control": "no-store"}


@bp.route("/users", methods=["GET", "POST"])
def users():
    form = _staff_form()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.role.data, form.username.data, form.password.data,
                nickname=form.nickname.data, real_name=form.real_name.data,
                badge_no=form.badge_no.data, unit_code=form.unit.data, contact=form.contact.data,
                temporary_password=True)  # the owner chooses their own at first sign-in
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            flash(f"已创建账号 {user.username}({user.role_label}),"
                  f"首次登录时须修改初始密码", "success")
            return redirect(url_for("admin.users"))
    return _users_page(form, 400 if form.errors else 200)


@bp.post("/users/<int:user_id>/disable")  # the users page's first URL: kept, same handler
@bp.post("/users/<int:user_id>/suspend")  # registered first, so url_for builds this one
def suspension(user_id: int):
    """停用 with a reason, or 启用: `to` says which (without it, the button toggles as before)."""
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        abort(404)
    from_queue = request.form.get("back") == "review"
    back = url_for("review.queue") if from_queue else url_for("admin.users")
    if not ConfirmForm().validate_on_submit():
        return redirect(back)
    reason = request.form.get("reason", "")
    to = request.form.get("to") or ("reinstate" if user.disabled else "suspend")
    try:
        if to == "reinstate":
            accounts.reinstate(current_user, user)
        else:
            accounts.suspend(current_user, user, reason)
    except ServiceError as exc:
        error = exc.fields.get("reason") or exc.message
        flash(f"{user.username}:{error}", "error")
        if from_queue:
            return redirect(back)
        return _users_page(_staff_form(), exc.status,
                           {"user_id": user.id, "reason": reason, "error": error})
    flash(f"{user.username} 已{'停用' if user.disabled else '启用'}", "success")
    return redirect(back)


@bp.post("/users/<int:user_id>/temporary-password")
def temporary_password(user_id: int):
    """A new temporary password for an account (audited): shown once, on the page."""
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin.users"))
    try:
        password = accounts.issue_temporary_password(current_user, user)
    except ServiceError as exc:
        flash(f"{user.username}:{exc.message}", "error")
        return redirect(url_for("admin.users"))
    return _users_page(_staff_form(), issued={"user": user, "password": password})


@bp.get("/units")
def units():
    return render_template("admin/units.html", units=_units())


@bp.route("/boards", methods=["GET", "POST"])
def boards_page():
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            result = boards.sync(current_app.config["BOARDS_CONFIG"])
            flash(f"已同步 {result.boards} 个版块、{result.units} 个单位、"
                  f"{result.places} 个辖区地点", "success")
        except boards.BoardsConfigError as exc:
            flash(f"配置文件有误:{exc}", "error")
        return redirect(url_for("admin.boards_page"))
    return render_template("admin/boards.html", boards=threads.boards(), form=form)

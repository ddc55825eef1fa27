"""Admin: users (create police staff, disable accounts), units and boards."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from board import permissions, queries
from board.extensions import db
from board.forms import ConfirmForm, StaffForm
from board.models import Unit, User
from board.services import ServiceError, accounts, boards
from board.views import apply_service_error

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def require_admin():
    permissions.require(current_user, "admin.access")


def _units() -> list[Unit]:
    return list(db.session.scalars(db.select(Unit).order_by(Unit.position)))


@bp.route("/users", methods=["GET", "POST"])
def users():
    form = StaffForm()
    form.unit.choices = [("", "—")] + [(u.code, u.name) for u in _units()]
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.role.data, form.username.data, form.password.data,
                nickname=form.nickname.data, real_name=form.real_name.data,
                badge_no=form.badge_no.data, unit_code=form.unit.data, contact=form.contact.data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            flash(f"已创建账号 {user.username}({user.role_label})", "success")
            return redirect(url_for("admin.users"))
    all_users = db.session.scalars(db.select(User).order_by(User.role, User.id)).all()
    return render_template("admin/users.html", form=form, users=all_users,
                           confirm=ConfirmForm()), 400 if form.errors else 200


@bp.post("/users/<int:user_id>/disable")
def toggle_disabled(user_id: int):
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit() and user.id != current_user.id:
        accounts.set_disabled(user.username, not user.disabled, actor=current_user)
        flash(f"{user.username} 已{'停用' if user.disabled else '启用'}", "success")
    return redirect(url_for("admin.users"))


@bp.get("/units")
def units():
    return render_template("admin/units.html", units=_units())


@bp.route("/boards", methods=["GET", "POST"])
def boards_page():
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            result = boards.sync(current_app.config["BOARDS_CONFIG"])
            flash(f"已同步 {result.boards} 个版块、{result.units} 个单位", "success")
        except boards.BoardsConfigError as exc:
            flash(f"配置文件有误:{exc}", "error")
        return redirect(url_for("admin.boards_page"))
    return render_template("admin/boards.html", boards=queries.boards(), form=form)

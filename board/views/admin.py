"""Admin: users (create police staff, suspend and reinstate accounts), units and boards."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from board import permissions
from board.errors import ServiceError, ValidationFailed
from board.extensions import db
from board.forms import ConfirmForm, EditStaffForm, StaffForm
from board.inputs import parse_id
from board.models import PartnerKey, Role, Unit, User
from board.phones import mask_phone
from board.queries import threads
from board.queries import users as users_query
from board.services import accounts, boards, partners
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


def _users_page(form: StaffForm, status: int = 200):
    """The users page: the search and its page of accounts, and the new-account form."""
    filters = users_query.UserFilters.from_args(request.args)
    found, next_after = users_query.search(current_user, filters,
                                           after_id=parse_id(request.args.get("after")))
    return render_template("admin/users.html", form=form, users=found, filters=filters,
                           next_after=next_after, here=filters.as_args(), units=_units(),
                           roles=list(Role), states=users_query.STATES,
                           confirm=ConfirmForm()), status


@bp.route("/users", methods=["GET", "POST"])
def users():
    form = _staff_form()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.role.data, form.username.data, form.password.data,
                nickname=form.nickname.data, real_name=form.real_name.data,
                badge_no=form.badge_no.data, unit_code=form.unit.data, contact=form.contact.data,
                temporary_password=True,  # the owner chooses their own at first sign-in
                actor=current_user)
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
    from_detail = request.form.get("back") == "detail"
    if from_detail:
        back = url_for("admin.user_page", user_id=user.id)
    try:
        if from_detail and request.form.get("confirm") != "yes":
            raise ValidationFailed(fields={"confirm": "请勾选确认后再提交"})
        if to == "reinstate":
            if from_detail and not reason.strip():  # the page asks why, like a suspension
                raise ValidationFailed(fields={"reason": "请填写启用原因"})
            accounts.reinstate(current_user, user, reason or None)
        else:
            accounts.suspend(current_user, user, reason)
    except ServiceError as exc:
        error = exc.fields.get("reason") or exc.fields.get("confirm") or exc.message
        flash(f"{user.username}:{error}", "error")
        if from_queue:
            return redirect(back)
        return _user_page(user, exc.status, {"reason": reason, "error": error})
    flash(f"{user.username} 已{'停用' if user.disabled else '启用'}", "success")
    return redirect(back)


def _edit_form(user: User) -> EditStaffForm:
    form = EditStaffForm(obj=None if request.method == "POST" else user)
    form.role.choices = [(r.value, r.label) for r in Role if r != Role.CITIZEN]
    form.unit.choices = [(u.code, u.name) for u in _units()]
    if request.method != "POST":
        form.unit.data = user.unit.code if user.unit else ""
    return form


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        abort(404)
    return user


def _user_page(user: User, status: int = 200, row: dict | None = None,
               form: EditStaffForm | None = None, password: str | None = None):
    return render_template("admin/user.html", user=user, confirm=ConfirmForm(),
                           form=form or (_edit_form(user) if user.is_police else None),
                           row=row or {}, password=password,
                           phone=mask_phone(user.phone)), status


@bp.get("/users/<int:user_id>")
def user_page(user_id: int):
    """One account: its details, edit (police), password reset, 停用/启用 with confirmation."""
    return _user_page(_user(user_id))


@bp.post("/users/<int:user_id>/edit")
def user_edit(user_id: int):
    user = _user(user_id)
    form = _edit_form(user)
    if form.validate_on_submit():
        try:
            accounts.update_staff(current_user, user, role=form.role.data,
                                  real_name=form.real_name.data, badge_no=form.badge_no.data,
                                  unit_code=form.unit.data, contact=form.contact.data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            flash(f"已保存 {user.username} 的资料", "success")
            return redirect(url_for("admin.user_page", user_id=user.id))
    return _user_page(user, 400, form=form)


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    """A temporary password, shown once on this response (never in a flash or a URL)."""
    user = _user(user_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin.user_page", user_id=user.id))
    if request.form.get("confirm") != "yes":
        return _user_page(user, 400, {"password_error": "请勾选确认后再重置密码"})
    try:
        password = accounts.issue_temporary_password(current_user, user)
    except ServiceError as exc:
        return _user_page(user, exc.status, {"password_error": exc.message})
    return _user_page(user, password=password)


def _partners_page(status: int = 200, **context):
    keys = db.session.scalars(db.select(PartnerKey).order_by(PartnerKey.id.desc())).all()
    return render_template("admin/partners.html", keys=keys, confirm=ConfirmForm(),
                           **context), status


@bp.route("/partners", methods=["GET", "POST"])
def partners_page():
    """Open311 API keys for partner systems: issue (shown once), list, revoke."""
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        name = request.form.get("name", "")
        try:
            key, raw = partners.issue_key(current_user, name)
        except ServiceError as exc:
            return _partners_page(exc.status, error=exc.fields.get("name") or exc.message,
                                  name=name)
        return _partners_page(issued=raw, issued_name=key.name)
    return _partners_page()


@bp.post("/partners/<int:key_id>/revoke")
def partner_revoke(key_id: int):
    if ConfirmForm().validate_on_submit():
        try:
            key = partners.revoke_key(current_user, key_id)
            flash(f"已吊销「{key.name}」的密钥", "success")
        except ServiceError as exc:
            flash(exc.message, "error")
    return redirect(url_for("admin.partners_page"))


@bp.get("/units")
def units():
    return render_template("admin/units.html", units=_units())


@bp.route("/boards", methods=["GET", "POST"])
def boards_page():
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            result = boards.sync(current_app.config["BOARDS_CONFIG"], actor=current_user)
            flash(f"已同步 {result.boards} 个版块、{result.units} 个单位、"
                  f"{result.places} 个辖区地点", "success")
        except boards.BoardsConfigError as exc:
            flash(f"配置文件有误:{exc}", "error")
        return redirect(url_for("admin.boards_page"))
    return render_template("admin/boards.html", boards=threads.boards(), form=form)

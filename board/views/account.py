"""Accounts and personal information (issue 17): the privacy notice, 忘记密码 (by SMS),
「账号与安全」 under 我的 (password, phone, export, a temporary password's replacement) and
注销账号. Thin: each form calls one service."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from board.errors import ServiceError
from board.forms import BindPhoneForm, ChangePasswordForm, CloseAccountForm, ForgotPasswordForm
from board.phones import mask_phone
from board.privacy import notice
from board.services import account_closure, accounts, sessions
from board.views.helpers import apply_service_error, send_code, wants_code
from board.web import login as signin

bp = Blueprint("account", __name__)


@bp.get("/privacy")
def privacy():
    return render_template("account/privacy.html", notice=notice)


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if wants_code():
        send_code(form, "reset")
    elif form.validate_on_submit():
        try:
            accounts.reset_password(form.phone.data, form.code.data, form.new_password.data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            flash(_("密码已重置,其他设备上的登录已全部退出。请用新密码登录"), "success")
            return redirect(url_for("auth.login"))
    return render_template("account/forgot.html", form=form), 400 if form.errors else 200


def _security_page(password_form=None, phone_form=None, status: int = 200):
    user = current_user
    return render_template(
        "account/security.html", notice=notice,
        password_form=password_form or ChangePasswordForm(formdata=None),
        phone_form=phone_form or BindPhoneForm(formdata=None),
        masked_phone=mask_phone(user.phone), tokens=sessions.tokens_of(user)), status


@bp.get("/me/security")
@login_required
def security():
    return _security_page()


@bp.post("/me/security/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()  # the new sign-in refers to it
        remember = sessions.remembered(user.session_key)
        try:
            accounts.change_password(user, form.current_password.data, form.new_password.data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            signin.sign_in(user, remember=remember)  # this browser stays signed in, anew
            flash(_("密码已修改,其他设备上的登录和应用令牌已全部失效"), "success")
            return redirect(url_for("account.security"))
    return _security_page(password_form=form, status=400)


@bp.post("/me/security/phone")
@login_required
def bind_phone():
    form = BindPhoneForm()
    if wants_code():
        send_code(form, "bind", current_user)
        return _security_page(phone_form=form, status=400 if form.errors else 200)
    try:
        accounts.bind_phone(current_user, form.phone.data, form.code.data)
    except ServiceError as exc:
        apply_service_error(form, exc)
        return _security_page(phone_form=form, status=exc.status)
    flash(_("手机号已绑定"), "success")
    return redirect(url_for("account.security"))


@bp.route("/me/close", methods=["GET", "POST"])
@login_required
def close():
    form = CloseAccountForm()
    if form.validate_on_submit():
        try:
            account_closure.close_account(current_user, form.password.data,
                                          form.withdraw_posts.data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            logout_user()
            flash(_("您的账号已注销,个人信息已删除。感谢您对公安工作的支持"), "success")
            return redirect(url_for("main.home"))
    return render_template("account/close.html", form=form), 400 if form.errors else 200

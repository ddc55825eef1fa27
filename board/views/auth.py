"""Register (with a phone and the privacy notice, issue 17), sign in, sign out."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from board.errors import ServiceError
from board.forms import ConfirmForm, LoginForm, RegisterForm
from board.services import accounts
from board.views.helpers import apply_service_error, safe_next, send_code, wants_code
from board.web import login as signin

bp = Blueprint("auth", __name__)


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if wants_code():
        send_code(form, "register")
    elif form.validate_on_submit():
        try:
            user = accounts.register_citizen(
                form.username.data, form.password.data, form.nickname.data,
                phone=form.phone.data, code=form.code.data,
                accept_privacy=form.accept_privacy.data, consent_required=True)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            signin.sign_in(user, remember=True)
            flash(_("注册成功,欢迎您!"), "success")
            return redirect(safe_next(url_for("main.home")))
    return render_template("auth/register.html", form=form,
                           phone_required=accounts.phone_required()), \
        400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.username.data, form.password.data,
                                         signin.trusted_accounts())
        except ServiceError as exc:  # throttled: say so on the form
            apply_service_error(form, exc)
            return render_template("auth/login.html", form=form), exc.status
        if user is None:
            form.password.errors.append(_("用户名或密码错误"))
        else:
            signin.sign_in(user, remember=form.remember.data)
            signin.remember_device(user)
            # A partner agency's account works from its own list of invited threads (issue 21).
            landing = url_for("agency.worklist") if user.is_agency else url_for("main.home")
            return redirect(safe_next(landing))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    if ConfirmForm().validate_on_submit():
        signin.sign_out()  # ends the sign-in on the server, not only in this browser
    return redirect(url_for("main.home"))

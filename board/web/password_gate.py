"""A temporary password (chosen by an admin or `flask users create`) must be replaced first.

While `User.must_change_password` is set, a signed-in page request goes to 「账号与安全」's
password form, and the API answers 403 `password_change_required`, except for what changing
the password needs: that page and endpoint, who am I, signing out, the privacy notice, the
elder-mode switch and static files.
"""
from __future__ import annotations

from flask import Flask, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from board.errors import PermissionDenied
from board.i18n import N_

ALLOWED = frozenset({
    "static", "auth.logout", "account.security", "account.change_password", "account.privacy",
    "main.toggle_elder", "language.switch",
    "api.change_password", "api.me", "api.token", "api.refresh_token", "api.list_tokens",
    "api.revoke_token",
})


class PasswordChangeRequired(PermissionDenied):
    code = "password_change_required"
    message = N_("您正在使用临时密码,请先修改为您自己的密码(POST /api/v1/me/password)")


def _gate():
    if request.endpoint in ALLOWED or request.endpoint is None:
        return None
    if not getattr(current_user, "must_change_password", False):
        return None
    if request.path.startswith("/api/"):
        raise PasswordChangeRequired()
    flash(_("您正在使用临时密码,请先设置您自己的密码"), "error")
    return redirect(url_for("account.security", _anchor="password"))


def init_app(app: Flask) -> None:
    app.before_request(_gate)

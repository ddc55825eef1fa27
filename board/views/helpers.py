"""Small helpers the HTML views share: showing a service's refusal on its form, and where to go
after a form (same-site paths only)."""
from __future__ import annotations

from flask import flash, g, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from board.errors import ServiceError
from board.phones import mask_phone, normalize_phone
from board.services import sms_codes
from board.web.redirects import same_site_path


def apply_service_error(form, exc: ServiceError) -> None:
    """Show a service's refusal on the form that caused it: field messages plus a summary."""
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
    flash(exc.message, "error")


def safe_next(default: str) -> str:
    """Only same-site relative paths are followed after sign-in: no open redirects."""
    target = request.args.get("next") or request.form.get("next") or ""
    return same_site_path(target) or default


def wants_code() -> bool:
    """The form's second button, 「获取验证码」, was pressed (not the form's own submit)."""
    return request.method == "POST" and request.form.get("action") == "send_code"


def send_code(form, purpose: str, user=None) -> None:
    """「获取验证码」 on a page: the same words whatever happened (sms_codes says why)."""
    try:
        sms_codes.request_code(form.phone.data, purpose, get_remote_address(), user)
    except ServiceError as exc:
        apply_service_error(form, exc)
        return
    g.resend_after = sms_codes.RESEND_SECONDS  # the button counts down (static/js/account.js)
    number = mask_phone(normalize_phone(form.phone.data))
    flash(_("验证码已发送至 %(number)s,%(minutes)s 分钟内有效;如未收到,请 %(seconds)s 秒后再获取",
            number=number, minutes=int(sms_codes.TTL.total_seconds() // 60),
            seconds=sms_codes.RESEND_SECONDS), "success")

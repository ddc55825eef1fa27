"""Rate limits on sign-up, sign-in, threads, replies and photos (Flask-Limiter), with Chinese 429s.

Defaults follow mature forums: a brand-new account may open only a few threads on its first day,
the police answering all day are not limited on posting. Every limit is a config value
(FLASK_RATELIMIT_THREAD="5 per hour" at deploy time); storage is Redis when REDIS_URL is set
(RATELIMIT_STORAGE_URI), with an in-memory fallback so a Redis outage never stops posting.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, render_template
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user

from board.extensions import limiter
from board.models import utcnow
from board.web.errors import error_response, wants_json

DEFAULTS = {
    "RATELIMIT_SIGNUP": "5 per hour;20 per day",
    "RATELIMIT_SIGNIN": "10 per minute;60 per hour",
    "RATELIMIT_THREAD": "10 per hour;30 per day",
    "RATELIMIT_THREAD_NEW_ACCOUNT": "3 per day",
    "RATELIMIT_REPLY": "10 per minute;200 per day",
    "RATELIMIT_PHOTOS": "10 per minute;60 per hour",  # each request decodes up to 9 images
    "RATELIMIT_NEW_ACCOUNT_HOURS": 24,
}

MESSAGES = {
    "signup": "注册太频繁,请一小时后再试",
    "signin": "登录尝试太频繁,请稍后再试",
    "thread": "发帖太频繁,请稍后再试",
    "thread_new": "新注册账号第一天最多发 {n} 个帖子,请明天再来;紧急情况请拨打110",
    "reply": "回复太频繁,请稍后再试",
    "photos": "上传图片太频繁,请稍后再试",
}


def _cfg(key: str):
    return current_app.config.get(key, DEFAULTS[key])


def _user_key() -> str:
    """Signed-in writers are counted per account, everyone else per address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{get_remote_address()}"


def is_new_account(user=None) -> bool:
    user = user or current_user
    created = getattr(user, "created_at", None)
    if not getattr(user, "is_authenticated", False) or created is None:
        return False
    return utcnow() - created < timedelta(hours=int(_cfg("RATELIMIT_NEW_ACCOUNT_HOURS")))


def _thread_limit() -> str:
    return _cfg("RATELIMIT_THREAD_NEW_ACCOUNT") if is_new_account() else _cfg("RATELIMIT_THREAD")


def _thread_message() -> str:
    if is_new_account():
        amount = str(_cfg("RATELIMIT_THREAD_NEW_ACCOUNT")).split()[0]
        return MESSAGES["thread_new"].format(n=amount)
    return MESSAGES["thread"]


def _police() -> bool:
    return bool(getattr(current_user, "is_police", False))


# Created once: Flask-Limiter keys decorated limits by the view's name, so every app created in
# the same process (tests) must reuse the same objects instead of piling up duplicates.
_LIMITS = {
    # shared_limit: the page and the API endpoint of the same action count together.
    "signup": limiter.shared_limit(lambda: _cfg("RATELIMIT_SIGNUP"), "signup", methods=["POST"],
                                   key_func=get_remote_address, error_message=MESSAGES["signup"]),
    "signin": limiter.shared_limit(lambda: _cfg("RATELIMIT_SIGNIN"), "signin", methods=["POST"],
                                   key_func=get_remote_address, error_message=MESSAGES["signin"]),
    "thread": limiter.shared_limit(_thread_limit, "thread", methods=["POST"], key_func=_user_key,
                                   error_message=_thread_message, exempt_when=_police),
    "reply": limiter.shared_limit(lambda: _cfg("RATELIMIT_REPLY"), "reply", methods=["POST"],
                                  key_func=_user_key, error_message=MESSAGES["reply"],
                                  exempt_when=_police),
    # Police too: decoding photos costs the same whoever sends them.
    "photos": limiter.shared_limit(lambda: _cfg("RATELIMIT_PHOTOS"), "photos", methods=["POST"],
                                   key_func=_user_key, error_message=MESSAGES["photos"]),
}

ENDPOINTS = {
    "auth.register": "signup", "api.register": "signup",
    "auth.login": "signin", "api.token": "signin",
    # issue 17: what checks a password or a code counts as signing in
    "account.forgot_password": "signin", "api.reset_password": "signin",
    "account.change_password": "signin", "api.change_password": "signin",
    "account.close": "signin", "api.close_account": "signin",
    "threads.new": "thread", "api.create_thread": "thread",
    "threads.reply": "reply", "api.reply": "reply",
    "api.attach": "photos",
}


def too_many(exc: RateLimitExceeded):
    """429 with the limit's Chinese message: a page in the browser, the error shape in the API."""
    message = exc.description or "您的操作太频繁,请稍后再试。"
    if wants_json():
        response, status = error_response(429, message, code="rate_limited")
    else:
        page = render_template("errors/error.html", status=429, title="操作太频繁", message=message)
        response = current_app.make_response((page, 429))
        status = 429
    return response, status


def init_app(app: Flask) -> None:
    """Wrap the write endpoints (call after the blueprints are registered)."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    for endpoint, kind in ENDPOINTS.items():
        view = app.view_functions.get(endpoint)
        if view is not None and not getattr(view, "_board_rate_limited", False):
            wrapped = _LIMITS[kind](view)
            wrapped._board_rate_limited = True
            app.view_functions[endpoint] = wrapped
    app.register_error_handler(RateLimitExceeded, too_many)

"""Who is asking: the browser session (Flask-Login) or an API bearer token."""
from __future__ import annotations

from flask import Flask, after_this_request, current_app, request
from itsdangerous import BadData, URLSafeTimedSerializer

from board.extensions import db, login_manager
from board.models import Anonymous, User
from board.services.accounts import user_for_token


def load_user(user_id: str):
    """The session's user; a disabled account loses its open sessions too, not only sign-ins.

    A request that names a bearer token is identified by that token alone (issue 15, item 13):
    the session and remember-me cookies are ignored (Flask-Login asks this loader for both), so
    a junk token can never ride on a browser's session."""
    if bearer_request():
        return load_from_token(request)
    user = db.session.get(User, int(user_id))
    return user if user is not None and not user.disabled else None


def load_from_token(req):
    """`Authorization: Bearer <token>` (the API): the token's user, or nobody."""
    header = req.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return user_for_token(header[7:].strip())
    return None


def bearer_request() -> bool:
    """Does the request name a bearer token (valid or not)? Then the token alone decides."""
    return request.headers.get("Authorization", "").startswith("Bearer ")


# --- the sign-in device cookie (issue 15, item 6) ------------------------------------------------

DEVICE_COOKIE = "board_device"
DEVICE_DAYS = 365
DEVICE_ACCOUNTS = 5  # a shared family tablet: the last few accounts signed in there


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="board-sign-in-device")


def trusted_accounts() -> frozenset[int]:
    """The accounts this browser signed in to before: they may sign in while throttled."""
    return frozenset(_device_ids())


def _device_ids() -> list[int]:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        ids = _devices().loads(raw, max_age=DEVICE_DAYS * 86400)
    except BadData:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def remember_device(user: User) -> None:
    """After a successful sign-in: this browser is one of the account's own devices now."""
    ids = [user.id] + [i for i in _device_ids() if i != user.id][:DEVICE_ACCOUNTS - 1]

    @after_this_request
    def set_cookie(response):
        response.set_cookie(DEVICE_COOKIE, _devices().dumps(ids), max_age=DEVICE_DAYS * 86400,
                            httponly=True, samesite="Lax",
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
        return response


def init_app(app: Flask) -> None:
    """Flask-Login's loaders and sign-in page (the manager itself is set up with the extensions)."""
    # Behind HTTPS the remember-me cookie is as Secure as the session's (issue 15, item 5).
    app.config.setdefault("REMEMBER_COOKIE_SECURE", bool(app.config.get("SESSION_COOKIE_SECURE")))
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.anonymous_user = Anonymous
    login_manager.user_loader(load_user)
    login_manager.request_loader(load_from_token)

"""Who is asking: the browser session (Flask-Login) or an API bearer token."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, after_this_request, current_app, g, request
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadData, URLSafeTimedSerializer

from board.extensions import login_manager
from board.models import Anonymous, User
from board.services import sessions


def load_user(identity: str):
    """The user of the sign-in a session or remember-me cookie names (`<user id>:<key>`, see
    User.get_id), while that sign-in is open on the server: after sign-out, a password change
    or a suspension, the same cookie, or any copy of it, brings nobody back. A bare user id (a
    cookie from before sign-ins were rows) names no sign-in and is refused.

    A request that names a bearer token is identified by that token alone (issue 15, item 13):
    the session and remember-me cookies are ignored (Flask-Login asks this loader for both), so
    a junk token can never ride on a browser's session."""
    if bearer_request():
        return load_from_token(request)
    user_id, _, key = identity.partition(":")
    if not key:
        return None
    if key.startswith(sessions.TOKEN_PREFIX):  # a socket that connected with a bearer token
        user = sessions.user_for_token(key.removeprefix(sessions.TOKEN_PREFIX))
    else:
        user = sessions.session_user(key)
    return user if user is not None and str(user.id) == user_id else None


def load_from_token(req):
    """`Authorization: Bearer <token>` (the API): the token's user, or nobody (the reason a
    token was refused is kept for the API's 401: `refused_token`)."""
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    try:
        return sessions.open_token(header[7:].strip()).user
    except sessions.TokenRefused as refusal:
        g.token_refusal = refusal
        return None


def refused_token() -> sessions.TokenRefused | None:
    """Why this request's bearer token did not work (expired, revoked, unknown), if it did not."""
    return g.get("token_refusal")


def sign_in(user: User, remember: bool) -> None:
    """A new server-side sign-in for this browser: new cookies, never those of an earlier one."""
    sessions.start(user, remember, request.user_agent.string)
    login_user(user, remember=remember)


def sign_out() -> None:
    """End this browser's sign-in on the server too: a copied cookie stops working with it."""
    key = getattr(current_user, "session_key", None)
    if key and not key.startswith(sessions.TOKEN_PREFIX):
        sessions.end(key)
    logout_user()


def bearer_request() -> bool:
    """Does the request name a bearer token (valid or not)? Then the token alone decides."""
    return request.headers.get("Authorization", "").startswith("Bearer ")


# --- the sign-in device cookie (issue 15, item 6) ------------------------------------------------

DEVICE_COOKIE = "board_device"
DEVICE_DAYS = 365
DEVICE_ACCOUNTS = 5  # a shared family tablet: the last few accounts signed in there


def _devices() -> URLSafeTimedSerializer:
    """Signed with SECRET_KEY; cookies signed with a key being rotated out still verify."""
    keys = [*current_app.config.get("SECRET_KEY_FALLBACKS", []), current_app.secret_key]
    return URLSafeTimedSerializer(keys, salt="board-sign-in-device")


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
    # The server ends a remembered sign-in when its cookie runs out (board/services/sessions.py).
    app.config.setdefault("REMEMBER_COOKIE_DURATION",
                          timedelta(days=sessions.DEFAULT_REMEMBER_DAYS))
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.anonymous_user = Anonymous
    login_manager.user_loader(load_user)
    login_manager.request_loader(load_from_token)

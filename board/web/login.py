"""Who is asking: the browser session (Flask-Login) or an API bearer token."""
from __future__ import annotations

from flask import Flask, request

from board.extensions import db, login_manager
from board.models import Anonymous, User
from board.services.accounts import user_for_token


def load_user(user_id: str):
    """The session's user; a disabled account loses its open sessions too, not only sign-ins."""
    user = db.session.get(User, int(user_id))
    return user if user is not None and not user.disabled else None


def load_from_token(req):
    """`Authorization: Bearer <token>` (the API): the token's user, or nobody."""
    header = req.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return user_for_token(header[7:].strip())
    return None


def bearer_request() -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ")


def init_app(app: Flask) -> None:
    """Flask-Login's loaders and sign-in page (the manager itself is set up with the extensions)."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.anonymous_user = Anonymous
    login_manager.user_loader(load_user)
    login_manager.request_loader(load_from_token)

"""Who is asking: the browser session (Flask-Login) or an API bearer token."""
from __future__ import annotations

from flask import request

from board.extensions import db
from board.models import Anonymous, User


def init_login(login_manager) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.anonymous_user = Anonymous

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(User, int(user_id))
        # A disabled account loses its open sessions too, not only future sign-ins.
        return user if user is not None and not user.disabled else None

    @login_manager.request_loader
    def load_from_token(req):
        header = req.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            from board.services.accounts import user_for_token

            return user_for_token(header[7:].strip())
        return None


def bearer_request() -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ")

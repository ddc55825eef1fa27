"""The API blueprint and what its route modules share: CSRF for browser sessions, the JSON body,
the signed-in user. Route modules import from here, never from the package."""
from __future__ import annotations

from flask import Blueprint, current_app, request
from flask_login import current_user

from board.errors import NotAuthenticated, ValidationFailed
from board.extensions import csrf
from board.web.login import bearer_request, refused_token

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.before_request
def _csrf_for_browser_sessions():
    """Either token-authenticated or CSRF-checked, never neither (issue 15, item 13).

    A request naming a bearer token is its token's user (the session cookie is ignored, see
    board/web/login.py) and needs no CSRF token: no browser attaches it on its own. A junk,
    revoked or expired token is a 401, not a fall back to the session. Without a token, a browser
    session's writes must send X-CSRFToken."""
    if bearer_request():
        if not current_user.is_authenticated:
            raise refused_token() or NotAuthenticated("登录令牌无效或已过期,请重新登录")
        return
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        # protect() ignores WTF_CSRF_ENABLED; honour it like every form does (tests, load tests).
        if current_user.is_authenticated and current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()


def json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed("请求体必须是 JSON 对象", code="invalid_json")
    return data


def require_user():
    if not current_user.is_authenticated:
        raise refused_token() or NotAuthenticated()  # an expired token says so
    return current_user

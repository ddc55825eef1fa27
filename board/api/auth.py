"""API accounts: register, get a token, who am I."""
from __future__ import annotations

from board.api.base import bp, json_body, require_user
from board.errors import NotAuthenticated
from board.serializers import user_to_dict
from board.services import accounts
from board.web import login as signin


def _text(data: dict, key: str) -> str:
    """Only strings count: a number or list must not be stored as its Python repr."""
    value = data.get(key)
    return value if isinstance(value, str) else ""


@bp.post("/auth/register")
def register():
    data = json_body()
    user = accounts.register_citizen(_text(data, "username"), _text(data, "password"),
                                     _text(data, "nickname"))
    return {"user": user_to_dict(user, private=True)}, 201


@bp.post("/auth/token")
def token():
    data = json_body()
    user = accounts.authenticate(_text(data, "username"), _text(data, "password"),
                                 signin.trusted_accounts())
    if user is None:
        raise NotAuthenticated("用户名或密码错误,或账号已停用", code="invalid_credentials")
    signin.remember_device(user)  # an app with a cookie jar is one of the owner's devices too
    return {"token": accounts.issue_token(user), "user": user_to_dict(user, private=True)}


@bp.get("/me")
def me():
    return {"user": user_to_dict(require_user(), private=True)}

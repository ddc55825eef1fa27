"""API accounts: register, get a token, who am I."""
from __future__ import annotations

from board.api import bp, json_body, require_user
from board.serializers import user_to_dict
from board.services import NotAuthenticated, accounts


@bp.post("/auth/register")
def register():
    data = json_body()
    user = accounts.register_citizen(str(data.get("username") or ""),
                                     str(data.get("password") or ""),
                                     str(data.get("nickname") or ""))
    return {"user": user_to_dict(user, private=True)}, 201


@bp.post("/auth/token")
def token():
    data = json_body()
    user = accounts.authenticate(str(data.get("username") or ""), str(data.get("password") or ""))
    if user is None:
        raise NotAuthenticated("用户名或密码错误,或账号已停用", code="invalid_credentials")
    return {"token": accounts.issue_token(user), "user": user_to_dict(user, private=True)}


@bp.get("/me")
def me():
    return {"user": user_to_dict(require_user(), private=True)}

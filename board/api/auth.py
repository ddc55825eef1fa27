"""API accounts: SMS codes, register, get a token (and list, refresh and revoke your tokens),
reset a forgotten password, who am I. The signed-in account's own data: api/me.py."""
from __future__ import annotations

from flask import request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from board.api.base import bp, json_body, require_user
from board.errors import NotAuthenticated
from board.models import ApiToken
from board.serializers import iso, user_to_dict
from board.services import accounts, sessions, sms_codes
from board.web import login as signin


def _text(data: dict, key: str) -> str:
    """Only strings count: a number or list must not be stored as its Python repr."""
    value = data.get(key)
    return value if isinstance(value, str) else ""


@bp.post("/auth/sms-code")
def sms_code():
    """Always 202 for a well-formed request: the answer never tells whether the number has an
    account, whether the send limit was reached or whether the gateway took the text."""
    data = json_body()
    sms_codes.request_code(_text(data, "phone"), _text(data, "purpose"), get_remote_address(),
                           current_user)
    return {"accepted": True, "resend_after": sms_codes.RESEND_SECONDS,
            "expires_in": int(sms_codes.TTL.total_seconds())}, 202


@bp.post("/auth/register")
def register():
    data = json_body()
    user = accounts.register_citizen(_text(data, "username"), _text(data, "password"),
                                     _text(data, "nickname"), phone=_text(data, "phone"),
                                     code=_text(data, "code"),
                                     accept_privacy=data.get("accept_privacy") is True)
    return {"user": user_to_dict(user, private=True)}, 201


@bp.post("/auth/password/reset")
def reset_password():
    """Forgot the password: a `reset` code and a new password; every sign-in ends."""
    data = json_body()
    accounts.reset_password(_text(data, "phone"), _text(data, "code"),
                            _text(data, "new_password"))
    return {"reset": True}


@bp.post("/auth/token")
def token():
    data = json_body()
    user = accounts.authenticate(_text(data, "username"), _text(data, "password"),
                                 signin.trusted_accounts())
    if user is None:
        raise NotAuthenticated("用户名或密码错误", code="invalid_credentials")
    signin.remember_device(user)  # an app with a cookie jar is one of the owner's devices too
    return _issued(*sessions.issue_token(user))


def _issued(token: ApiToken, raw: str) -> dict:
    """The one time the raw token is shown; `expires_at` says when to refresh it."""
    return {"token": raw, "expires_at": iso(token.expires_at),
            "user": user_to_dict(token.user, private=True)}


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else ""


@bp.post("/auth/token/refresh")
def refresh_token():
    """A working token in `Authorization` buys a new one; the old one stops working at once."""
    raw = _bearer()
    if not raw:
        raise NotAuthenticated("请在 Authorization 请求头中附上要续期的登录凭证")
    return _issued(*sessions.refresh_token(raw))


@bp.get("/auth/tokens")
def list_tokens():
    """The caller's working tokens (never their values): to spot and end a lost phone's."""
    user = require_user()
    current = ApiToken.hash(_bearer())
    return {"tokens": [_token_to_dict(t, current) for t in sessions.tokens_of(user)]}


def _token_to_dict(token: ApiToken, current_hash: str) -> dict:
    return {"id": token.id, "created_at": iso(token.created_at),
            "last_used_at": iso(token.last_used_at), "expires_at": iso(token.expires_at),
            "current": token.token_hash == current_hash}


@bp.delete("/auth/tokens/<int:token_id>")
def revoke_token(token_id: int):
    """End one of the caller's tokens (a lost phone's); anyone else's is not found."""
    sessions.revoke_token(require_user(), token_id)
    return {"id": token_id, "revoked": True}


@bp.get("/me")
def me():
    return {"user": user_to_dict(require_user(), private=True)}

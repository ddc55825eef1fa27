"""The signed-in account's own data (issue 17): change the password, bind a phone, export
everything (PIPL), close the account. `GET /me` is in api/auth.py."""
from __future__ import annotations

from flask import request
from flask_login import logout_user

from board.api.base import bp, json_body, require_user
from board.queries import personal_data
from board.serializers import iso, user_to_dict
from board.services import account_closure, accounts, sessions
from board.web import login as signin


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


@bp.post("/me/password")
def change_password():
    """Every sign-in and token of the account ends, this one included; the caller gets a new
    one back: a fresh token for an app (in the answer), a fresh session for a browser."""
    user = require_user()._get_current_object()  # new rows refer to it
    data = json_body()
    by_token = signin.bearer_request()
    remember = sessions.remembered(user.session_key)
    accounts.change_password(user, _text(data, "current_password"), _text(data, "new_password"))
    answer = {"changed": True, "user": user_to_dict(user, private=True)}
    if by_token:
        token, raw = sessions.issue_token(user)
        answer.update(token=raw, expires_at=iso(token.expires_at))
    else:
        signin.sign_in(user, remember=remember)
    return answer


@bp.post("/me/phone")
def bind_phone():
    """Bind or change the phone with a `bind` code sent to the new number."""
    user = require_user()
    data = json_body()
    accounts.bind_phone(user, _text(data, "phone"), _text(data, "code"))
    return {"user": user_to_dict(user, private=True)}


@bp.get("/me/export")
def export():
    """Everything kept about the account, as JSON; `?download=1` saves it as a file."""
    data = personal_data.export(require_user())
    headers = {"Cache-Control": "no-store"}
    if request.args.get("download"):
        headers["Content-Disposition"] = 'attachment; filename="my-board-data.json"'
    return data, 200, headers


@bp.delete("/me")
def close_account():
    """注销: `{"password": ..., "withdraw_posts": false}`; the account's data is erased."""
    user = require_user()
    data = json_body()
    summary = account_closure.close_account(user, _text(data, "password"),
                                            data.get("withdraw_posts") is True)
    if not signin.bearer_request():
        logout_user()
    return {"deleted": True, **summary}

"""Accounts: citizens register themselves; police staff are created by an admin only."""
from __future__ import annotations

import re

from board.extensions import db
from board.models import ApiToken, Role, Unit, User
from board.services.errors import Conflict, NotFound, ValidationFailed

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,30}$")
PASSWORD_MIN = 8


def _check_credentials(username: str, password: str, nickname: str) -> dict[str, str]:
    errors = {}
    if not USERNAME_RE.match(username or ""):
        errors["username"] = "用户名需为 3–30 位字母、数字、下划线、点或减号"
    if len(password or "") < PASSWORD_MIN:
        errors["password"] = f"密码至少 {PASSWORD_MIN} 位"
    if not 1 <= len(nickname or "") <= 20:
        errors["nickname"] = "昵称需为 1–20 个字"
    return errors


def _ensure_username_free(username: str) -> None:
    if db.session.scalar(db.select(User.id).where(User.username == username)):
        raise Conflict("该用户名已被注册", fields={"username": "该用户名已被注册"},
                       code="username_taken")


def register_citizen(username: str, password: str, nickname: str) -> User:
    username, nickname = (username or "").strip(), " ".join((nickname or "").split())
    errors = _check_credentials(username, password, nickname)
    if errors:
        raise ValidationFailed(fields=errors)
    _ensure_username_free(username)
    user = User(username=username, nickname=nickname, role=Role.CITIZEN)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def create_user(role: str, username: str, password: str, nickname: str | None = None,
                real_name: str | None = None, badge_no: str | None = None,
                unit_code: str | None = None, contact: str | None = None) -> User:
    """Any role; police staff need a real name, a badge number and a unit (admins: name only)."""
    if role not in set(Role):
        raise ValidationFailed(fields={"role": "角色无效"})
    real_name = (real_name or "").strip() or None
    nickname = (nickname or real_name or username or "").strip()
    errors = _check_credentials((username or "").strip(), password, nickname)
    unit = None
    if role in (Role.OFFICER, Role.LEADER, Role.DISPATCHER):
        if not real_name:
            errors["real_name"] = "民警须填写真实姓名"
        if not (badge_no or "").strip():
            errors["badge_no"] = "民警须填写警号"
        elif db.session.scalar(db.select(User.id).where(User.badge_no == badge_no.strip())):
            errors["badge_no"] = "该警号已存在"
        unit = db.session.scalar(db.select(Unit).where(Unit.code == (unit_code or "")))
        if unit is None:
            errors["unit"] = "请选择所属单位"
    if errors:
        raise ValidationFailed(fields=errors)
    _ensure_username_free(username.strip())
    user = User(username=username.strip(), nickname=nickname, role=role, real_name=real_name,
                badge_no=(badge_no or "").strip() or None, unit=unit,
                contact=(contact or "").strip() or None)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(username: str, password: str) -> User | None:
    """The user for these credentials, or None; disabled accounts never sign in."""
    from board.services import lockout  # repeated failures lock the account for a while

    user = db.session.scalar(db.select(User).where(User.username == (username or "").strip()))
    if user is None or user.disabled:
        return None
    lockout.check(user)
    if not user.check_password(password or ""):
        lockout.failed(user)
        return None
    lockout.succeeded(user)
    return user


def issue_token(user: User) -> str:
    token, raw = ApiToken.issue(user)
    db.session.add(token)
    db.session.commit()
    return raw


def user_for_token(raw: str) -> User | None:
    user = db.session.scalar(db.select(User).join(ApiToken, ApiToken.user_id == User.id)
                             .where(ApiToken.token_hash == ApiToken.hash(raw)))
    return None if user is None or user.disabled else user


def set_disabled(username: str, disabled: bool = True, actor=None) -> User:
    """`actor` None = the command line; either way the change is in the audit log (issue 5)."""
    from board.services import audit

    user = db.session.scalar(db.select(User).where(User.username == username))
    if user is None:
        raise NotFound("用户不存在")
    audit.record(actor, "user.disable" if disabled else "user.enable", "user", user.id,
                 {"disabled": user.disabled}, {"disabled": disabled})
    user.disabled = disabled
    db.session.commit()
    return user

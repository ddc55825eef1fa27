"""Accounts: citizens register themselves; police staff are created by an admin only.

Sign-ins (browser sessions, API tokens) are rows in board/services/sessions.py; a password
change and a suspension end all of them here (`revoke_all`).

Suspension (停用) lives here too, once: the admin page, the review queue and the command line
all call `suspend` / `reinstate`, so the rule, the reason and the audit entry cannot differ.

Passwords (issue 17): a resident who forgot theirs resets it with a code sent to their verified
phone (`reset_password`); a change or a reset ends every other sign-in and every API token. A
password someone else chose (an admin, `flask users create`, `issue_temporary_password`) is
temporary: `User.must_change_password` keeps the owner on the change page until they choose
their own (board/web/password_gate.py).
"""
from __future__ import annotations

import re
import secrets

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from board import live, permissions, text
from board.errors import Conflict, NotFound, PermissionDenied, ServiceError, ValidationFailed
from board.extensions import db
from board.i18n import N_
from board.models import Agency, Role, Unit, User, utcnow
from board.phones import normalize_phone
from board.privacy import notice
from board.services import audit, lockout, sessions, sms_codes, unique

SYSTEM_ACTOR = None  # create_user's default actor: the command line, start-up, the demo
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,30}$")
PASSWORD_MIN = 8


def _check_credentials(username: str, password: str, nickname: str) -> dict[str, str]:
    errors = {}
    if not USERNAME_RE.match(username or ""):
        errors["username"] = N_("用户名需为 3–30 位字母、数字、下划线、点或减号")
    if len(password or "") < PASSWORD_MIN:
        errors["password"] = N_("密码至少 8 位")
    if not 1 <= len(nickname or "") <= 20:
        errors["nickname"] = N_("昵称需为 1–20 个字")
    return errors


def _username_taken(username: str) -> Conflict | None:
    if db.session.scalar(db.select(User.id).where(User.username == username)):
        return Conflict(N_("该用户名已被注册"), fields={"username": N_("该用户名已被注册")},
                        code="username_taken")
    return None


def _ensure_username_free(username: str) -> None:
    error = _username_taken(username)
    if error is not None:
        raise error


def _badge_taken(badge_no: str | None) -> ValidationFailed | None:
    if badge_no and db.session.scalar(db.select(User.id).where(User.badge_no == badge_no)):
        return ValidationFailed(fields={"badge_no": "该警号已存在"})
    return None


def _phone_taken(phone: str | None) -> ValidationFailed | None:
    if phone and db.session.scalar(db.select(User.id).where(User.phone == phone)):
        return ValidationFailed(fields={"phone": N_("该手机号已绑定其他账号")})
    return None


def _commit_new_user(username: str, badge_no: str | None = None, phone: str | None = None,
                     flushed=None) -> None:
    """Two sign-ups with one name at once both pass the check above: the loser gets its 409.
    `flushed`: called once the row has its id, inside the same commit (the audit entry)."""
    unique.commit_unless_taken(lambda: _username_taken(username) or _badge_taken(badge_no)
                               or _phone_taken(phone), flushed)
STAFF_FIELDS = ("username", "role", "real_name", "badge_no", "unit", "contact")


def staff_snapshot(user: User) -> dict:
    """An account as the audit log records it (the unit by code; never a password)."""
    return {"username": user.username, "role": user.role, "real_name": user.real_name,
            "badge_no": user.badge_no, "unit": user.unit.code if user.unit else None,
            "contact": user.contact}


PRIVACY_REQUIRED = N_("请阅读并同意《隐私政策》")


def phone_required() -> bool:
    """REGISTER_REQUIRES_PHONE: sign-up needs a verified phone and the privacy notice accepted."""
    return bool(current_app.config.get("REGISTER_REQUIRES_PHONE"))


def register_citizen(username: str, password: str, nickname: str, *, phone: str | None = None,
                     code: str | None = None, accept_privacy: bool = False,
                     consent_required: bool = False) -> User:
    """A resident's account. A phone, when given, must come with its `register` code; with
    REGISTER_REQUIRES_PHONE (or `consent_required`, the sign-up page) the privacy notice must
    be accepted, and with the former a phone is required too. The code is spent only once
    everything else is right, and only with the account's commit."""
    username, nickname = text.clean_token(username), text.clean_line(nickname)
    errors = _check_credentials(username, password, nickname)
    strict = phone_required()
    if (strict or consent_required) and accept_privacy is not True:
        errors["accept_privacy"] = PRIVACY_REQUIRED
    phone = (phone or "").strip()
    if not phone and strict:
        errors["phone"] = N_("请填写手机号")
    elif phone and not normalize_phone(phone):
        errors["phone"] = sms_codes.PHONE_INVALID
    if phone and not (code or "").strip():
        errors["code"] = N_("请填写短信验证码")
    if errors:
        raise ValidationFailed(fields=errors)
    _ensure_username_free(username)
    verified = sms_codes.consume(phone, "register", code) if phone else None
    now = utcnow()
    user = User(username=username, nickname=nickname, role=Role.CITIZEN, phone=verified,
                phone_verified_at=now if verified else None)
    if accept_privacy is True:
        user.privacy_version, user.privacy_accepted_at = notice.VERSION, now
    user.set_password(password)
    db.session.add(user)
    _commit_new_user(username, phone=verified)
    return user


def create_user(role: str, username: str, password: str, nickname: str | None = None,
                real_name: str | None = None, badge_no: str | None = None,
                unit_code: str | None = None, contact: str | None = None,
                temporary_password: bool = False, actor=SYSTEM_ACTOR,
                audit_after: dict | None = None, agency_id: int | None = None) -> User:
    """Any role; police staff need a real name, a badge number and a unit (admins: name only).

    `temporary_password`: someone else chose it (the admin page, `flask users create`, an
    import), so the owner must choose their own at first sign-in. Audited as 创建账号 by
    `actor` (the admin; None: the command line or the demo)."""
    if role not in set(Role):
        raise ValidationFailed(fields={"role": "角色无效"})
    username, badge_no = text.clean_token(username), text.clean_token(badge_no)
    real_name = text.clean_line(real_name) or None
    nickname = text.clean_line(nickname) or real_name or username
    errors = _check_credentials(username, password, nickname)
    unit = None
    if role in (Role.OFFICER, Role.LEADER, Role.DISPATCHER):
        if not real_name:
            errors["real_name"] = "民警须填写真实姓名"
        if not badge_no:
            errors["badge_no"] = "民警须填写警号"
        elif _badge_taken(badge_no):
            errors["badge_no"] = "该警号已存在"
        unit = db.session.scalar(db.select(Unit).where(Unit.code == (unit_code or "")))
        if unit is None:
            errors["unit"] = "请选择所属单位"
    agency = None
    if role == Role.AGENCY:  # 协作单位 (issue 21): speaks for one agency, never as police
        agency = db.session.get(Agency, agency_id) if agency_id else None
        if agency is None:
            errors["agency"] = "请选择所属协作单位"
        real_name, badge_no, unit = None, None, None
    if errors:
        raise ValidationFailed(fields=errors)
    _ensure_username_free(username)
    user = User(username=username, nickname=nickname, role=role, real_name=real_name,
                badge_no=badge_no or None, unit=unit, contact=text.clean_line(contact) or None,
                must_change_password=temporary_password, agency=agency)
    user.set_password(password)
    db.session.add(user)
    _commit_new_user(username, badge_no, flushed=lambda: audit.record(
        actor, "user.create", "user", user.id, None,
        {**staff_snapshot(user), **(audit_after or {})}))
    return user


class AccountDisabled(ServiceError):
    """The right password for a suspended account: it is told why and whom to ask, not "wrong
    password" (only after the right password, so it tells a guesser nothing)."""

    status = 403
    code = "account_disabled"
    message = N_("您的账号已被停用")


def disabled_refusal(user: User) -> AccountDisabled:
    contact = current_app.config.get("ACCOUNT_CONTACT") or "平台管理员"
    reason = user.disabled_reason or "未注明"
    return AccountDisabled(f"您的账号已被停用,原因:{reason}。如有疑问,请联系{contact}。",
                           fields={"password": "账号已停用"})


def update_staff(actor, user: User, role: str | None = None, real_name: str | None = None,
                 badge_no: str | None = None, unit_code: str | None = None,
                 contact: str | None = None) -> User:
    """Change a police account's role, real name, badge number, unit or contact line; one
    audit entry (修改账号资料) with only the fields that changed, before → after."""
    if actor is not SYSTEM:
        permissions.require(actor, "user.manage")
    before = staff_snapshot(user)
    errors = {}
    if role is not None:
        if role not in set(Role) or role in (Role.CITIZEN, Role.AGENCY):
            errors["role"] = "角色无效"
        elif user.role == Role.ADMIN and role != Role.ADMIN and user.id == getattr(actor, "id",
                                                                                    None):
            errors["role"] = "不能取消自己的管理员角色"
    if real_name is not None and not text.clean_line(real_name):
        errors["real_name"] = "民警须填写真实姓名"
    badge_no = text.clean_token(badge_no) if badge_no is not None else None
    if badge_no is not None:
        if not badge_no:
            errors["badge_no"] = "民警须填写警号"
        elif badge_no != user.badge_no and _badge_taken(badge_no):
            errors["badge_no"] = "该警号已存在"
    unit = None
    if unit_code is not None:
        unit = db.session.scalar(db.select(Unit).where(Unit.code == unit_code))
        if unit is None:
            errors["unit"] = "请选择所属单位"
    if errors:
        raise ValidationFailed(fields=errors)
    if role is not None:
        user.role = role
    if real_name is not None:
        user.real_name = text.clean_line(real_name)
    if badge_no is not None:
        user.badge_no = badge_no
    if unit is not None:
        user.unit = unit
    if contact is not None:
        user.contact = text.clean_line(contact) or None
    old, new = audit.changed(before, staff_snapshot(user))
    if not new:
        return user
    audit.record(actor, "user.role" if "role" in new else "user.update", "user", user.id,
                 old, new)
    unique.commit_unless_taken(lambda: _badge_taken(badge_no) if badge_no else None)
    return user


def temporary_password() -> str:
    """A one-time password an admin hands over (a new account, an import, a reset): no
    look-alikes (0/o, 1/l/i), since it is often read out over the phone."""
    return "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(10))


def authenticate(username: str, password: str,
                 trusted: frozenset[int] = frozenset()) -> User | None:
    """The user for these credentials, or None; a disabled account, given the right password,
    raises AccountDisabled (with the reason and whom to contact) and never signs in.

    `trusted`: the accounts this client signed in to before (its device cookie); they may sign
    in while the name is throttled for everyone else (board/services/lockout.py). Unknown names
    cost one password hash too, and are throttled alike, so neither the time taken nor the
    answer tells whether an account exists.
    """
    user = db.session.scalar(db.select(User).where(User.username == lockout.key(username)))
    slot = lockout.claim(username)
    if slot is None and (user is None or user.id not in trusted):
        raise lockout.refusal(username)
    if not _password_matches(user, password):
        if slot is not None:
            lockout.failed(slot, user)
        return None
    lockout.succeeded(username)
    if user.disabled:
        raise disabled_refusal(user)
    return user


_DUMMY_HASHES: dict[str, str] = {}


def _password_matches(user: User | None, password: str) -> bool:
    """Always one hash check, with the account's method or, for an unknown name, a dummy's."""
    if user is None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        if method not in _DUMMY_HASHES:  # made once: only checking it should cost time
            _DUMMY_HASHES[method] = generate_password_hash(secrets.token_urlsafe(16), method)
        stored = _DUMMY_HASHES[method]
    else:
        stored = user.password_hash
    return check_password_hash(stored, password or "") and user is not None


def issue_token(user: User) -> str:
    """A new API token's raw value (see sessions.issue_token for its row and expiry)."""
    return sessions.issue_token(user)[1]


def user_for_token(raw: str) -> User | None:
    """The user of a working token (not expired, not revoked, account enabled), or None."""
    return sessions.user_for_token(raw)


def revoke_all(user: User) -> None:
    """Sign `user` out everywhere: every browser session and API token stops working."""
    sessions.revoke_all(user)
    db.session.commit()


def _check_new_password(new: str | None, field: str = "new_password") -> None:
    if len(new or "") < PASSWORD_MIN:
        raise ValidationFailed(fields={field: f"密码至少 {PASSWORD_MIN} 位"})


def _set_own_password(user: User, new: str) -> None:
    """The owner's own password: every sign-in made before ends, the temporary flag goes."""
    user.set_password(new)
    user.must_change_password = False
    sessions.revoke_all(user)


def change_password(user: User, current: str, new: str) -> None:
    """A new password ends every sign-in made with the old one (the caller signs in again).

    Whoever learnt the old password may have signed in with it: a change that left their
    sessions and tokens open would protect nothing.
    """
    if not user.check_password(current or ""):
        raise ValidationFailed(fields={"current_password": N_("当前密码不正确")})
    _check_new_password(new)
    if user.check_password(new):
        raise ValidationFailed(fields={"new_password": N_("新密码不能与当前密码相同")})
    _set_own_password(user, new)
    db.session.commit()


def reset_password(phone: str, code: str, new: str) -> User:
    """Forgot the password: the `reset` code sent to the account's verified phone sets a new one
    (and ends every sign-in). An unknown number fails as a wrong code does: no code was sent."""
    sms_codes.phone_or_error(phone)
    _check_new_password(new)
    number = sms_codes.consume(phone, "reset", code)
    user = db.session.scalar(db.select(User).where(User.phone == number))
    if user is None or user.deleted_at is not None:  # unbound since the code was sent
        db.session.rollback()
        raise ValidationFailed(fields={"code": sms_codes.CODE_INVALID})
    _set_own_password(user, new)
    db.session.commit()
    lockout.unlock(user.username)  # a throttled name starts afresh with its new password
    return user


def bind_phone(user: User, phone: str, code: str) -> User:
    """Bind (or change) the account's phone with a `bind` code sent to the new number."""
    number = sms_codes.consume(phone, "bind", code, user_id=user.id)
    error = _phone_taken(number) if number != user.phone else None
    if error is not None:
        db.session.rollback()
        raise error
    user.phone, user.phone_verified_at = number, utcnow()
    unique.commit_unless_taken(lambda: _phone_taken(number))
    return user


TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read out over the phone


def issue_temporary_password(actor, user: User) -> str:
    """An admin gives an account a new temporary password (shown once, to the admin): every
    sign-in of the account ends, and its owner must choose their own at the next sign-in."""
    permissions.require(actor, "user.manage", user)
    if user.deleted_at is not None:
        raise Conflict("该账号已注销", code="account_deleted")
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    sessions.revoke_all(user)
    audit.record(actor, "user.temporary_password", "user", user.id, None,
                 {"temporary_password": True})
    db.session.commit()
    lockout.unlock(user.username)
    return password


# --- suspension (停用 / 启用) ------------------------------------------------------------------

SYSTEM = None  # the actor of unattended callers (the command line): audited as 系统, no rule
SUSPEND_PERMISSION = "user.suspend"
REASON_MIN, REASON_MAX = 2, 200  # disabled_reason is a String(200)


def by_username(username: str) -> User:
    user = db.session.scalar(db.select(User).where(User.username == text.clean_token(username)))
    if user is None:
        raise NotFound("用户不存在")
    return user


def suspend(actor, user: User, reason: str) -> User:
    """Disable an account: it cannot sign in and its sessions and API tokens stop working.

    The reason is required so the next admin knows why; nobody suspends themselves, and the
    last active admin stays (else nobody could reinstate anyone but the command line).
    """
    _require(actor, user, "停用")
    reason = text.clean_line(reason)
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise ValidationFailed(fields={"reason": f"请填写停用原因({REASON_MIN}–{REASON_MAX} 字)"})
    if user.role == Role.ADMIN and not user.disabled and _active_admins() <= 1:
        raise Conflict("不能停用最后一个可用的管理员账号,请先创建另一个管理员", code="last_admin")
    sessions.revoke_all(user)  # committed with the switch: reinstating revives none of them
    _switch(actor, user, disabled=True, reason=reason)
    live.disconnect_user(user.id)  # its open pages stop receiving now (issue 15)
    return user


def reinstate(actor, user: User, reason: str | None = None) -> User:
    """Enable a suspended account again; its old reason goes (the audit log keeps it).

    A reason, when given (the admin page requires one), is checked like a suspension's and
    kept in the audit log."""
    _require(actor, user, "启用")
    if user.deleted_at is not None:
        raise Conflict("该账号已注销,不能启用", code="account_deleted")
    why = _reason(reason, "启用") if reason else None
    _switch(actor, user, disabled=False, reason=None, why=why)
    return user


def _reason(reason: str | None, verb: str) -> str:
    reason = text.clean_line(reason)
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise ValidationFailed(fields={"reason": f"请填写{verb}原因({REASON_MIN}–{REASON_MAX} 字)"})
    return reason


def _require(actor, user: User, verb: str) -> None:
    """The one permission for both directions; the system (the command line) needs none."""
    if actor is SYSTEM:
        return
    if actor.id == user.id:
        raise PermissionDenied(f"不能{verb}自己的账号")
    permissions.require(actor, SUSPEND_PERMISSION, user)


def _active_admins() -> int:
    """Locks the active admins' rows (PostgreSQL) so two admins cannot suspend each other."""
    stmt = (db.select(User.id).where(User.role == Role.ADMIN, User.disabled.is_(False))
            .with_for_update())
    return len(db.session.scalars(stmt).all())


def _switch(actor, user: User, disabled: bool, reason: str | None,
            why: str | None = None) -> None:
    """A guarded UPDATE (only from the other state), then one audit shape for both directions."""
    before = audit.snapshot(user, "disabled", "disabled_reason")
    changed = db.session.execute(
        db.update(User).where(User.id == user.id, User.disabled.is_(not disabled))
        .values(disabled=disabled, disabled_reason=reason)
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        db.session.rollback()
        raise Conflict("该账号已是停用状态" if disabled else "该账号未被停用",
                       code="already_suspended" if disabled else "not_suspended")
    after = {"disabled": disabled, "disabled_reason": reason}
    if why:  # a reinstatement's reason: the account keeps none, the log does
        after["reason"] = why
    audit.record(actor, "user.disable" if disabled else "user.enable", "user", user.id,
                 before, after)
    db.session.commit()
    db.session.refresh(user)

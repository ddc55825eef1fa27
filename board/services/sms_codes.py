"""Verification codes by SMS: six digits, valid five minutes, single use, at most five tries.

`request_code` answers the same way whatever the number (the interfaces always say 202): a
`register` code for a number that already has an account is not sent (its owner gets a short
note saying so instead), a `reset` code for a number without an account is recorded but never
sent, so neither the answer nor the send limits tell anyone which numbers have accounts. The
limits (per number and per client address: SMS_CODE_PHONE_LIMITS, SMS_CODE_CLIENT_LIMITS,
"1 per minute;5 per hour;10 per day" each) count every accepted request, sent or not, in the
database, so they hold across processes.

The gateway (board/sms.py) is tried twice; if it still fails the request is logged and the
answer stays the same (the resident asks again after the countdown): a gateway failure is never
shown to the client, who could otherwise tell a sent code from an unsent one.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from flask import current_app
from limits import parse_many

from board.errors import ValidationFailed
from board.extensions import db
from board.models import SmsCode, User, utcnow
from board.phones import normalize_phone
from board.sms import SmsError, TextMessage, send_sms

log = logging.getLogger("board.sms")

PURPOSES = ("register", "reset", "bind")
TTL = timedelta(minutes=5)
MAX_TRIES = 5
RESEND_SECONDS = 60  # what the page's countdown shows: the per-number limit's first window
KEEP = timedelta(days=1)  # rows older than the longest limit window are pruned
DEFAULT_LIMITS = "1 per minute;5 per hour;10 per day"
CLIENT_MAX = 64

PHONE_INVALID = "请输入正确的手机号(11 位数字,可带 +86)"
CODE_INVALID = "验证码错误或已失效,请重新获取"
CODE_SPENT = "验证码输错次数过多,请重新获取"

TEXTS = {
    "register": "您的注册验证码是 {code},5 分钟内有效。如非本人操作,请忽略本短信。",
    "reset": "您正在找回密码,验证码 {code},5 分钟内有效。请勿告诉任何人,民警不会向您索要验证码。",
    "bind": "您正在绑定手机号,验证码 {code},5 分钟内有效。如非本人操作,请忽略本短信。",
    "registered": "有人用本号码申请注册,但它已绑定账号。如忘记密码,请在登录页点「忘记密码」找回。",
}


def phone_or_error(raw: str | None, field: str = "phone") -> str:
    phone = normalize_phone(raw)
    if phone is None:
        raise ValidationFailed(fields={field: PHONE_INVALID})
    return phone


def _digest(phone: str, purpose: str, code: str) -> str:
    key = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) \
        else current_app.secret_key
    return hmac.new(key, f"{purpose}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _owner(phone: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.phone == phone))


def _within_limits(column, value: str, setting: str) -> bool:
    now = utcnow()
    for item in parse_many(current_app.config.get(setting) or DEFAULT_LIMITS):
        since = now - timedelta(seconds=item.get_expiry())
        sent = db.session.scalar(db.select(db.func.count(SmsCode.id))
                                 .where(column == value, SmsCode.created_at > since))
        if sent >= item.amount:
            return False
    return True


def request_code(raw_phone: str | None, purpose: str, client: str, user=None) -> None:
    """Record, and when fitting send, one code. Raises only for a malformed request (a number
    that is no mobile number, an unknown purpose, `bind` without an account)."""
    if purpose not in PURPOSES:
        raise ValidationFailed(fields={"purpose": "purpose 须为 register、reset 或 bind"})
    phone = phone_or_error(raw_phone)
    if purpose == "bind" and not getattr(user, "is_authenticated", False):
        raise ValidationFailed(fields={"purpose": "绑定手机号请先登录"})
    client = (client or "unknown")[:CLIENT_MAX]
    now = utcnow()
    db.session.execute(db.delete(SmsCode).where(SmsCode.created_at < now - KEEP)
                       .execution_options(synchronize_session=False))
    if not (_within_limits(SmsCode.phone, phone, "SMS_CODE_PHONE_LIMITS")
            and _within_limits(SmsCode.client, client, "SMS_CODE_CLIENT_LIMITS")):
        db.session.commit()
        log.info("SMS code for %s refused: send limit", phone[:3] + "****" + phone[-4:])
        return
    code = f"{secrets.randbelow(10**6):06d}"
    owner = _owner(phone)
    template = _template(purpose, owner, user)
    db.session.add(SmsCode(phone=phone, purpose=purpose, client=client,
                           user_id=user.id if purpose == "bind" else None,
                           # unsent: the hash of a code nobody ever sees, so nothing verifies
                           code_hash=_digest(phone, purpose, code if template == purpose
                                             else secrets.token_hex(8)),
                           created_at=now, expires_at=now + TTL))
    db.session.commit()
    if template is not None:
        _send(TextMessage(phone=phone, text=TEXTS[template].format(code=code),
                          template=f"verify_{template}" if template in PURPOSES else template,
                          params={"code": code} if template in PURPOSES else {}))


def _template(purpose: str, owner: User | None, user) -> str | None:
    """Which text goes out, if any: the code, a note to an existing account's owner, nothing."""
    if purpose == "register":
        return "register" if owner is None else "registered"
    if purpose == "reset":
        return "reset" if owner is not None and owner.deleted_at is None else None
    return "bind" if owner is None else None  # bound already (to this account or another)


def _send(message: TextMessage) -> None:
    """Twice at most; a gateway that is down is logged, never shown to the resident."""
    for attempt in (1, 2):
        try:
            send_sms(message)
            return
        except SmsError as exc:
            log.warning("SMS gateway failed (attempt %d of 2) for %s: %s", attempt,
                        message.template, exc)
    log.error("verification SMS not sent: the gateway failed twice")


def consume(raw_phone: str | None, purpose: str, code: str | None, user_id: int | None = None,
            field: str = "code") -> str:
    """Check a code and spend it; returns the normalized number. The caller commits with what
    the code unlocks (rolled back, the code stays usable). A wrong code spends one try
    (committed at once); the fifth wrong one spends the code."""
    phone = phone_or_error(raw_phone)
    code = (code or "").strip()
    row = db.session.scalar(db.select(SmsCode)
                            .where(SmsCode.phone == phone, SmsCode.purpose == purpose)
                            .order_by(SmsCode.id.desc()).limit(1))
    now = utcnow()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise ValidationFailed(fields={field: CODE_INVALID})
    tried = db.session.execute(db.update(SmsCode)
                               .where(SmsCode.id == row.id, SmsCode.attempts < MAX_TRIES,
                                      SmsCode.used_at.is_(None))
                               .values(attempts=SmsCode.attempts + 1)
                               .execution_options(synchronize_session=False)).rowcount
    right = (len(code) == 6 and code.isdigit()
             and hmac.compare_digest(row.code_hash, _digest(phone, purpose, code))
             and (purpose != "bind" or row.user_id == user_id))
    if not tried or not right:
        db.session.commit()
        raise ValidationFailed(fields={field: CODE_SPENT if not tried else CODE_INVALID})
    spent = db.session.execute(db.update(SmsCode)
                               .where(SmsCode.id == row.id, SmsCode.used_at.is_(None))
                               .values(used_at=now)
                               .execution_options(synchronize_session=False)).rowcount
    if not spent:  # the same code used twice at once: one wins
        db.session.rollback()
        raise ValidationFailed(fields={field: CODE_INVALID})
    return phone

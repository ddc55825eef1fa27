"""Sign-in throttling: guessing a password is slowed down without locking the owner out.

Why not a plain lock: five wrong passwords used to lock an account for everyone, the owner's
own phone included, so anyone could keep an officer out of the board; and parallel guesses all
passed the lock check before any failure was counted. Here:

* Every attempt first *claims* a slot with one guarded UPDATE (``failures + 1`` only while
  ``failures < threshold`` and not throttled), before the password hash is checked; the
  database serializes the claims, so a burst of parallel guesses gets `threshold` hash checks
  per window, never more. A success gives its slot back (the row is deleted).
* After `threshold` failures, clients that never signed in to this account are refused until a
  delay passes; each further lock in a row lasts twice as long (capped). A client holding the
  account's signed device cookie (board/web/login.py, set at a successful sign-in) still signs
  in with the right password: the attacker's guesses do not lock the owner out of their phone.
  Per-client limits are the address rate limit on sign-in (board/web/ratelimits.py).
* State is kept per typed name (sign_in_throttle), real account or not, by the same statements:
  an unknown name is throttled exactly like a real one (no "only real accounts get locked").
* The owner hears of it: a bell notification when their account starts being throttled.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, or_
from sqlalchemy.dialects import postgresql, sqlite

from board import text
from board.errors import ServiceError
from board.extensions import db
from board.i18n import N_
from board.models import SignInThrottle, User, utcnow
from board.services import notifications

DEFAULT_THRESHOLD = 5
DEFAULT_MINUTES = 15
DEFAULT_MAX_MINUTES = 24 * 60
NAME_MAX = 64
T = SignInThrottle


class AccountLocked(ServiceError):
    status = 429
    code = "account_locked"  # the public API code, kept (docs/api.md)
    message = N_("登录失败次数过多,账号已临时锁定新设备登录,请稍后再试")


@dataclass(frozen=True)
class Slot:
    """One claimed attempt: how many were claimed in this window, how many locks in a row."""

    name: str
    failures: int
    lockouts: int


def _settings() -> tuple[int, int, int]:
    cfg = current_app.config
    return (int(cfg.get("LOGIN_LOCKOUT_THRESHOLD", DEFAULT_THRESHOLD)),
            int(cfg.get("LOGIN_LOCKOUT_MINUTES", DEFAULT_MINUTES)),
            int(cfg.get("LOGIN_LOCKOUT_MAX_MINUTES", DEFAULT_MAX_MINUTES)))


def key(username: str) -> str:
    return text.clean_token(username)[:NAME_MAX]


def _ensure_row(name: str) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: the row every later statement guards on."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[db.session.get_bind().dialect.name]
    db.session.execute(dialect.insert(T).values(name=name, failures=0, lockouts=0,
                                                updated_at=utcnow())
                       .on_conflict_do_nothing(index_elements=["name"]))


def claim(username: str) -> Slot | None:
    """Take one attempt slot for this name, atomically; None while new clients are refused."""
    name, (threshold, _, _) = key(username), _settings()
    now = utcnow()
    _ensure_row(name)
    expired = and_(T.locked_until.is_not(None), T.locked_until <= now)
    row = db.session.execute(
        db.update(T).where(T.name == name,
                           or_(expired, and_(T.locked_until.is_(None), T.failures < threshold)))
        .values(failures=case((expired, 1), else_=T.failures + 1), locked_until=None,
                updated_at=now)
        .returning(T.failures, T.lockouts)
        .execution_options(synchronize_session=False)).first()
    db.session.commit()
    return Slot(name, row.failures, row.lockouts) if row is not None else None


def refusal(username: str) -> AccountLocked:
    """The answer while throttled: the same words for every name, real or not."""
    until = db.session.scalar(db.select(T.locked_until).where(T.name == key(username)))
    seconds = (until - utcnow()).total_seconds() if until is not None else 60
    minutes = max(1, int(seconds // 60) + 1)
    return AccountLocked(f"登录失败次数过多,账号已临时锁定新设备登录,请 {minutes} 分钟后再试;"
                         f"在您以前登录过的设备上仍可正常登录,如忘记密码请联系管理员",
                         fields={"password": "账号已临时锁定"})


def failed(slot: Slot, user: User | None) -> None:
    """A wrong password: the slot stays spent; the last slot of the window starts a lock."""
    threshold, minutes, ceiling = _settings()
    if slot.failures < threshold:
        return
    length = min(minutes * 2 ** min(slot.lockouts, 20), ceiling)
    locked = db.session.execute(
        db.update(T).where(T.name == slot.name, T.locked_until.is_(None),
                           T.failures >= threshold)
        .values(locked_until=utcnow() + timedelta(minutes=length), lockouts=T.lockouts + 1)
        .execution_options(synchronize_session=False)).rowcount
    _prune(utcnow() - timedelta(minutes=ceiling))
    db.session.commit()
    if locked and user is not None:
        notifications.account_throttled(user)


def _prune(before: datetime) -> None:
    """Forget names nobody tried for a long while (typos and unknown names pile up otherwise)."""
    db.session.execute(db.delete(T).where(T.updated_at < before,
                                          or_(T.locked_until.is_(None), T.locked_until < before))
                       .execution_options(synchronize_session=False))


def succeeded(username: str) -> None:
    """The right password: forget the failures, unless a lock is running (an attack in progress
    that a sign-in from the owner's own device must not lift for everyone else)."""
    db.session.execute(db.delete(T).where(T.name == key(username), T.locked_until.is_(None))
                       .execution_options(synchronize_session=False))
    db.session.commit()


def unlock(username: str) -> None:
    """An admin's or a test's reset: the name starts afresh."""
    db.session.execute(db.delete(T).where(T.name == key(username))
                       .execution_options(synchronize_session=False))
    db.session.commit()

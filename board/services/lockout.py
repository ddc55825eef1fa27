"""Sign-in lock-out: after repeated wrong passwords an account refuses sign-in for a while.

Counting is per account (rate limits count per address); the counter is updated with one
UPDATE ... SET n = n + 1 so parallel guesses cannot slip past the threshold.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app

from board.errors import ServiceError
from board.extensions import db
from board.models import User, utcnow

DEFAULT_THRESHOLD = 5
DEFAULT_MINUTES = 15


class AccountLocked(ServiceError):
    status = 429
    code = "account_locked"
    message = "登录失败次数过多,账号已临时锁定,请稍后再试"


def _settings() -> tuple[int, int]:
    cfg = current_app.config
    return (int(cfg.get("LOGIN_LOCKOUT_THRESHOLD", DEFAULT_THRESHOLD)),
            int(cfg.get("LOGIN_LOCKOUT_MINUTES", DEFAULT_MINUTES)))


def check(user: User) -> None:
    """Raise AccountLocked while the lock lasts (even for the right password)."""
    if user.locked_until is not None and user.locked_until > utcnow():
        minutes = max(1, int((user.locked_until - utcnow()).total_seconds() // 60) + 1)
        raise AccountLocked(f"登录失败次数过多,账号已临时锁定,请 {minutes} 分钟后再试;"
                            f"如忘记密码请联系管理员", fields={"password": "账号已临时锁定"})


def failed(user: User) -> None:
    threshold, minutes = _settings()
    db.session.execute(db.update(User).where(User.id == user.id)
                       .values(failed_logins=User.failed_logins + 1))
    db.session.commit()
    db.session.refresh(user)
    if user.failed_logins >= threshold:
        user.failed_logins = 0
        user.locked_until = utcnow() + timedelta(minutes=minutes)
        db.session.commit()


def succeeded(user: User) -> None:
    if user.failed_logins or user.locked_until is not None:
        user.failed_logins, user.locked_until = 0, None
        db.session.commit()


def unlock(user: User) -> None:
    succeeded(user)

"""注销账号 (PIPL): a resident closes their account and their personal data goes.

What is erased: the username (replaced by `deleted-<id>`, so the old name is free and unknown
again), the nickname (「已注销用户」), phone, real name, contact line, the password (replaced by
an unusable random one), the bell, every sign-in and device row, pending SMS codes. What stays:
the account row (threads and replies need an author), the posts themselves, shown under
「已注销用户」 — unless the resident asks to withdraw them, then they are hidden as withdrawn
(their author's name is gone either way) — and one audit entry saying the account was closed and
how many posts were withdrawn (no personal data in it). Police accounts are work accounts: an
admin manages them, their owner cannot close them.
"""
from __future__ import annotations

import secrets

from board import live
from board.errors import Conflict, PermissionDenied, ValidationFailed
from board.extensions import db
from board.models import Board, Notification, Post, SmsCode, Thread, User, utcnow
from board.services import audit, lockout, moderation_reports, sessions

DELETED_NAME = "已注销用户"
WITHDRAWN_REASON = "发帖人已撤回"
DELETED_REASON = "账号已注销"


def close_account(user: User, password: str, withdraw_posts: bool = False) -> dict:
    """Erase `user`'s personal data after checking their password; returns what was withdrawn."""
    if user.deleted_at is not None:
        raise Conflict("该账号已注销", code="account_deleted")
    if user.is_police:
        raise PermissionDenied("民警、领导等工作账号由管理员管理,不能自行注销")
    if not user.check_password(password or ""):
        raise ValidationFailed(fields={"password": "密码不正确"})
    threads, posts = _withdraw(user) if withdraw_posts else ([], 0)
    old_name, phone = user.username, user.phone
    user.username = f"deleted-{user.id}"
    user.nickname = DELETED_NAME
    user.real_name = user.contact = user.phone = user.phone_verified_at = None
    user.set_password(secrets.token_urlsafe(32))
    user.must_change_password = False
    user.disabled, user.disabled_reason, user.deleted_at = True, DELETED_REASON, utcnow()
    sessions.forget_all(user)
    db.session.execute(db.delete(Notification).where(Notification.user_id == user.id)
                       .execution_options(synchronize_session=False))
    if phone:
        db.session.execute(db.delete(SmsCode).where(SmsCode.phone == phone)
                           .execution_options(synchronize_session=False))
    # Cached pages show the old nickname beside the posts that stay: every board's stamp moves.
    db.session.execute(db.update(Board).values(version=Board.version + 1)
                       .execution_options(synchronize_session=False))
    summary = {"withdrawn_threads": len(threads), "withdrawn_posts": posts}
    audit.record(user, "user.delete", "user", user.id, None, {"deleted": True, **summary})
    db.session.commit()
    lockout.unlock(old_name)
    live.disconnect_user(user.id)
    moderation_reports.withdrawn(threads)
    return summary


def _withdraw(user: User) -> tuple[list[Thread], int]:
    threads = [t for t in db.session.scalars(db.select(Thread).where(Thread.author_id == user.id))
               if moderation_reports.withdraw_by_author(t, None, WITHDRAWN_REASON)]
    posts = sum(moderation_reports.withdraw_by_author(p.thread, p, WITHDRAWN_REASON)
                for p in db.session.scalars(db.select(Post).where(Post.author_id == user.id)))
    return threads, posts

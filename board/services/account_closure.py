"""注销账号 (PIPL): a resident closes their account and their personal data goes.

What is erased: the username (replaced by `deleted-<id>`, so the old name is free and unknown
again), the nickname (「已注销用户」), phone, real name, contact line, the password (replaced by
an unusable random one), the bell, the notices sent or due to them and their notice settings
(the e-mail address), what they follow (a 同问 stays counted on its thread, like their posts
stay), every sign-in and device row, pending SMS codes. What stays:
the account row (threads and replies need an author), the posts themselves, shown under
「已注销用户」 — unless the resident asks to withdraw them, then each is withdrawn as its author
withdraws it any time (services/editing.py: 「作者已撤回」, out of the lists and counts, the
original kept for the police) — and one audit entry saying the account was closed and how many
posts were withdrawn (no personal data in it). Police accounts are work accounts: an
admin manages them, their owner cannot close them.
"""
from __future__ import annotations

import secrets

from board import live
from board.errors import Conflict, PermissionDenied, ValidationFailed
from board.extensions import db
from board.models import (
    Board,
    Notice,
    NoticeSettings,
    Notification,
    Post,
    SmsCode,
    Thread,
    ThreadFollow,
    User,
    utcnow,
)
from board.services import audit, editing, lockout, sessions

DELETED_NAME = "已注销用户"
DELETED_REASON = "账号已注销"


def close_account(user: User, password: str, withdraw_posts: bool = False) -> dict:
    """Erase `user`'s personal data after checking their password; returns what was withdrawn."""
    if user.deleted_at is not None:
        raise Conflict("该账号已注销", code="account_deleted")
    if user.is_police:
        raise PermissionDenied("民警、领导等工作账号由管理员管理,不能自行注销")
    if not user.check_password(password or ""):
        raise ValidationFailed(fields={"password": "密码不正确"})
    withdrawn = _withdraw(user) if withdraw_posts else []
    old_name, phone = user.username, user.phone
    user.username = f"deleted-{user.id}"
    user.nickname = DELETED_NAME
    user.real_name = user.contact = user.phone = user.phone_verified_at = None
    user.set_password(secrets.token_urlsafe(32))
    user.must_change_password = False
    user.disabled, user.disabled_reason, user.deleted_at = True, DELETED_REASON, utcnow()
    sessions.forget_all(user)
    for personal in (Notification, Notice, NoticeSettings, ThreadFollow):  # bell, texts, 关注
        db.session.execute(db.delete(personal).where(personal.user_id == user.id)
                           .execution_options(synchronize_session=False))
    if phone:
        db.session.execute(db.delete(SmsCode).where(SmsCode.phone == phone)
                           .execution_options(synchronize_session=False))
    # Cached pages show the old nickname beside the posts that stay: every board's stamp moves.
    db.session.execute(db.update(Board).values(version=Board.version + 1)
                       .execution_options(synchronize_session=False))
    summary = {"withdrawn_threads": sum(post is None for _, post in withdrawn),
               "withdrawn_posts": sum(post is not None for _, post in withdrawn)}
    audit.record(user, "user.delete", "user", user.id, None, {"deleted": True, **summary})
    db.session.commit()
    lockout.unlock(old_name)
    live.disconnect_user(user.id)
    editing.announce_withdrawn(withdrawn)
    return summary


def _withdraw(user: User) -> list[tuple[Thread, Post | None]]:
    """Every thread and reply of theirs not withdrawn yet, withdrawn (no time window applies)."""
    withdrawn: list[tuple[Thread, Post | None]] = []
    for thread in list(db.session.scalars(db.select(Thread).where(
            Thread.author_id == user.id, Thread.withdrawn_at.is_(None)))):
        if editing.mark_withdrawn(user, thread, None) is not None:
            withdrawn.append((thread, None))
    for post in list(db.session.scalars(db.select(Post).where(
            Post.author_id == user.id, Post.withdrawn_at.is_(None)))):
        if editing.mark_withdrawn(user, post.thread, post) is not None:
            withdrawn.append((post.thread, post))
    return withdrawn

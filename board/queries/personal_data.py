"""「导出我的数据」 (PIPL): everything the board keeps about one account, as plain JSON values.

Only the owner asks for it (GET /api/v1/me/export, and the button on 「账号与安全」), so nothing
is masked: their own phone, their hidden and police-only posts, their ratings' comments. Other
people appear only by the name the public sees (an officer's real name on an official reply).
"""
from __future__ import annotations

from datetime import datetime

from board import permissions
from board.extensions import db
from board.models import (
    ApiToken,
    Attachment,
    Notice,
    NoticeKind,
    Notification,
    Post,
    Rating,
    Report,
    Thread,
    ThreadFollow,
    User,
    UserSession,
    utcnow,
)
from board.privacy import notice
from board.queries import notice_settings

FORMAT = "board-personal-data/1"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _all(stmt) -> list:
    return list(db.session.scalars(stmt))


def export(user: User) -> dict:
    return {
        "format": FORMAT,
        "exported_at": _iso(utcnow()),
        "profile": _profile(user),
        "threads": [_thread(t) for t in _all(db.select(Thread).where(Thread.author_id == user.id)
                                             .order_by(Thread.id))],
        "posts": [_post(p) for p in _all(db.select(Post).where(Post.author_id == user.id)
                                         .order_by(Post.id))],
        "ratings": [{"thread_id": r.thread_id, "score": r.score, "comment": r.comment,
                     "created_at": _iso(r.created_at)}
                    for r in _all(db.select(Rating).where(Rating.user_id == user.id)
                                  .order_by(Rating.id))],
        "photos": [{"thread_id": a.thread_id, "post_id": a.post_id, "content_type": a.content_type,
                    "width": a.width, "height": a.height, "size": a.size,
                    "created_at": _iso(a.created_at)}
                   for a in _all(db.select(Attachment).where(Attachment.uploader_id == user.id)
                                 .order_by(Attachment.id))],
        "reports_filed": [{"thread_id": r.thread_id, "post_id": r.post_id, "reason": r.reason,
                           "detail": r.detail, "status": r.status,
                           "created_at": _iso(r.created_at)}
                          for r in _all(db.select(Report).where(Report.reporter_id == user.id)
                                        .order_by(Report.id))],
        "notifications": [{"kind": n.kind, "label": n.kind_label, "thread_id": n.thread_id,
                           "from": n.actor.display_name if n.actor else None,
                           "created_at": _iso(n.created_at), "read_at": _iso(n.read_at)}
                          for n in _all(db.select(Notification)
                                        .where(Notification.user_id == user.id)
                                        .order_by(Notification.id))],
        "following": [_follow(user, f) for f in _all(
            db.select(ThreadFollow).where(ThreadFollow.user_id == user.id)
            .order_by(ThreadFollow.created_at, ThreadFollow.thread_id))],
        "notice_settings": _notice_settings(user),
        "notices": [{"thread_id": n.thread_id, "kind": n.event.kind,
                     "label": NoticeKind(n.event.kind).label, "channel": n.channel,
                     "state": n.state, "text": n.text, "created_at": _iso(n.created_at),
                     "sent_at": _iso(n.sent_at)}
                    for n in _all(db.select(Notice).where(Notice.user_id == user.id)
                                  .order_by(Notice.id))],
        "sign_ins": [{"browser": s.user_agent, "remembered": s.remember,
                      "created_at": _iso(s.created_at), "last_seen_at": _iso(s.last_seen_at),
                      "ended_at": _iso(s.revoked_at)}
                     for s in _all(db.select(UserSession).where(UserSession.user_id == user.id)
                                   .order_by(UserSession.id))],
        "api_tokens": [{"created_at": _iso(t.created_at), "last_used_at": _iso(t.last_used_at),
                        "expires_at": _iso(t.expires_at), "revoked_at": _iso(t.revoked_at)}
                       for t in _all(db.select(ApiToken).where(ApiToken.user_id == user.id)
                                     .order_by(ApiToken.id))],
    }


def _profile(user: User) -> dict:
    return {
        "id": user.id, "username": user.username, "nickname": user.nickname,
        "role": user.role, "role_label": user.role_label,
        "real_name": user.real_name, "badge_no": user.badge_no,
        "unit": user.unit.name if user.unit else None, "contact": user.contact,
        "phone": user.phone, "phone_verified_at": _iso(user.phone_verified_at),
        "privacy_version": user.privacy_version,
        "privacy_accepted_at": _iso(user.privacy_accepted_at),
        "privacy_current_version": notice.VERSION,
        "created_at": _iso(user.created_at),
    }


def _thread(t: Thread) -> dict:
    return {"id": t.id, "board": t.board.name, "kind": t.kind, "title": t.title, "body": t.body,
            "location": t.location, "visibility": t.visibility, "status": t.status,
            "hidden": t.hidden, "hidden_reason": t.hidden_reason,
            "created_at": _iso(t.created_at)}


def _post(p: Post) -> dict:
    return {"id": p.id, "thread_id": p.thread_id, "body": p.body, "hidden": p.hidden,
            "hidden_reason": p.hidden_reason, "created_at": _iso(p.created_at),
            "edited_at": _iso(p.edited_at)}


def _follow(user: User, f: ThreadFollow) -> dict:
    """A followed thread; its title only while they may still read it (not hidden since,
    not police-only)."""
    readable = permissions.can(user, "thread.view", f.thread)
    return {"thread_id": f.thread_id, "title": f.thread.title if readable else None,
            "same_question": f.same_question, "created_at": _iso(f.created_at),
            "last_seen_at": _iso(f.last_seen_at)}


def _notice_settings(user: User) -> dict:
    """Their choices, the e-mail address included (the defaults, `updated_at` null, when they
    never chose)."""
    row = notice_settings.for_user(user)
    return {name: getattr(row, name) for name in notice_settings.DEFAULTS} | {
        "updated_at": _iso(row.updated_at)}

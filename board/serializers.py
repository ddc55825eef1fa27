"""One JSON shape per object, shared by the API, Socket.IO payloads and the page scripts."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, get_template_attribute, has_request_context, url_for

from board import lists
from board.extensions import db
from board.models import Attachment, Board, NotificationKind, Post, Thread, ThreadStatus, User
from board.privacy import mask, visible_text


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def user_to_dict(user: User, private: bool = False) -> dict:
    data = {
        "id": user.id,
        "display_name": (user.display_name if private or user.is_official
                         else mask(user.display_name)),
        "role": user.role,
        "role_label": user.role_label,
        "real_name": user.real_name if user.is_official else None,
        "badge_no": user.badge_no if user.is_official else None,
        "unit": user.unit.name if user.is_official and user.unit else None,
        "contact": user.contact if user.is_official else None,
    }
    if private:
        data.update(username=user.username, nickname=user.nickname,
                    created_at=iso(user.created_at))
    return data


def board_to_dict(board: Board) -> dict:
    return {
        "slug": board.slug,
        "name": board.name,
        "description": board.description,
        "icon": board.icon,
        "kinds": list(board.kinds or []),
        "thread_count": board.thread_count,
        "units": [unit.name for unit in board.units],
    }


def thread_url(thread_id: int) -> str:
    """A path, never an absolute URL: links are pushed to every live reader and rung on bells
    from one poster's request, whose Host header is the poster's to forge (issue 15, item 3).
    Browsers and API clients resolve it against the site they are talking to."""
    if has_request_context():
        return url_for("threads.show", thread_id=thread_id)
    return f"/t/{thread_id}"


def thread_to_dict(thread: Thread, viewer=None, timeline: list | None = None) -> dict:
    """viewer None (live rooms, anonymous) gets personal data masked; see board/privacy.py.

    `timeline` (the events this viewer may see) only for single-thread payloads: no N+1 in lists.
    """
    def shown(value):
        return visible_text(viewer, thread.author_id, value)

    data = {
        "id": thread.id,
        "board": thread.board.slug,
        "board_name": thread.board.name,
        "title": shown(thread.title),
        "body": shown(thread.body),
        "body_html": shown(thread.body_html),
        "kind": thread.kind,
        "kind_label": thread.kind_label,
        "status": thread.status,
        "status_label": thread.status_label,
        "visibility": thread.visibility,
        "pinned": thread.pinned,
        "locked": thread.locked,
        "location": shown(thread.location),
        "hidden": thread.hidden,
        "hidden_reason": thread.hidden_reason,
        # Replies the public can see (held and hidden ones are not counted, issue 15 item 18).
        # Ids stay global sequences: a gap is shared by all threads and reveals nothing.
        "reply_count": thread.reply_count,
        "official_answered": thread.has_official_reply,
        "author": user_to_dict(thread.author),
        "created_at": iso(thread.created_at),
        "last_activity_at": iso(thread.last_activity_at),
        "first_response_at": iso(thread.first_response_at),
        "first_response_seconds": thread.first_response_seconds,
        "url": thread_url(thread.id),
        # issue 5: escalation, dispatch, supervision
        "urgent": thread.urgent,
        "urgency": thread.urgency,
        "incident_no": thread.incident_no,
        "dispatched_unit": thread.dispatched_unit.name if thread.dispatched_unit else None,
        "dispatched_at": iso(thread.dispatched_at),
        "dispatch_seconds": thread.dispatch_seconds,
        "resolved_at": iso(thread.resolved_at),
        "supervised": thread.supervised,
        "sla_due_at": iso(thread.sla_due_at),
        "overdue": thread.is_overdue,
    }
    if timeline is not None:
        data["timeline"] = [event_to_dict(e, internal, viewer) for e, internal in timeline]
    return data


def _rendered(template: str, macro: str, *args, **kwargs) -> str:
    """A page macro's HTML (autoescaped: rows, replies), with relative links as the page has them:
    rendered in a bare request context when published from outside one (the CLI, the SLA
    checks)."""
    row = get_template_attribute(template, macro)
    if has_request_context():
        return str(row(*args, **kwargs))
    with current_app.test_request_context():
        return str(row(*args, **kwargs))


def public_rows(thread: Thread) -> dict:
    """The thread's row for the board page and for home, as any reader sees it: the same macro
    the pages render, so a pushed row cannot differ from a reloaded one. Public rooms only."""
    return {"board": _rendered("_macros.html", "thread_row", thread, listing="board",
                               anyone=True),
            "home": _rendered("_macros.html", "thread_row", thread, show_board=True,
                              listing="home", anyone=True)}


def inbox_rows(thread: Thread) -> dict:
    """The thread's officer-inbox row, or None when it no longer belongs there (the inbox
    query's rule). Police-only markup: unit rooms only."""
    row = (_rendered("officer/_inbox_row.html", "inbox_row", thread)
           if lists.in_inbox(thread) else None)
    return {"inbox": row}


def event_to_dict(event, internal: bool = False, viewer=None) -> dict:
    """A timeline step; the internal note and actor only when `internal` (police viewers).

    The public text carries what its actor typed (a status note, the asker's rating comment):
    masked like any user text for viewers other than that actor and the police."""
    data = {"id": event.id, "kind": event.kind, "status": event.status,
            "text": visible_text(viewer, event.actor_id, event.public_text),
            "created_at": iso(event.created_at)}
    if internal:
        data["internal_note"] = event.internal_note
        data["actor"] = event.actor.display_name if event.actor else None
    return data


def post_author(post: Post) -> dict:
    """The author as shown on the post: officers under the identity they answered with."""
    author = user_to_dict(post.author)
    if post.official:
        author.update(real_name=post.official_name, badge_no=post.official_badge_no,
                      unit=post.official_unit, contact=post.official_contact,
                      display_name=post.official_name or author["display_name"])
    return author


def post_to_dict(post: Post, viewer=None) -> dict:
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "body": visible_text(viewer, post.author_id, post.body),
        "body_html": visible_text(viewer, post.author_id, post.body_html),
        "official": post.official,
        "hidden": post.hidden,
        "hidden_reason": post.hidden_reason,
        "created_at": iso(post.created_at),
        "edited_at": iso(post.edited_at),
        "author": post_author(post),
    }


def _photos_by_post(posts: list[Post]) -> dict[int, list[Attachment]]:
    """The replies' photos in one query, read fresh (a push may follow an upload in the same
    request, after the page's per-request photo lookup was cached)."""
    grouped: dict[int, list[Attachment]] = {post.id: [] for post in posts}
    if grouped:
        rows = db.session.scalars(db.select(Attachment).where(Attachment.post_id.in_(grouped))
                                  .order_by(Attachment.id))
        for att in rows:
            grouped[att.post_id].append(att)
    return grouped


def posts_html(posts: list[Post], viewer=None, original: bool = False,
               new: bool = False) -> list[str]:
    """Each reply's <li> from the thread page's own macro (templates/threads/_post.html), so a
    pushed reply cannot differ from a reloaded one. `viewer` None: as any reader of the thread
    sees it, masked (`original`: unmasked, for the police and the author only); a user: exactly
    their page, actions included (catch-up answers one client). `new`: replies just written,
    announced before any photo is attached (attachments.attach pushes post_updated after), so
    the reply path skips the photo query."""
    photos = {post.id: [] for post in posts} if new else _photos_by_post(posts)
    return [_rendered("threads/_post.html", "post_item", post, viewer, original, photos[post.id])
            for post in posts]


def post_html(post: Post, viewer=None, original: bool = False, new: bool = False) -> str:
    return posts_html([post], viewer, original, new)[0]


def posts_with_html(posts: list[Post], viewer) -> list[dict]:
    """catch_up's posts: the JSON of each, with `html` rendered for this one viewer."""
    return [{**post_to_dict(post, viewer), "html": html}
            for post, html in zip(posts, posts_html(posts, viewer), strict=True)]


# Police work notifications (issue 5), by reason (kept in Notification.status).
WORK_TEXT = {
    "escalated": "新转警待派:「{title}」",
    "dispatched": "「{title}」已派给您的单位处置,请尽快出警",
    "supervised": "{actor} 督办了「{title}」,请加快办理",
    "overdue": "「{title}」已超过答复时限,请督促尽快答复",
    "handling": "您督办的「{title}」正在处置",
    "resolved": "您督办的「{title}」已办结",
}

SECURITY_TEXT = ("您的账号多次输入错误密码,已暂停在新设备上登录一段时间;"
                 "您以前登录过的设备不受影响。如非本人操作,建议修改密码")


def notification_to_dict(note) -> dict:
    """A bell entry: what happened, by whom, where to go; `text` is a ready Chinese sentence."""
    actor = note.actor.display_name if note.actor else "系统"
    if note.actor and note.actor.is_official:
        actor = f"{actor}({note.actor.role_label})"
    title = note.thread.title if note.thread else ""
    if note.thread and note.user_id != note.thread.author_id:  # personal data masked (issue 6)
        title = visible_text(getattr(note, "user", None), note.thread.author_id, title)
    status_label = (ThreadStatus(note.status).label
                    if note.status in set(ThreadStatus) else None)
    text = {
        NotificationKind.OFFICIAL_REPLY: f"{actor} 回复了您的帖子「{title}」",
        NotificationKind.REPLY: f"{actor} 在「{title}」中回复了",
        NotificationKind.MENTION: f"{actor} 在「{title}」中提到了您",
        NotificationKind.STATUS_CHANGED: f"您的帖子「{title}」状态变为:{status_label}",
        NotificationKind.WORK: WORK_TEXT.get(note.status or "", "「{title}」有新进展").format(
            title=title, actor=actor),
        NotificationKind.SECURITY: SECURITY_TEXT,
    }[NotificationKind(note.kind)]
    url = thread_url(note.thread_id) if note.thread_id else None
    if url and note.post_id:
        url += f"#p{note.post_id}"
    return {
        "id": note.id,
        "kind": note.kind,
        "kind_label": note.kind_label,
        "text": text,
        "thread_id": note.thread_id,
        "thread_title": title or None,
        "post_id": note.post_id,
        "status": note.status,
        "status_label": status_label,
        "actor": user_to_dict(note.actor) if note.actor else None,
        "created_at": iso(note.created_at),
        "read": note.read_at is not None,
        "url": url,
    }


def attachment_to_dict(att) -> dict:
    url = (url_for("uploads.serve", attachment_id=att.id) if has_request_context()
           else f"/media/{att.id}")
    return {"id": att.id, "post_id": att.post_id, "url": url, "thumb_url": url + "/thumb",
            "content_type": att.content_type, "width": att.width, "height": att.height,
            "size": att.size}


def report_to_dict(item) -> dict:
    """For the police review queue only (they see originals)."""
    target = item.post or item.thread
    return {"id": item.id, "kind": item.kind, "status": item.status, "reason": item.reason,
            "reason_label": item.reason_label, "detail": item.detail,
            "thread_id": item.thread_id, "post_id": item.post_id,
            "text": item.thread.title if item.post is None else item.post.body,
            "hidden": target.hidden, "hidden_reason": target.hidden_reason,
            "author": user_to_dict(target.author),
            "reporter": user_to_dict(item.reporter) if item.reporter else None,
            "created_at": iso(item.created_at), "url": thread_url(item.thread_id)}

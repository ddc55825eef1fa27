"""One JSON shape per object, shared by the API, Socket.IO payloads and the page scripts."""
from __future__ import annotations

from datetime import datetime

from flask import has_request_context, url_for

from board.models import Board, Post, Thread, User


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def user_to_dict(user: User, private: bool = False) -> dict:
    data = {
        "id": user.id,
        "display_name": user.display_name,
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
    if has_request_context():
        return url_for("threads.show", thread_id=thread_id, _external=True)
    return f"/t/{thread_id}"


def thread_to_dict(thread: Thread) -> dict:
    return {
        "id": thread.id,
        "board": thread.board.slug,
        "board_name": thread.board.name,
        "title": thread.title,
        "body": thread.body,
        "body_html": thread.body_html,
        "kind": thread.kind,
        "kind_label": thread.kind_label,
        "status": thread.status,
        "status_label": thread.status_label,
        "visibility": thread.visibility,
        "pinned": thread.pinned,
        "locked": thread.locked,
        "location": thread.location,
        "reply_count": thread.reply_count,
        "official_answered": thread.has_official_reply,
        "author": user_to_dict(thread.author),
        "created_at": iso(thread.created_at),
        "last_activity_at": iso(thread.last_activity_at),
        "first_response_at": iso(thread.first_response_at),
        "first_response_seconds": thread.first_response_seconds,
        "url": thread_url(thread.id),
    }


def post_author(post: Post) -> dict:
    """The author as shown on the post: officers under the identity they answered with."""
    author = user_to_dict(post.author)
    if post.official:
        author.update(real_name=post.official_name, badge_no=post.official_badge_no,
                      unit=post.official_unit, contact=post.official_contact,
                      display_name=post.official_name or author["display_name"])
    return author


def post_to_dict(post: Post) -> dict:
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "body": post.body,
        "body_html": post.body_html,
        "official": post.official,
        "hidden": post.hidden,
        "created_at": iso(post.created_at),
        "edited_at": iso(post.edited_at),
        "author": post_author(post),
    }

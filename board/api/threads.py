"""API boards, threads and replies."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from board import urgency
from board.api.base import bp, json_body, require_user
from board.errors import ValidationFailed
from board.i18n import N_
from board.queries import bulletins, threads, timeline
from board.serializers import attachment_to_dict, board_to_dict, post_to_dict, thread_to_dict
from board.services import attachments, idempotency, posting


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _place_code(data: dict) -> str | None:
    """`"place": {"code": "150202001001"}` (a district, street or community from
    GET /api/v1/places), or absent / null."""
    place = data.get("place")
    if place is None:
        return None
    code = place.get("code") if isinstance(place, dict) else None
    if not isinstance(code, str):
        raise ValidationFailed(fields={"place": N_('地点格式应为 {"code": "区划代码"}')})
    return code


def _key() -> str | None:
    """The client's Idempotency-Key header: a retry with it returns the first post (201)."""
    return request.headers.get(idempotency.HEADER)


def _replayed(replayed: bool) -> dict:
    return {"Idempotent-Replayed": "true"} if replayed else {}


@bp.get("/boards")
def boards():
    return {"boards": [board_to_dict(b) for b in threads.boards()]}


@bp.get("/boards/<slug>/threads")
def board_threads(slug: str):
    board = threads.board_by_slug(slug)
    cursor = request.args.get("cursor") or None
    pinned = [] if cursor else threads.pinned_threads(board, current_user)
    rows, next_cursor = threads.board_threads(board, current_user, cursor,
                                              sort=request.args.get("sort") or "latest")
    return {"threads": [thread_to_dict(t, current_user) for t in pinned + rows],
            "next_cursor": next_cursor}


@bp.post("/boards/<slug>/threads")
def create_thread(slug: str):
    user = require_user()
    board = threads.board_by_slug(slug)
    data = json_body()
    thread, replayed = posting.submit_thread(
        user, board, _text(data, "kind"), _text(data, "title"), _text(data, "body"),
        _text(data, "location"), _text(data, "visibility") or "public", key=_key(),
        place=_place_code(data))
    data = {"thread": thread_to_dict(thread, user)}
    if thread.urgent:  # issue 5: a post that reads like an emergency is told to call 110 now
        data["urgent_notice"] = urgency.CALL_110
        data["urgent_call"] = urgency.CALL_HREF
    return data, 201, _replayed(replayed)


@bp.get("/threads/<int:thread_id>")
def thread(thread_id: int):
    thread = threads.thread_for(current_user, thread_id)
    posts = threads.thread_posts(thread, current_user)
    photos = attachments.for_thread(thread.id)  # one query for the thread's and replies' photos
    if not bulletins.photos_shown(current_user, thread):  # issue 21: a found person's photos
        photos = {}
    events = timeline.events_for(current_user, thread)  # one query; internal notes for police
    data = {"thread": thread_to_dict(thread, current_user, timeline=events) | {"attachments": [
        attachment_to_dict(a) for a in photos.get(None, [])]},
        "posts": [post_to_dict(p, current_user) | {"attachments": [
            attachment_to_dict(a) for a in photos.get(p.id, [])]} for p in posts]}
    return data


@bp.post("/threads/<int:thread_id>/posts")
def reply(thread_id: int):
    user = require_user()
    thread = threads.thread_for(user, thread_id)
    data = json_body()
    post, replayed = posting.submit_reply(user, thread, _text(data, "body"), key=_key(),
                                          formal=data.get("formal_answer") is True)
    return {"post": post_to_dict(post, user)}, 201, _replayed(replayed)

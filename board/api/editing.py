"""API: the author edits or withdraws their own thread or reply; the edit history (issue 18)."""
from __future__ import annotations

from board import permissions
from board.api.base import bp, json_body, require_user
from board.errors import ValidationFailed
from board.i18n import N_
from board.queries import revisions, threads
from board.serializers import post_to_dict, revision_to_dict, thread_to_dict
from board.services import editing
from board.urgency import CALL_110


def _given(data: dict, key: str, current: str | None) -> str:
    """A field left out keeps its current value; a field sent must be text."""
    if key not in data:
        return current or ""
    if not isinstance(data[key], str):
        raise ValidationFailed(fields={key: N_("必须是文本")})
    return data[key]


@bp.patch("/threads/<int:thread_id>")
def edit_thread(thread_id: int):
    user = require_user()
    thread = threads.thread_for(user, thread_id)
    data = json_body()
    done = editing.edit(user, thread, None, _given(data, "body", thread.body),
                        _given(data, "title", thread.title),
                        _given(data, "location", thread.location))
    body = {"thread": thread_to_dict(thread, user), "changed": done.changed, "held": done.held}
    if done.urgent:
        body["urgent_notice"] = CALL_110
    return body


@bp.patch("/posts/<int:post_id>")
def edit_post(post_id: int):
    user = require_user()
    post = threads.post_for(user, post_id)
    done = editing.edit(user, post.thread, post, _given(json_body(), "body", post.body))
    return {"post": post_to_dict(post, user), "changed": done.changed, "held": done.held}


@bp.post("/threads/<int:thread_id>/withdraw")
def withdraw_thread(thread_id: int):
    user = require_user()
    thread = threads.thread_for(user, thread_id)
    editing.withdraw(user, thread, None)
    return {"thread": thread_to_dict(thread, user)}


@bp.post("/posts/<int:post_id>/withdraw")
def withdraw_post(post_id: int):
    user = require_user()
    post = threads.post_for(user, post_id)
    editing.withdraw(user, post.thread, post)
    return {"post": post_to_dict(post, user)}


def _history(user, thread, post) -> dict:
    permissions.require(user, "content.history", post or thread)
    return {"revisions": [revision_to_dict(r) for r in revisions.history(thread, post)]}


@bp.get("/threads/<int:thread_id>/history")
def thread_history(thread_id: int):
    user = require_user()
    return _history(user, threads.thread_for(user, thread_id), None)


@bp.get("/posts/<int:post_id>/history")
def post_history(post_id: int):
    user = require_user()
    post = threads.post_for(user, post_id)
    return _history(user, post.thread, post)

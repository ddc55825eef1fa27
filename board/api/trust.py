"""API for trust and safety: report a post, officers hide/unhide, evidence photos, privacy check."""
from __future__ import annotations

from flask import request

from board import privacy
from board.api.base import bp, json_body, require_user
from board.errors import NotFound, ValidationFailed
from board.extensions import db
from board.i18n import N_
from board.inputs import parse_id
from board.models import Post
from board.queries import review_queue, threads
from board.serializers import attachment_to_dict, report_to_dict
from board.services import attachments, moderation_reports


def _target(user, thread_id: int, post_id) -> tuple:
    thread = threads.thread_for(user, thread_id)
    if post_id in (None, ""):
        return thread, None
    post_id = parse_id(post_id)
    if post_id is None:
        raise ValidationFailed(fields={"post_id": N_("回复编号无效")})
    post = db.session.get(Post, post_id)
    if post is None or post.thread_id != thread.id:
        raise NotFound("回复不存在")
    return thread, post


def _str(data: dict, key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


@bp.post("/threads/<int:thread_id>/report")
def report(thread_id: int):
    user = require_user()
    data = json_body()
    thread, post = _target(user, thread_id, data.get("post_id"))
    item = moderation_reports.report(user, thread, post, _str(data, "reason"), _str(data, "detail"))
    return {"report": {"id": item.id, "status": item.status}}, 201


@bp.get("/review", endpoint="review_queue")  # the endpoint keeps its name; the module has it
def review_items():
    user = require_user()
    return {"reports": [report_to_dict(r) for r in review_queue.items(user)]}


@bp.post("/threads/<int:thread_id>/hide")
def hide(thread_id: int):
    user = require_user()
    data = json_body()
    thread, post = _target(user, thread_id, data.get("post_id"))
    moderation_reports.hide(user, thread, post, _str(data, "reason"))
    return {"hidden": True}


@bp.post("/threads/<int:thread_id>/unhide")
def unhide(thread_id: int):
    user = require_user()
    data = json_body()
    thread, post = _target(user, thread_id, data.get("post_id"))
    moderation_reports.unhide(user, thread, post)
    return {"hidden": False}


@bp.post("/threads/<int:thread_id>/attachments")
def attach(thread_id: int):
    """multipart/form-data: images=<file> (up to 9), optional post_id for a reply's photos."""
    user = require_user()
    thread, post = _target(user, thread_id, request.form.get("post_id"))
    saved, errors = attachments.attach(user, thread, post, request.files.getlist("images"))
    if not saved:
        message = ";".join(errors) or "没有收到图片"
        return {"error": {"code": "upload_rejected", "message": message,
                          "fields": {"images": message}}}, 400
    return {"attachments": [attachment_to_dict(a) for a in saved], "errors": errors}, 201


@bp.post("/privacy/check")
def privacy_check():
    """The composer's warning, computed by the same rules that mask (no second copy in JS)."""
    data = json_body()
    text = " ".join(_str(data, k) for k in ("title", "body", "location"))[:20000]
    kinds = privacy.detect(text)
    return {"found": kinds, "message": privacy.warning(kinds)}

"""Serving evidence photos (/media/<id>, /media/<id>/thumb): only to readers of the thread (and of
the hidden reply), with the Content-Type of the re-encoded file, nosniff and a sandboxing CSP."""
from __future__ import annotations

import io

from flask import Blueprint, abort, g, request, send_file
from flask_login import current_user

from board import permissions, photo_store
from board.extensions import db
from board.models import Attachment, Post, Thread
from board.queries import bulletins
from board.services import attachments

bp = Blueprint("uploads", __name__)  # endpoint names (uploads.serve, uploads.thumb) are public


@bp.get("/media/<int:attachment_id>")
@bp.get("/media/<int:attachment_id>/thumb", endpoint="thumb")
def serve(attachment_id: int):
    """Only readers of the thread (and the hidden reply) get the file; nothing user-named."""
    att = db.session.get(Attachment, attachment_id) if 0 < attachment_id < 2**31 else None
    if att is None:
        abort(404)
    target = (db.session.get(Post, att.post_id) if att.post_id
              else db.session.get(Thread, att.thread_id))
    action = "post.view" if att.post_id else "thread.view"
    if target is None or not permissions.can(current_user, action, target):
        abort(404)
    if target.withdrawn_at is not None and not permissions.can(current_user, "content.history",
                                                               target):
        abort(404)  # withdrawn by its author: the police and the author only (issue 18)
    if not bulletins.photos_shown(current_user, target.thread if att.post_id else target):
        abort(404)  # a found person's photos: off public view, kept for the police (issue 21)
    thumb = request.endpoint == "uploads.thumb"
    name = att.thumb_filename if thumb else att.filename
    stored = photo_store.find(name)
    if stored is None:
        abort(404)
    mimetype = "image/jpeg" if thumb else att.content_type
    if stored.path is not None:
        response = send_file(stored.path, mimetype=mimetype, conditional=True, max_age=86400)
    else:  # PHOTO_STORE=database: the same headers (length, ETag, Last-Modified, ranges)
        response = send_file(io.BytesIO(stored.data), mimetype=mimetype, conditional=True,
                             etag=name, last_modified=stored.modified, max_age=86400)
    extension = name.rsplit(".", 1)[1]
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="photo-{att.id}.{extension}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=86400"  # police-only photos too
    return response


def attachments_of(thread_id: int, post_id: int | None = None) -> list[Attachment]:
    """Jinja: the photos of the thread (post_id None) or one reply, one query per page."""
    cache = g.setdefault("_attachments", {})
    if thread_id not in cache:
        cache[thread_id] = attachments.for_thread(thread_id)
    return cache[thread_id].get(post_id, [])

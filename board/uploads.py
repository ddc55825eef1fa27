"""Evidence photos: checked by content (Pillow), size-limited, re-encoded without EXIF/GPS, thumbnailed.

A rejected image never costs the citizen the post: the post is saved first and each image is
accepted or refused on its own with a Chinese reason. Files are named by a random token (never
the uploaded name) and served by `serve()` only to readers of the thread, with the Content-Type
of the re-encoded file and nosniff.
"""
from __future__ import annotations

import io
import os
import secrets
import warnings
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, request, send_file
from flask_login import current_user
from PIL import Image, ImageOps, UnidentifiedImageError

from board import permissions
from board.extensions import db
from board.models import Attachment, Post, Thread

bp = Blueprint("uploads", __name__)

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}
DEFAULTS = {
    "UPLOAD_MAX_FILES": 9,
    "UPLOAD_MAX_BYTES": 10 * 1024 * 1024,
    "UPLOAD_MAX_PIXELS": 50_000_000,
    "UPLOAD_MAX_EDGE": 2560,
    "UPLOAD_THUMB_EDGE": 360,
    "REQUEST_MAX_BYTES": 1024 * 1024,  # anything that is not an upload
}


def _cfg(key: str) -> int:
    return int(current_app.config.get(key, DEFAULTS[key]))


class Rejected(Exception):
    """One image refused, with the reason shown to the citizen."""


def _folder() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(name: str) -> Path:
    return _folder() / name[:2] / name


def _decode(data: bytes) -> Image.Image:
    """Open by content, whatever the file was called; refuse bombs and non-images."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise Rejected("不是支持的图片格式(仅支持 JPG、PNG、WebP、GIF)")
            width, height = probe.size
            if width * height > _cfg("UPLOAD_MAX_PIXELS") or not width or not height:
                raise Rejected("图片尺寸过大")
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except Rejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            OSError, SyntaxError, ValueError):
        raise Rejected("文件不是有效的图片(仅支持 JPG、PNG、WebP、GIF)") from None
    return image


def _encode(image: Image.Image, max_edge: int) -> tuple[bytes, str, tuple[int, int]]:
    """A fresh file from the pixels only: no EXIF, GPS, comments or trailing bytes survive."""
    image = ImageOps.exif_transpose(image)  # keep the photo upright once the EXIF tag is gone
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((max_edge, max_edge))
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png", clean.size
    clean.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue(), "image/jpeg", clean.size


def _thumbnail(image: Image.Image) -> bytes:
    thumb = ImageOps.exif_transpose(image).convert("RGB")
    thumb.thumbnail((_cfg("UPLOAD_THUMB_EDGE"), _cfg("UPLOAD_THUMB_EDGE")))
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def _write(name: str, data: bytes) -> None:
    target = path_of(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def _read_limited(storage) -> bytes:
    limit = _cfg("UPLOAD_MAX_BYTES")
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        raise Rejected(f"超过 {limit // (1024 * 1024)} MB")
    if not data:
        raise Rejected("文件是空的")
    return data


def existing_count(thread: Thread, post: Post | None) -> int:
    stmt = db.select(db.func.count(Attachment.id)).where(Attachment.thread_id == thread.id)
    stmt = stmt.where(Attachment.post_id == post.id if post else Attachment.post_id.is_(None))
    return db.session.scalar(stmt) or 0


def attach(user, thread: Thread, post: Post | None, files) -> tuple[list[Attachment], list[str]]:
    """Store the images of one thread (post None) or reply; returns (saved, Chinese errors)."""
    files = [f for f in files or [] if f is not None and (f.filename or f.content_length)]
    if not files:
        return [], []
    permissions.require(user, "attachment.add", post or thread)
    room = _cfg("UPLOAD_MAX_FILES") - existing_count(thread, post)
    saved, errors, written = [], [], []
    for number, storage in enumerate(files, start=1):
        if number > room:
            errors.append(f"每帖最多 {_cfg('UPLOAD_MAX_FILES')} 张图片,第 {number} 张起未上传")
            break
        try:
            image = _decode(_read_limited(storage))
            data, content_type, (width, height) = _encode(image, _cfg("UPLOAD_MAX_EDGE"))
        except Rejected as exc:
            errors.append(f"第 {number} 张图片未上传:{exc}")
            continue
        att = Attachment(thread_id=thread.id, post_id=post.id if post else None,
                         uploader_id=user.id, token=secrets.token_hex(16),
                         content_type=content_type, width=width, height=height, size=len(data))
        _write(att.filename, data)
        _write(att.thumb_filename, _thumbnail(Image.open(io.BytesIO(data))))
        written += [att.filename, att.thumb_filename]
        saved.append(att)
    if saved:
        db.session.add_all(saved)
        try:
            db.session.commit()
        except Exception:
            db.session.rollback()
            for name in written:
                path_of(name).unlink(missing_ok=True)
            raise
    return saved, errors


def for_thread(thread_id: int) -> dict[int | None, list[Attachment]]:
    """All photos of a thread page in one query, keyed by post id (None: the thread itself)."""
    rows = db.session.scalars(db.select(Attachment).where(Attachment.thread_id == thread_id)
                              .order_by(Attachment.id))
    grouped: dict[int | None, list[Attachment]] = {}
    for att in rows:
        grouped.setdefault(att.post_id, []).append(att)
    return grouped


def attachments_of(thread_id: int, post_id: int | None = None) -> list[Attachment]:
    """Jinja: the photos of the thread (post_id None) or one reply, one query per page."""
    from flask import g

    cache = g.setdefault("_attachments", {})
    if thread_id not in cache:
        cache[thread_id] = for_thread(thread_id)
    return cache[thread_id].get(post_id, [])


@bp.get("/media/<int:attachment_id>")
@bp.get("/media/<int:attachment_id>/thumb", endpoint="thumb")
def serve(attachment_id: int):
    """Only readers of the thread (and the hidden reply) get the file; nothing user-named."""
    att = db.session.get(Attachment, attachment_id) if 0 < attachment_id < 2**31 else None
    if att is None:
        abort(404)
    target = db.session.get(Post, att.post_id) if att.post_id else db.session.get(Thread, att.thread_id)
    action = "post.view" if att.post_id else "thread.view"
    if target is None or not permissions.can(current_user, action, target):
        abort(404)
    thumb = request.endpoint == "uploads.thumb"
    name = att.thumb_filename if thumb else att.filename
    path = path_of(name)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype="image/jpeg" if thumb else att.content_type,
                         conditional=True, max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="photo-{att.id}.{name.rsplit(".", 1)[1]}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=86400"  # police-only photos too
    return response


def _cap_request_size() -> None:
    """Uploads may be large; every other request body is capped small."""
    if request.mimetype != "multipart/form-data":
        request.max_content_length = _cfg("REQUEST_MAX_BYTES")


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(bp)
    app.before_request(_cap_request_size)

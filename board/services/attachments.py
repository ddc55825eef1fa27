"""Attaching evidence photos to a thread or a reply: limits, storage (board/photo_store.py: a
folder or the database), listing.

A rejected image never costs the citizen the post: the post is saved first and each image is
accepted or refused on its own with a Chinese reason. Files are named by a random token (never
the uploaded name); the pixels are handled by board/images.py and the files are served by
board/views/photos.py, only to readers of the thread.
"""
from __future__ import annotations

import secrets

from flask import current_app

from board import images, live, permissions, photo_store
from board.extensions import db
from board.images import Rejected
from board.models import Attachment, Post, Thread
from board.services import upload_budget

DEFAULTS = {
    "UPLOAD_MAX_FILES": 9,
    "UPLOAD_MAX_BYTES": 10 * 1024 * 1024,
    "UPLOAD_MAX_PIXELS": 50_000_000,
    "UPLOAD_MAX_EDGE": 2560,
    "UPLOAD_THUMB_EDGE": 360,
}

__all__ = ["DEFAULTS", "Rejected", "attach", "existing_count", "for_thread", "path_of"]


def _cfg(key: str) -> int:
    return int(current_app.config.get(key, DEFAULTS[key]))


def path_of(name: str):
    """Where the disk store keeps a file (PHOTO_STORE=disk)."""
    return photo_store.path_of(name)


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


def _prepare(user, storage) -> tuple[bytes, str, tuple[int, int]]:
    """The re-encoded file of one upload, or Rejected with the reason.

    The header is read first: an image too large, or over the request's or the account's pixel
    budget, is refused before any pixel is decoded. The decoding itself runs on a worker thread
    (images.off_loop), so the rest of the site keeps being served meanwhile.
    """
    data = _read_limited(storage)
    width, height = images.probe(data, _cfg("UPLOAD_MAX_PIXELS"))
    upload_budget.spend(user, width * height)
    return images.off_loop(images.clean, data, _cfg("UPLOAD_MAX_PIXELS"), _cfg("UPLOAD_MAX_EDGE"))


def attach(user, thread: Thread, post: Post | None, files) -> tuple[list[Attachment], list[str]]:
    """Store the images of one thread (post None) or reply; returns (saved, Chinese errors)."""
    files = [f for f in files or [] if f is not None and (f.filename or f.content_length)]
    if not files:
        return [], []
    permissions.require(user, "attachment.add", post or thread)
    room = _cfg("UPLOAD_MAX_FILES") - existing_count(thread, post)  # early: decode no more
    numbered, errors, cut = [], [], None  # cut: the first photo refused for the cap
    encoded: list[tuple[str, bytes]] = []  # (file name, bytes): each photo and its thumbnail
    for number, storage in enumerate(files, start=1):
        if number > room:
            cut = number
            break
        try:
            data, content_type, (width, height) = _prepare(user, storage)
        except Rejected as exc:
            errors.append(f"第 {number} 张图片未上传:{exc}")
            continue
        att = Attachment(thread_id=thread.id, post_id=post.id if post else None,
                         uploader_id=user.id, token=secrets.token_hex(16),
                         content_type=content_type, width=width, height=height, size=len(data))
        encoded.extend(((att.filename, data), (att.thumb_filename, images.thumbnail(
            data, _cfg("UPLOAD_THUMB_EDGE")))))
        numbered.append((number, att))
    # Stored only now, once every photo is decoded: in the database store the rows join the
    # commit below, and no write (a SQLite write lock) is held while pixels are decoded.
    for name, data in encoded:
        photo_store.write(name, data)
    saved, trimmed = _commit(thread, post, numbered) if numbered else ([], None)
    cut = trimmed or cut
    if cut is not None:
        errors.append(f"每帖最多 {_cfg('UPLOAD_MAX_FILES')} 张图片,第 {cut} 张起未上传")
    if saved and post is not None:  # the reply was announced before its photos: show them live
        live.post_updated(post)
    return saved, errors


def _commit(thread: Thread, post: Post | None,
            numbered: list[tuple[int, Attachment]]) -> tuple[list[Attachment], int | None]:
    """Store what still fits under the cap, in one commit; the files of anything else go.

    The early count above was taken before decoding (seconds), so uploads to one post running
    at once all saw room (24 photos were stored against a cap of 9). The count is taken again
    here, inside the transaction that inserts, and serialized: PostgreSQL locks the thread row
    (FOR UPDATE, held to the commit) before inserting; on SQLite the INSERT takes the database's
    single write lock, so the count after it sees every committed photo and nobody adds one
    until this commit. Returns what was stored, and the number of the first photo dropped."""
    saved, trimmed = [att for _, att in numbered], None
    try:
        db.session.execute(db.select(Thread.id).where(Thread.id == thread.id).with_for_update())
        db.session.add_all(saved)
        db.session.flush()
        over = min(len(saved), existing_count(thread, post) - _cfg("UPLOAD_MAX_FILES"))
        if over > 0:
            trimmed = numbered[-over][0]
            for att in saved[-over:]:
                db.session.delete(att)
                _unlink(att)
            saved = saved[:-over]
        db.session.commit()
    except Exception:
        db.session.rollback()  # the database store's blobs go with it
        if not photo_store.in_database():
            for att in saved:
                _unlink(att)
        raise
    return saved, trimmed


def _unlink(att: Attachment) -> None:
    for name in (att.filename, att.thumb_filename):
        photo_store.remove(name)


def for_thread(thread_id: int) -> dict[int | None, list[Attachment]]:
    """All photos of a thread page in one query, keyed by post id (None: the thread itself)."""
    rows = db.session.scalars(db.select(Attachment).where(Attachment.thread_id == thread_id)
                              .order_by(Attachment.id))
    grouped: dict[int | None, list[Attachment]] = {}
    for att in rows:
        grouped.setdefault(att.post_id, []).append(att)
    return grouped

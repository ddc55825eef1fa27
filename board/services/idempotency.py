"""Idempotency keys for new threads and replies: a repeated submission gets the first one's result.

The key comes from the form (a hidden field made at each render) or the API's `Idempotency-Key`
header. `earlier` finds what a key already stored, `remember` records a key in the transaction
that stores the post; the unique (user, key) constraint decides between two submissions racing
each other (board/services/posting.py rolls the loser back and answers with the winner's post).
A key counts for a day; the same key with different content is refused (409), never merged.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from typing import NamedTuple

from sqlalchemy.exc import IntegrityError

from board.errors import Conflict, ValidationFailed
from board.extensions import db
from board.models import IdempotencyKey, Post, Thread, utcnow

TTL = timedelta(days=1)
HEADER = "Idempotency-Key"
_KEY = re.compile(r"[\x21-\x7e]{1,100}")  # visible ASCII: UUIDs, tokens, anything an app makes
K = IdempotencyKey
REUSED = "此表单已提交过,内容与上次不同。为防止重复发帖,请确认内容后再点一次发布"


def clean(raw: object) -> str | None:
    """The key, None when none was sent, or a 400 for one no client would make."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or not _KEY.fullmatch(raw):
        raise ValidationFailed(f"{HEADER} 需为 1–100 个可见 ASCII 字符",
                               fields={"idempotency_key": "格式无效"},
                               code="invalid_idempotency_key")
    return raw


def fingerprint(*parts: object) -> str:
    """What a submission asked for, as a digest: the same key with other content is not a repeat."""
    raw = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def earlier(user, key: str | None, digest: str) -> IdempotencyKey | None:
    """The unexpired key row this user stored with this key, if any."""
    if key is None:
        return None
    row = db.session.scalar(db.select(K).where(K.user_id == user.id, K.key == key,
                                               K.created_at >= utcnow() - TTL))
    if row is not None and row.fingerprint != digest:
        raise Conflict(REUSED, fields={"idempotency_key": "已用于另一条内容"},
                       code="idempotency_key_reused")
    return row


def remember(user, key: str | None, digest: str, thread: Thread, post: Post | None = None) -> None:
    """Record the key with the new post, in the caller's transaction; the user's expired keys
    (this one's included, if it is being reused after a day) go at the same time."""
    if key is None:
        return
    db.session.execute(db.delete(K).where(K.user_id == user.id, K.created_at < utcnow() - TTL),
                       execution_options={"synchronize_session": False})
    db.session.add(K(user_id=user.id, key=key, fingerprint=digest, thread=thread, post=post,
                     created_at=utcnow()))


class Submission(NamedTuple):
    item: Thread | Post
    replayed: bool  # True: an earlier submission with the same key stored it; nothing new was


def commit_once(author, key: str | None, digest: str,
                keep: bool = False) -> IdempotencyKey | None:
    """Commit; if a twin submission with the same key committed first (the unique key refused
    this one), roll back and return the twin's key row instead.

    `keep`: the session's objects stay loaded after the commit (the reply path: the post it
    just wrote is announced and returned as it is, without reading it back; the caller expires
    what others may have changed meanwhile)."""
    session = db.session()
    try:
        if keep:
            session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
    except IntegrityError:
        db.session.rollback()
        row = earlier(author, key, digest)
        if row is None:
            raise
        return row
    return None

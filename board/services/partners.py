"""Partner systems and their Open311 API keys: an admin issues a key (shown once, stored as its
SHA-256) and revokes it; a partner's service request becomes a thread, posted by the key's own
account (a citizen-role account named after the partner, which cannot sign in).

The reporter's personal fields Open311 allows (name, email, phone, device id) are not stored:
what a partner files is public on the board, like any resident's post.
"""
from __future__ import annotations

import hashlib
import secrets

from board import permissions, text
from board.errors import NotAuthenticated, NotFound, ValidationFailed
from board.extensions import db
from board.models import Board, PartnerKey, Role, Thread, User, kinds, utcnow
from board.services import audit, posting

KEY_PREFIX = "o311_"
SERVICE_KINDS = ("report", "help", "question")  # the kind a board's requests are filed as


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def service_kind(board: Board) -> str | None:
    """The kind a partner's request on this board is filed as (None: not a service)."""
    return next((k for k in SERVICE_KINDS if board.allows_kind(k)
                 and kinds.policy(k) and kinds.policy(k).needs_answer), None)


def issue_key(actor, name: str) -> tuple[PartnerKey, str]:
    """A new key for a partner system; the raw key is returned once and never stored."""
    permissions.require(actor, "user.manage")
    name = text.clean_line(name)
    if not 2 <= len(name) <= 40:
        raise ValidationFailed(fields={"name": "请填写合作系统名称(2–40 字)"})
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    count = db.session.scalar(db.select(db.func.count(PartnerKey.id))) or 0
    account = User(username=f"partner-{count + 1}-{secrets.token_hex(3)}", nickname=name[:20],
                   role=Role.CITIZEN, disabled=False)
    account.password_hash = "!"  # no password ever matches: the account posts, never signs in
    db.session.add(account)
    key = PartnerKey(name=name, key_hash=_digest(raw), prefix=raw[:12], account=account,
                     created_by_id=actor.id, created_at=utcnow())
    db.session.add(key)
    db.session.flush()
    audit.record(actor, "partner.key_issue", "partner_key", key.id, None,
                 {"partner": name, "name": key.prefix + "…"})
    db.session.commit()
    return key, raw


def revoke_key(actor, key_id: int) -> PartnerKey:
    permissions.require(actor, "user.manage")
    key = db.session.get(PartnerKey, key_id)
    if key is None:
        raise NotFound("密钥不存在")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit.record(actor, "partner.key_revoke", "partner_key", key.id,
                     {"partner": key.name}, None)
        db.session.commit()
    return key


def partner_for_key(raw: str | None) -> PartnerKey:
    """The active key for a raw key, or NotAuthenticated."""
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 100:
        raise NotAuthenticated("api_key 无效")
    key = db.session.scalar(db.select(PartnerKey).where(PartnerKey.key_hash == _digest(raw)))
    if key is None or key.revoked_at is not None:
        raise NotAuthenticated("api_key 无效或已吊销")
    return key


def file_request(key: PartnerKey, service_code: str, description: str,
                 address: str | None = None, title: str | None = None) -> Thread:
    """A partner's service request as a public thread on the service's board."""
    board = db.session.scalar(db.select(Board).where(Board.slug == (service_code or "")))
    kind = service_kind(board) if board else None
    if kind is None:
        raise ValidationFailed(fields={"service_code": "service_code 无效"})
    description = (description or "").strip()
    if not description:
        raise ValidationFailed(fields={"description": "description 不能为空"})
    title = text.clean_line(title) or text.clean_line(description)[:28]
    if len(title) < text.TITLE_MIN:
        title = f"{board.name}:{title}"
    key.last_used_at = utcnow()
    return posting.create_thread(key.account, board, kind, title[:text.TITLE_MAX], description,
                                 location=(address or None) and address[:100])

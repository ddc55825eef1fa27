"""What a signed-in client holds: browser sign-ins (session and remember-me cookies) and API
bearer tokens. Each is a row, so one can end on the server alone (sign-out, revoking a token)
or all together (password change, suspension): a copied cookie or token dies with its row.
Only hashes of the secrets are stored (issue 15, item 5)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db
from board.models.user import User
from board.orm import utcnow


def digest(raw: str) -> str:
    """The stored form of a secret: enough to recognise it, useless to present."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class UserSession(db.Model):
    """One sign-in of one browser; the cookies carry its key (User.get_id)."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)  # a remember-me cookie was issued
    user_agent: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")  # every lookup needs its user

    def open_at(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


class ApiToken(db.Model):
    """Bearer tokens for the mobile app: they expire, and their owner can list and revoke them."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")  # every lookup needs its user

    @staticmethod
    def hash(raw: str) -> str:
        return digest(raw)

    @classmethod
    def issue(cls, user: User, expires_at: datetime) -> tuple[ApiToken, str]:
        raw = new_secret()
        return cls(user=user, token_hash=cls.hash(raw), expires_at=expires_at), raw

    def open_at(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

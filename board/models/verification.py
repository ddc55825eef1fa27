"""One-time codes sent by SMS to prove a phone number (board/services/sms_codes.py).

Every accepted request is a row, sent or not (a reset code for a number no account has is
recorded but never sent), so the send limits count the same for every number and the answer
cannot tell which numbers have accounts. Only a keyed hash of the code is stored.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from board.extensions import db
from board.orm import utcnow


class SmsCode(db.Model):
    __tablename__ = "sms_code"
    __table_args__ = (
        Index("ix_sms_code_phone", "phone", "created_at"),
        Index("ix_sms_code_client", "client", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(10))  # register, reset, bind
    code_hash: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))  # the requesting address (send limits)
    user_id: Mapped[int | None]  # bind: the account asking (a code binds only to it)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

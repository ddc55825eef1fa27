"""Tables of running the board rather than of its content: worker leases (board/leases.py) and
the photo store's blobs (board/photo_store.py, PHOTO_STORE=database)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from board.extensions import db
from board.orm import utcnow


class WorkerLease(db.Model):
    """Who runs a single worker (the search indexer, the SLA check, …) until when. A holder
    renews well before `expires_at`; when it stops renewing, another process takes over."""

    __tablename__ = "worker_lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<WorkerLease {self.name} held by {self.holder}>"


class PhotoBlob(db.Model):
    """One stored photo file (the re-encoded image or its thumbnail), by its random file name."""

    __tablename__ = "photo_blob"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<PhotoBlob {self.name} ({self.size} bytes)>"

"""Pending search-index updates: written in the same transaction as the change they describe.

The database stays the truth: a job row exists until the one indexer has applied it, so a crash,
a busy index or a failed write delays an update but never loses it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from board.extensions import db
from board.orm import utcnow


class SearchJob(db.Model):
    __tablename__ = "search_job"
    __table_args__ = (Index("ix_search_job_due", "not_before", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key on purpose: a job must outlive its thread to remove it from the index.
    thread_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)  # retry back-off
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # The request that queued it (board/request_ids.py), for the indexer's log: a report can be
    # followed from the web process to the index.
    request_id: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<SearchJob {self.id} thread {self.thread_id}>"

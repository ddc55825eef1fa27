"""What residents search for and do not find, and the synonyms admins add in answer.

`SearchSynonym` rows are thesaurus groups (same format as board/search/thesaurus.txt, one group a
row) that take effect at once, without a re-index. `SearchMiss` counts, per day, the queries that
found nothing or almost nothing; the text is masked for personal data before it is stored.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from board.extensions import db
from board.orm import utcnow


class SearchSynonym(db.Model):
    __tablename__ = "search_synonym"

    id: Mapped[int] = mapped_column(primary_key=True)
    line: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchMiss(db.Model):
    __tablename__ = "search_miss"
    __table_args__ = (UniqueConstraint("day", "query", name="uq_search_miss_day_query"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    query: Mapped[str] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(default=0)
    results: Mapped[int] = mapped_column(default=0)  # the fewest results the query had that day

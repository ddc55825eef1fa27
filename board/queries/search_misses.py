"""The queries residents found (almost) nothing for, most frequent first: the admins' to-do list
for the thesaurus."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from board.extensions import db
from board.models import SearchMiss, utcnow


def recent(days: int = 7, limit: int = 100) -> list[tuple[str, int, int]]:
    """(masked query, times asked, fewest results) over the last `days` days."""
    since = utcnow().date() - timedelta(days=days - 1)
    total = func.sum(SearchMiss.count).label("asked")
    rows = db.session.execute(
        select(SearchMiss.query, total, func.min(SearchMiss.results))
        .where(SearchMiss.day >= since).group_by(SearchMiss.query)
        .order_by(total.desc(), SearchMiss.query).limit(limit)).all()
    return [(q, int(n), int(r)) for q, n, r in rows]

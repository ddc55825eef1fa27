"""The reporting pre-aggregate: one row per Beijing day × scope × key × public, holding the
counts the dashboard and the open data add up, and the first-response and resolution times as
fixed log-spaced histograms (board/stats.py: BUCKETS, half-octave wide), so a year is read in a
few hundred rows whatever the number of threads.

Scopes: "board" (key: board id; every figure), "day" (key 0: all boards together, the same
figures, so a period's totals and trend read one row per day), "unit" (the unit credited:
dispatched to, else the one that answered first; every figure), "answer" (the unit that
answered first: first response only), "officer" (the officer who answered first: ratings
only), "status" (key: index of the thread's status in ThreadStatus: thread count), "overdue"
and "supervised" (key 0: overdue now, supervised and still open). Threads count on the day they were
posted, dispatches on the day of the dispatch, ratings on the day they were given.

`daily_stat_month` holds the same sums per Beijing month (no day): kept equal to its month's
`daily_stat` rows by every rebuild, in the rebuild's transaction, and read for a month only when
every day of it is built and fresh — so a year is a dozen rows per key, not 365.

`daily_stat_day` says which days are built and whether a change since made one stale: readers
take built, fresh days from here and compute the others (today, stale, never built) from the
rows (queries/daily.py); services/daily_stats.py marks days stale in the transaction of the
change and rebuilds them.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from board.extensions import db
from board.stats import BUCKETS

COUNTS = ("threads", "asked", "within", "missed", "resolved", "dispatches",
          "s1", "s2", "s3", "s4", "s5")
FIRST = tuple(f"fr{i}" for i in range(BUCKETS))
RESOLUTION = tuple(f"rs{i}" for i in range(BUCKETS))
MEASURES = COUNTS + FIRST + RESOLUTION


class DailyStat(db.Model):
    __tablename__ = "daily_stat"
    __table_args__ = (Index("ix_daily_stat_scope_day", "scope", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    month: Mapped[int]  # 202611: the open data groups by it
    scope: Mapped[str] = mapped_column(String(12))
    key: Mapped[int]
    public: Mapped[bool]
    for _name in MEASURES:
        locals()[_name] = mapped_column(_name, Integer, default=0, nullable=False)
    del _name


class DailyStatDay(db.Model):
    __tablename__ = "daily_stat_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    built_at: Mapped[datetime]
    stale: Mapped[bool] = mapped_column(default=False, index=True)


class DailyStatMonth(db.Model):
    """A month's daily_stat rows summed (services/daily_stats.py keeps it equal to them)."""

    __tablename__ = "daily_stat_month"
    __table_args__ = (Index("ix_daily_stat_month_scope_month", "scope", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[int]
    scope: Mapped[str] = mapped_column(String(12))
    key: Mapped[int]
    public: Mapped[bool]
    for _name in MEASURES:
        locals()[_name] = mapped_column(_name, Integer, default=0, nullable=False)
    del _name

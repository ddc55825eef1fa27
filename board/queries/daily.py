"""The reporting figures per Beijing day, however they are kept: built, fresh days from the
pre-aggregate (models/daily_stat.py, summed in SQL), every other day (today, days a change made
stale, days never built) computed from the threads, dispatches and ratings themselves — so the
figures are always those of the rows, and a year costs a few hundred aggregate rows plus a few
live days, not a scan of every thread.

`gather` returns Figures (board/stats.py) grouped as asked; `compute` is the one place a day's
figures are made from rows (services/daily_stats.py stores what it returns).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    String,
    and_,
    bindparam,
    column,
    func,
    or_,
    text,
)

from board import periods
from board.extensions import db
from board.models import (
    DailyStatDay,
    Rating,
    Thread,
    ThreadStatus,
    User,
    Visibility,
    kinds,
)
from board.models.daily_stat import COUNTS, FIRST, RESOLUTION
from board.stats import Figures

STATUSES = [s.value for s in ThreadStatus]
CLOSED = (ThreadStatus.RESOLVED, ThreadStatus.CLOSED)
PARTS = {"counts": COUNTS, "first": FIRST, "resolution": RESOLUTION, "threads": ("threads",),
         "scores": ("s1", "s2", "s3", "s4", "s5")}
Key = tuple  # (scope, key, day, public)


def _ranges(days: set[date]) -> list[tuple[date, date]]:
    """Consecutive days folded into (first, last) ranges."""
    out: list[list[date]] = []
    for day in sorted(days):
        if out and out[-1][1] + timedelta(days=1) == day:
            out[-1][1] = day
        else:
            out.append([day, day])
    return [(a, b) for a, b in out]


def _within(column, days: set[date]):
    return or_(*(and_(column >= periods.beijing_midnight(a),
                      column < periods.beijing_midnight(b + timedelta(days=1)))
                 for a, b in _ranges(days)))


def compute(days: set[date], now: datetime) -> dict[Key, Figures]:
    """The figures of `days` from the rows, per (scope, key, day, public)."""
    out: dict[Key, Figures] = defaultdict(Figures)
    if not days:
        return out
    responder = db.aliased(User)
    credited = func.coalesce(Thread.first_response_unit_id, responder.unit_id)
    public = and_(Thread.visibility == Visibility.PUBLIC, Thread.hidden.is_(False))
    read = db.session.connection().execute
    answered_kinds = set(kinds.needing_answer())
    status_index = {s: i for i, s in enumerate(STATUSES)}
    for (created, first, due, resolved, kind, status, board_id, r_unit, d_unit, pub,
         supervised) in read(
            db.select(Thread.created_at, Thread.first_response_at, Thread.sla_due_at,
                      Thread.resolved_at, Thread.kind, Thread.status, Thread.board_id,
                      credited, Thread.dispatched_unit_id, public, Thread.supervised)
            .outerjoin(responder, responder.id == Thread.first_responder_id)
            .where(_within(Thread.created_at, days))):
        day, pub = periods.beijing_day(created), bool(pub)
        needs = kind in answered_kinds
        for key in (("board", board_id), ("day", 0)):
            out[(*key, day, pub)].add_thread(created, first, due, resolved, needs, now)
        if d_unit or r_unit:
            out["unit", d_unit or r_unit, day, pub].add_thread(created, first, due, resolved,
                                                               needs, now)
        if r_unit and needs and first is not None:
            out["answer", r_unit, day, pub].first.record((first - created).total_seconds())
        out["status", status_index.get(status, -1), day, pub].threads += 1
        if status == ThreadStatus.AWAITING_REPLY and first is None and due is not None \
                and due <= now:  # sla.overdue_clause, row by row
            out["overdue", 0, day, pub].threads += 1
        if supervised and status not in CLOSED:
            out["supervised", 0, day, pub].threads += 1
    for moment, board_id, r_unit, d_unit, pub in read(
            db.select(Thread.dispatched_at, Thread.board_id, credited,
                      Thread.dispatched_unit_id, public)
            .outerjoin(responder, responder.id == Thread.first_responder_id)
            .where(_within(Thread.dispatched_at, days))):
        day, pub = periods.beijing_day(moment), bool(pub)
        out["board", board_id, day, pub].dispatches += 1
        out["day", 0, day, pub].dispatches += 1
        if d_unit or r_unit:
            out["unit", d_unit or r_unit, day, pub].dispatches += 1
    for score, moment, board_id, officer, r_unit, d_unit, pub in read(
            db.select(Rating.score, Rating.created_at, Thread.board_id, responder.id, credited,
                      Thread.dispatched_unit_id, public)
            .join(Thread, Thread.id == Rating.thread_id)
            .outerjoin(responder, responder.id == Thread.first_responder_id)
            .where(_within(Rating.created_at, days))):
        if not 1 <= score <= 5:
            continue
        day, pub = periods.beijing_day(moment), bool(pub)
        for key in (("board", board_id), ("day", 0), ("unit", d_unit or r_unit),
                    ("officer", officer)):
            if key[1] is not None:
                out[(*key, day, pub)].scores[score - 1] += 1
    return out


def live_days(first: date, last: date, now: datetime) -> set[date]:
    """The days of first…last not served by the pre-aggregate: today and later, stale days,
    days never built."""
    today = periods.today(now)
    clean = set(db.session.scalars(db.select(DailyStatDay.day).where(
        DailyStatDay.day >= first, DailyStatDay.day <= last, DailyStatDay.stale.is_(False))))
    out, day = set(), first
    while day <= last:
        if day >= today or day not in clean:
            out |= {day}
        day += timedelta(days=1)
    return out


def _month(day: date) -> int:
    return day.year * 100 + day.month


class Live:
    """The days of first…last not served by the pre-aggregate and their figures from the rows,
    found once for the several sums of one page."""

    def __init__(self, first: date, last: date, now: datetime):
        self.days = live_days(first, last, now)
        self.figures = compute(self.days, now)


def _whole_months(first: date, last: date, live: set[date]) -> list[int]:
    """The months lying wholly inside first…last with every day built and fresh: read from
    daily_stat_month, one row per key instead of one per key and day."""
    out = []
    start = date(first.year, first.month, 1)
    if start < first:
        start = _next_month(start)
    while True:
        end = _next_month(start) - timedelta(days=1)
        if end > last:
            return out
        if not any(start <= d <= end for d in live):
            out.append(_month(start))
        start = end + timedelta(days=1)


@lru_cache(maxsize=256)
def _statement(by: tuple[str, ...], names: tuple[str, ...], public_only: bool, spans: int,
               live: bool, months: bool):
    """The sums of `names` grouped by `by`: the days of `spans` date ranges (minus the live
    days) from daily_stat, plus whole `months` from daily_stat_month. Written once per shape
    and kept: building a select of a hundred sum()s cost more than running it."""
    columns = ", ".join(by)
    sums = ", ".join(f"sum({name}) AS {name}" for name in names)
    public = " AND public = :public" if public_only else ""
    parts, binds = [], [bindparam("scopes", expanding=True)]
    if public_only:
        binds.append(bindparam("public", type_=Boolean))
    if spans:
        ranges = " OR ".join(f"day BETWEEN :a{i} AND :b{i}" for i in range(spans))
        binds += [bindparam(f"{x}{i}", type_=Date) for i in range(spans) for x in "ab"]
        parts.append(f"SELECT {columns}, {sums} FROM daily_stat WHERE scope IN :scopes "
                     f"AND ({ranges}){' AND day NOT IN :live' if live else ''}{public} "
                     f"GROUP BY {columns}")
        if live:
            binds.append(bindparam("live", expanding=True, type_=Date))
    if months:
        parts.append(f"SELECT {columns}, {sums} FROM daily_stat_month WHERE scope IN :scopes "
                     f"AND month IN :months{public} GROUP BY {columns}")
        binds.append(bindparam("months", expanding=True))
    types = {"scope": String, "key": Integer, "day": Date, "month": Integer}
    return (text(" UNION ALL ".join(parts)).bindparams(*binds)
            .columns(*(column(g, types[g]) for g in by),
                     *(column(name, Integer) for name in names)))


def _outside(first: date, last: date, months: list[int]) -> list[tuple[date, date]]:
    """first…last without the days of `months`, as (first, last) ranges."""
    out, day = [], first
    for month in sorted(months):
        start = date(month // 100, month % 100, 1)
        if day < start:
            out.append((day, start - timedelta(days=1)))
        day = _next_month(start)
    if day <= last:
        out.append((day, last))
    return out


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def gather(scopes: tuple[str, ...], first: date, last: date, now: datetime,
           by: tuple[str, ...], public_only: bool = False,
           parts: tuple[str, ...] = ("counts", "first", "resolution"),
           fold=None, known: Live | None = None) -> dict:
    """Figures of first…last for `scopes`, grouped by `by` (some of scope, key, day, month),
    each group then mapped through `fold` (e.g. a day to its trend bucket). Only the `parts`
    asked for are summed (the others read as zero). `known`: a Live covering first…last.
    Unless grouped by day, whole fresh months are read from their roll-up (daily_stat_month)."""
    fold = fold or (lambda group: group)
    names = [name for part in parts for name in PARTS[part]]
    known = known or Live(first, last, now)
    live = {d for d in known.days if first <= d <= last}
    months = [] if "day" in by else _whole_months(first, last, live)
    spans = _outside(first, last, months)
    rows = []
    if spans or months:
        params = {"scopes": list(scopes), "live": sorted(live), "months": months,
                  "public": True}
        for i, (a, b) in enumerate(spans):
            params[f"a{i}"], params[f"b{i}"] = a, b
        rows = db.session.connection().execute(
            _statement(tuple(by), tuple(names), public_only, len(spans), bool(live),
                       bool(months)), params)
    width = len(by)
    sums: dict = {}
    for row in rows:
        group = fold(tuple(row[:width]))
        if group is None:
            continue
        values = [int(v or 0) for v in row[width:]]
        seen = sums.get(group)
        sums[group] = (values if seen is None
                       else [a + b for a, b in zip(seen, values, strict=True)])
    out: dict = defaultdict(Figures)
    for group, values in sums.items():
        out[group] = _figures(dict(zip(names, values, strict=True)))
    for (scope, key, day, public), figures in known.figures.items():
        if scope not in scopes or (public_only and not public) or day not in live:
            continue
        row = {"scope": scope, "key": key, "day": day, "month": _month(day)}
        group = fold(tuple(row[g] for g in by))
        if group is not None:
            out[group].include(figures)
    return out


def _figures(values: dict) -> Figures:
    """A Figures of summed stored columns (histograms: no longer exact)."""
    get = values.get
    figures = Figures(get("threads", 0), get("asked", 0), get("within", 0), get("missed", 0),
                      get("resolved", 0), get("dispatches", 0),
                      [get(f"s{n}", 0) for n in range(1, 6)])
    if FIRST[0] in values:
        figures.first.add_hist([values[name] for name in FIRST])
    if RESOLUTION[0] in values:
        figures.resolution.add_hist([values[name] for name in RESOLUTION])
    return figures


def history_start() -> date | None:
    """The Beijing day of the first thread (None: no threads yet)."""
    first = db.session.scalar(db.select(func.min(Thread.created_at)))
    return periods.beijing_day(first) if first is not None else None

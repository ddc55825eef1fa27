"""Open data for residents (「公开数据」 and `GET /api/v1/stats`): how the police answered, month
by month (Beijing months), overall, per board and per unit — threads, share answered, median
first response, share answered within the board's target, dispatches from posts, resolved,
satisfaction.

Only what any reader may see counts: police-only and hidden threads are left out of every
figure, and nothing names a person (units, not officers). A unit's month counts the threads it
answered first or was dispatched to. The result is kept for `OPEN_DATA_CACHE_SECONDS` (600) per
process: the page is public and the figures move slowly.
"""
from __future__ import annotations

import threading
import time
from datetime import date, datetime

from flask import current_app

from board import periods, sla
from board.extensions import db
from board.models import Board, Rating, Thread, Unit, User, Visibility, kinds, utcnow
from board.stats import Tally

CACHE_SECONDS = 600
MAX_MONTHS = 24
FIELDS = ("threads", "answered", "answered_share", "first_response_median",
          "within_target_share", "dispatches", "resolved", "ratings", "satisfaction",
          "satisfied_share")

_cache: dict[tuple, tuple[float, dict]] = {}
_lock = threading.Lock()


def parse_months(raw, default: int = 12) -> int:
    try:
        months = int(raw or default)
    except (TypeError, ValueError):
        months = default
    return min(max(months, 1), MAX_MONTHS)


def _month_starts(months: int, now: datetime) -> list[date]:
    today = periods.today(now)
    year, month = today.year, today.month
    out = []
    for _ in range(months):
        out.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def _key(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def monthly(months: int = 12, now: datetime | None = None, cached: bool = True) -> dict:
    """The open figures of the last `months` Beijing months (this one so far included)."""
    now = now or utcnow()
    key = (months, periods.today(now).isoformat(), now.hour)
    if cached:
        with _lock:
            hit = _cache.get(key)
            if hit and hit[0] > time.monotonic():
                return hit[1]
    data = _compute(months, now)
    if cached:
        with _lock:
            if len(_cache) > 32:
                _cache.clear()
            ttl = current_app.config.get("OPEN_DATA_CACHE_SECONDS", CACHE_SECONDS)
            _cache[key] = (time.monotonic() + float(ttl), data)
    return data


def clear_cache() -> None:
    with _lock:
        _cache.clear()


class _Months:
    """Tallies per month for one row (overall, a board, a unit)."""

    def __init__(self, keys: list[str]):
        self.by_month = {k: Tally() for k in keys}

    def figures(self) -> list[dict]:
        out = []
        for month, tally in self.by_month.items():
            figures = tally.figures()
            out.append({"month": month, **{f: figures[f] for f in FIELDS}})
        return out


def _compute(months: int, now: datetime) -> dict:
    starts = _month_starts(months, now)
    keys = [_key(m) for m in starts]
    since = periods.beijing_midnight(starts[0])
    overall = _Months(keys)
    boards: dict[int, tuple[Board, _Months]] = {}
    units: dict[int, _Months] = {}
    unit_by_id = {u.id: u for u in db.session.scalars(db.select(Unit))}
    board_by_id = {b.id: b for b in db.session.scalars(db.select(Board).order_by(Board.position))}
    public = (Thread.visibility == Visibility.PUBLIC, Thread.hidden.is_(False))
    responder = db.aliased(User)
    answered_kinds = set(kinds.needing_answer())

    def rows_for(board_id, unit_id):
        out = [overall]
        if board_id in board_by_id:
            out.append(boards.setdefault(board_id, (board_by_id[board_id], _Months(keys)))[1])
        if unit_id in unit_by_id:
            out.append(units.setdefault(unit_id, _Months(keys)))
        return out

    months_by_day: dict[int, str] = {}

    def month_of(moment):  # per Beijing day, computed once: thousands of rows share a day
        day = periods.epoch_day(moment)
        if day not in months_by_day:
            months_by_day[day] = _key(periods.beijing_day(moment))
        return months_by_day[day]

    read = db.session.connection().execute
    for created, first, due, resolved, kind, board_id, r_unit, d_unit in read(
            db.select(Thread.created_at, Thread.first_response_at, Thread.sla_due_at,
                      Thread.resolved_at, Thread.kind, Thread.board_id, responder.unit_id,
                      Thread.dispatched_unit_id)
            .outerjoin(responder, responder.id == Thread.first_responder_id)
            .where(Thread.created_at >= since, *public)).all():
        month = month_of(created)
        for row in rows_for(board_id, d_unit or r_unit):
            row.by_month[month].add_thread(created, first, due, resolved,
                                           kind in answered_kinds, now)
    for moment, board_id, r_unit, d_unit in read(
            db.select(Thread.dispatched_at, Thread.board_id, responder.unit_id,
                      Thread.dispatched_unit_id)
            .outerjoin(responder, responder.id == Thread.first_responder_id)
            .where(Thread.dispatched_at >= since, *public)).all():
        for row in rows_for(board_id, d_unit or r_unit):
            row.by_month[month_of(moment)].dispatches += 1
    for score, moment, board_id, r_unit, d_unit in read(
            db.select(Rating.score, Rating.created_at, Thread.board_id, responder.unit_id,
                      Thread.dispatched_unit_id)
            .join(Thread, Thread.id == Rating.thread_id)
            .outerjoin(responder, responder.id == Thread.first_responder_id)
            .where(Rating.created_at >= since, *public)).all():
        for row in rows_for(board_id, d_unit or r_unit):
            row.by_month[month_of(moment)].scores.append(score)
    board_rows = [{"slug": b.slug, "name": b.name, "target_minutes": b.sla_minutes,
                   "months": row.figures()}
                  for b, row in sorted(boards.values(), key=lambda br: br[0].position)]
    unit_rows = [{"code": unit_by_id[uid].code, "name": unit_by_id[uid].name,
                  "months": row.figures()}
                 for uid, row in sorted(units.items(),
                                        key=lambda kv: unit_by_id[kv[0]].position)]
    return {"generated_at": now.astimezone(sla.BEIJING).isoformat(timespec="seconds"),
            "months": keys, "overall": overall.figures(), "boards": board_rows,
            "units": unit_rows}

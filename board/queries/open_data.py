"""Open data for residents (「公开数据」 and `GET /api/v1/stats`): how the police answered, month
by month (Beijing months), overall, per board and per unit — threads, share answered, median
first response, share answered within the board's target, dispatches from posts, resolved,
satisfaction.

Only what any reader may see counts: police-only and hidden threads are left out of every
figure, and nothing names a person (units, not officers). A unit's month counts the threads it
answered first or was dispatched to. The figures are read per day from queries/daily.py (the
pre-aggregate, and the rows for today and stale days): twelve months cost the same at any number
of threads; medians come from half-octave histograms (±19%) once a stored day is included.
The result is kept for `OPEN_DATA_CACHE_SECONDS` (600) per
process: the page is public and the figures move slowly.
"""
from __future__ import annotations

import threading
import time
from datetime import date, datetime

from flask import current_app

from board import periods, sla
from board.extensions import db
from board.models import Board, Unit, utcnow
from board.queries import daily
from board.stats import RESOLUTION_NOTE, Figures

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


def _compute(months: int, now: datetime) -> dict:
    starts = _month_starts(months, now)
    keys = [_key(m) for m in starts]
    number = {m.year * 100 + m.month: _key(m) for m in starts}
    unit_by_id = {u.id: u for u in db.session.scalars(db.select(Unit))}
    board_by_id = {b.id: b for b in db.session.scalars(db.select(Board).order_by(Board.position))}
    grouped = daily.gather(("board", "unit"), starts[0], periods.today(now), now,
                           ("scope", "key", "month"), public_only=True)
    overall = {k: Figures() for k in keys}
    boards: dict[int, dict[str, Figures]] = {}
    units: dict[int, dict[str, Figures]] = {}
    for (scope, key, month), f in grouped.items():
        if month not in number:
            continue
        if scope == "board":
            overall[number[month]].include(f)
            target = boards if key in board_by_id else None
        else:
            target = units if key in unit_by_id else None
        if target is not None:
            if key not in target:
                target[key] = {k: Figures() for k in keys}
            target[key][number[month]].include(f)
    board_rows = [{"slug": board_by_id[bid].slug, "name": board_by_id[bid].name,
                   "target_minutes": board_by_id[bid].sla_minutes, "months": _rows(row)}
                  for bid, row in sorted(boards.items(),
                                         key=lambda kv: board_by_id[kv[0]].position)]
    unit_rows = [{"code": unit_by_id[uid].code, "name": unit_by_id[uid].name,
                  "months": _rows(row)}
                 for uid, row in sorted(units.items(),
                                        key=lambda kv: unit_by_id[kv[0]].position)]
    return {"generated_at": now.astimezone(sla.BEIJING).isoformat(timespec="seconds"),
            "months": keys, "overall": _rows(overall), "boards": board_rows,
            "units": unit_rows, "resolution_note": RESOLUTION_NOTE}


def _rows(by_month: dict[str, Figures]) -> list[dict]:
    out = []
    for month, f in by_month.items():
        figures = f.figures()
        out.append({"month": month, **{name: figures[name] for name in FIELDS}})
    return out

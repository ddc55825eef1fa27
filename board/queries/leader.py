"""The dashboard's figures leaders read: status counts and overdue now; for any period (a
preset or a date range, board/periods.py) the period's figures beside the previous period's,
the trend day by day or week by week, response and resolution times per board and unit, and
satisfaction overall, per unit and per officer.

The figures come per Beijing day from queries/daily.py (the pre-aggregate for built days, the
rows for today and stale days), so a year costs the same at any number of threads; medians and
p90s are exact when every day came from rows and from the half-octave histograms otherwise
(within ±19%, board/stats.py). The exports are
board/dashboard_csv.py; the threads behind each number are queries/drilldown.py, the ratings
behind a unit's or officer's satisfaction `ratings_behind` below.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func

from board import periods, permissions, sla
from board.errors import PermissionDenied, ValidationFailed
from board.extensions import db
from board.models import (
    Board,
    Rating,
    Thread,
    ThreadStatus,
    Unit,
    User,
    utcnow,
)
from board.periods import Period
from board.queries import daily
from board.stats import RESOLUTION_NOTE, Figures, Times

S = ThreadStatus
PERIODS = (7, 30)  # the old ?days= values, still accepted


def parse_days(raw) -> int:
    """The period a request asks for (7 by default); anything but 7 or 30 is a 400."""
    try:
        days = int(raw or 7)
    except (TypeError, ValueError):
        days = 0
    if days not in PERIODS:
        raise ValidationFailed(fields={"days": "统计周期只能是 7 或 30 天"})
    return days


def parse_period(args, now: datetime | None = None) -> Period:
    """The period of a request's arguments (period=, start=/end=, or the old days=)."""
    return periods.parse(args, now or utcnow())


def figures(viewer, days: int = 7, now: datetime | None = None,
            period: Period | None = None) -> dict:
    """Everything the dashboard shows, as plain data (the API returns it as JSON)."""
    if not permissions.can(viewer, "dashboard.view"):
        raise PermissionDenied()
    now = now or utcnow()
    period = period or periods.preset(periods.LEGACY_DAYS.get(days, "7d"), now)
    previous = period.previous()
    first = daily.history_start()
    # one look at the live days (today, stale, unbuilt) for both: today is computed once
    known = daily.Live(min(first or previous.first, previous.first),
                       max(periods.today(now), period.last), now)
    by_status, overdue_now, supervised_open = _now_counts(now, first, known)
    window = _Window(period, previous, now, known)
    return {
        "days": period.days,
        "period": period.as_dict(),
        "previous": previous.as_dict(),
        "generated_at": now.astimezone(sla.BEIJING).isoformat(timespec="seconds"),
        "by_status": [{"status": s.value, "label": s.label, "count": by_status.get(s.value, 0)}
                      for s in ThreadStatus],
        "unanswered_now": by_status.get(S.AWAITING_REPLY, 0),
        "overdue_now": overdue_now,
        "escalations_open": by_status.get(S.ESCALATED, 0),
        "dispatches_open": by_status.get(S.DISPATCHED, 0) + by_status.get(S.HANDLING, 0),
        "supervised_open": supervised_open,
        "summary": window.current.figures(),
        "summary_previous": window.before.figures(),
        "trend": {"granularity": period.granularity, "buckets": window.trend()},
        "per_board": window.per_board(),
        "per_unit": window.per_unit(),
        "satisfaction": _satisfaction(window.current.scores),
        "satisfaction_units": window.rating_rows("unit"),
        "satisfaction_officers": window.rating_rows("officer"),
        "busiest_boards": window.busiest(),
        "resolution_note": RESOLUTION_NOTE,
    }


def _now_counts(now: datetime, first: date | None,
                known: daily.Live) -> tuple[dict[str, int], int, int]:
    """Every thread by status, the overdue ones (sla.overdue_clause) and the supervised open
    ones, now: summed per day (the pre-aggregate keeps them per posting day, and a status move
    makes its day stale), so the cost follows the days of history, not the threads."""
    if first is None:
        return {}, 0, 0
    counts: dict[str, int] = {}
    overdue = supervised = 0
    statuses = daily.STATUSES
    for (scope, key), f in daily.gather(("status", "overdue", "supervised"), first,
                                        periods.today(now), now, ("scope", "key"),
                                        parts=("threads",), known=known).items():
        if scope == "overdue":
            overdue += f.threads
        elif scope == "supervised":
            supervised += f.threads
        elif 0 <= key < len(statuses):
            counts[statuses[key]] = counts.get(statuses[key], 0) + f.threads
    return counts, overdue, supervised


class _Window:
    """The period and the one before it, from the per-day figures (queries/daily.py): day by
    day for the totals and the trend, per board, per unit and per officer for the period."""

    def __init__(self, period: Period, previous: Period, now: datetime, known: daily.Live):
        self.period, self.now = period, now
        self.current, self.before = Figures(), Figures()
        self.buckets = period.buckets()
        self.tallies = [Figures() for _ in self.buckets]
        bucket_of = {}
        for index, (first, last) in enumerate(self.buckets):
            for n in range((last - first).days + 1):
                bucket_of[first + timedelta(days=n)] = index
        for index, f in daily.gather(
                ("day",), period.first, period.last, now, ("day",),
                parts=("counts", "first"), known=known,
                fold=lambda group: bucket_of.get(group[0])).items():
            self.current.include(f)
            self.tallies[index].include(f)
        # the previous period needs no days: its whole months come from their roll-ups
        for f in daily.gather(("day",), previous.first, previous.last, now, ("scope",),
                              parts=("counts", "first"), known=known).values():
            self.before.include(f)
        self.groups = {}
        for scopes, parts in ((("board",), ("counts", "first", "resolution")),
                              (("unit",), ("counts", "resolution")),
                              (("answer",), ("first",)),
                              (("officer",), ("scores",))):
            self.groups |= (daily.gather(scopes, period.first, period.last, now,
                                         ("scope", "key"), parts=parts, known=known))
        self.unit_by_id = {u.id: u for u in db.session.scalars(db.select(Unit))}

    def _scope(self, scope: str) -> dict:
        return {key: f for (s, key), f in self.groups.items() if s == scope}

    def trend(self) -> list[dict]:
        out = []
        for (first, last), tally in zip(self.buckets, self.tallies, strict=True):
            label = f"{first.month}/{first.day}"
            out.append({"first": first.isoformat(), "last": last.isoformat(), "label": label,
                        **tally.figures()})
        return out

    def per_board(self) -> list[dict]:
        boards = {b.id: b for b in db.session.scalars(db.select(Board))}
        rows = [f.times(boards[key].slug, boards[key].name)
                for key, f in self._scope("board").items()
                if key in boards and f.asked]
        return sorted(rows, key=lambda r: r["key"])

    def per_unit(self) -> list[dict]:
        """Slowest first answer first: the unit a leader asks about heads the table."""
        answers, credited = self._scope("answer"), self._scope("unit")
        rows = []
        for key in set(answers) | set(credited):
            unit = self.unit_by_id.get(key)
            first = answers[key].first if key in answers else Times()
            resolution = credited[key].resolution if key in credited else Times()
            if unit is None or not (first.count or resolution.count):
                continue
            merged = Figures(first=first, resolution=resolution)
            rows.append(merged.times(unit.code, unit.name))
        return sorted(rows, key=lambda r: (r["first_response_median"] is None,
                                           -(r["first_response_median"] or 0), r["key"]))

    def rating_rows(self, scope: str) -> list[dict]:
        """Lowest mean first (the ones residents rate lowest), then the most ratings."""
        groups = {k: f for k, f in self._scope(scope).items() if f.ratings}
        rows = []
        if scope == "unit":
            for key, f in groups.items():
                unit = self.unit_by_id.get(key)
                if unit is not None:
                    rows.append(f.satisfaction(unit.code, unit.name))
        else:
            officers = {u.id: u for u in db.session.scalars(
                db.select(User).where(User.id.in_(sorted(groups))))} if groups else {}
            for key, f in groups.items():
                who = officers.get(key)
                if who is None:
                    continue
                home = self.unit_by_id.get(who.unit_id)
                rows.append(f.satisfaction(str(key), who.real_name or who.nickname, " · ".join(
                    x for x in (who.badge_no, home.name if home else "") if x)))
        return sorted(rows, key=lambda r: (r["average"], -r["count"], r["name"]))

    def busiest(self, limit: int = 5) -> list[dict]:
        boards = {b.id: b for b in db.session.scalars(db.select(Board))}
        counts = [(boards[key].slug, boards[key].name, f.threads)
                  for key, f in self._scope("board").items() if key in boards and f.threads]
        ranked = sorted(counts, key=lambda c: (-c[2], c[0]))
        return [{"slug": slug, "name": name, "count": n} for slug, name, n in ranked[:limit]]


def _satisfaction(scores: list[int]) -> dict:
    """Overall satisfaction from the count of each score (1★ … 5★)."""
    total = sum(scores)
    return {"count": total,
            "average": round(sum((i + 1) * c for i, c in enumerate(scores)) / total, 2)
            if total else None,
            "satisfied_share": round((scores[3] + scores[4]) / total, 3) if total else None,
            "distribution": [{"score": s, "count": scores[s - 1]} for s in range(1, 6)]}


def ratings_behind(viewer, period: Period, unit: str | None = None,
                   officer: int | None = None, score: int | None = None,
                   limit: int = 500) -> list[dict]:
    """The ratings behind a unit's or an officer's satisfaction: score, comment, the thread,
    the officer who answered; lowest first. Leaders and admins only."""
    if not permissions.can(viewer, "dashboard.view"):
        raise PermissionDenied()
    responder = db.aliased(User)
    stmt = (db.select(Rating, Thread, responder)
            .join(Thread, Thread.id == Rating.thread_id)
            .outerjoin(responder, responder.id == Thread.first_responder_id)
            .where(Rating.created_at >= period.start, Rating.created_at < period.end)
            .order_by(Rating.score, Rating.created_at.desc(), Rating.id.desc()).limit(limit))
    if unit:
        unit_id = db.session.scalar(db.select(Unit.id).where(Unit.code == unit))
        if unit_id is None:
            return []
        stmt = stmt.where(func.coalesce(Thread.dispatched_unit_id, responder.unit_id) == unit_id)
    if officer is not None:
        stmt = stmt.where(Thread.first_responder_id == officer)
    if score is not None:
        stmt = stmt.where(Rating.score == score)
    return [{"rating": rating, "thread": thread, "officer": who}
            for rating, thread, who in db.session.execute(stmt)]

"""The dashboard's figures leaders read: status counts and overdue now; for any period (a
preset or a date range, board/periods.py) the period's figures beside the previous period's,
the trend day by day or week by week, response and resolution times per board and unit, and
satisfaction overall, per unit and per officer.

One query per figure group over the period and the one before it (no per-row queries); medians
and p90s are taken in Python over that bounded window (board/stats.py). The exports are
board/dashboard_csv.py; the threads behind each number are queries/drilldown.py, the ratings
behind a unit's or officer's satisfaction `ratings_behind` below.
"""
from __future__ import annotations

from datetime import datetime

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
    kinds,
    utcnow,
)
from board.periods import Period
from board.stats import Ratings, Tally, TimeRow

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
    by_status = dict(db.session.execute(
        db.select(Thread.status, func.count()).group_by(Thread.status)).all())
    overdue_now = db.session.scalar(db.select(func.count()).select_from(Thread).where(
        sla.overdue_clause(Thread, now))) or 0
    window = _Window(period, previous, now)
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
        "supervised_open": db.session.scalar(db.select(func.count()).select_from(Thread).where(
            Thread.supervised.is_(True), Thread.status.not_in([S.RESOLVED, S.CLOSED]))) or 0,
        "summary": window.current.figures(),
        "summary_previous": window.before.figures(),
        "trend": {"granularity": period.granularity, "buckets": window.trend()},
        "per_board": window.per_board(),
        "per_unit": window.per_unit(),
        "satisfaction": _satisfaction(window.current.scores),
        "satisfaction_units": window.rating_rows(window.unit_ratings),
        "satisfaction_officers": window.rating_rows(window.officer_ratings),
        "busiest_boards": window.busiest(),
    }


class _Window:
    """The period and the one before it, read in three queries (threads, dispatches, ratings)
    and added up per period, per trend bucket, per board, unit and officer."""

    def __init__(self, period: Period, previous: Period, now: datetime):
        self.period, self.now = period, now
        self.current, self.before = Tally(), Tally()
        self.buckets = period.buckets()
        self.start, self.end = period.start, period.end  # computed once, compared per row
        self.bucket_of = {}
        for index, (first, last) in enumerate(self.buckets):
            for n in range((last - first).days + 1):
                self.bucket_of[periods.day_number(first) + n] = index
        self.tallies = [Tally() for _ in self.buckets]
        self.boards: dict[str, TimeRow] = {}
        self.units: dict[str, TimeRow] = {}
        self.board_counts: dict[str, list] = {}
        self.unit_ratings: dict[str, Ratings] = {}
        self.officer_ratings: dict[str, Ratings] = {}
        self.unit_by_id = {u.id: u for u in db.session.scalars(db.select(Unit))}
        self._read_threads(previous.start, period.end)
        self._read_dispatches(previous.start, period.end)
        self._read_ratings(previous.start, period.end)

    def _tallies(self, moment: datetime) -> tuple[Tally, ...]:
        """The period tally and trend bucket a moment falls in (none: outside both periods)."""
        if moment >= self.start:
            if moment >= self.end:
                return ()
            index = self.bucket_of.get(periods.epoch_day(moment))
            return (self.current,) if index is None else (self.current, self.tallies[index])
        return (self.before,)

    def _read_threads(self, since: datetime, until: datetime) -> None:
        responder = db.aliased(User)
        rows = db.session.connection().execute(
            db.select(Thread.created_at, Thread.first_response_at, Thread.sla_due_at,
                      Thread.resolved_at, Thread.kind, Board.slug, Board.name,
                      # the unit credited when it answered (board/answers.py, issue 18); rows
                      # from before that: the responder's unit
                      func.coalesce(Thread.first_response_unit_id, responder.unit_id),
                      Thread.dispatched_unit_id)
            .join(Board, Board.id == Thread.board_id)
            .outerjoin(responder, responder.id == Thread.first_responder_id)
            .where(Thread.created_at >= since, Thread.created_at < until)).all()
        answered_kinds = set(kinds.needing_answer())
        start = self.start
        for created, first, due, resolved, kind, slug, name, r_unit, d_unit in rows:
            needs = kind in answered_kinds
            for tally in self._tallies(created):
                tally.add_thread(created, first, due, resolved, needs, self.now)
            if created < start:
                continue
            self.board_counts.setdefault(slug, [name, 0])[1] += 1
            if not needs:
                continue
            board_row = self.boards.setdefault(slug, TimeRow(slug, name))
            if first is not None:
                board_row.first_response.append((first - created).total_seconds())
                if r_unit in self.unit_by_id:
                    self._unit_row(r_unit).first_response.append(
                        (first - created).total_seconds())
            if resolved is not None:
                board_row.resolution.append((resolved - created).total_seconds())
                if (d_unit or r_unit) in self.unit_by_id:
                    self._unit_row(d_unit or r_unit).resolution.append(
                        (resolved - created).total_seconds())

    def _unit_row(self, unit_id: int) -> TimeRow:
        unit = self.unit_by_id[unit_id]
        return self.units.setdefault(unit.code, TimeRow(unit.code, unit.name))

    def _read_dispatches(self, since: datetime, until: datetime) -> None:
        for (moment,) in db.session.connection().execute(db.select(Thread.dispatched_at).where(
                Thread.dispatched_at >= since, Thread.dispatched_at < until)).all():
            for tally in self._tallies(moment):
                tally.dispatches += 1

    def _read_ratings(self, since: datetime, until: datetime) -> None:
        responder = db.aliased(User)
        rows = db.session.connection().execute(
            db.select(Rating.score, Rating.created_at, Thread.dispatched_unit_id,
                      responder.id,
                      func.coalesce(Thread.first_response_unit_id, responder.unit_id),
                      responder.real_name,
                      responder.nickname, responder.badge_no)
            .join(Thread, Thread.id == Rating.thread_id)
            .outerjoin(responder, responder.id == Thread.first_responder_id)
            .where(Rating.created_at >= since, Rating.created_at < until)).all()
        for score, created, d_unit, officer_id, r_unit, real, nick, badge in rows:
            for tally in self._tallies(created):
                tally.scores.append(score)
            if created < self.start:
                continue
            unit = self.unit_by_id.get(d_unit or r_unit)
            if unit is not None:
                self.unit_ratings.setdefault(unit.code, Ratings(unit.code, unit.name)) \
                    .scores.append(score)
            if officer_id is not None:
                home = self.unit_by_id.get(r_unit)
                self.officer_ratings.setdefault(str(officer_id), Ratings(
                    str(officer_id), real or nick,
                    " · ".join(x for x in (badge, home.name if home else "") if x))) \
                    .scores.append(score)

    def trend(self) -> list[dict]:
        out = []
        for (first, last), tally in zip(self.buckets, self.tallies, strict=True):
            label = f"{first.month}/{first.day}"
            out.append({"first": first.isoformat(), "last": last.isoformat(), "label": label,
                        **tally.figures()})
        return out

    def per_board(self) -> list[dict]:
        return [r.figures() for r in sorted(self.boards.values(), key=lambda r: r.key)]

    def per_unit(self) -> list[dict]:
        """Slowest first answer first: the unit a leader asks about heads the table."""
        rows = [r.figures() for r in self.units.values()]
        return sorted(rows, key=lambda r: (r["first_response_median"] is None,
                                           -(r["first_response_median"] or 0), r["key"]))

    @staticmethod
    def rating_rows(groups: dict[str, Ratings]) -> list[dict]:
        """Lowest mean first (the ones residents rate lowest), then the most ratings."""
        rows = [g.figures() for g in groups.values()]
        return sorted(rows, key=lambda r: (r["average"], -r["count"], r["name"]))

    def busiest(self, limit: int = 5) -> list[dict]:
        ranked = sorted(self.board_counts.items(), key=lambda kv: (-kv[1][1], kv[0]))
        return [{"slug": slug, "name": name, "count": n} for slug, (name, n) in ranked[:limit]]


def _satisfaction(scores: list[int]) -> dict:
    counts = {s: scores.count(s) for s in range(1, 6)}
    total = len(scores)
    return {"count": total,
            "average": round(sum(scores) / total, 2) if total else None,
            "satisfied_share": round(sum(1 for s in scores if s >= 4) / total, 3)
            if total else None,
            "distribution": [{"score": s, "count": counts[s]} for s in range(1, 6)]}


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

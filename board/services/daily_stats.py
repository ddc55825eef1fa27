"""Keeping the reporting pre-aggregate (models/daily_stat.py) true to the rows.

Every change to a thread or a rating — through the ORM or as a guarded UPDATE/DELETE statement
(a status move) — marks the days it counts on (posted, dispatched, its ratings') stale, in the
same flush and so in the same transaction as the change: from the commit on, readers compute
those days from the rows (queries/daily.py), never from an outdated sum. `rebuild` recomputes
days and stores them fresh: `flask stats rebuild [--since DATE]` for history (after a migration
or an import), `refresh` for the stale ones, run by `flask stats worker` (one process at a time,
board/leases.py) or by hand. Nothing is announced from here.

A day with a thread still inside its first-response target stays stale (its 超时 count moves
with the clock): only days whose every figure is final are stored.
"""
from __future__ import annotations

import logging
import threading
from datetime import date, datetime, timedelta
from itertools import chain

from sqlalchemy import event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import ObjectDeletedError

from board import periods
from board.extensions import db
from board.leases import Lease, run_while_holding
from board.models import DailyStat, DailyStatDay, DailyStatMonth, Rating, Thread, utcnow
from board.models.daily_stat import COUNTS, FIRST, MEASURES, RESOLUTION
from board.queries import daily

log = logging.getLogger(__name__)

_DAY_COLUMNS = (Thread.__table__.c.created_at, Thread.__table__.c.dispatched_at)


def _days_of(moments) -> set[date]:
    return {periods.beijing_day(m) for m in moments if m is not None}


def _mark(session, days: set[date], thread_ids: set[int]) -> None:
    """Mark stale the days given and those of the ratings of `thread_ids` (built days only:
    others are computed from the rows anyway)."""
    connection = session.connection()
    if thread_ids:
        days |= _days_of(connection.execute(select(Rating.__table__.c.created_at).where(
            Rating.__table__.c.thread_id.in_(sorted(thread_ids)))).scalars())
    if days:
        # unconditional: the row stays locked until this change commits, so a rebuild that
        # starts meanwhile waits for it and then reads it (see rebuild)
        connection.execute(update(DailyStatDay.__table__).where(
            DailyStatDay.__table__.c.day.in_(sorted(days))).values(stale=True))


def _values(obj, name: str) -> list:
    """An attribute's value now and, if this flush changes it, before (loads it if expired)."""
    history = db.inspect(obj).attrs[name].history
    try:
        now = getattr(obj, name)
    except ObjectDeletedError:  # its row is already gone (a bulk delete): nothing counts it
        now = None
    return [now, *(history.deleted or ())]


# What every reply moves on its thread, and no figure counts: a reply that changes only these
# marks no day stale (two statements less on the write path, issue 19).
_UNCOUNTED = frozenset({"reply_count", "last_activity_at", "last_official_reply_at"})


def _counted_change(session, obj) -> bool:
    """Whether a loaded Thread or Rating has a change any figure may count."""
    if not session.is_modified(obj, include_collections=False):
        return False
    if not isinstance(obj, Thread):
        return True
    return not _UNCOUNTED.issuperset(db.inspect(obj).committed_state)  # the changed ones


@event.listens_for(db.session, "before_flush")
def _before_flush(session, _context, _instances) -> None:
    days: set[date] = set()
    thread_ids: set[int] = set()
    changed = [o for o in session.dirty if isinstance(o, (Thread, Rating))
               and _counted_change(session, o)]
    for obj in chain(session.new, session.deleted, changed):
        if isinstance(obj, Thread):
            for name in ("created_at", "dispatched_at"):
                days |= _days_of(_values(obj, name))
            if obj.id is not None:
                thread_ids.add(obj.id)
        elif isinstance(obj, Rating):
            days |= _days_of(_values(obj, "created_at"))
            if obj.created_at is None:
                days.add(periods.today(utcnow()))
    if days or thread_ids:
        _mark(session, days, thread_ids)


@event.listens_for(db.session, "do_orm_execute")
def _before_bulk_write(state) -> None:
    """db.update(Thread)… / db.delete(Rating)…: mark the days of the rows about to change."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    model = state.bind_mapper.class_
    if model not in (Thread, Rating):
        return
    where = getattr(state.statement, "whereclause", None)
    table = model.__table__
    columns = (_DAY_COLUMNS if model is Thread else (table.c.created_at,))
    id_column = table.c.id if model is Thread else table.c.thread_id
    query = select(id_column, *columns)
    if where is not None:
        query = query.where(where)
    rows = state.session.connection().execute(query).all()
    days = _days_of(chain.from_iterable(row[1:] for row in rows))
    values = getattr(state.statement, "_values", None) or {}
    for column, value in values.items():  # a new dispatched_at is a day too
        if getattr(column, "key", column) in ("created_at", "dispatched_at"):
            moment = getattr(value, "value", None)
            if isinstance(moment, datetime):
                days.add(periods.beijing_day(moment))
    _mark(state.session, days, {row[0] for row in rows} if model is Thread else set())


def _pending_days(days: set[date], now: datetime) -> set[date]:
    """Days with a thread still unanswered inside its target: their figures still move."""
    if not days:
        return set()
    return _days_of(db.session.scalars(db.select(Thread.created_at).where(
        daily._within(Thread.created_at, days), Thread.first_response_at.is_(None),
        Thread.sla_due_at > now)))


def rebuild(days: set[date], now: datetime | None = None) -> int:
    """Recompute and store `days` (today and later are never stored); commits. How many
    days were stored fresh.

    The day rows are marked fresh first and the figures read after, in one transaction: a
    change that marked a day stale before is committed by then (the mark's row lock made this
    wait) and is read; one that marks it after waits for this commit and leaves it stale."""
    now = now or utcnow()
    today = periods.today(now)
    days = sorted(d for d in days if d < today)
    if not days:
        return 0
    known = set(db.session.scalars(db.select(DailyStatDay.day).where(DailyStatDay.day.in_(days))))
    if len(known) < len(days):
        try:
            db.session.execute(db.insert(DailyStatDay), [
                {"day": d, "built_at": now, "stale": True} for d in days if d not in known])
            db.session.commit()
        except IntegrityError:  # another rebuild inserted them: fine, they exist
            db.session.rollback()
    db.session.execute(db.update(DailyStatDay).where(DailyStatDay.day.in_(days))
                       .values(stale=False, built_at=now))
    figures = daily.compute(set(days), now)
    pending = _pending_days(set(days), now)
    if pending:
        db.session.execute(db.update(DailyStatDay).where(DailyStatDay.day.in_(sorted(pending)))
                           .values(stale=True))
    db.session.execute(db.delete(DailyStat).where(DailyStat.day.in_(days)))
    rows = []
    for (scope, key, day, public), f in figures.items():
        counts = (f.threads, f.asked, f.within, f.missed, f.resolved, f.dispatches, *f.scores)
        row = {"day": day, "month": day.year * 100 + day.month, "scope": scope, "key": key,
               "public": public}
        row.update(zip(COUNTS, counts, strict=True))
        row.update(zip(FIRST, f.first.hist or [0] * len(FIRST), strict=True))
        row.update(zip(RESOLUTION, f.resolution.hist or [0] * len(RESOLUTION), strict=True))
        rows.append(row)
    if rows:
        db.session.execute(db.insert(DailyStat), rows)
    roll_up({d.year * 100 + d.month for d in days})
    db.session.commit()
    return len(set(days) - pending)


def roll_up(months: set[int]) -> None:
    """Make daily_stat_month equal to the sums of these months' daily_stat rows, in the
    caller's transaction. On PostgreSQL one rebuild at a time per month (a transaction-scoped
    advisory lock, taken in order): a concurrent rebuild of another day of the month then
    reads this one's rows once committed, so the last roll-up written has every day's."""
    if not months:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        for month in sorted(months):
            db.session.execute(db.text("SELECT pg_advisory_xact_lock(:k)"),
                               {"k": _ROLL_UP_LOCK + month})
    table = DailyStat.__table__
    columns = [table.c[name] for name in MEASURES]
    db.session.execute(db.delete(DailyStatMonth).where(DailyStatMonth.month.in_(sorted(months))))
    db.session.execute(db.insert(DailyStatMonth).from_select(
        ["month", "scope", "key", "public", *MEASURES],
        select(table.c.month, table.c.scope, table.c.key, table.c.public,
               *(func.sum(c) for c in columns))
        .where(table.c.month.in_(sorted(months)))
        .group_by(table.c.month, table.c.scope, table.c.key, table.c.public)))


_ROLL_UP_LOCK = 20_000_000_000  # advisory lock keys: this + yyyymm


def rebuild_since(since: date | None, now: datetime | None = None, chunk: int = 31,
                  progress=None) -> int:
    """Rebuild every day from `since` (default: the first thread's) to yesterday, a month
    of days per transaction."""
    now = now or utcnow()
    first = since or daily.history_start()
    if first is None:
        return 0
    last = periods.today(now) - timedelta(days=1)
    done, day = 0, first
    while day <= last:
        batch = {day + timedelta(days=n) for n in range(chunk)
                 if day + timedelta(days=n) <= last}
        done += rebuild(batch, now)
        if progress:
            progress(len(batch))
        day += timedelta(days=chunk)
    return done


def refresh(now: datetime | None = None, limit: int = 62) -> int:
    """Rebuild the stale days (the oldest `limit` of them), and yesterday if never built."""
    now = now or utcnow()
    yesterday = periods.today(now) - timedelta(days=1)
    days = set(db.session.scalars(db.select(DailyStatDay.day).where(
        DailyStatDay.stale.is_(True)).order_by(DailyStatDay.day).limit(limit)))
    if db.session.get(DailyStatDay, yesterday) is None and daily.history_start() is not None:
        days.add(yesterday)
    db.session.rollback()  # end the read before the rebuild's own transaction
    return rebuild(days, now) if days else 0


def run_worker(app, interval: float = 60.0, stop: threading.Event | None = None) -> None:
    """`flask stats worker`: refresh stale days every `interval` seconds, one process at a
    time."""
    lease = Lease("daily-stats", ttl=3 * interval)

    def step() -> None:
        with app.app_context():
            try:
                refresh()
            except Exception:
                db.session.rollback()
                log.exception("daily stats refresh failed")
            finally:
                db.session.remove()

    with app.app_context():
        run_while_holding(lease, step, stop)

"""Response-time targets: when a thread's first answer is due, in working hours or around the clock.

Working hours are 08:30–17:30 Beijing time on China's working days: weekends and public holidays
are off, and the make-up working days (调休, e.g. a Saturday before National Day) are on. The
holiday table comes from the maintained `chinese_calendar` package; for a year it does not know
yet we fall back to Monday–Friday rather than fail.

Whether a thread is overdue is decided here too, once, for Python and for SQL (see below).

Every function takes `now`/`start` explicitly so tests freeze the clock by passing it in.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from operator import eq, le
from zoneinfo import ZoneInfo

import chinese_calendar
from sqlalchemy import ColumnElement, and_

BEIJING = ZoneInfo("Asia/Shanghai")
WORK_START = time(8, 30)
WORK_END = time(17, 30)
ALWAYS, WORKING = "always", "working"
_MAX_DAYS = 400  # a target longer than a year of working days is a configuration mistake


# Years given in boards_config.yaml's `calendar:` (the State Council publishes each November the
# next year's holidays and 调休 days, often before the library's release): year → (holidays,
# make-up working days). A configured year replaces the library's table for that year. Loaded by
# board/services/boards.py on every start and `flask boards sync`.
_configured: dict[int, tuple[frozenset[date], frozenset[date]]] = {}


def configure_calendar(years: dict[int, tuple[set[date], set[date]]]) -> None:
    """Replace the configured years (boards_config.yaml `calendar:`)."""
    _configured.clear()
    _configured.update({year: (frozenset(off), frozenset(on)) for year, (off, on) in years.items()})


def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def calendar_known(year: int) -> bool:
    """Whether the holidays of `year` are known (configured, or in the library)."""
    return year in _configured or _library_knows(year)


def missing_years(today: date) -> list[int]:
    """This year and the coming one, when their holidays are known neither way: start-up warns."""
    return [year for year in (today.year, today.year + 1) if not calendar_known(year)]


def is_working_day(day: date) -> bool:
    """Mon–Fri unless a public holiday; weekends too when they are 调休 make-up working days."""
    configured = _configured.get(day.year)
    if configured is not None:
        holidays, workdays = configured
        return day in workdays or (day.weekday() < 5 and day not in holidays)
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year neither the calendar nor the configuration covers
        return day.weekday() < 5


def due_at(start: datetime, minutes: int | None, hours: str = ALWAYS) -> datetime | None:
    """The moment `minutes` of (working) time after `start` have passed; None without a target."""
    if not minutes:
        return None
    if hours != WORKING:
        return start + timedelta(minutes=minutes)
    remaining = timedelta(minutes=minutes)
    cursor = start.astimezone(BEIJING)
    for _ in range(_MAX_DAYS):
        day = cursor.date()
        if is_working_day(day):
            opens = datetime.combine(day, WORK_START, tzinfo=BEIJING)
            closes = datetime.combine(day, WORK_END, tzinfo=BEIJING)
            cursor = max(cursor, opens)
            if cursor < closes:
                if cursor + remaining <= closes:
                    return (cursor + remaining).astimezone(UTC)
                remaining -= closes - cursor
        cursor = datetime.combine(day + timedelta(days=1), time(0), tzinfo=BEIJING)
    raise ValueError(f"SLA of {minutes} working minutes does not fit in {_MAX_DAYS} days")


def due_for(board, start: datetime) -> datetime | None:
    """A board's first-response deadline for a thread opened at `start` (boards_config.yaml)."""
    return due_at(start, board.sla_minutes, board.sla_hours or ALWAYS)


# --- overdue: the rule, once, for Python and for SQL ------------------------------------------
# This module sits below the models (the Thread model imports it), so it names the status by its
# stored value.

AWAITING_REPLY = "awaiting_reply"  # ThreadStatus.AWAITING_REPLY


def _overdue_terms(now: datetime) -> tuple[tuple[str, Callable, object], ...]:
    """THE overdue rule, as (Thread attribute, comparison, value) terms that must all hold.

    A thread is overdue while it waits for an answer (awaiting_reply), the police have not yet
    given it a first answer, and its board's first-response target has passed (the target moment
    itself counts). The target is about the FIRST answer only: a thread answered in time,
    resolved and then reopened by its asker is waiting again but is never overdue again; one
    reopened before any official answer (e.g. closed unanswered) still is. No target, never.

    `is_overdue` reads the terms against a loaded thread and `overdue_clause` turns them into a
    WHERE clause, so the thread page, the inbox, the dashboard and the leaders' alert agree."""
    return (("status", eq, AWAITING_REPLY),
            ("first_response_at", eq, None),
            ("sla_due_at", le, now))


def _holds(compare: Callable, actual, value) -> bool:
    """One term in Python with SQL's NULL logic: None only equals None, and compares false."""
    if actual is None or value is None:
        return compare is eq and actual is value
    return compare(actual, value)


def is_overdue(thread, now: datetime) -> bool:
    """Whether a loaded thread is overdue at `now` (the rule: `_overdue_terms`)."""
    return all(_holds(compare, getattr(thread, name), value)
               for name, compare, value in _overdue_terms(now))


def overdue_clause(threads, now: datetime) -> ColumnElement[bool]:
    """The same rule as a WHERE clause over `threads` (the Thread model, or an alias of it)."""
    return and_(*(compare(getattr(threads, name), value)
                  for name, compare, value in _overdue_terms(now)))


def overdue_seconds(thread, now: datetime) -> int:
    """How long past its target an overdue thread is at `now`; 0 when it is not overdue."""
    if not is_overdue(thread, now):
        return 0
    return int((now - thread.sla_due_at).total_seconds())


# --- the deadline as officers see it: due time, time left, and its colour -------------------

SOON_MIN_SECONDS = 10 * 60  # amber at the latest when this little is left …
SOON_SHARE = 0.25  # … or earlier, when a quarter of the board's target is left


@dataclass(frozen=True)
class Deadline:
    due_at: datetime
    seconds_left: int  # negative once overdue
    soon_seconds: int  # amber from this many seconds left
    level: str  # "ok", "soon" (amber) or "late" (red)

    @property
    def text(self) -> str:
        """「还剩 25 分钟」 or 「已超时 1 小时 5 分钟」 (static/js/deadlines.js words it alike)."""
        if self.seconds_left > 0:
            return f"还剩 {span_words(self.seconds_left)}"
        return f"已超时 {span_words(-self.seconds_left)}"


def span_words(seconds: int) -> str:
    """A span in words, to the minute: 不到 1 分钟, 25 分钟, 1 小时 5 分钟, 2 天 3 小时."""
    minutes = int(seconds) // 60
    if minutes < 1:
        return "不到 1 分钟"
    if minutes < 60:
        return f"{minutes} 分钟"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} 小时 {minutes} 分钟" if minutes else f"{hours} 小时"
    days, hours = divmod(hours, 24)
    return f"{days} 天 {hours} 小时" if hours else f"{days} 天"


def deadline(thread, now: datetime | None = None) -> Deadline | None:
    """The first-response deadline while its clock runs (the overdue rule's terms but the time:
    awaiting, no formal answer yet, a target), else None."""
    if (thread.sla_due_at is None or thread.status != AWAITING_REPLY
            or thread.first_response_at is not None):
        return None
    now = now or datetime.now(UTC)
    left = int((thread.sla_due_at - now).total_seconds())
    target = (getattr(thread.board, "sla_minutes", None) or 0) * 60
    soon = max(SOON_MIN_SECONDS, int(target * SOON_SHARE))
    level = "late" if left <= 0 else "soon" if left <= soon else "ok"
    return Deadline(thread.sla_due_at, left, soon, level)

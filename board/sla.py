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


def is_working_day(day: date) -> bool:
    """Mon–Fri unless a public holiday; weekends too when they are 调休 make-up working days."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the calendar does not cover yet
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

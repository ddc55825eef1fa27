"""Response-time targets: when a thread's first answer is due, in working hours or around the clock.

Working hours are 08:30–17:30 Beijing time on China's working days: weekends and public holidays
are off, and the make-up working days (调休, e.g. a Saturday before National Day) are on. The
holiday table comes from the maintained `chinese_calendar` package; for a year it does not know
yet we fall back to Monday–Friday rather than fail.

Every function takes `now`/`start` explicitly so tests freeze the clock by passing it in.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar

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
                    return (cursor + remaining).astimezone(timezone.utc)
                remaining -= closes - cursor
        cursor = datetime.combine(day + timedelta(days=1), time(0), tzinfo=BEIJING)
    raise ValueError(f"SLA of {minutes} working minutes does not fit in {_MAX_DAYS} days")


def due_for(board, start: datetime) -> datetime | None:
    """A board's first-response deadline for a thread opened at `start` (boards_config.yaml)."""
    return due_at(start, board.sla_minutes, board.sla_hours or ALWAYS)


def is_overdue(thread, now: datetime) -> bool:
    """Still unanswered by the police and past the board's first-response target."""
    return (thread.first_response_at is None and thread.sla_due_at is not None
            and thread.status == "awaiting_reply" and thread.sla_due_at <= now)


def overdue_seconds(thread, now: datetime) -> int:
    return max(0, int((now - thread.sla_due_at).total_seconds())) if is_overdue(thread, now) else 0

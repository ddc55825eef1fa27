"""When an off-site notice may go: the rules in one place.

- It waits `NOTICE_GRACE_SECONDS` (30) after the event, for an open page to say it received it.
- Read on the board (the bell entry read, or the thread opened since) → not sent.
- Received live by an open page but left unread → sent once `NOTICE_UNREAD_MINUTES` (5) passed.
- At most one per person, thread and channel per hour: later ones wait and fold into one.
- Never in the quiet hours (the site's `NOTICE_QUIET_HOURS`, 22:00–07:00 Beijing time, and the
  person's own), except for urgent or escalated threads.
- A channel's failure is retried with exponential back-off (`NOTICE_RETRY_SECONDS` doubling up to
  an hour), `NOTICE_MAX_ATTEMPTS` times; then the notice shows as failed on the admins' page.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from board.models import Thread

BEIJING = ZoneInfo("Asia/Shanghai")
HOURLY = timedelta(hours=1)
RETRY_CAP = timedelta(hours=1)


def _setting(name: str, default):
    return current_app.config.get(name, default)


def grace() -> timedelta:
    return timedelta(seconds=float(_setting("NOTICE_GRACE_SECONDS", 30)))


def unread_wait() -> timedelta:
    return timedelta(minutes=float(_setting("NOTICE_UNREAD_MINUTES", 5)))


def max_attempts() -> int:
    return int(_setting("NOTICE_MAX_ATTEMPTS", 20))


def backoff(attempts: int) -> timedelta:
    """After the n-th failure: base, 2×base, 4×base … at most an hour."""
    base = float(_setting("NOTICE_RETRY_SECONDS", 30))
    return min(RETRY_CAP, timedelta(seconds=base * 2 ** min(max(attempts - 1, 0), 16)))


def parse_clock(text: str) -> time | None:
    """"HH:MM" (00:00–23:59) or None."""
    try:
        hours, minutes = text.split(":")
        if len(hours) != 2 or len(minutes) != 2:
            return None
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        return None


def site_quiet_hours() -> tuple[time, time] | None:
    """NOTICE_QUIET_HOURS, "22:00-07:00" by default; "" or "off" for none."""
    raw = str(_setting("NOTICE_QUIET_HOURS", "22:00-07:00") or "").strip()
    if not raw or raw.lower() == "off" or "-" not in raw:
        return None
    start, end = (parse_clock(part.strip()) for part in raw.split("-", 1))
    return (start, end) if start and end else None


def _window_end(now_local: datetime, start: time, end: time) -> datetime | None:
    """The end of the quiet window `now_local` falls in (start inclusive), else None."""
    clock = now_local.time()
    if start == end:
        return None
    if start < end:
        inside = start <= clock < end
        day = now_local.date()
    else:  # across midnight, e.g. 22:00–07:00
        inside = clock >= start or clock < end
        day = now_local.date() + timedelta(days=1) if clock >= start else now_local.date()
    if not inside:
        return None
    return datetime.combine(day, end, tzinfo=BEIJING)


def quiet_until(now: datetime, personal: tuple[time, time] | None) -> datetime | None:
    """When the quiet hours that hold `now` end (UTC), or None when a notice may go now."""
    local = now.astimezone(BEIJING)
    ends = []
    for window in (site_quiet_hours(), personal):
        if window is not None and (end := _window_end(local, *window)) is not None:
            ends.append(end)
    if not ends:
        return None
    latest = max(ends)
    # Two windows that overlap end at the later one; one that starts right as the other ends
    # is checked again when the worker comes back then.
    return latest.astimezone(now.tzinfo)


def ignores_quiet_hours(thread: Thread) -> bool:
    """Suspected emergencies and threads escalated to the 110 command centre may wake people."""
    return bool(thread.urgent or thread.escalated_at is not None)

"""Jinja helpers that belong to no feature: Chinese relative times, durations, the Beijing clock,
elder mode and versioned asset URLs. They are registered, with the feature helpers, in the one
place every filter, global and context processor is: board/views/jinja.py.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from flask import current_app, request, url_for

from board.models import utcnow
from board.sla import BEIJING

ELDER_COOKIE = "elder"


def timeago(value: datetime | None, now: datetime | None = None) -> str:
    if value is None:
        return ""
    seconds = int(((now or utcnow()) - value).total_seconds())
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{seconds // 60}分钟前"
    if seconds < 86400:
        return f"{seconds // 3600}小时前"
    if seconds < 86400 * 30:
        return f"{seconds // 86400}天前"
    return value.strftime("%Y-%m-%d")


def duration(seconds: int | None) -> str:
    """A waiting or response time in words: 45秒, 3分钟, 2小时5分钟, 3天."""
    if seconds is None:
        return ""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}秒"
    if seconds < 3600:
        return f"{seconds // 60}分钟"
    if seconds < 86400:
        hours, minutes = divmod(seconds // 60, 60)
        return f"{hours}小时{minutes}分钟" if minutes else f"{hours}小时"
    return f"{seconds // 86400}天"


def duration_minutes(minutes) -> str:
    """A unit's answer-time limit in minutes, in words; 0 or none: 不限."""
    return duration(int(minutes) * 60) if minutes else "不限"


def beijing(value: datetime | None) -> str:
    """A timestamp in Beijing time, as the citizen's clock shows it: 11月22日 14:05."""
    if value is None:
        return ""
    local = value.astimezone(BEIJING)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


@lru_cache(maxsize=256)
def asset_digest(path: str) -> str:
    full = Path(current_app.static_folder) / path
    try:
        return hashlib.sha256(full.read_bytes()).hexdigest()[:10]
    except FileNotFoundError:
        return "0"


def asset_url(path: str) -> str:
    """A static URL with a content hash, so assets can be cached for a year."""
    return url_for("static", filename=path, v=asset_digest(path))


def elder_mode() -> bool:
    return request.cookies.get(ELDER_COOKIE) == "1"

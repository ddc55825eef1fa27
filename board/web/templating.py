"""Jinja helpers, and the one place every Jinja filter, global and context processor is registered.

The formatting helpers (Chinese relative times, durations, Beijing clock), elder mode and
versioned asset URLs live here; helpers that belong to a feature (the permission check, the
privacy mask, a thread's photos, the bell, the thread panel) stay in their modules and are only
registered below, so a template's vocabulary can be read in one place.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, request, url_for

from board import lists, permissions, privacy
from board.models import utcnow
from board.sla import BEIJING
from board.views.notifications import unread_notifications
from board.views.photos import attachments_of
from board.views.thread_actions import thread_panel
from board.web.page_cache import placeholder_token

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


FILTERS = {
    "timeago": timeago,
    "duration": duration,
    "duration_minutes": duration_minutes,
    "beijing": beijing,
    "visible": privacy.visible_filter,
}

GLOBALS = {
    "can": permissions.can,
    "asset_url": asset_url,
    "elder_mode": elder_mode,
    "now": utcnow,
    "row_sort": lists.sort_key,
    "privacy_warning": privacy.warning,
    "attachments_of": attachments_of,
    "thread_panel": thread_panel,
    "unread_notifications": unread_notifications,
}

# Per render, not per app: a page rendered for the anonymous cache gets a placeholder CSRF token.
CONTEXT_PROCESSORS = (placeholder_token,)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(GLOBALS)
    app.jinja_env.filters.update(FILTERS)
    for processor in CONTEXT_PROCESSORS:
        app.context_processor(processor)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

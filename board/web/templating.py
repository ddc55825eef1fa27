"""Jinja helpers that belong to no feature: relative times (Chinese, or English: issue 21),
durations, the Beijing clock, elder mode and versioned asset URLs. They are registered, with the
feature helpers, in the one place every filter, global and context processor is:
board/views/jinja.py.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from flask import current_app, request, url_for
from flask_babel import format_date, format_datetime, format_number
from flask_babel import gettext as _
from markupsafe import Markup, escape

from board import i18n
from board.models import utcnow
from board.sla import BEIJING

ELDER_COOKIE = "elder"


def timeago(value: datetime | None, now: datetime | None = None) -> str:
    """刚刚, 5分钟前, …, then the date; in English "just now", "5 min ago", …, "Nov 3, 2026"."""
    if value is None:
        return ""
    seconds = int(((now or utcnow()) - value).total_seconds())
    if seconds < 60:
        return _("刚刚")
    if seconds < 3600:
        return _("%(n)s分钟前", n=seconds // 60)
    if seconds < 86400:
        return _("%(n)s小时前", n=seconds // 3600)
    if seconds < 86400 * 30:
        return _("%(n)s天前", n=seconds // 86400)
    if i18n.is_english():
        return format_date(value, "medium")
    return value.strftime("%Y-%m-%d")


def duration(seconds: int | None) -> str:
    """A waiting or response time in words: 45秒, 3分钟, 2小时5分钟, 3天."""
    if seconds is None:
        return ""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return _("%(n)s秒", n=seconds)
    if seconds < 3600:
        return _("%(n)s分钟", n=seconds // 60)
    if seconds < 86400:
        hours, minutes = divmod(seconds // 60, 60)
        return (_("%(h)s小时%(m)s分钟", h=hours, m=minutes) if minutes
                else _("%(h)s小时", h=hours))
    return _("%(n)s天", n=seconds // 86400)


def duration_minutes(minutes) -> str:
    """A unit's answer-time limit in minutes, in words; 0 or none: 不限."""
    return duration(int(minutes) * 60) if minutes else _("不限")


def beijing(value: datetime | None) -> str:
    """A timestamp in Beijing time, as the citizen's clock shows it: 11月22日 14:05."""
    if value is None:
        return ""
    if i18n.is_english():  # still Beijing time: Flask-Babel's timezone is Asia/Shanghai
        return format_datetime(value, "MMM d, HH:mm")
    local = value.astimezone(BEIJING)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def long_date(value) -> str:
    """A calendar day: 2026年12月1日, or December 1, 2026."""
    if i18n.is_english():
        return format_date(value, "long")
    return f"{value.year}年{value.month}月{value.day}日"


def user_words(text: str, *words: str | None) -> Markup:
    """`text` escaped, with the residents' or officers' own words in it (a thread title, a name)
    marked `data-user-text` on English pages: they stay as written, in Chinese."""
    html = str(escape(text or ""))
    if not i18n.is_english():
        return Markup(html)
    for word in sorted({w for w in words if w}, key=len, reverse=True):
        html = html.replace(str(escape(word)), f'<span data-user-text>{escape(word)}</span>')
    return Markup(html)


def number(value) -> str:
    """A count as the reader's language writes it (1,234)."""
    return format_number(value) if value is not None else ""


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

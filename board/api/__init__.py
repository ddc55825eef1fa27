"""JSON API v1 for the mobile app and mini-programs: /api/v1/...

The blueprint and its shared helpers are in api/base.py; each route module adds its routes to
it when imported here, and the app factory registers `bp`.
"""
from __future__ import annotations

from board.api import (
    agencies,
    alerts,
    auth,
    bulletins,
    callback,
    command,
    editing,
    following,
    inbox,
    leader,
    me,
    mentions,
    notice_settings,
    notifications,
    places,
    search,
    stats,
    thread_actions,
    threads,
    trust,
)
from board.api.base import bp

ROUTE_MODULES = (
    auth, threads, notifications,
    trust,  # reports, moderation, photos, privacy check
    thread_actions,  # pin, lock, escalate, dispatch, status, supervise, rate, timeline
    command, leader,  # the command queue; the dashboard and the audit log
    inbox,  # the unit's work list
    search,  # search, similar questions
    places,  # the place picker's districts, streets and communities
    me, callback,  # issue 17: the account's own data; 联系发帖人
    editing,  # issue 18: the author edits and withdraws their own posts
    following, notice_settings, mentions,  # issue 17: 关注/同问, notice settings, @suggestions
    stats,  # open data (issue 20)
    alerts,  # issue 21: 预警
    agencies,  # issue 21: 协作单位 (partner agencies)
    bulletins,  # issue 21: 失物招领 and 寻人
)

__all__ = ["ROUTE_MODULES", "bp"]

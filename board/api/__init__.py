"""JSON API v1 for the mobile app and mini-programs: /api/v1/...

The blueprint and its shared helpers are in api/base.py; each route module adds its routes to
it when imported here, and the app factory registers `bp`.
"""
from __future__ import annotations

from board.api import (
    auth,
    command,
    leader,
    notifications,
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
    search,  # search, similar questions
    stats,  # open data (issue 20)
)

__all__ = ["ROUTE_MODULES", "bp"]

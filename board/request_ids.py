"""The request id: one short token per HTTP request, so one resident's report can be followed
through the web process's log, the live push (board/live.py) and the search indexer's log (the id
is stored with the search job, board/search/jobs.py).

An incoming `X-Request-ID` (set by nginx or a load balancer in front) is kept when it looks like an
id; anything else (too long, spaces, quotes, newlines that could forge log lines) is replaced by
a fresh one. The response echoes it in `X-Request-ID`.
"""
from __future__ import annotations

import re
import uuid
from contextlib import contextmanager

from flask import g, has_app_context

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


def accept(incoming: str | None) -> str:
    """The incoming id when it is sane, else a new one (32 hex digits)."""
    if incoming and _SANE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current() -> str | None:
    """The id of the request being served, if any (None in a worker or a shell)."""
    return g.get("request_id") if has_app_context() else None


def set_current(request_id: str) -> str:
    g.request_id = request_id
    return request_id


@contextmanager
def acting_for(request_id: str | None):
    """A worker handling what a request caused (a notice event): its pushes and log lines carry
    that request's id for the duration, then the worker's own (none) again."""
    if not has_app_context():
        yield
        return
    before = g.get("request_id")
    g.request_id = request_id
    try:
        yield
    finally:
        g.request_id = before

"""One log line per request: method, URL rule (the path template, e.g. /t/<int:thread_id>),
status, duration, user id, client address and request id — never the query string, a form
field, a header, a cookie or a path's own digits (a phone or ID number typed into a URL).

Also the request id itself (board/request_ids.py): taken from `X-Request-ID` when sane, made
otherwise, echoed in the response. Socket.IO's own traffic (/socket.io/) is answered by the
engine before Flask's hooks run, so it has no line here; its pushes carry the id of the request
that caused them (board/live.py).
"""
from __future__ import annotations

import logging
import re
import time

from flask import Flask, g, request

from board import metrics, request_ids

log = logging.getLogger("board.request")

UNMATCHED = "<unmatched>"
_LONG_NUMBER = re.compile(r"\d{4,}[\dXx]*")


def route() -> str:
    """The URL rule that answered, or for a path no rule matched (a 404) the path with every
    long number cut out."""
    rule = request.url_rule
    if rule is not None:
        return rule.rule
    return _LONG_NUMBER.sub("<n>", request.path)[:200] or UNMATCHED


def _user_id():
    """The signed-in user's id if this request loaded one; never loads it just to log."""
    user = g.get("_login_user")
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def _start() -> None:
    g.request_started = time.perf_counter()
    request_ids.set_current(request_ids.accept(request.headers.get(request_ids.HEADER)))


def _finish(response):
    started = g.get("request_started")
    seconds = time.perf_counter() - started if started is not None else 0.0
    rid = request_ids.current() or request_ids.set_current(request_ids.accept(None))
    response.headers[request_ids.HEADER] = rid
    template = route()
    metrics.observe_request(request.endpoint or UNMATCHED, request.method, response.status_code,
                            seconds)
    user_id = _user_id()
    fields = {"method": request.method, "route": template, "status": response.status_code,
              "duration_ms": round(seconds * 1000, 1), "user_id": user_id,
              "client": request.remote_addr, "request_id": rid}
    log.info("%s %s %s %.1fms user=%s client=%s", request.method, template,
             response.status_code, seconds * 1000, user_id if user_id is not None else "-",
             request.remote_addr, extra=fields)
    return response


def init_app(app: Flask) -> None:
    """First before-request hook (the id exists before anything can refuse the request) and
    last after-request hook to run (it sees the final status)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)

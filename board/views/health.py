"""`/healthz` (the process answers) and `/readyz` (it can serve: database, migrations at head,
Redis when configured, the search backend) for load balancers, systemd and monitoring.

Small JSON bodies, never cached, never rate-limited (no limit is declared on them, and they are
exempt from any default), never a secret: a failing check names only the error's class. The
details are for a person at the shell: `flask doctor` (board/cli.py).
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from board import health
from board.extensions import limiter

bp = Blueprint("health", __name__)


def _no_store(response, status: int):
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process is up and answering; touches nothing else (a database outage must not get
    every process restarted)."""
    return _no_store(jsonify(status="ok"), 200)


@bp.get("/readyz")
@limiter.exempt
def readyz():
    checks = health.run(current_app._get_current_object())
    ok = health.ready(checks)
    body = {"status": "ok" if ok else "fail", "checks": {c.name: c.public() for c in checks}}
    return _no_store(jsonify(body), 200 if ok else 503)

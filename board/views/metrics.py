"""`/metrics`: the Prometheus scrape (board/metrics.py), for the operator's network only.

Who may scrape is METRICS_ALLOW, a list of networks (default: this machine only). The TCP peer
must be in it, and so must every address a proxy says it forwarded for: a scrape that came
through nginx from a resident's phone carries the phone's address in X-Forwarded-For and is
refused, whatever PROXY_FIX_* trusts (the shipped nginx.conf also answers /metrics with 404).
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from board import metrics
from board.extensions import limiter
from board.web.proxy import networks, within

bp = Blueprint("metrics", __name__)

def _addresses(environ) -> list[str]:
    """The TCP peer and every hop a proxy named, before PROXY_FIX rewrote anything."""
    original = environ.get("werkzeug.proxy_fix.orig") or {}
    peer = original.get("REMOTE_ADDR", environ.get("REMOTE_ADDR", ""))
    forwarded = original.get("HTTP_X_FORWARDED_FOR", environ.get("HTTP_X_FORWARDED_FOR", ""))
    return [peer, *(hop.strip() for hop in (forwarded or "").split(",") if hop.strip())]


def allowed(environ, allow: list) -> bool:
    return all(within(address, allow) for address in _addresses(environ))


@bp.get("/metrics")
@limiter.exempt
def scrape():
    if not allowed(request.environ, networks(current_app.config.get("METRICS_ALLOW"))):
        abort(403)
    return Response(metrics.exposition(), mimetype=metrics.CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})

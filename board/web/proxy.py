"""Behind a reverse proxy: who the client is, which scheme and host they used.

Without this, every request behind the shipped nginx comes from 127.0.0.1, so every resident
shares one rate-limit allowance and ten failed sign-ins anywhere block sign-in for everyone
(issue 15 item 7). `X-Forwarded-*` headers are trusted only as many hops deep as configured
(PROXY_FIX_X_FOR=1 for one nginx; 2 for a load balancer in front of it), and not at all by
default: a client talking to the board directly could otherwise pick any address it likes.
"""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

HEADERS = ("x_for", "x_proto", "x_host", "x_port", "x_prefix")


def counts(config) -> dict[str, int]:
    """How many proxies to trust for each X-Forwarded-* header (PROXY_FIX_X_FOR...); 0: none."""
    return {name: int(config.get(f"PROXY_FIX_{name.upper()}") or 0) for name in HEADERS}


def init_app(app: Flask) -> None:
    """Wrap the whole WSGI app (Socket.IO included), outermost, when any count is set."""
    trusted = counts(app.config)
    if any(trusted.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **trusted)

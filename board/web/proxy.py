"""Behind a reverse proxy: who the client is, which scheme and host they used.

Without this, every request behind the shipped nginx comes from 127.0.0.1, so every resident
shares one rate-limit allowance and ten failed sign-ins anywhere block sign-in for everyone
(issue 15 item 7). `X-Forwarded-*` headers are trusted only as many hops deep as configured
(PROXY_FIX_X_FOR=1 for one nginx; 2 for a load balancer in front of it), and not at all by
default: a client talking to the board directly could otherwise pick any address it likes.
And only from the proxies' own addresses (PROXY_TRUSTED_FROM, default this machine): a request
that reaches a board process from anywhere else (another host on its network) is taken as it
came, its X-Forwarded-* headers ignored.
"""
from __future__ import annotations

import ipaddress

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

HEADERS = ("x_for", "x_proto", "x_host", "x_port", "x_prefix")
LOOPBACK = "127.0.0.0/8,::1/128"


def networks(setting: str | None) -> list:
    """A comma-separated list of networks (10.8.0.0/16, 127.0.0.1, ::1/128)."""
    return [ipaddress.ip_network(part.strip(), strict=False)
            for part in (setting if setting is not None else LOOPBACK).split(",") if part.strip()]


def within(address: str | None, allowed: list) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return False
    return any(ip in network for network in allowed)


def counts(config) -> dict[str, int]:
    """How many proxies to trust for each X-Forwarded-* header (PROXY_FIX_X_FOR...); 0: none."""
    return {name: int(config.get(f"PROXY_FIX_{name.upper()}") or 0) for name in HEADERS}


def init_app(app: Flask) -> None:
    """Wrap the whole WSGI app (Socket.IO included), outermost, when any count is set."""
    trusted = counts(app.config)
    if not any(trusted.values()):
        return
    direct = app.wsgi_app
    fixed = ProxyFix(direct, **trusted)
    proxies = networks(app.config.get("PROXY_TRUSTED_FROM"))

    def from_trusted_proxies_only(environ, start_response):
        chosen = fixed if within(environ.get("REMOTE_ADDR"), proxies) else direct
        return chosen(environ, start_response)

    app.wsgi_app = from_trusted_proxies_only

"""Absolute addresses for link cards and QR codes: a chat app fetching a card and a phone
scanning a poster have no page to resolve a path against.

BASE_URL (board/config.py) when set, else Flask's own external URL (SERVER_NAME, or the request
as the trusted proxies describe it, board/web/proxy.py). A forged Host header can then only reach
the forger's own response: the anonymous page cache keys on the host (board/web/page_cache.py).
"""
from __future__ import annotations

from flask import current_app, url_for


def absolute(endpoint: str, **values) -> str:
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)

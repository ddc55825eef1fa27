"""The site's own origins: which web pages may use a signed-in visitor's cookies on the board's
Socket.IO endpoint (issue 15, item 1), decided from configuration, never from a request alone
when configuration exists.

Settings (board/config.py): BASE_URL, SERVER_NAME (with PREFERRED_URL_SCHEME) and
SOCKETIO_ALLOWED_ORIGINS (comma-separated). Origins compare exactly as browsers write them:
`scheme://host[:port]`, lower case, no default port, no path.
"""
from __future__ import annotations

from urllib.parse import urlsplit


def origin_allowed(origin: str | None, environ: dict, config) -> bool:
    """May a page of `origin` talk to this board? Browsers send the officer's cookies along with
    a WebSocket opened by any page of the same *site* (another port, a sibling subdomain): only
    the board's own pages may use them (issue 15, item 1).

    The site's origins are BASE_URL, SERVER_NAME and SOCKETIO_ALLOWED_ORIGINS; a request's own
    Host counts only when none of them is set (`python app.py` answers as http://127.0.0.1:5000
    and as http://localhost:5000 alike). That is safe for browsers, which cannot forge Host: a
    page that passes it came from the very host and port it connects to. Set BASE_URL behind a
    proxy all the same. A missing Origin is decided by the caller (board/sockets.py on_connect).
    """
    if not origin:
        return False
    configured = site_origins(config)
    if configured:
        return origin in configured
    return origin in _own_origins(environ)


def _own_origins(environ: dict) -> set[str | None]:
    """The origin of the request itself: its scheme as served, or as the proxy in front saw it
    (X-Forwarded-Proto; a browser cannot set that header either), and its Host."""
    host = environ.get("HTTP_HOST")
    if not host:
        return set()
    schemes = {environ.get("wsgi.url_scheme"),
               environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip()}
    return {origin_of(f"{scheme}://{host}") for scheme in schemes if scheme}


def site_origins(config) -> frozenset[str]:
    """The origins configured for this site; empty when nothing is (the embedded default)."""
    listed = config.get("SOCKETIO_ALLOWED_ORIGINS") or ()
    if isinstance(listed, str):
        listed = listed.split(",")
    candidates = [config.get("BASE_URL"), *listed]
    if config.get("SERVER_NAME"):
        scheme = config.get("PREFERRED_URL_SCHEME") or "http"
        candidates.append(f"{scheme}://{config['SERVER_NAME']}")
    return frozenset(filter(None, map(origin_of, candidates)))


def origin_of(url: str | None) -> str | None:
    """`scheme://host[:port]` as a browser writes it in Origin: lower case, no default port and
    no path; None for anything that is not an http(s) URL."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is not None and port != {"http": 80, "https": 443}[parts.scheme]:
        host += f":{port}"
    return f"{parts.scheme}://{host}"

"""Security headers on every response, with a Content-Security-Policy that forbids inline
scripts."""
from __future__ import annotations

from flask import Flask, Response

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self' ws: wss:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

# Staff pages may be framed by the board itself (the desk layout's thread pane, static/js/desk.js);
# everyone else's never are.
STAFF_FRAMING = {
    "Content-Security-Policy": CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'"),
    "X-Frame-Options": "SAMEORIGIN",
}

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def allow_geolocation(response: Response) -> Response:
    """For the one page that asks where the resident is (the new-thread form's place picker,
    which matches the position to a community in the browser and sends nothing)."""
    response.headers["Permissions-Policy"] = HEADERS["Permissions-Policy"].replace(
        "geolocation=()", "geolocation=(self)")
    return response


def add_headers(response: Response) -> Response:
    """setdefault: a view that needs a stricter header (uploads) keeps its own."""
    if response.mimetype == "text/html" and _police():
        for name, value in STAFF_FRAMING.items():
            response.headers.setdefault(name, value)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html" and "Cache-Control" not in response.headers:
        # Pages carry per-user content and CSRF tokens: never cached by shared proxies.
        response.headers["Cache-Control"] = "no-store" if _signed_in() else "no-cache"
    return response


def _signed_in() -> bool:
    from flask_login import current_user

    try:
        return bool(current_user.is_authenticated)
    except Exception:  # outside a request with a user loader (e.g. error during start-up)
        return False


def _police() -> bool:
    from flask_login import current_user

    try:
        return bool(current_user.is_authenticated and current_user.is_police)
    except Exception:  # as in _signed_in
        return False


def with_headers(wsgi_app):
    """The same headers on responses Flask never sees (issue 15, item 18): the Engine.IO
    middleware answers /socket.io/ (long-polling, the handshake) itself, outside after_request.
    Wraps the whole stack; a header already set (every Flask response) is left as it is."""
    def app(environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers = [*headers, *((name, value) for name, value in HEADERS.items()
                                   if name.lower() not in present)]
            return start_response(status, headers, exc_info)

        return wsgi_app(environ, start)

    return app


def init_app(app: Flask) -> None:
    """After Flask-SocketIO has installed its middleware (board/__init__.py), so it is inside."""
    app.after_request(add_headers)
    app.wsgi_app = with_headers(app.wsgi_app)

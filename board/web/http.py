"""HTTP-level plumbing: conditional GET (ETag/304) for thread pages, year-long caching of versioned
static assets, gzip for text responses, and a small cap on every request body but uploads."""
from __future__ import annotations

import gzip
import hashlib
import threading
from pathlib import Path

from flask import Flask, current_app, request, session
from flask_login import current_user

from board.web.page_cache import cookie_key
from board.web.templating import asset_digest

COMPRESSIBLE = {"text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
                "application/json", "image/svg+xml", "application/xml", "text/xml"}
MIN_SIZE = 512
REQUEST_MAX_BYTES = 1024 * 1024  # anything that is not an upload (MAX_CONTENT_LENGTH caps those)
YEAR = 365 * 86400
_static_gz: dict[tuple, bytes] = {}
_static_lock = threading.Lock()


def _build_id(app: Flask) -> str:
    """Changes when a template changes, so a deploy never answers 304 with an old page."""
    digest = hashlib.sha1()
    for path in sorted(Path(app.template_folder).rglob("*.html")):
        stat = path.stat()
        digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}".encode())
    return digest.hexdigest()[:12]


def thread_etag(stamp: tuple) -> str:
    """The thread's stamp (page_stamps.thread_stamp) plus who is looking (role, id, their CSRF
    token, their cookies such as elder mode)."""
    viewer = (getattr(current_user, "id", None), getattr(current_user, "role", None),
              session.get("csrf_token"))
    raw = repr((stamp, viewer, cookie_key()))
    return hashlib.sha1(raw.encode()).hexdigest()[:24]


def not_modified(etag: str):
    """A 304 when the browser already has this exact page; None otherwise."""
    if session.get("_flashes") or not request.if_none_match:
        return None
    if not request.if_none_match.contains_weak(etag):
        return None
    response = current_app.response_class(status=304)
    return mark(response, etag)


def mark(response, etag: str):
    """Weak ETag (the same page gzipped or not) and 'ask me again every time'."""
    response.set_etag(etag, weak=True)
    response.cache_control.no_cache = True
    if current_user.is_authenticated:
        response.cache_control.private = True
    return response


def _static_headers(response) -> None:
    filename = (request.view_args or {}).get("filename", "")
    version = request.args.get("v")
    if version and response.status_code in (200, 304) and version == asset_digest(filename):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True


def _gzip(response):
    if (response.status_code not in (200, 201, 400, 403, 404)
            or response.mimetype not in COMPRESSIBLE or "Content-Encoding" in response.headers
            or request.method == "HEAD"):
        return response
    response.vary.add("Accept-Encoding")
    if "gzip" not in request.headers.get("Accept-Encoding", ""):
        return response
    static = request.endpoint == "static"
    if response.is_streamed and not (static and response.direct_passthrough):
        return response  # a generator (e.g. a live stream): leave it alone
    if static:
        key = (request.path, response.headers.get("ETag"), response.content_length)
        data = _static_gz.get(key)
        if data is None:
            response.direct_passthrough = False
            raw = response.get_data()
            if len(raw) < MIN_SIZE:
                return response
            data = gzip.compress(raw, 9, mtime=0)
            with _static_lock:
                _static_gz[key] = data
    else:
        raw = response.get_data()
        if len(raw) < MIN_SIZE:
            return response
        data = gzip.compress(raw, 5, mtime=0)
    response.direct_passthrough = False
    response.set_data(data)
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:  # a strong ETag names exact bytes
        response.set_etag(etag + "-gzip")
    return response


def _after(response):
    if request.endpoint == "static":
        _static_headers(response)
    if current_app.config.get("COMPRESS", True):
        response = _gzip(response)
    return response


def _cap_request_size() -> None:
    """Uploads may be large; every other request body is capped small."""
    if request.mimetype != "multipart/form-data":
        request.max_content_length = int(current_app.config.get("REQUEST_MAX_BYTES",
                                                                REQUEST_MAX_BYTES))


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS", True)
    app.config.setdefault("REQUEST_MAX_BYTES", REQUEST_MAX_BYTES)
    app.before_request(_cap_request_size)
    app.config["BUILD_ID"] = _build_id(app)
    app.after_request(_after)

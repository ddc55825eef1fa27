"""Every API error as {"error": {"code", "message", "fields"}} with the fitting status."""
from __future__ import annotations

from flask import jsonify, request

CODES = {400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "rate_limited",
         500: "server_error", 503: "unavailable"}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str, fields: dict | None = None,
                   code: str | None = None):
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message,
                      "fields": fields or {}}}
    return jsonify(body), status

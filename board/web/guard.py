"""The request guard: input no view can use is refused at the door with a 400, before any view.

An outside probe got 500s from input that is never legitimate, whatever the route:

* NUL bytes (in a path, a query argument, a form field or a JSON string): PostgreSQL refuses NUL
  in text, so the first query with one failed, on the sign-in and board pages too. JSON strings
  holding half a surrogate pair cannot be encoded for either database.
* Deeply nested JSON: Python's parser raises RecursionError (not a ValueError), which nothing
  caught, on the unauthenticated token endpoint too. No request body here nests more than a few
  levels; more than MAX_JSON_DEPTH is refused.
* Non-finite numbers in JSON (NaN, Infinity: Python's parser accepts them, JSON does not).
* Unicode digits and over-wide integers in id segments of the URL: `<int:...>` takes ASCII digits
  of a 32-bit id only (`IdConverter`); anything else is a 404 like any missing record.

Ids in query strings, forms and JSON fields are read by board/inputs.py in the views.
"""
from __future__ import annotations

import math

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from board.errors import ValidationFailed
from board.inputs import ID_MAX, usable_text

MAX_JSON_DEPTH = 20
BAD_CHARACTER = "提交的内容含有无法处理的字符(如空字符),请删除后重试"
BAD_JSON = "请求体不是有效的 JSON(嵌套过深或含有无效的数字)"


class IdConverter(IntegerConverter):
    """`<int:...>` for record ids: ASCII digits only, 1 to 2**31 - 1, else the route misses."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=1, max=ID_MAX, signed=False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max, False)


def strict_ids(app: Flask) -> None:
    """Before any route is added (rules pick their converter when added)."""
    app.url_map.converters["int"] = IdConverter


def _check_strings(values) -> None:
    for value in values:
        if isinstance(value, str) and not usable_text(value):
            raise ValidationFailed(BAD_CHARACTER, code="invalid_character")


def _check_json(data) -> None:
    """Iteratively (no recursion to exhaust): depth, strings and keys, finite numbers."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValidationFailed(BAD_JSON, code="invalid_json")
        if isinstance(value, dict):
            _check_strings(value.keys())
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, float) and not math.isfinite(value):
            raise ValidationFailed(BAD_JSON, code="invalid_json")
        else:
            _check_strings((value,))


def _guard() -> None:
    _check_strings((request.path,))
    for key, values in request.args.lists():
        _check_strings((key, *values))
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, values in request.form.lists():
            _check_strings((key, *values))
    if request.is_json:
        try:
            data = request.get_json(silent=True)  # cached for the view
        except RecursionError:
            raise ValidationFailed(BAD_JSON, code="invalid_json") from None
        _check_json(data)


def init_app(app: Flask) -> None:
    """After the request-size cap (board/web/http.py), so an oversized body is refused first."""
    app.before_request(_guard)

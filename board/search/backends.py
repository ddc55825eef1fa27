"""Which index answers: SEARCH_BACKEND "whoosh" (embedded default, files under instance/) or
"postgres" (tsvector + GIN, for several processes or machines); one instance per index location
per process."""
from __future__ import annotations

from flask import Flask, current_app

from board.extensions import db
from board.search.postgres_index import PostgresIndex
from board.search.whoosh_index import WhooshIndex

_BACKENDS: dict[tuple, object] = {}


def backend(app: Flask | None = None):
    """The configured backend for this app."""
    app = app or current_app._get_current_object()
    name = app.config.get("SEARCH_BACKEND", "whoosh")
    if name == "postgres":
        key = ("postgres", app.config["SQLALCHEMY_DATABASE_URI"])
        if key not in _BACKENDS:
            _BACKENDS[key] = PostgresIndex(lambda: db.engine)
        return _BACKENDS[key]
    if name != "whoosh":
        raise RuntimeError(f"unknown SEARCH_BACKEND {name!r} (use 'whoosh' or 'postgres')")
    key = ("whoosh", app.config["SEARCH_INDEX_DIR"])
    if key not in _BACKENDS:
        _BACKENDS[key] = WhooshIndex(app.config["SEARCH_INDEX_DIR"])
    return _BACKENDS[key]

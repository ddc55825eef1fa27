"""Is this process ready to serve? The checks behind `/readyz` and `flask doctor`.

Each check answers ok or not, how long it took, and a detail safe to show: `/readyz` shows only
the error's class (a load balancer needs no more, and nothing about the database's address or
credentials goes out), `flask doctor` also shows the message with any password in a URL masked.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import cache

import redis
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url

from board.config import ROOT
from board.extensions import db
from board.search.backends import backend

TIMEOUT_SECONDS = 2.0  # Redis: a hung server must not hang the check


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    ms: float
    detail: str = ""  # what a person reads (flask doctor): passwords masked
    error: str = ""  # the exception's class only (/readyz)

    def public(self) -> dict:
        body = {"ok": self.ok, "ms": round(self.ms, 1)}
        if self.error:
            body["error"] = self.error
        return body


_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")


def scrub(message: str) -> str:
    """One line of an error message, with the password of any URL in it masked."""
    first = (message or "").strip().splitlines()[0] if message and message.strip() else ""
    return _URL_PASSWORD.sub(r"\1***@", first)[:300]


def masked_url(url: str | None) -> str:
    if not url:
        return ""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a URL SQLAlchemy cannot read (redis://…): mask by pattern
        return _URL_PASSWORD.sub(r"\1***@", url)


def _timed(name: str, probe) -> Check:
    start = time.perf_counter()
    try:
        detail = probe() or ""
    except Exception as exc:
        return Check(name, False, (time.perf_counter() - start) * 1000,
                     detail=scrub(str(exc)) or type(exc).__name__, error=type(exc).__name__)
    return Check(name, True, (time.perf_counter() - start) * 1000, detail=detail)


@cache
def migration_heads() -> tuple[str, ...]:
    """The head revision(s) of the migrations this code ships (read once per process)."""
    return tuple(sorted(ScriptDirectory(str(ROOT / "migrations")).get_heads()))


def _database_and_migrations(app: Flask) -> list[Check]:
    """One connection for both: the database answers, and its schema is at this code's head."""
    state: dict = {}

    def database():
        with app.app_context():
            conn = db.engine.connect()
        state["conn"] = conn
        conn.execute(text("SELECT 1"))
        return masked_url(app.config["SQLALCHEMY_DATABASE_URI"])

    def migrations():
        conn = state.get("conn")
        if conn is None:
            raise ConnectionError("database unreachable")
        current = tuple(sorted(MigrationContext.configure(conn).get_current_heads()))
        if current != migration_heads():
            raise LookupError(f"database at {', '.join(current) or 'no revision'}, code at "
                              f"{', '.join(migration_heads())}: run `flask db upgrade`")
        return f"at head {', '.join(current)}"

    try:
        return [_timed("database", database), _timed("migrations", migrations)]
    finally:
        if "conn" in state:
            state["conn"].close()


def _redis(app: Flask) -> Check:
    url = app.config.get("REDIS_URL")
    if not url:
        return Check("redis", True, 0.0, detail="not configured (one process)")

    def ping():
        client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS,
                                      socket_timeout=TIMEOUT_SECONDS)
        try:
            client.ping()
        finally:
            client.close()
        return masked_url(url)

    return _timed("redis", ping)


def _search(app: Flask) -> Check:
    def answer():
        with app.app_context():
            index = backend(app)
            return f"{index.name}: {index.doc_count()} threads indexed"

    return _timed("search", answer)


def run(app: Flask) -> list[Check]:
    """Every readiness check, in the order a person would fix them."""
    return [*_database_and_migrations(app), _redis(app), _search(app)]


def ready(checks: list[Check]) -> bool:
    return all(check.ok for check in checks)

"""The process's log: one stream (stderr), plain text or JSON lines (`LOG_FORMAT=json`), every
record stamped with the request id it belongs to (`-` outside a request), so an operator's log
shipper can follow one request through the web processes, the live pushes and the workers.

What goes into a record is decided where it is written: the request log (board/web/request_log.py)
writes the URL rule, never the query string, form or headers; nothing here adds request data.
"""
from __future__ import annotations

import logging
import os
import sys

from pythonjsonlogger.json import JsonFormatter

from board import request_ids

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"
_MARK = "_board_handler"


class RequestIdFilter(logging.Filter):
    """Stamp the current request's id on records that do not carry one (`extra=`) already."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_ids.current() or "-"
        return True


class _QuietMigrationContext(logging.Filter):
    """Alembic announces its dialect each time a migration context opens: `/readyz` opens one
    per check, so those two lines would fill the log. Real migration steps still show."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(("Context impl", "Will assume"))


def formatter(kind: str) -> logging.Formatter:
    if kind == "json":
        return JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level",
                                                         "name": "logger"},
                             json_ensure_ascii=False)
    return logging.Formatter(TEXT_FORMAT)


def handler(kind: str, stream=None) -> logging.Handler:
    out = logging.StreamHandler(stream or sys.stderr)
    out.setFormatter(formatter(kind))
    out.addFilter(RequestIdFilter())
    return out


def configure(kind: str | None = None, level: str | None = None) -> None:
    """Install the one handler on the root logger (once per process; later calls adjust it)."""
    kind = (kind or os.environ.get("LOG_FORMAT") or "text").strip().lower()
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
    new = handler(kind)
    setattr(new, _MARK, True)
    root.addHandler(new)
    root.setLevel((level or os.environ.get("LOG_LEVEL") or "INFO").upper())
    migration = logging.getLogger("alembic.runtime.migration")
    if not any(isinstance(f, _QuietMigrationContext) for f in migration.filters):
        migration.addFilter(_QuietMigrationContext())

"""The stamps that key the anonymous page cache: one cheap read each, on every request.

Apart from the cache itself (board/web/page_cache.py) because they say *what* a page depends on
(the boards' public `version`, kept moving by board/web/stamp_bumps.py), not how pages are kept;
the thread page's ETag (board/web/http.py) is built on the same thread stamp."""
from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import func, select

from board.extensions import db
from board.models import Board, Thread
from board.queries.threads import MAX_ID

_BOARDS = Board.__table__
_SITE = select(func.coalesce(func.sum(_BOARDS.c.version), 0), func.count(_BOARDS.c.id))
_ONE_BOARD = select(_BOARDS.c.id, _BOARDS.c.version)


def site_stamp() -> tuple:
    """Changes whenever any board's version changes (the home page). Core, not ORM: cheaper."""
    return tuple(db.session.connection().execute(_SITE).one())


def board_stamp(slug: str) -> tuple | None:
    row = db.session.connection().execute(_ONE_BOARD.where(_BOARDS.c.slug == slug)).first()
    return tuple(row) if row else None


_THREADS = Thread.__table__
_ONE_THREAD = (select(_THREADS.c.id, _THREADS.c.last_activity_at, _THREADS.c.status,
                      _THREADS.c.visibility, _THREADS.c.hidden, _THREADS.c.locked,
                      _THREADS.c.pinned, _THREADS.c.reply_count, _BOARDS.c.version)
               .join_from(_THREADS, _BOARDS, _THREADS.c.board_id == _BOARDS.c.id))


def thread_stamp(thread_id: int) -> tuple | None:
    """What the thread page shows, cheaply: any write to the thread, its posts or its timeline
    bumps the board's version; the minute keeps "3分钟前" honest. None: no such thread."""
    if not 0 < thread_id <= MAX_ID:
        return None
    row = db.session.connection().execute(_ONE_THREAD.where(_THREADS.c.id == thread_id)).first()
    if row is None:
        return None
    return (*row, current_app.config["BUILD_ID"], int(time.time() // 60))

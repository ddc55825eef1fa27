"""Writes bump their board's public `version` in the same transaction: hooks on the app's session.

Every write to a model marked `BumpsBoardVersion` (a board, a thread, its posts, photos, public
timeline, rating) bumps its board's version (the stamp of every process's page cache, see
board/web/page_cache.py): hooks on `db.session`, so services written later need not remember to.
Other writes (the bell, search jobs, reports) keep the cache.

The version is the *public* stamp (issue 15, item 15): it moves only when something an anonymous
reader can see changes, else the cache hit/miss and the thread pages' ETag would tell outsiders
when police-only or hidden content is filed or answered. So a write bumps only if its row was or
becomes public: a thread that is (or was, before this flush) public and not hidden; a reply that
is (or was) not hidden, on such a thread; a timeline step with public text; photos and ratings
of such a thread. A bulk UPDATE/DELETE bumps for the matched rows that are public before it runs
(visibility and hiding are ORM writes, compared before and after by the flush hook).
"""
from __future__ import annotations

from itertools import chain

from sqlalchemy import event, inspect, select, update

from board.extensions import db
from board.models import Board, Post, Thread, ThreadEvent, Visibility
from board.orm import BumpsBoardVersion

_THREAD_IS_PUBLIC = ((Thread.__table__.c.visibility == Visibility.PUBLIC)
                     & Thread.__table__.c.hidden.is_(False))


def _before_and_now(obj, *names: str) -> list[tuple | None]:
    """The attributes' values before this flush, and now. The before-values are None (unknown)
    when one was changed on an expired object, never loaded: then the caller bumps."""
    state = inspect(obj)
    now = tuple(getattr(obj, name) for name in names)
    before = []
    for name, value in zip(names, now, strict=True):
        history = state.attrs[name].history
        if history.deleted:
            before.append(history.deleted[0])
        elif history.added and state.key is not None:  # persistent: the old value is unknown
            return [None, now]
        else:
            before.append(value)
    return [tuple(before), now]


def _public_thread(visibility, hidden) -> bool:
    return visibility in (None, Visibility.PUBLIC) and not hidden  # None: default not applied


def _seen_by_anonymous(obj) -> bool:
    """Was the row, or is it now, on a page anonymous readers see? (Its thread's part is checked
    in SQL by `_bump`.)"""
    if isinstance(obj, Thread):
        states = _before_and_now(obj, "visibility", "hidden")
        return any(v is None or _public_thread(*v) for v in states)
    if isinstance(obj, Post):
        return any(v is None or not v[0] for v in _before_and_now(obj, "hidden"))
    if isinstance(obj, ThreadEvent):
        return any(v is None or v[0] is not None for v in _before_and_now(obj, "public_text"))
    return True


def _board_ids_for(objects) -> tuple[set[int], set[int], bool]:
    boards, threads, everything = set(), set(), False
    for obj in objects:
        if not isinstance(obj, BumpsBoardVersion) or not _seen_by_anonymous(obj):
            continue
        if isinstance(obj, Board):
            if obj.id is not None:
                boards.add(obj.id)
        elif isinstance(obj, Thread):
            history = inspect(obj).attrs.board_id.history
            boards.update(b for b in chain(history.added, history.unchanged, history.deleted) if b)
            if obj.board_id is None:
                everything = True
        elif obj.thread_id is not None:  # posts, photos, timeline events, ratings
            threads.add(obj.thread_id)
    return boards, threads, everything


def _bump(connection, boards: set[int], threads: set[int], everything: bool = False) -> None:
    table = Board.__table__
    stmt = update(table).values(version=table.c.version + 1)
    if not everything:
        where = table.c.id.in_(sorted(boards)) if boards else None
        if threads:  # replies, photos, steps: only those of public threads
            in_threads = table.c.id.in_(
                select(Thread.__table__.c.board_id).where(
                    Thread.__table__.c.id.in_(sorted(threads)), _THREAD_IS_PUBLIC))
            where = in_threads if where is None else where | in_threads
        if where is None:
            return
        stmt = stmt.where(where)
    connection.execute(stmt)


def _after_flush(session, _context) -> None:
    changed = [o for o in session.dirty if session.is_modified(o, include_collections=True)]
    boards, threads, everything = _board_ids_for(chain(session.new, changed, session.deleted))
    if boards or threads or everything:
        _bump(session.connection(), boards, threads, everything)


def _bulk_write(state) -> None:
    """db.update(Thread)… / db.delete(Post)…: bump the boards of the rows about to change."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    if not issubclass(state.bind_mapper.class_, BumpsBoardVersion):
        return
    table = state.bind_mapper.local_table
    where = getattr(state.statement, "whereclause", None)
    if table is Board.__table__:
        ids = select(table.c.id)
    elif table is Thread.__table__:
        ids = select(table.c.board_id).where(_THREAD_IS_PUBLIC)
    else:
        ids = select(Thread.__table__.c.board_id).where(_THREAD_IS_PUBLIC).where(
            Thread.__table__.c.id.in_(select(table.c.thread_id).where(
                where if where is not None else True)))
        where = None
    if where is not None:
        ids = ids.where(where)
    board = Board.__table__
    state.session.connection().execute(
        update(board).where(board.c.id.in_(ids)).values(version=board.c.version + 1))


def listen_on_app_session() -> None:
    """On the app's session only (its own Session subclass): a plain `Session(engine)`, such as
    the search worker's, never bumps."""
    for name, hook in (("after_flush", _after_flush), ("do_orm_execute", _bulk_write)):
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)

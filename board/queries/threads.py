"""Threads and boards as readers see them: each list backed by an index from the migrations.

Lists use keyset pagination (a cursor of the last row's sort key), so page 500 costs what page 1
costs, and apply visibility here so no caller can forget it.
"""
from __future__ import annotations

import base64
from datetime import UTC, datetime

from sqlalchemy import and_, or_, tuple_
from sqlalchemy.orm import defaultload, lazyload

from board import lists, permissions
from board.errors import NotFound, ValidationFailed
from board.extensions import db
from board.models import Board, Bulletin, Post, Thread, User, Visibility, utcnow


def encode_cursor(thread: Thread, sort: str = "latest") -> str:
    raw = f"{thread.last_activity_at.isoformat()}|{thread.id}"
    if sort == "same_question":
        raw = f"{thread.same_question_count}|{raw}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# Ids beyond a 32-bit INTEGER column would make the database raise (a 500) instead of "not found".
MAX_ID = 2**31 - 1


def decode_cursor(cursor: str, sort: str = "latest") -> tuple:
    """(last_activity_at, id), or (same_question_count, last_activity_at, id) by demand."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if sort == "same_question":
            count, raw = raw.split("|", 1)
            if not count.isdigit() or int(count) > MAX_ID:
                raise ValueError(raw)
            return (int(count), *decode_cursor(cursor_of(raw)))
        stamp, thread_id = raw.split("|")
        when, last_id = datetime.fromisoformat(stamp), int(thread_id)
        if when.tzinfo is None or not 0 <= last_id <= MAX_ID:
            raise ValueError(raw)
        when.astimezone(UTC)  # an offset that overflows year 1/9999 is not a cursor
        return when, last_id
    except (ValueError, UnicodeDecodeError, OverflowError):
        raise ValidationFailed("分页参数无效", fields={"cursor": "无效的分页游标"}) from None


def cursor_of(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# A list's board is already in the session (the page loaded it first): no join, and no
# re-load of board.units for every list.
LIST_OPTIONS = (lazyload(Thread.board),)


def visible_only(stmt, viewer):
    """Restrict a Thread select to what this viewer may see in lists (boards, notices)."""
    if not permissions.can(viewer, "police_only.view"):
        # Police-only and hidden/held threads (issue 6): the author finds them under "我的".
        # Withdrawn by their author (issue 18): off the lists, 「作者已撤回」 at their address.
        stmt = stmt.where(Thread.visibility == Visibility.PUBLIC, Thread.hidden.is_(False),
                          Thread.withdrawn_at.is_(None))
    return stmt


def boards() -> list[Board]:
    return list(db.session.scalars(db.select(Board).order_by(Board.position)))


def board_choices() -> list[Board]:
    """The boards as a filter's choices (the search page): names, not their units."""
    return list(db.session.scalars(db.select(Board).options(lazyload(Board.units))
                                   .order_by(Board.position)))


def board_by_slug(slug: str) -> Board:
    board = db.session.scalar(db.select(Board).where(Board.slug == slug))
    if board is None:
        raise NotFound("版块不存在")
    return board


def thread_for(viewer, thread_id: int) -> Thread:
    """The thread if this viewer may read it; police-only threads are 'not found' to others."""
    # An id beyond a 32-bit key would make the database driver raise (a 500), not miss (a 404).
    # The board's units load only if a page asks for them (one query fewer per thread view).
    options = [defaultload(Thread.board).lazyload(Board.units)]
    thread = (db.session.get(Thread, thread_id, options=options)
              if 0 < thread_id <= MAX_ID else None)
    if thread is None or not permissions.can(viewer, "thread.view", thread):
        raise NotFound("帖子不存在或您无权查看")
    return thread


def post_for(viewer, post_id: int) -> Post:
    """The reply if this viewer may read it (its thread, and it if hidden); else 'not found'."""
    post = db.session.get(Post, post_id) if 0 < post_id <= MAX_ID else None
    if post is None or not permissions.can(viewer, "post.view", post):
        raise NotFound("回复不存在或您无权查看")
    return post


def pinned_threads(board: Board, viewer) -> list[Thread]:
    """The board's pinned threads, and the missing-person appeals pinned on every board (issue
    21) until their time is up, newest pin first."""
    # Closing an appeal clears its pinned_until: the time alone says (ix_bulletin_pinned_until).
    everywhere = db.select(Bulletin.thread_id).where(Bulletin.pinned_until > utcnow())
    stmt = (db.select(Thread)
            .where(or_(and_(Thread.board_id == board.id, Thread.pinned.is_(True)),
                       Thread.id.in_(everywhere)))
            .order_by(*lists.BOARD_PINNED).options(*LIST_OPTIONS))
    return list(db.session.scalars(visible_only(stmt, viewer)))


def board_threads(board: Board, viewer, cursor: str | None = None,
                  limit: int = 20, sort: str = "latest") -> tuple[list[Thread], str | None]:
    """Unpinned threads, newest activity first (or most 「同问」 first: sort="same_question"),
    one keyset page; pinned ones come separately."""
    if sort not in lists.BOARD_SORTS:
        raise ValidationFailed("排序方式无效", fields={"sort": "可选: latest, same_question"})
    stmt = (db.select(Thread)
            .where(Thread.board_id == board.id, Thread.pinned.is_(False))
            .order_by(*lists.BOARD_SORTS[sort])
            .limit(limit + 1).options(*LIST_OPTIONS))
    if cursor:
        key = decode_cursor(cursor, sort)
        columns = (Thread.last_activity_at, Thread.id)
        if sort == "same_question":
            columns = (Thread.same_question_count, *columns)
        stmt = stmt.where(tuple_(*columns) < tuple_(*key))
    rows = list(db.session.scalars(visible_only(stmt, viewer)))
    next_cursor = encode_cursor(rows[limit - 1], sort) if len(rows) > limit else None
    return rows[:limit], next_cursor


def latest_threads(viewer, limit: int = 10) -> list[Thread]:
    stmt = (db.select(Thread).order_by(*lists.HOME).limit(limit)
            .options(*LIST_OPTIONS))
    return list(db.session.scalars(visible_only(stmt, viewer)))


def thread_posts(thread: Thread, viewer, after_id: int = 0) -> list[Post]:
    stmt = db.select(Post).where(Post.thread_id == thread.id, Post.id > after_id).order_by(Post.id)
    if not permissions.can(viewer, "police_only.view"):
        visible = Post.hidden.is_(False)
        if viewer.id is not None:  # an author still sees their own hidden post, and why
            visible = or_(visible, Post.author_id == viewer.id)
        stmt = stmt.where(visible)
    return list(db.session.scalars(stmt))


def user_threads(user: User, limit: int = 50) -> list[Thread]:
    """A user's own threads, police-only ones included (the author may always read them)."""
    stmt = (db.select(Thread).where(Thread.author_id == user.id)
            .order_by(Thread.created_at.desc()).limit(limit))
    return list(db.session.scalars(stmt))

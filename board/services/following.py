"""Following a thread (关注) and 同问 (I have the same question), and marking a followed thread
seen. 同问 also follows; the thread's 「N 人同问」 count is kept in SQL so taps at once add up.
Following is idempotent: a double tap, or two tabs at once, leave one row and one count."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from board import permissions
from board.errors import ValidationFailed
from board.extensions import db
from board.models import Thread, ThreadFollow, utcnow


@dataclass(frozen=True)
class FollowState:
    following: bool
    same_question: bool
    same_question_count: int


def state(user, thread: Thread) -> FollowState:
    row = (db.session.get(ThreadFollow, (thread.id, user.id))
           if getattr(user, "is_authenticated", False) else None)
    return FollowState(row is not None, bool(row and row.same_question),
                       thread.same_question_count)


def _count(thread: Thread, delta: int) -> None:
    db.session.execute(db.update(Thread).where(Thread.id == thread.id).values(
        same_question_count=Thread.same_question_count + delta),
        execution_options={"synchronize_session": False})


def follow(user, thread: Thread, same_question: bool = False) -> FollowState:
    """关注, or 同问 (which also follows); asking it again changes nothing."""
    permissions.require(user, "thread.follow", thread)
    if same_question and thread.author_id == user.id:
        raise ValidationFailed("这是您自己的提问,已自动关注",
                               fields={"same_question": "不能对自己的提问点同问"})
    row = db.session.get(ThreadFollow, (thread.id, user.id))
    if row is None:
        db.session.add(ThreadFollow(thread_id=thread.id, user_id=user.id,
                                    same_question=same_question, created_at=utcnow(),
                                    last_seen_at=utcnow()))
        if same_question:
            _count(thread, +1)
    elif same_question and not row.same_question:
        changed = db.session.execute(
            db.update(ThreadFollow).where(ThreadFollow.thread_id == thread.id,
                                          ThreadFollow.user_id == user.id,
                                          ThreadFollow.same_question.is_(False))
            .values(same_question=True), execution_options={"synchronize_session": False})
        if changed.rowcount == 1:
            _count(thread, +1)
    try:
        db.session.commit()
    except IntegrityError:  # the same tap from another tab won: its row and count stand
        db.session.rollback()
    db.session.expire_all()
    return state(user, thread)


def unfollow(user, thread: Thread) -> FollowState:
    """Stop following; a 同问 is taken back too."""
    permissions.require(user, "thread.follow", thread)
    deleted = db.session.execute(
        db.delete(ThreadFollow).where(ThreadFollow.thread_id == thread.id,
                                      ThreadFollow.user_id == user.id)
        .returning(ThreadFollow.same_question))
    rows = list(deleted.scalars())
    if rows and rows[0]:
        _count(thread, -1)
    db.session.commit()
    db.session.expire_all()
    return state(user, thread)


def seen(user, thread: Thread) -> None:
    """The reader has the thread open (its page joined the thread live, board/sockets.py; pages
    never write while reading): if they follow it, it is no longer unread, and notices about
    what they have now seen need not reach them off the page."""
    if not getattr(user, "is_authenticated", False):
        return
    result = db.session.execute(
        db.update(ThreadFollow).where(ThreadFollow.thread_id == thread.id,
                                      ThreadFollow.user_id == user.id)
        .values(last_seen_at=utcnow()), execution_options={"synchronize_session": False})
    if result.rowcount:
        db.session.commit()
    else:
        db.session.rollback()

"""Who answered a thread (issue 18): the responsible unit, a leader, or another unit helping.

A thread waits for the answer of the unit responsible for it: an officer of a unit that answers
its board, or of the unit it was dispatched to. A leader's reply shows as 领导回复 and another
unit's as 协助回复; neither is the thread's answer (it stays 待回复 in the unit's inbox, the clock
keeps running, no response time is credited) unless its author marks it 「作为正式答复」. The
formal answer's unit is the one credited with the response time (Thread.first_response_unit_id).
"""
from __future__ import annotations

from board import permissions
from board.i18n import N_, translate
from board.models import Post, Role, Thread

UNIT, LEADER, ASSIST = "unit", "leader", "assist"
LABELS = {LEADER: N_("领导回复"), ASSIST: N_("协助回复")}
FORMAL = N_("正式答复")


def role_of(user, thread: Thread) -> str | None:
    """The part an official's reply plays on this thread; None for residents."""
    if not getattr(user, "is_official", False):
        return None
    if user.role == Role.LEADER:
        return LEADER
    if user.unit_id is not None and (permissions.answers_for(user, thread.board)
                                     or user.unit_id == thread.dispatched_unit_id):
        return UNIT
    return ASSIST


def is_formal(role: str | None, marked: bool) -> bool:
    """Does a reply in this role count as the thread's answer? A unit's always; a leader's or a
    helping unit's only when marked 「作为正式答复」; a resident's never."""
    return role == UNIT or (role is not None and bool(marked))


def may_mark_formal(user, thread: Thread) -> bool:
    """Whether the composer offers 「作为正式答复」: to officials whose reply would not count
    by itself."""
    return (permissions.can(user, "post.formal_answer", thread)
            and role_of(user, thread) in (LEADER, ASSIST))


def label(post: Post) -> str | None:
    """领导回复 / 协助回复, with 正式答复 when it was made the thread's answer; None otherwise."""
    text = LABELS.get(post.answer_role or "")
    if text and post.formal_answer:
        return translate(text) + " · " + translate(FORMAL)
    return translate(text) if text else text

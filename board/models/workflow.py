"""The thread workflow as data: the statuses, every move between them, who may make it, and what
else may be done to a thread in which status (rate, supervise). Data only; services/status.py
carries moves out and permissions.py answers "may this user" from the "who" columns here, so a
role added to a row is at once the permission, the check and the buttons shown.

    待回复 awaiting_reply → 已回复 answered → 已转指挥中心 escalated → 已派警 dispatched
    → 处置中 handling → 已办结 resolved → 已关闭 closed, and reopen.

"Who" names the parts a user plays on a thread (permissions.thread_roles): the asker (author), an
officer of a unit answering the board (responsible), an officer of the unit the thread was
dispatched to (handler), and the roles leader, dispatcher, admin. "via" says which endpoint makes
the move: escalation needs a reason (/escalate), dispatch a unit (/dispatch); everything else goes
through /status. The first official reply makes FIRST_REPLY (services/status.answer_if_awaiting).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from board.i18n import N_, translate


class ThreadStatus(enum.StrEnum):
    AWAITING_REPLY = "awaiting_reply"
    ANSWERED = "answered"
    ESCALATED = "escalated"
    DISPATCHED = "dispatched"
    HANDLING = "handling"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return translate(STATUS_LABELS[self])  # the reader's language (board/i18n.py)


STATUS_LABELS = {
    ThreadStatus.AWAITING_REPLY: N_("待回复"),
    ThreadStatus.ANSWERED: N_("已回复"),
    ThreadStatus.ESCALATED: N_("已转指挥中心"),
    ThreadStatus.DISPATCHED: N_("已派警"),
    ThreadStatus.HANDLING: N_("处置中"),
    ThreadStatus.RESOLVED: N_("已办结"),
    ThreadStatus.CLOSED: N_("已关闭"),
}

S = ThreadStatus


@dataclass(frozen=True)
class Move:
    who: frozenset[str]
    via: str = "status"
    needs_incident: bool = False  # only for threads that were dispatched
    reopen: bool = False


def _m(*who: str, **kw) -> Move:
    return Move(frozenset(who), **kw)


TRANSITIONS: dict[tuple[str, str], Move] = {
    (S.AWAITING_REPLY, S.ANSWERED): _m("responsible", "leader"),  # also: first official reply
    (S.AWAITING_REPLY, S.ESCALATED): _m("responsible", "leader", via="escalate"),
    (S.ANSWERED, S.ESCALATED): _m("responsible", "leader", via="escalate"),
    (S.ESCALATED, S.DISPATCHED): _m("dispatcher", via="dispatch"),
    (S.ESCALATED, S.ANSWERED): _m("dispatcher", "leader"),  # returned: no police needed
    (S.DISPATCHED, S.HANDLING): _m("handler", "leader"),
    (S.HANDLING, S.RESOLVED): _m("handler", "leader"),
    (S.ANSWERED, S.RESOLVED): _m("responsible", "leader"),
    (S.ANSWERED, S.CLOSED): _m("author", "responsible", "leader", "admin"),
    (S.RESOLVED, S.CLOSED): _m("author", "responsible", "handler", "leader", "admin"),
    (S.RESOLVED, S.HANDLING): _m("handler", "leader", needs_incident=True, reopen=True),
    (S.RESOLVED, S.AWAITING_REPLY): _m("author", "responsible", "leader", reopen=True),
    (S.CLOSED, S.AWAITING_REPLY): _m("author", "leader", "admin", reopen=True),
}

# The move an official reply makes by itself, whoever the official (no permission asked).
FIRST_REPLY: tuple[str, str] = (S.AWAITING_REPLY, S.ANSWERED)


@dataclass(frozen=True)
class Action:
    """Something done to a thread that does not move it: who may, and in which statuses."""
    who: frozenset[str]
    statuses: frozenset[str]


# The asker rates how the matter was handled, once it is done.
RATE = Action(frozenset({"author"}), frozenset({S.RESOLVED, S.CLOSED}))
# A leader supervises (督办) any thread still open.
SUPERVISE = Action(frozenset({"leader"}), frozenset(set(S) - {S.CLOSED}))
RATEABLE = RATE.statuses
SUPERVISABLE = SUPERVISE.statuses


def who_may(current: str, to: str) -> frozenset[str]:
    """Who may move a thread from `current` to `to` (nobody, if the table has no such move)."""
    move = TRANSITIONS.get((current, to))
    return move.who if move else frozenset()


def who_via(via: str) -> frozenset[str]:
    """Who may make some move through this endpoint ("escalate", "dispatch"): its permission."""
    return frozenset().union(*(m.who for m in TRANSITIONS.values() if m.via == via))

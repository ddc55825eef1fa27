"""Each thread list's rules, written once: which threads the officer inbox holds, and every
list's order as both the query's ORDER BY and the rows' `data-sort` key.

A live page places an arriving row by comparing `data-sort` strings (ascending = the page's
order), so the browser needs no copy of the rules: the key is derived here from the same terms
the query sorts by. Every field is encoded at a fixed width in digits, and a descending field has
its digits flipped (d -> 9 - d), so plain string comparison gives the database's order.
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import case
from sqlalchemy.sql import operators

from board.models import Thread, ThreadStatus, Urgency

# The officer inbox holds its boards' threads in this status: suspected emergencies first, then
# the longest waiting.
INBOX_STATUS = ThreadStatus.AWAITING_REPLY
INBOX = (Thread.urgent.desc(), Thread.created_at, Thread.id)
# The unit's work list (issue 18), one tab each beside the inbox above (待回复):
# 待处置: incidents dispatched to the unit and not yet resolved, most urgent then oldest first;
HANDLING_STATUSES = (ThreadStatus.DISPATCHED, ThreadStatus.HANDLING)
URGENCY_RANK = case({u.value: u.rank for u in Urgency}, value=Thread.urgency, else_=0)
HANDLING = (URGENCY_RANK.desc(), Thread.dispatched_at, Thread.id)
# 督办: supervised threads still open, the longest supervised first;
SUPERVISED_OPEN = (ThreadStatus.RESOLVED, ThreadStatus.CLOSED)  # … statuses that end it
SUPERVISED = (Thread.supervised_at, Thread.id)
# 已超时: past the first-response target (board/sla.py's rule), the longest overdue first.
OVERDUE = (Thread.sla_due_at, Thread.id)
# A board page: its pinned threads (latest pinned first), then the rest by latest activity.
BOARD_PINNED = (Thread.pinned_at.desc(), Thread.id.desc())
BOARD = (Thread.last_activity_at.desc(), Thread.id.desc())
# A board page sorted by demand (?sort=same_question, issue 17): most 「同问」 first, then as BOARD.
BOARD_DEMAND = (Thread.same_question_count.desc(), *BOARD)
BOARD_SORTS = {"latest": BOARD, "same_question": BOARD_DEMAND}
# The home page's latest threads.
HOME = (Thread.created_at.desc(), Thread.id.desc())

_FLIP = str.maketrans("0123456789", "9876543210")


def _digits(value) -> str:
    if value is None:
        return "0" * 20
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value
        return value.strftime("%Y%m%d%H%M%S%f")
    return f"{int(value):012d}"


def _fields(order) -> tuple[tuple[str, bool], ...]:
    """(attribute, descending) for each ORDER BY term: read once, not on every pushed row."""
    fields = []
    for term in order:
        descending = getattr(term, "modifier", None) is operators.desc_op
        fields.append(((term.element if descending else term).key, descending))
    return tuple(fields)


_INBOX, _BOARD_PINNED, _BOARD, _HOME, _DEMAND = map(
    _fields, (INBOX, BOARD_PINNED, BOARD, HOME, BOARD_DEMAND))


def _key(thread: Thread, fields) -> str:
    parts = []
    for name, descending in fields:
        text = _digits(getattr(thread, name))
        parts.append(text.translate(_FLIP) if descending else text)
    return ".".join(parts)


def in_inbox(thread: Thread) -> bool:
    """Whether the thread belongs in its board's officer inbox (the query's WHERE, in Python)."""
    return thread.status == INBOX_STATUS


def sort_key(thread: Thread, listing: str) -> str:
    """The row's place in `listing` ("board", "board_demand", "home" or "inbox") as a comparable
    string."""
    if listing == "inbox":
        return _key(thread, _INBOX)
    if listing == "home":
        return _key(thread, _HOME)
    if thread.pinned:
        return "0." + _key(thread, _BOARD_PINNED)
    return "1." + _key(thread, _DEMAND if listing == "board_demand" else _BOARD)

"""Thread kinds as policy: one entry per kind says everything the board decides by kind.

For each kind: its Chinese label; whether the police owe it an answer (then it starts 待回复,
gets its board's first-response deadline and the urgency check, waits in the officer inbox and
counts in the leaders' response times; otherwise it is born 已回复, an answer in itself, like an
official notice); and who may post it (any signed-in user, or verified police only).

Posting, permissions, the new-thread form, the boards_config.yaml check, the dashboard and the
templates all read KINDS, so a new kind (a lost-and-found notice, say) is one entry below, plus
the boards that take it in boards_config.yaml and, if wanted, a `.kind-<name>` colour in CSS.
Keys are stored in Thread.kind (String(20)), so use lower_snake_case.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from board.i18n import N_, translate
from board.models.workflow import ThreadStatus


class Poster(enum.StrEnum):
    """Who may post a kind of thread (permissions.py's "thread.create_kind" reads it)."""

    ANYONE = "anyone"  # any signed-in user, citizens included
    OFFICIALS = "officials"  # verified police only: the roles whose posts carry a badge


@dataclass(frozen=True)
class KindPolicy:
    label: str
    needs_answer: bool
    posted_by: Poster = Poster.ANYONE
    # Posted through the kind's own form and service (a bulletin has fields of its own, issue
    # 21): the generic new-thread form does not offer it and posting refuses it without them.
    own_form: bool = False

    @property
    def start_status(self) -> ThreadStatus:
        """Owed an answer, a thread waits for one; otherwise it is the answer already."""
        return ThreadStatus.AWAITING_REPLY if self.needs_answer else ThreadStatus.ANSWERED


KINDS: dict[str, KindPolicy] = {
    "report": KindPolicy(N_("举报"), needs_answer=True),
    "help": KindPolicy(N_("求助"), needs_answer=True),
    "question": KindPolicy(N_("问题"), needs_answer=True),
    "publicity": KindPolicy(N_("宣传"), needs_answer=False, posted_by=Poster.OFFICIALS),
    # Issue 21: notices with a station, a state and an expiry (board/services/bulletins.py).
    "lost_found": KindPolicy(N_("失物招领"), needs_answer=False, own_form=True),
    "missing_person": KindPolicy(N_("寻人"), needs_answer=False, own_form=True),
}


def policy(kind: str | None) -> KindPolicy | None:
    """The policy of a kind; None for a kind nobody defined (a typo, a retired kind)."""
    return KINDS.get(kind or "")


def label(kind: str | None) -> str:
    """The label in the reader's language; a kind without a policy shows as stored rather than
    breaking a page."""
    found = policy(kind)
    return translate(found.label) if found else (kind or "")


def needing_answer() -> list[str]:
    """The kinds the police owe an answer: the ones response times and overdue are about."""
    return [kind for kind, found in KINDS.items() if found.needs_answer]

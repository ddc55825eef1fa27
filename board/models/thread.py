"""Threads (a citizen's question, report, request for help, or an official notice) and replies."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board import sla
from board.extensions import db
from board.models import kinds
from board.models.board import Board
from board.models.unit import Unit
from board.models.user import User
from board.models.workflow import ThreadStatus
from board.orm import BumpsBoardVersion, utcnow


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    POLICE_ONLY = "police_only"


class Thread(BumpsBoardVersion, db.Model):
    __tablename__ = "thread"
    __table_args__ = (
        # Board listing: pinned ones apart, the rest by last activity (keyset on activity, id).
        Index("ix_thread_board_listing", "board_id", "pinned", "last_activity_at", "id"),
        # The same by demand: most 「同问」 first (?sort=same_question, issue 17).
        Index("ix_thread_board_demand", "board_id", "pinned", "same_question_count",
              "last_activity_at", "id"),
        # Officer inbox: a board's unanswered threads, longest waiting first.
        Index("ix_thread_board_status_created", "board_id", "status", "created_at"),
        # Profile: my threads, newest first.
        Index("ix_thread_author_created", "author_id", "created_at"),
        # Home: the latest threads across all boards.
        Index("ix_thread_created", "created_at", "id"),
        # Command centre queue and dashboard: threads by status, oldest first.
        Index("ix_thread_status_escalated", "status", "escalated_at"),
        # Overdue now: unanswered threads past their first-response target.
        Index("ix_thread_status_due", "status", "sla_due_at"),
        # Dashboard and open data: dispatches from posts by the day they were dispatched.
        Index("ix_thread_dispatched_at", "dispatched_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(120))
    # The structured place picked beside the free text (issue 18): a district, street or community.
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))
    status: Mapped[str] = mapped_column(String(20), default=ThreadStatus.AWAITING_REPLY)
    visibility: Mapped[str] = mapped_column(String(20), default=Visibility.PUBLIC)
    # Hidden by an officer, or held by the word list (issue 6): only the author and police see it.
    hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str | None] = mapped_column(String(200))
    pinned: Mapped[bool] = mapped_column(default=False)
    pinned_at: Mapped[datetime | None]
    locked: Mapped[bool] = mapped_column(default=False)
    reply_count: Mapped[int] = mapped_column(default=0)
    has_official_reply: Mapped[bool] = mapped_column(default=False)
    # 「N 人同问」: followers who pressed 同问 (issue 17), kept in SQL like reply_count.
    same_question_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_at: Mapped[datetime | None]
    first_responder_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The unit credited with the first answer, as it was then (issue 18): response times are
    # the answering unit's, even after the officer moves; a leader's or another unit's reply
    # that was not made the formal answer never sets these three (board/answers.py).
    first_response_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    # Issue 18: the author's own edits and withdrawal (board/models/editing.py), and the last
    # official reply, which closes the author's edit window for everything written before it.
    last_official_reply_at: Mapped[datetime | None]
    edited_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    # Escalation and supervision (issue 5): see board/services/status.py for the state table.
    urgent: Mapped[bool] = mapped_column(default=False)
    sla_due_at: Mapped[datetime | None]  # first response due by (board SLA, working hours)
    overdue_notified: Mapped[bool] = mapped_column(default=False)  # the leader is told once
    escalated_at: Mapped[datetime | None]
    urgency: Mapped[str | None] = mapped_column(String(10))
    dispatched_at: Mapped[datetime | None]
    dispatched_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    incident_no: Mapped[str | None] = mapped_column(String(20), unique=True)
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    supervised: Mapped[bool] = mapped_column(default=False)
    supervised_at: Mapped[datetime | None]
    supervised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    supervision_instruction: Mapped[str | None] = mapped_column(Text)

    # "unnested": reached through an outer join (a notification's thread…) these become chained
    # LEFT JOINs; nested inner joins there make SQLite materialize the whole thread table.
    board: Mapped[Board] = relationship(lazy="joined", innerjoin="unnested")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined",
                                        innerjoin="unnested")
    first_responder: Mapped[User | None] = relationship(foreign_keys=[first_responder_id])
    dispatched_unit: Mapped[Unit | None] = relationship(foreign_keys=[dispatched_unit_id],
                                                        lazy="joined")
    supervised_by: Mapped[User | None] = relationship(foreign_keys=[supervised_by_id])

    @property
    def status_label(self) -> str:
        return ThreadStatus(self.status).label

    @property
    def kind_label(self) -> str:
        return kinds.label(self.kind)

    @property
    def is_public(self) -> bool:
        """Readable by anyone: not police-only and not hidden (the author and police see both)."""
        return self.visibility == Visibility.PUBLIC and not self.hidden

    @property
    def is_overdue(self) -> bool:
        """Overdue right now, by the one rule in board/sla.py (the dashboard and alert use it)."""
        return sla.is_overdue(self, utcnow())

    @property
    def dispatch_seconds(self) -> int | None:
        if self.dispatched_at is None:
            return None
        return int((self.dispatched_at - self.created_at).total_seconds())

    @property
    def first_response_seconds(self) -> int | None:
        if self.first_response_at is None:
            return None
        return int((self.first_response_at - self.created_at).total_seconds())

    def __repr__(self) -> str:
        return f"<Thread {self.id} {self.title!r}>"


class Post(BumpsBoardVersion, db.Model):
    """A reply. Officers' replies keep a snapshot of who they were when they answered."""

    __tablename__ = "post"
    __table_args__ = (Index("ix_post_thread_id", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    official: Mapped[bool] = mapped_column(default=False)
    # The verified identity at the time of the reply (an officer may later move unit).
    official_name: Mapped[str | None] = mapped_column(String(40))
    official_badge_no: Mapped[str | None] = mapped_column(String(20))
    official_unit: Mapped[str | None] = mapped_column(String(80))
    official_contact: Mapped[str | None] = mapped_column(String(120))
    # Who answered (issue 18, board/answers.py): "unit" (the responsible or handling unit),
    # "leader" (领导回复) or "assist" (协助回复, another unit); None for residents. Only a formal
    # answer counts as the thread's answer: a unit's always, the others' when marked so.
    answer_role: Mapped[str | None] = mapped_column(String(10))
    formal_answer: Mapped[bool] = mapped_column(default=False)
    # A partner agency's reply (issue 21): its badge 「协作单位·XX物业」 as it was when written.
    agency_name: Mapped[str | None] = mapped_column(String(80))
    hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]  # by its author (issue 18): 「作者已撤回」

    thread: Mapped[Thread] = relationship()
    author: Mapped[User] = relationship(lazy="joined", innerjoin="unnested")

    def __repr__(self) -> str:
        return f"<Post {self.id} on {self.thread_id}>"

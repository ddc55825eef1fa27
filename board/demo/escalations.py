"""Demo step for issue 5 (called from board.demo._after_seed): escalations dispatched and resolved
with ratings, one waiting in the command centre's queue, supervised threads, pinned notices, and
reply templates for a few units. Everything goes through the services, run at each step's own
moment in the thread's story (orm.story_time): the timeline, the incident numbers and the
append-only audit log are written with their story times, not rewritten afterwards. What the
stories say (texts, people, minutes) is data in escalation_stories.py; this module plays them."""
from __future__ import annotations

from datetime import datetime, timedelta

from board import sla
from board.demo.escalation_stories import (
    PINNED,
    STORIES,
    SUPERVISED,
    TEMPLATES,
    WAITING,
    QueuedReport,
    Story,
)
from board.extensions import db
from board.models import (
    Board,
    IncidentCounter,
    Rating,
    Thread,
    ThreadEvent,
    User,
    utcnow,
)
from board.orm import story_time
from board.services import escalation, moderation, posting, replies, status, supervision


def seed(users: dict[str, User], threads: dict[str, Thread]) -> None:
    for username, items in TEMPLATES.items():
        if username in users:
            for title, body in items:
                replies.create(users[username], title, body)
    for key in PINNED:
        if key in threads:
            moderation.pin(users["leader_gao"], threads[key])
    today = utcnow().strftime("%Y%m%d")
    for story in STORIES:
        _story(users, threads.get(story.thread), story)
    key, note, minutes = SUPERVISED
    if key in threads:
        thread = threads[key]
        with story_time(thread.created_at + timedelta(minutes=minutes)):
            supervision.supervise(users["leader_gao"], thread, note)
        _stamp(thread, thread.created_at + timedelta(minutes=minutes))
    _waiting_in_queue(users, WAITING)
    # The demo's incident numbers were re-issued on their own (past) days; today starts afresh.
    db.session.execute(db.delete(IncidentCounter).where(
        IncidentCounter.day == today, ~db.exists().where(Thread.incident_no.like(f"JQ{today}%"))))
    db.session.commit()


def _story(users, thread: Thread | None, story: Story) -> None:
    if thread is None:
        return
    start, activity = thread.created_at, thread.last_activity_at
    for minutes, action, *args in story.steps:
        with story_time(start + timedelta(minutes=minutes)):
            if action == "escalate":
                escalation.escalate(users[story.officer], thread, story.reason, story.urgency)
            elif action == "dispatch":  # the incident number is issued on the story's day
                escalation.dispatch(users["dispatch_han"], thread, story.unit, args[0])
            elif action == "supervise":
                supervision.supervise(users["leader_gao"], thread, args[0])
            elif action == "rate":
                supervision.rate(thread.author, thread, args[0], args[1])
            else:
                status.change(users[story.officer], thread, action, args[0])
        _stamp(thread, start + timedelta(minutes=minutes), activity)


def _stamp(thread: Thread, when: datetime, activity: datetime | None = None) -> None:
    """Move the step just taken (timeline event, audit entry, rating, thread times) to `when`;
    `last_activity_at` goes back to the thread's last post (status moves bump it to now)."""
    if activity is not None:
        thread.last_activity_at = activity
    latest_event = db.session.scalar(db.select(ThreadEvent).where(
        ThreadEvent.thread_id == thread.id).order_by(ThreadEvent.id.desc()).limit(1))
    if latest_event is not None:
        latest_event.created_at = when
    rating = db.session.scalar(db.select(Rating).where(Rating.thread_id == thread.id))
    if rating is not None and rating.created_at > when:
        rating.created_at = when
    for field in ("escalated_at", "dispatched_at", "resolved_at", "supervised_at"):
        value = getattr(thread, field)
        if value is not None and value > when:
            setattr(thread, field, when)
    row = escalation.current_escalation(thread)
    if row is not None:
        if row.created_at > when:
            row.created_at = when
        if row.dispatched_at is not None and row.dispatched_at > when:
            row.dispatched_at = when
    db.session.commit()


def _waiting_in_queue(users, report: QueuedReport) -> None:
    """A fresh report, escalated a quarter of an hour ago, waiting for the dispatcher."""
    board = db.session.scalar(db.select(Board).where(Board.slug == report.board))
    thread = posting.create_thread(users[report.author], board, "report", report.title,
                                   report.body, report.location, place=report.place)
    opened = utcnow() - timedelta(minutes=report.opened_ago)
    thread.created_at = thread.last_activity_at = opened
    thread.sla_due_at = sla.due_for(board, opened)
    db.session.commit()
    with story_time(opened + timedelta(minutes=report.escalated_after)):
        escalation.escalate(users[report.escalated_by], thread, report.reason, report.urgency)
    _stamp(thread, opened + timedelta(minutes=report.escalated_after), opened)

"""Escalate to the 110 command centre, dispatch to a unit with an incident number, handle, resolve.

Incident numbers are JQYYYYMMDD-NNNN (Beijing date), sequential per day. The per-day counter row
is bumped with one `UPDATE … SET last = last + 1 … RETURNING last` in the same transaction as the
dispatch, so the row lock serialises concurrent dispatchers and a rolled-back dispatch gives its
number back. The first dispatch of a day inserts the row; if two race, the unique key makes one
fail and it retries. Both numbers are also UNIQUE columns, so a duplicate can never be stored.
"""
from __future__ import annotations

import logging
import random
import time

from sqlalchemy.exc import IntegrityError, OperationalError

from board import permissions, sla
from board.errors import ValidationFailed
from board.extensions import db
from board.models import (
    DISPATCHABLE_UNIT_KINDS,
    Escalation,
    IncidentCounter,
    NoticeKind,
    Role,
    Thread,
    ThreadStatus,
    Unit,
    Urgency,
    User,
    utcnow,
)
from board.notices import outbox
from board.services import audit, status

log = logging.getLogger(__name__)
S = ThreadStatus
MAX_TRIES = 8


def next_incident_no(now=None) -> str:
    """Issue the next number of the day inside the caller's transaction (see module doc)."""
    day = (now or utcnow()).astimezone(sla.BEIJING).strftime("%Y%m%d")
    number = db.session.execute(
        db.update(IncidentCounter).where(IncidentCounter.day == day)
        .values(last=IncidentCounter.last + 1).returning(IncidentCounter.last)).scalar()
    if number is None:  # first of the day; a racing twin makes this INSERT fail → retry
        db.session.add(IncidentCounter(day=day, last=1))
        db.session.flush()
        number = 1
    return f"JQ{day}-{number:04d}"


def current_escalation(thread: Thread) -> Escalation | None:
    return db.session.scalar(db.select(Escalation).where(Escalation.thread_id == thread.id)
                             .order_by(Escalation.id.desc()).limit(1))


def escalate(user, thread: Thread, reason: str, urgency: str = Urgency.NORMAL) -> Escalation:
    """An officer or leader hands the thread to the command centre; its queue shows it at once."""
    current = thread.status
    status.check(user, thread, S.ESCALATED, via="escalate")  # 409 illegal, 403 wrong role
    permissions.require(user, "thread.escalate", thread)
    reason = status.clean_note(reason, "reason", required=True)
    if urgency not in set(Urgency):
        raise ValidationFailed(fields={"urgency": "紧急程度无效,可选: normal, urgent, critical"})
    now = utcnow()
    row = Escalation(thread_id=thread.id, reason=reason, urgency=urgency,
                     escalated_by_id=user.id, created_at=now)
    db.session.add(row)
    status.move(thread, current, S.ESCALATED, escalated_at=now, urgency=urgency)
    status.add_event(thread, user, "escalated", S.ESCALATED, status.PUBLIC_TEXT[S.ESCALATED],
                     f"[{Urgency(urgency).label}] {reason}")
    audit.record(user, "thread.escalate", "thread", thread.id, {"status": current},
                 {"status": S.ESCALATED, "reason": reason, "urgency": urgency})
    db.session.commit()
    db.session.refresh(thread)
    status.announce(thread, user, staff=_command_staff(), reason="escalated")
    return row


def _dispatch_unit(code: str) -> Unit:
    unit = db.session.scalar(db.select(Unit).where(Unit.code == (code or "")))
    if unit is None:
        raise ValidationFailed(fields={"unit": "请选择派往的单位"})
    if unit.kind not in DISPATCHABLE_UNIT_KINDS:
        raise ValidationFailed(fields={"unit": "只能派往派出所、分局或专业警种"})
    return unit


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    text = str(getattr(exc, "orig", exc)).lower()
    return "locked" in text or "busy" in text or "deadlock" in text or "serializ" in text


def dispatch(user, thread: Thread, unit_code: str, note: str | None = None) -> Escalation:
    """A dispatcher sends the thread to a unit; an incident number is issued."""
    unit = _dispatch_unit(unit_code)
    note = status.clean_note(note)
    for attempt in range(MAX_TRIES):
        status.check(user, thread, S.DISPATCHED, via="dispatch")  # 409 illegal, 403 wrong role
        permissions.require(user, "thread.dispatch", thread)
        try:
            row = _dispatch_once(user, thread, unit, note)
            db.session.commit()
            break
        except (IntegrityError, OperationalError) as exc:
            db.session.rollback()
            if attempt == MAX_TRIES - 1 or not _retryable(exc):
                raise
            time.sleep(random.uniform(0.005, 0.05) * (attempt + 1))
            db.session.refresh(thread)
    db.session.refresh(thread)
    status.announce(thread, user, staff=unit_officers(unit), reason="dispatched")
    return row


def _dispatch_once(user, thread: Thread, unit: Unit, note: str) -> Escalation:
    now = utcnow()
    current = thread.status
    incident = next_incident_no(now)
    row = current_escalation(thread)
    if row is None:  # escalated before this table existed, or by hand
        row = Escalation(thread_id=thread.id, reason="", escalated_by_id=user.id, created_at=now)
        db.session.add(row)
    row.unit_id, row.dispatched_by_id, row.dispatched_at = unit.id, user.id, now
    row.dispatch_note, row.incident_no = note or None, incident
    status.move(thread, current, S.DISPATCHED, dispatched_at=now, dispatched_unit_id=unit.id,
                incident_no=incident)
    text = status.PUBLIC_TEXT[S.DISPATCHED].format(unit=unit.name, incident=incident)
    status.add_event(thread, user, "dispatched", S.DISPATCHED, text, note or None)
    audit.record(user, "thread.dispatch", "thread", thread.id,
                 {"status": current, "unit": None},
                 {"status": S.DISPATCHED, "unit": unit.code, "incident_no": incident,
                  "note": note or None})
    outbox.record(NoticeKind.STATUS, thread, actor=user, status=S.DISPATCHED)  # issue 17
    db.session.flush()
    return row


def unit_officers(unit: Unit) -> list:
    return list(db.session.scalars(db.select(User).where(
        User.unit_id == unit.id, User.role.in_([Role.OFFICER, Role.LEADER]),
        User.disabled.is_(False))))


def _command_staff() -> list:
    return list(db.session.scalars(db.select(User).where(
        User.role == Role.DISPATCHER, User.disabled.is_(False))))


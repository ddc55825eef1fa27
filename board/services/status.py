"""Carrying out the thread status moves of the table in board/models/workflow.py: checking one
(409 naming the allowed moves, or 403), writing it with a guarded UPDATE, the timeline event, the
audit entry and the announcement after the commit.

Every write of `Thread.status` goes through here, guarded by the status it moves from: `move`
(UPDATE … WHERE status = current) for the /status, /escalate and /dispatch endpoints, and
`answer_if_awaiting` for the first official reply. So two people acting on one thread at once
cannot both win, and a reply in flight never undoes an escalation that committed meanwhile.
"""
from __future__ import annotations

import logging

from sqlalchemy import case

from board import live, permissions, text
from board.errors import Conflict, PermissionDenied, ValidationFailed
from board.extensions import db
from board.i18n import N_
from board.models import NoticeKind, Thread, ThreadEvent, ThreadStatus, Unit, UnitKind, utcnow
from board.models.workflow import FIRST_REPLY, TRANSITIONS, Move
from board.notices import outbox
from board.services import audit, notifications

log = logging.getLogger(__name__)
S = ThreadStatus
NOTE_MAX = 1000

# What the citizen reads on the timeline for each arrival state ({unit}, {incident} filled in).
# Stored in Chinese as written; N_ marks them for the English timeline (views/timeline_text.py).
PUBLIC_TEXT = {
    S.ANSWERED: N_("民警已答复您的问题。"),
    S.ESCALATED: N_("您好,您反映的情况已转交110指挥中心,正在调派警力。"),
    S.DISPATCHED: N_("您好,该警情已收悉,{unit}正在处置。警情编号 {incident}。"),
    S.HANDLING: N_("{unit}民警正在处置中。"),
    S.RESOLVED: N_("您好,该事项已办结,感谢您的支持。"),
    S.CLOSED: N_("此帖已关闭。"),
    S.AWAITING_REPLY: N_("此帖已重新打开,民警将继续跟进。"),
}
RETURNED_TEXT = N_("指挥中心已研判:此事项无需出警,由版块民警继续答复。")
REOPENED_HANDLING_TEXT = N_("该警情已重新打开,{unit}民警继续处置。")
# The moves the asker and followers are also told of off the page (issue 17); dispatching is
# recorded by services/escalation.py.
NOTICE_STATUSES = frozenset({S.DISPATCHED, S.RESOLVED, S.CLOSED})


def _label(status: str) -> str:
    return f"{status}({ThreadStatus(status).label})"


def _applies(move: Move | None, thread: Thread) -> bool:
    return move is not None and (not move.needs_incident or thread.incident_no is not None)


def moves_from(thread: Thread) -> list[str]:
    """Every status the thread may move to next, whoever makes the move."""
    return [to for (frm, to), move in TRANSITIONS.items()
            if frm == thread.status and _applies(move, thread)]


def allowed_for(user, thread: Thread, via: str = "status") -> list[str]:
    """The statuses this user may move the thread to through the given endpoint."""
    roles = permissions.thread_roles(user, thread)
    return [to for (frm, to), move in TRANSITIONS.items()
            if frm == thread.status and _applies(move, thread) and move.via == via
            and move.who & roles]


def check(user, thread: Thread, to: str, via: str = "status") -> Move:
    """Raise Conflict (409, naming the allowed moves) or PermissionDenied (403), else the Move."""
    if to not in set(ThreadStatus):
        raise ValidationFailed(fields={"status": "状态无效,可选: " + ", ".join(ThreadStatus)})
    move = TRANSITIONS.get((thread.status, to))
    if not _applies(move, thread):
        allowed = moves_from(thread)
        names = "、".join(_label(s) for s in allowed) or "无(已是终态)"
        raise Conflict(f"不能从 {_label(thread.status)} 改为 {_label(to)};当前允许: {names}",
                       fields={"status": "允许: " + (", ".join(allowed) or "无")},
                       code="illegal_transition")
    if not permissions.can(user, "thread.set_status", (thread, to)):
        raise PermissionDenied(f"您没有权限把此帖改为「{ThreadStatus(to).label}」")
    if move.via != via:
        endpoint = {"escalate": "转指挥中心(/escalate,需填写原因)",
                    "dispatch": "派警(/dispatch,需指定单位)"}[move.via]
        raise ValidationFailed(f"请使用{endpoint}", fields={"status": f"请使用{endpoint}"})
    return move


def clean_note(note: str | None, field: str = "note", required: bool = False) -> str:
    note = text.clean_body(note)
    if required and len(note) < 2:
        raise ValidationFailed(fields={field: "请填写说明(至少 2 个字)"})
    if len(note) > NOTE_MAX:
        raise ValidationFailed(fields={field: f"说明不能超过 {NOTE_MAX} 个字"})
    return note


def move(thread: Thread, current: str, to: str, **values) -> None:
    """UPDATE … WHERE status = current: two people moving one thread at once cannot both win."""
    result = db.session.execute(
        db.update(Thread).where(Thread.id == thread.id, Thread.status == current)
        .values(status=to, last_activity_at=utcnow(), **values),
        execution_options={"synchronize_session": False})
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict("此帖状态刚刚已被他人更改,请刷新后重试", code="stale_status")


def add_event(thread: Thread, actor, kind: str, status: str | None, public_text: str | None,
              internal_note: str | None = None) -> ThreadEvent:
    event = ThreadEvent(thread_id=thread.id, kind=kind, status=status,
                        public_text=public_text or None, internal_note=internal_note or None,
                        actor_id=getattr(actor, "id", None), created_at=utcnow())
    db.session.add(event)
    return event


def public_text_for(thread: Thread, to: str, current: str, note: str, internal: bool) -> str:
    unit = thread.dispatched_unit.name if thread.dispatched_unit else thread.board.name + "版块民警"
    if current == S.ESCALATED and to == S.ANSWERED:
        text = RETURNED_TEXT
    elif current == S.RESOLVED and to == S.HANDLING:
        text = REOPENED_HANDLING_TEXT
    else:
        text = PUBLIC_TEXT[to]
    text = text.format(unit=unit, incident=thread.incident_no or "")
    if note and not internal:
        text += f"\n说明:{note}"
    return text


def change(user, thread: Thread, to: str, note: str | None = None,
           internal: bool = False) -> ThreadEvent:
    """Move a thread through /status (handling, resolved, closed, reopen, returned, answered)."""
    current = thread.status
    move_ = check(user, thread, to)
    note = clean_note(note)
    internal = bool(internal) and permissions.can(user, "thread.internal_notes", thread)
    now = utcnow()
    values: dict = {}
    if to == S.RESOLVED:
        values["resolved_at"] = now
    elif to == S.CLOSED:
        values["closed_at"] = now
    if move_.reopen:
        values.update(resolved_at=None, closed_at=None)
    before = audit.snapshot(thread, "status")
    move(thread, current, to, **values)
    event = add_event(thread, user, "reopened" if move_.reopen else to, to,
                      public_text_for(thread, to, current, note, internal),
                      note if internal else None)
    audit.record(user, "thread.status", "thread", thread.id, before,
                 {"status": to, "note": note or None, "internal": bool(internal)})
    if to in NOTICE_STATUSES and not move_.reopen:  # off the page too (issue 17)
        outbox.record(NoticeKind.STATUS, thread, actor=user, status=to,
                      reason=None if internal else note)
    db.session.commit()
    db.session.refresh(thread)
    announce(thread, user, staff=_staff_for(thread, to))
    return event


def answer_if_awaiting(thread: Thread) -> bool:
    """The first official reply's move (awaiting_reply → answered), guarded like `move` but
    written by the caller's next flush, in the UPDATE that already bumps the thread's counters:
    `SET status = CASE WHEN status = 'awaiting_reply' THEN 'answered' ELSE status END`. The
    database decides on the row as it is then, so if someone escalated (or otherwise moved) the
    thread meanwhile, the reply leaves the status alone: no extra round trip, no lost move.
    Returns whether the thread looked awaiting here (its readers are then told of the change)."""
    frm, to = FIRST_REPLY
    if thread.status != frm:
        return False
    thread.status = case((Thread.status == frm, to), else_=Thread.status)
    return True


def _staff_for(thread: Thread, to: str) -> list:
    """Who among the police hears of this move: the supervising leader follows every step."""
    staff = []
    if thread.supervised and thread.supervised_by is not None:
        staff.append(thread.supervised_by)
    return staff


def _command_codes() -> list[str]:
    return list(db.session.scalars(db.select(Unit.code).where(Unit.kind == UnitKind.COMMAND)))


def announce(thread: Thread, actor, staff=(), reason: str | None = None) -> None:
    """After the commit: the thread's room hears of it live; the asker and staff are notified."""
    live.thread_updated(thread)
    codes = _command_codes()
    if thread.dispatched_unit is not None:
        codes.append(thread.dispatched_unit.code)
    live.thread_updated_to_units(thread, codes)
    notifications.notify_status_changed(thread, actor)
    recipients = [u for u in staff if u is not None and u.id != getattr(actor, "id", None)]
    if recipients:
        notifications.notify_staff(recipients, thread, actor, reason)

"""The thread status state machine — every allowed move and who may make it, in ONE table.

    待回复 awaiting_reply → 已回复 answered → 已转指挥中心 escalated → 已派警 dispatched
    → 处置中 handling → 已办结 resolved → 已关闭 closed, and reopen.

"Who" names the parts a user plays on a thread (permissions.thread_roles): the asker
(author), an officer of a unit answering the board (responsible), an officer of the unit the
thread was dispatched to (handler), and the roles leader, dispatcher, admin. "via" says which
endpoint makes the move: escalation needs a reason (/escalate), dispatch a unit (/dispatch);
everything else goes through /status. The first official reply moves awaiting_reply → answered
(posting.reply calls `answer_if_awaiting`, the guarded writer of that move).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import case

from board import live, permissions
from board.extensions import db
from board.models import Thread, ThreadEvent, ThreadStatus, utcnow
from board.services import audit
from board.services.errors import Conflict, PermissionDenied, ValidationFailed

log = logging.getLogger(__name__)
S = ThreadStatus
NOTE_MAX = 1000


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

# What the citizen reads on the timeline for each arrival state ({unit}, {incident} filled in).
PUBLIC_TEXT = {
    S.ANSWERED: "民警已答复您的问题。",
    S.ESCALATED: "您好,您反映的情况已转交110指挥中心,正在调派警力。",
    S.DISPATCHED: "您好,该警情已收悉,{unit}正在处置。警情编号 {incident}。",
    S.HANDLING: "{unit}民警正在处置中。",
    S.RESOLVED: "您好,该事项已办结,感谢您的支持。",
    S.CLOSED: "此帖已关闭。",
    S.AWAITING_REPLY: "此帖已重新打开,民警将继续跟进。",
}
RETURNED_TEXT = "指挥中心已研判:此事项无需出警,由版块民警继续答复。"
REOPENED_HANDLING_TEXT = "该警情已重新打开,{unit}民警继续处置。"


def who_may(current: str, to: str) -> frozenset[str]:
    move = TRANSITIONS.get((current, to))
    return move.who if move else frozenset()


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
    note = (note or "").replace("\r\n", "\n").strip()
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
    if thread.status != S.AWAITING_REPLY:
        return False
    thread.status = case((Thread.status == S.AWAITING_REPLY, S.ANSWERED), else_=Thread.status)
    return True


def _staff_for(thread: Thread, to: str) -> list:
    """Who among the police hears of this move: the supervising leader follows every step."""
    staff = []
    if thread.supervised and thread.supervised_by is not None:
        staff.append(thread.supervised_by)
    return staff


def _command_codes() -> list[str]:
    from board.models import Unit

    return list(db.session.scalars(db.select(Unit.code).where(Unit.kind == "command")))


def announce(thread: Thread, actor, staff=(), reason: str | None = None) -> None:
    """After the commit: the thread's room hears of it live; the asker and staff are notified."""
    live.thread_updated(thread)
    codes = _command_codes()
    if thread.dispatched_unit is not None:
        codes.append(thread.dispatched_unit.code)
    live.thread_updated_to_units(thread, codes)
    try:
        from board.services import notifications
    except ImportError:  # pragma: no cover - the notifications service is optional
        return
    notifications.notify_status_changed(thread, actor)
    notify_staff = getattr(notifications, "notify_staff", None)
    recipients = [u for u in staff if u is not None and u.id != getattr(actor, "id", None)]
    if notify_staff and recipients:
        notify_staff(recipients, thread, actor, reason)

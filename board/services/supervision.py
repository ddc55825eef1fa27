"""Leader supervision (督办), the asker's satisfaction rating, and the once-only overdue alert."""
from __future__ import annotations

from datetime import datetime

from board import inputs, live, permissions, sla, text
from board.errors import Conflict, ValidationFailed
from board.extensions import db
from board.i18n import N_
from board.models import Rating, Role, Thread, ThreadStatus, Unit, User, utcnow, workflow
from board.services import audit, notifications, status, unique

SUPERVISED_TEXT = N_("领导督办:市局领导已要求相关单位加快办理,并跟踪办理进展。")

S = ThreadStatus
INSTRUCTION_MAX = 500
COMMENT_MAX = 300


def responsible_units(thread: Thread) -> list[Unit]:
    """The unit handling the thread if dispatched, else the units answering its board."""
    return [thread.dispatched_unit] if thread.dispatched_unit else list(thread.board.units)


def _unit_staff(units: list[Unit], roles: tuple[str, ...]) -> list[User]:
    ids = [u.id for u in units]
    if not ids:
        return []
    return list(db.session.scalars(db.select(User).where(
        User.unit_id.in_(ids), User.role.in_(roles), User.disabled.is_(False))))


def supervise(user, thread: Thread, instruction: str) -> Thread:
    """A leader marks the thread 领导督办; the responsible unit hears of it; the leader follows."""
    permissions.require(user, "thread.supervise", thread)
    if thread.status not in workflow.SUPERVISABLE:
        raise Conflict("已关闭的帖子不能督办", code="illegal_transition")
    instruction = status.clean_note(instruction, "instruction", required=True)
    if len(instruction) > INSTRUCTION_MAX:
        raise ValidationFailed(fields={"instruction": f"督办意见不能超过 {INSTRUCTION_MAX} 个字"})
    before = audit.snapshot(thread, "supervised", "supervision_instruction")
    now = utcnow()
    thread.supervised, thread.supervised_at = True, now
    thread.supervised_by_id, thread.supervision_instruction = user.id, instruction
    status.add_event(thread, user, "supervised", None, SUPERVISED_TEXT, instruction)
    audit.record(user, "thread.supervise", "thread", thread.id, before,
                 {"supervised": True, "supervision_instruction": instruction})
    db.session.commit()
    db.session.refresh(thread)
    status.announce(thread, user, reason="supervised",
                    staff=_unit_staff(responsible_units(thread), (Role.OFFICER, Role.LEADER)))
    return thread


def rating_for(thread: Thread) -> Rating | None:
    return db.session.scalar(db.select(Rating).where(Rating.thread_id == thread.id))


def _already_rated(thread: Thread) -> Conflict | None:
    return Conflict("您已经评价过了", code="already_rated") if rating_for(thread) else None


def rate(user, thread: Thread, score, comment: str | None = None) -> Rating:
    """The asker rates a resolved (or closed) thread 1–5, once; it shows on the thread."""
    permissions.require(user, "thread.rate", thread)
    if thread.status not in workflow.RATEABLE:
        allowed = ", ".join(s for s in S if s in workflow.RATEABLE)
        raise Conflict("办结后才能评价", code="illegal_transition",
                       fields={"status": f"允许评价的状态: {allowed}"})
    score = inputs.parse_int(score, 1, 5)  # "4", 4 or 4.0; not 4.5, "²", Infinity or NaN
    if score is None:
        raise ValidationFailed(fields={"score": "请选择 1–5 星"})
    comment = text.clean_line(comment)
    if len(comment) > COMMENT_MAX:
        raise ValidationFailed(fields={"comment": f"评价不能超过 {COMMENT_MAX} 个字"})
    if (error := _already_rated(thread)) is not None:
        raise error
    rating = Rating(thread_id=thread.id, user_id=user.id, score=score,
                    comment=comment or None, created_at=utcnow())
    db.session.add(rating)
    stars = "★" * score + "☆" * (5 - score)
    status.add_event(thread, user, "rated", None,
                     f"提问人评价:{stars}" + (f"「{comment}」" if comment else ""))
    audit.record(user, "thread.rate", "thread", thread.id, None, {"score": score})
    unique.commit_unless_taken(lambda: _already_rated(thread))  # one rating per thread
    live.thread_updated(thread)
    return rating


# --- SLA: the overdue alert, sent once per thread -------------------------------------------


def unit_leaders(units: list[Unit]) -> list[User]:
    """Leaders of these units or of any unit above them (a station's branch, the bureau)."""
    ids: set[int] = set()
    for unit in units:
        while unit is not None and unit.id not in ids:
            ids.add(unit.id)
            unit = unit.parent
    return list(db.session.scalars(db.select(User).where(
        User.unit_id.in_(ids), User.role == Role.LEADER, User.disabled.is_(False))))


def check_overdue(now: datetime | None = None, limit: int = 500) -> list[Thread]:
    """Mark newly overdue threads notified and tell the responsible units' leaders, once each.

    "Overdue" is sla.overdue_clause, the rule the thread page and the dashboard use: a thread
    reopened after a timely first answer is not overdue and its leaders are not told."""
    now = now or utcnow()
    stmt = (db.select(Thread).where(sla.overdue_clause(Thread, now),
                                    Thread.overdue_notified.is_(False))
            .order_by(Thread.sla_due_at).limit(limit))
    claimed = [thread for thread in db.session.scalars(stmt).all() if _claim(thread, now)]
    db.session.commit()
    for thread in claimed:
        db.session.refresh(thread)
        leaders = unit_leaders(list(thread.board.units))
        _notify_overdue(thread, leaders)
    return claimed


def _claim(thread: Thread, now: datetime) -> bool:
    """Mark one thread notified and audit the alert, if it is still overdue and not yet claimed.

    A guarded UPDATE: two checkers running at once never both send the alert, and a first answer
    committed since the SELECT drops the thread out of the round."""
    result = db.session.execute(
        db.update(Thread).where(Thread.id == thread.id, Thread.overdue_notified.is_(False),
                                sla.overdue_clause(Thread, now))
        .values(overdue_notified=True), execution_options={"synchronize_session": False})
    if result.rowcount != 1:
        return False
    audit.record(None, "sla.overdue", "thread", thread.id, None,
                 {"due_at": thread.sla_due_at.isoformat(),
                  "overdue_seconds": sla.overdue_seconds(thread, now)})
    return True


def _notify_overdue(thread: Thread, leaders: list[User]) -> None:
    if leaders:
        notifications.notify_staff(leaders, thread, None, "overdue")

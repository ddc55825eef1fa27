"""Demo step for issue 5 (called from board.demo._after_seed): escalations dispatched and resolved
with ratings, one waiting in the command centre's queue, supervised threads, pinned notices, and
reply templates for a few units. Everything goes through the services; the steps are then moved back
in time to sit inside each thread's own story, incident numbers included."""
from __future__ import annotations

from datetime import datetime, timedelta

from board import sla
from board.extensions import db
from board.models import (
    AuditEntry,
    Board,
    Escalation,
    IncidentCounter,
    Rating,
    Thread,
    ThreadEvent,
    User,
    utcnow,
)
from board.services import escalation, moderation, posting, replies, status, supervision

TEMPLATES = {
    "hukou_wang": [
        ("材料清单", "您好,我是{unit}民警{officer}。办理该业务请携带本人居民身份证和户口簿原件,"
                   "到户籍所在地派出所户籍窗口办理;也可在「鹿城公安」政务服务平台预约。"),
        ("已转窗口", "您好,您的问题已转给户籍窗口,工作人员会在一个工作日内电话联系您。"),
    ],
    "nanmen_chen": [
        ("已出警", "您好,{unit}已受理(警情编号 {incident}),民警{officer}正在处置,请保持电话畅通。"),
        ("请拨110", "您好,您反映的情况较为紧急,请立即拨打110报警,民警会第一时间到场。"),
    ],
    "aerding_su": [
        ("已出警", "您好,{unit}已受理(警情编号 {incident}),民警{officer}正在处置。"),
    ],
    "traffic_zhang": [
        ("违章处理", "您好,我是{unit}民警{officer}。交通违法可在「交管12123」App 在线处理,"
                   "也可到就近的车管服务站办理。"),
    ],
    "desk_sun": [
        ("转办说明", "您好,我是{unit}民警{officer},您的问题已转给主管部门,办理结果会在本帖回复。"),
    ],
}


def seed(users: dict[str, User], threads: dict[str, Thread]) -> None:
    for username, items in TEMPLATES.items():
        if username in users:
            for title, body in items:
                replies.create(users[username], title, body)
    for key in ("task-scam-notice", "snow-driving-notice"):
        if key in threads:
            moderation.pin(users["leader_gao"], threads[key])
    today = utcnow().strftime("%Y%m%d")
    _story(users, threads.get("kunqu-rental-gathering"), officer="aerding_su",
           unit="station-aerding", urgency="critical",
           reason="疑似传销窝点,有人员被限制人身自由,需立即核查",
           steps=[(5, "escalate"), (8, "dispatch", "会同昆区分局核查,注意保护举报人"),
                  (12, "supervise", "涉及人身安全,务必今日查清,及时回复群众"),
                  (60, "handling", "民警已到达现场"),
                  (235, "resolved", "传销窝点已依法查处,被限制自由的年轻人已帮助返乡"),
                  (320, "rate", 5, "警察来得很快,太给力了!")])
    _story(users, threads.get("missing-father"), officer="fuqiang_li", unit="station-fuqiang",
           urgency="urgent", reason="78岁阿尔茨海默病老人走失,需调派巡逻警力沿线寻找",
           steps=[(4, "escalate"), (6, "dispatch", "回查早市周边视频"),
                  (25, "handling", "巡逻民警正在钢铁大街沿线寻找"),
                  (95, "resolved", "老人已找到并平安送回家中"),
                  (130, "rate", 5, "太感谢了,找到了!")])
    if "night-piling" in threads:
        thread = threads["night-piling"]
        supervision.supervise(users["leader_gao"], thread, "跟踪12345转办结果,直至工地停止夜间施工")
        _stamp(thread, thread.created_at + timedelta(minutes=700))
    _waiting_in_queue(users)
    # The demo's incident numbers were re-issued on their own (past) days; today starts afresh.
    db.session.execute(db.delete(IncidentCounter).where(
        IncidentCounter.day == today, ~db.exists().where(Thread.incident_no.like(f"JQ{today}%"))))
    db.session.commit()


def _story(users, thread: Thread | None, officer: str, unit: str, urgency: str, reason: str,
           steps: list[tuple]) -> None:
    if thread is None:
        return
    start, activity = thread.created_at, thread.last_activity_at
    for minutes, action, *args in steps:
        if action == "escalate":
            escalation.escalate(users[officer], thread, reason, urgency)
        elif action == "dispatch":
            escalation.dispatch(users["dispatch_han"], thread, unit, args[0])
            _reissue_incident(thread, start + timedelta(minutes=minutes))
        elif action == "supervise":
            supervision.supervise(users["leader_gao"], thread, args[0])
        elif action == "rate":
            supervision.rate(thread.author, thread, args[0], args[1])
        else:
            status.change(users[officer], thread, action, args[0])
        _stamp(thread, start + timedelta(minutes=minutes), activity)


def _reissue_incident(thread: Thread, when: datetime) -> None:
    number = escalation.next_incident_no(when)
    db.session.execute(db.update(Escalation).where(Escalation.incident_no == thread.incident_no)
                       .values(incident_no=number))
    old = thread.incident_no
    thread.incident_no = number
    for event in db.session.scalars(db.select(ThreadEvent).where(
            ThreadEvent.thread_id == thread.id, ThreadEvent.kind == "dispatched")):
        event.public_text = event.public_text.replace(old, number)
    for entry in db.session.scalars(db.select(AuditEntry).where(
            AuditEntry.target_id == thread.id, AuditEntry.action == "thread.dispatch")):
        entry.after = {**entry.after, "incident_no": number}
    db.session.commit()


def _stamp(thread: Thread, when: datetime, activity: datetime | None = None) -> None:
    """Move the step just taken (timeline event, audit entry, rating, thread times) to `when`;
    `last_activity_at` goes back to the thread's last post (status moves bump it to now)."""
    if activity is not None:
        thread.last_activity_at = activity
    latest_event = db.session.scalar(db.select(ThreadEvent).where(
        ThreadEvent.thread_id == thread.id).order_by(ThreadEvent.id.desc()).limit(1))
    if latest_event is not None:
        latest_event.created_at = when
    latest_audit = db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.target_id == thread.id).order_by(AuditEntry.id.desc()).limit(1))
    if latest_audit is not None:
        latest_audit.created_at = when
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


def _waiting_in_queue(users) -> None:
    """A fresh report, escalated a quarter of an hour ago, waiting for the dispatcher."""
    board = db.session.scalar(db.select(Board).where(Board.slug == "report"))
    thread = posting.create_thread(
        users["laowang"], board, "report", "地下车库有人挨个拉车门,像是在找没锁的车",
        "东河区巴彦塔拉大街一个小区的地下车库,刚才看到两个人挨个拉车门,还用手电往车里照,"
        "我已经离开车库了,请派人来看看。", "东河区巴彦塔拉大街")
    opened = utcnow() - timedelta(minutes=25)
    thread.created_at = thread.last_activity_at = opened
    thread.sla_due_at = sla.due_for(board, opened)
    db.session.commit()
    escalation.escalate(users["nanmen_chen"], thread, "疑似盗窃车内财物,嫌疑人可能仍在车库",
                        "urgent")
    _stamp(thread, opened + timedelta(minutes=9), opened)

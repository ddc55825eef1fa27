"""The notice worker's part for alerts (预警, issue 21): fan an alert out to its readers, chunk
by chunk, and send the off-site notices that are due. Called by board/notices/worker.py only.

Fan-out (`fan_out_batch`): the next `FAN_OUT_CHUNK` recipients of the oldest alert that has
started and is not done — everyone, the followers of its boards, or the residents following its
district — by user id after `Alert.fan_cursor`, so a million residents are a thousand short
transactions, resumable after a restart. Each gets a receipt (the unit's 「已送达」 count), a
bell entry pushed to their open pages, and one `alert_notice` per channel they opted into.

Delivery (`deliver_batch`): like thread notices (board/notices/policy.py) — never in the quiet
hours except for 紧急 alerts; not at all once acknowledged on the page, withdrawn or over;
failures retried with back-off.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, lazyload, selectinload

from board import live, request_ids
from board.models import (
    Alert,
    AlertNotice,
    AlertReceipt,
    AlertTarget,
    BoardFollow,
    NoticeState,
    Notification,
    NotificationKind,
    PlaceFollow,
    User,
    utcnow,
)
from board.models.alert import alert_board
from board.notices import policy
from board.notices.channels import CHANNELS, ChannelError, Message
from board.notices.rows import claimed, worker_session
from board.queries import notice_settings
from board.queries import notifications as bell

log = logging.getLogger(__name__)

FAN_OUT_CHUNK = 1000
DELIVERY_BATCH = 50
TEXT_MAX = 70  # of the alert's text in a text message



def link(alert_id: int) -> str:
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    return f"{base}/alerts/{alert_id}"


def sentence(alert: Alert) -> str:
    """The bell's line: 【警示】东河区派出所:冒充客服退款诈骗高发."""
    return f"【{alert.level_label}】{alert.unit.name}:{alert.title}"[:300]


def message(alert: Alert) -> Message:
    body = alert.text if len(alert.text) <= TEXT_MAX else alert.text[:TEXT_MAX - 1] + "…"
    url = link(alert.id)
    head = sentence(alert)
    return Message(subject=head[:60], text=f"{head}。{body} 详情:{url}", template="alert",
                   params={"level": alert.level, "title": alert.title, "url": url})


# --- fan-out ---------------------------------------------------------------------------------


def _recipient_ids(session: Session, alert: Alert, limit: int) -> list[int]:
    stmt = select(User.id).where(User.id > alert.fan_cursor, User.disabled.is_(False))
    if alert.target == AlertTarget.BOARDS:
        boards = select(alert_board.c.board_id).where(alert_board.c.alert_id == alert.id)
        stmt = stmt.where(User.id.in_(select(BoardFollow.user_id)
                                      .where(BoardFollow.board_id.in_(boards))))
    elif alert.target == AlertTarget.DISTRICT:
        stmt = stmt.where(User.id.in_(select(PlaceFollow.user_id)
                                      .where(PlaceFollow.place_id == alert.place_id)))
    return list(session.scalars(stmt.order_by(User.id).limit(limit)))


def fan_out_batch(chunk: int = FAN_OUT_CHUNK) -> int:
    """One chunk of one alert; returns how many people it reached plus one when it did any
    work (so 0 means nothing is waiting)."""
    now = utcnow()
    with worker_session() as session:
        stmt = (select(Alert).where(Alert.fanned_at.is_(None), Alert.starts_at <= now)
                .order_by(Alert.id).limit(1).options(lazyload("*"), selectinload(Alert.unit)))
        alert = session.scalars(claimed(stmt, session, Alert)).first()
        if alert is None:
            return 0
        if alert.withdrawn_at is not None or alert.ends_at <= now:
            alert.fanned_at = now  # taken down before it reached everyone: the rest never hear
            session.commit()
            return 1
        ids = _recipient_ids(session, alert, chunk)
        rows = _fan_out(session, alert, [i for i in ids if i != alert.author_id], now)
        if ids:
            alert.fan_cursor = ids[-1]
        if len(ids) < chunk:
            alert.fanned_at = now
            log.info("alert %s fanned out", alert.id,
                     extra={"request_id": alert.request_id, "alert_id": alert.id})
        session.commit()
        _ring(session, rows, alert.request_id)
        return len(rows) + 1


def _fan_out(session: Session, alert: Alert, ids: list[int], now: datetime) -> list:
    """Receipts, notices and bell entries go in as plain multi-row INSERTs (no ORM object per
    recipient); the bell entries come back for the push to their owners' open pages."""
    if not ids:
        return []
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    receipts = {row.user_id: row.acknowledged_at for row in session.execute(
        select(AlertReceipt.user_id, AlertReceipt.acknowledged_at)
        .where(AlertReceipt.alert_id == alert.id, AlertReceipt.user_id.in_(ids)))}
    if receipts:  # a banner seen (or acknowledged) before the fan-out came to them
        session.execute(update(AlertReceipt).where(
            AlertReceipt.alert_id == alert.id, AlertReceipt.user_id.in_(list(receipts)),
            AlertReceipt.delivered_at.is_(None)).values(delivered_at=now))
    fresh = [{"alert_id": alert.id, "user_id": i, "delivered_at": now}
             for i in ids if i not in receipts]
    if fresh:
        session.execute(insert(AlertReceipt), fresh)
    settings = notice_settings.for_users(session, ids)
    # The grace period counts from the alert's start: a page open then may see it first.
    due, text, bells, notices = alert.starts_at + policy.grace(), sentence(alert), [], []
    for user_id in ids:
        if receipts.get(user_id) is not None:
            continue  # read it on the page already: no bell entry, no text message
        bells.append({"user_id": user_id, "kind": NotificationKind.ALERT, "alert_id": alert.id,
                      "created_at": now, "detail": text})
        for channel in CHANNELS.values():
            if channel.address(users[user_id], settings[user_id]):
                notices.append({"alert_id": alert.id, "user_id": user_id,
                                "channel": channel.name, "state": NoticeState.PENDING,
                                "not_before": due, "attempts": 0, "created_at": now})
    if notices:
        session.execute(insert(AlertNotice), notices)
    if not bells:
        return []
    made = session.execute(insert(Notification).returning(
        Notification.id, Notification.user_id, sort_by_parameter_order=True), bells)
    return [_Bell(row.id, row.user_id, alert.id, text, now) for row in made]


@dataclass(frozen=True)
class _Bell:
    """What pushing a bell entry reads (board/bell_entries.py), without an ORM object for each
    of a thousand recipients: the entries went in as one multi-row INSERT."""

    id: int
    user_id: int
    alert_id: int
    detail: str
    created_at: datetime
    kind: str = NotificationKind.ALERT
    thread_id: None = None
    post_id: None = None
    status: None = None
    read_at: None = None
    actor: None = None
    thread: None = None

    @property
    def kind_label(self) -> str:
        return NotificationKind.ALERT.label


def _ring(session: Session, rows: list, request_id: str | None) -> None:
    """After the commit: each new bell entry goes to its owner's open pages."""
    if not rows:
        return
    counts = bell.unread_counts(session, sorted({r.user_id for r in rows}))
    with request_ids.acting_for(request_id):
        for row in rows:
            try:
                live.notification_created(row, counts.get(row.user_id, 0), yield_now=False)
            except Exception:  # committed; the bell page shows it anyway
                log.exception("pushing alert notification %s failed", row.id)
    live.let_deliver()


# --- delivery --------------------------------------------------------------------------------


def _decide(notice: AlertNotice, acknowledged: set, settings: dict, now: datetime) -> dict | None:
    """None when it may go now; else the row's new columns (skipped, or due later)."""
    alert, user = notice.alert, notice.user
    if user.disabled:
        return {"state": NoticeState.SKIPPED, "note": "账号已停用"}
    if alert.withdrawn_at is not None:
        return {"state": NoticeState.SKIPPED, "note": "预警已撤回"}
    if alert.ends_at <= now:
        return {"state": NoticeState.SKIPPED, "note": "预警已结束"}
    if (alert.id, user.id) in acknowledged:
        return {"state": NoticeState.SKIPPED, "note": "已在站内看到"}
    choice = settings[user.id]
    if not CHANNELS[notice.channel].address(user, choice):
        return {"state": NoticeState.SKIPPED, "note": "已关闭此渠道"}
    if not alert.urgent:  # 紧急 alerts may wake people
        personal = (policy.parse_clock(choice.quiet_start), policy.parse_clock(choice.quiet_end))
        until = policy.quiet_until(now, personal if all(personal) else None)
        if until is not None:
            return {"not_before": until, "note": "静默时段,结束后发送"}
    return None


def deliver_batch(size: int = DELIVERY_BATCH, now: datetime | None = None) -> int:
    """Send the alert notices due now; returns how many were settled or moved later."""
    now = now or utcnow()
    with worker_session() as session:
        stmt = (select(AlertNotice).where(AlertNotice.state == NoticeState.PENDING,
                                          AlertNotice.not_before <= now)
                .order_by(AlertNotice.not_before, AlertNotice.id).limit(size)
                .options(lazyload("*"), selectinload(AlertNotice.alert).selectinload(Alert.unit),
                         selectinload(AlertNotice.user)))
        notices = list(session.scalars(claimed(stmt, session, AlertNotice)))
        if not notices:
            return 0
        users = sorted({n.user_id for n in notices})
        settings = notice_settings.for_users(session, users)
        acknowledged = set(session.execute(select(AlertReceipt.alert_id, AlertReceipt.user_id)
                                           .where(AlertReceipt.user_id.in_(users),
                                                  AlertReceipt.acknowledged_at.is_not(None)))
                           .tuples())
        plans = []
        for notice in notices:
            values = _decide(notice, acknowledged, settings, now)
            send = None
            if values is None:
                address = CHANNELS[notice.channel].address(notice.user, settings[notice.user_id])
                send, values = (notice.channel, address, message(notice.alert)), {}
            plans.append((notice, values, send))
        if session.bind.dialect.name != "postgresql":
            session.rollback()  # SQLite: end the read snapshot before the slow part and writes
        _send_all([p for p in plans if p[2]], now)
        for notice, values, _send in plans:
            session.execute(update(AlertNotice).where(AlertNotice.id == notice.id)
                            .values(**values))
        session.commit()
        return len(plans)


def _send_all(plans: list, now: datetime) -> None:
    """Several at once (a slow gateway answers in parallel); each outcome into its values."""
    if not plans:
        return
    app = current_app._get_current_object()

    def send(plan):
        notice, _values, (channel, address, msg) = plan
        with app.app_context():
            try:
                CHANNELS[channel].send(address, msg)
                return None
            except ChannelError as exc:
                return str(exc)
            except Exception as exc:  # a bug in a channel is a failure to retry, not a crash
                log.exception("alert notice channel %s failed", channel)
                return repr(exc)

    workers = max(1, min(int(app.config.get("NOTICE_SEND_CONCURRENCY", 8)), len(plans)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        errors = list(pool.map(send, plans))
    for (notice, values, (_channel, _address, msg)), error in zip(plans, errors, strict=True):
        attempts = notice.attempts + 1
        if error is None:
            values.update(state=NoticeState.SENT, sent_at=now, attempts=attempts, text=msg.text,
                          last_error=None, note=None)
        elif attempts >= policy.max_attempts():
            values.update(state=NoticeState.FAILED, attempts=attempts, last_error=error[:500],
                          note="多次发送失败")
        else:
            values.update(attempts=attempts, last_error=error[:500],
                          not_before=now + policy.backoff(attempts), note="发送失败,稍后重试")

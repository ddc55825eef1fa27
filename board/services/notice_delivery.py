"""The notice worker's use cases: fan an outbox event out to its recipients, and deliver the
notices that are due. Called by board/notices/worker.py only, never by a request: a reply costs
the same with one follower or ten thousand.

Fan-out (`fan_out_batch`): the asker and the thread's followers (for an answer or a status the
asker should know), or the author of a hidden, held or released post. Followers and authors of
moderated posts get their bell entry here; every recipient gets one `notice` row per off-site
channel they can be reached on (board/notices/channels.py), due after the grace period.
A reply's own bell entries (the asker, earlier repliers, @mentions: event kind "reply", issue 19)
are written here too, after the response, so a reply costs its request the same whoever is told;
they have no off-site notice (an officer's answer has its "official_reply" event for that).

Delivery (`deliver_batch`): each due notice is checked against board/notices/policy.py (read
already? quiet hours? one this hour already?) and then sent, several at once; a failure is
retried with back-off, never dropped. On PostgreSQL the claimed rows are locked (SKIP LOCKED),
so several workers never send one notice twice; on SQLite one worker runs.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, lazyload, selectinload

from board import live, mentions, permissions, request_ids
from board.extensions import db
from board.models import (
    Notice,
    NoticeEvent,
    NoticeKind,
    NoticeState,
    Notification,
    NotificationKind,
    Post,
    ThreadFollow,
    User,
    utcnow,
)
from board.notices import policy, texts
from board.notices.channels import CHANNELS, ChannelError
from board.notices.rows import claimed, worker_session
from board.privacy import sees_original
from board.queries import notice_settings
from board.queries import notifications as bell

log = logging.getLogger(__name__)

FAN_OUT_BATCH = 20
DELIVERY_BATCH = 50
CHUNK = 500  # ids per IN (...) list



def _chunks(ids: list[int]):
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


# --- fan-out ---------------------------------------------------------------------------------


def fan_out_batch(size: int = FAN_OUT_BATCH, kinds: tuple[str, ...] | None = None) -> int:
    """Fan out up to `size` events (of these `kinds` only, if given); returns how many."""
    with worker_session() as session:
        stmt = select(NoticeEvent).where(NoticeEvent.fanned_at.is_(None))
        if kinds:
            stmt = stmt.where(NoticeEvent.kind.in_(kinds))
        stmt = (stmt.order_by(NoticeEvent.id).limit(size)
                .options(lazyload("*"), selectinload(NoticeEvent.thread),
                         selectinload(NoticeEvent.actor), selectinload(NoticeEvent.post)))
        events = list(session.scalars(claimed(stmt, session, NoticeEvent)))
        if not events:
            return 0
        bells: list[tuple[Notification, str | None]] = []  # with the causing request's id
        fanned: list[NoticeEvent] = []
        for event in events:
            try:
                with session.begin_nested():
                    event.recipients, rows = _fan_out(session, event)
                    event.fanned_at = utcnow()
                bells.extend((row, event.request_id) for row in rows)
                fanned.append(event)
            except Exception as exc:  # one broken event must not hold the others back
                log.exception("fanning out notice event %s failed", event.id)
                event.attempts += 1
                event.last_error = repr(exc)[:500]
                if event.attempts >= policy.max_attempts():
                    event.fanned_at = utcnow()
        session.commit()
        for event in fanned:
            _log_trail(event.request_id, event.thread_id, "notice event %s (%s) fanned out to %s "
                       "people", event.id, event.kind, event.recipients, event_id=event.id)
        _ring(session, bells)
        return len(events)


def _log_trail(request_id: str | None, thread_id: int, message: str, *args, **fields) -> None:
    """One line under the id of the request that caused the event (board/request_ids.py), so a
    report can be followed from the web process into the notices it caused. Never an address."""
    log.info(message, *args, extra={"request_id": request_id, "thread_id": thread_id, **fields})


def _recipients(session: Session, event: NoticeEvent) -> dict[int, str]:
    """user id → why they hear of it: "asker", "follower" or "subject"."""
    thread, kind = event.thread, NoticeKind(event.kind)
    found: dict[int, str] = {}
    if not kind.to_followers:
        found[event.subject_id or thread.author_id] = "subject"
    else:
        found[thread.author_id] = "asker"
        followers = session.scalars(select(ThreadFollow.user_id)
                                    .where(ThreadFollow.thread_id == thread.id))
        for user_id in followers:
            found.setdefault(user_id, "follower")
    found.pop(event.actor_id, None)  # nobody hears of their own doing
    return found


def _reply_bells(session: Session, event: NoticeEvent) -> tuple[int, list[Notification]]:
    """A reply: whom it @mentions, the asker (民警回复 when an officer wrote it) and those who
    replied before it, each once, the most specific reason first; nobody who may not read the
    thread, nobody for a reply hidden or withdrawn before its turn came."""
    post, thread = event.post, event.thread
    if post is None or post.hidden or post.withdrawn_at is not None:
        return 0, []
    kinds: dict[int, str] = {}
    for user in mentions.mentioned_users(post.body, session):
        kinds.setdefault(user.id, NotificationKind.MENTION)
    kinds.setdefault(thread.author_id, NotificationKind.OFFICIAL_REPLY if post.official
                     else NotificationKind.REPLY)
    earlier = (select(Post.author_id).where(Post.thread_id == thread.id, Post.id < post.id,
                                            Post.hidden.is_(False)).distinct())
    for user_id in session.scalars(select(User.id).where(User.id.in_(earlier),
                                                         User.disabled.is_(False))):
        kinds.setdefault(user_id, NotificationKind.REPLY)
    kinds.pop(post.author_id, None)  # nobody is told of their own reply
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(list(kinds))))}
    now, bells = utcnow(), []
    for user_id, kind in kinds.items():
        user = users.get(user_id)
        if user is None or not permissions.can(user, "thread.view", thread):
            continue  # never tell anyone about a police-only thread they cannot open
        bells.append(Notification(user=user, kind=kind, thread=thread, post_id=post.id,
                                  actor=event.actor, created_at=now))
    session.add_all(bells)
    session.flush()
    return len(bells), bells


def _fan_out(session: Session, event: NoticeEvent) -> tuple[int, list[Notification]]:
    if event.kind == NoticeKind.REPLY:
        return _reply_bells(session, event)
    recipients = _recipients(session, event)
    thread, now = event.thread, utcnow()
    ids = list(recipients)
    users: dict[int, User] = {}
    for chunk in _chunks(ids):
        users.update((u.id, u) for u in session.scalars(
            select(User).where(User.id.in_(chunk), User.disabled.is_(False))))
    settings = notice_settings.for_users(session, list(users))
    bells, due = [], event.created_at + policy.grace()
    bell_kind = (NotificationKind.MODERATION if not NoticeKind(event.kind).to_followers
                 else NotificationKind.FOLLOWED)
    count, sentences = 0, {}
    for user_id, role in recipients.items():
        user = users.get(user_id)
        if user is None or (role != "subject" and not permissions.can(user, "thread.view", thread)):
            continue  # disabled, or may not read it (police-only, hidden meanwhile)
        count += 1
        if role != "asker":  # the asker's bell entry comes with the reply or the status move
            # The sentence depends only on whether the reader sees the title unmasked.
            key = (user_id == thread.author_id, sees_original(user, thread.author_id))
            if key not in sentences:
                sentences[key] = texts.sentence(user, event)[:300]
            bells.append(Notification(  # relationships set: pushing it loads nothing more
                user=user, kind=bell_kind, thread=thread, post_id=event.post_id,
                actor=event.actor, status=event.status, created_at=now,
                detail=sentences[key]))
        choice = settings[user_id]
        if role == "follower" and not choice.followed:
            continue
        for channel in CHANNELS.values():
            if channel.address(user, choice):
                session.add(Notice(event_id=event.id, user_id=user_id, thread_id=thread.id,
                                   channel=channel.name, not_before=due, created_at=now))
    session.add_all(bells)
    session.flush()
    return count, bells


def _ring(session: Session, rows: list[tuple[Notification, str | None]]) -> None:
    """After the commit: each new bell entry is pushed to its owner's open pages, under the id
    of the request that caused it (issue 22: one report followed into the push)."""
    if not rows:
        return
    counts = bell.unread_counts(session, sorted({r.user_id for r, _ in rows}))
    for row, request_id in rows:
        try:
            with request_ids.acting_for(request_id):
                live.notification_created(row, counts.get(row.user_id, 0), yield_now=False)
        except Exception:  # committed; the bell page shows it anyway
            log.exception("pushing notification %s failed", row.id)
    live.let_deliver()


# --- delivery --------------------------------------------------------------------------------


@dataclass
class _Plan:
    notice_id: int
    values: dict  # the row's new columns, written after the sends
    send: tuple | None = None  # (channel, address, message) when it goes now
    trail: tuple = ()  # (request id, thread id) of what caused it, for the log line


class _Facts:
    """What the rules need about one batch of due notices, read in a few queries for the whole
    batch (not per notice): settings, when each thread was last opened, the bell entries behind
    them, the last notice sent per person, thread and channel, older ones still waiting."""

    def __init__(self, session: Session, notices: list[Notice]):
        users = sorted({n.user_id for n in notices})
        threads = sorted({n.thread_id for n in notices})
        pairs = {(n.user_id, n.thread_id) for n in notices}
        since = min(n.event.created_at for n in notices) - policy.grace()
        self.settings = notice_settings.for_users(session, users)
        self.opened = {(f.user_id, f.thread_id): f.last_seen_at for f in session.execute(
            select(ThreadFollow.user_id, ThreadFollow.thread_id, ThreadFollow.last_seen_at)
            .where(ThreadFollow.user_id.in_(users), ThreadFollow.thread_id.in_(threads)))
            if (f.user_id, f.thread_id) in pairs}
        self.bells = defaultdict(list)
        for row in session.execute(
                select(Notification.user_id, Notification.thread_id, Notification.created_at,
                       Notification.read_at, Notification.seen_live_at)
                .where(Notification.user_id.in_(users), Notification.thread_id.in_(threads),
                       Notification.created_at >= since)):
            self.bells[(row.user_id, row.thread_id)].append(row)
        self.last_sent = {(r.user_id, r.thread_id, r.channel): r.sent for r in session.execute(
            select(Notice.user_id, Notice.thread_id, Notice.channel,
                   func.max(Notice.sent_at).label("sent"))
            .where(Notice.state == NoticeState.SENT, Notice.user_id.in_(users),
                   Notice.thread_id.in_(threads))
            .group_by(Notice.user_id, Notice.thread_id, Notice.channel))}
        batch = {n.id for n in notices}
        self.waiting = defaultdict(list)  # pending, not in this batch: (id, event id)
        for row in session.execute(
                select(Notice.id, Notice.event_id, Notice.user_id, Notice.thread_id,
                       Notice.channel)
                .where(Notice.state == NoticeState.PENDING, Notice.user_id.in_(users),
                       Notice.thread_id.in_(threads))):
            if row.id not in batch:
                self.waiting[(row.user_id, row.thread_id, row.channel)].append(row)

    def seen(self, notice: Notice) -> str | None:
        """"read": the bell entry was read or the thread opened since; "live": an open page
        received it but it is unread; None: nothing of theirs saw it."""
        since = notice.event.created_at
        key = (notice.user_id, notice.thread_id)
        opened = self.opened.get(key)
        if opened is not None and opened >= since:
            return "read"
        mine = [b for b in self.bells.get(key, []) if b.created_at >= since - policy.grace()]
        if any(b.read_at is not None for b in mine):
            return "read"
        return "live" if any(b.seen_live_at is not None for b in mine) else None


def _decide(facts: _Facts, notice: Notice, now: datetime) -> dict | None:
    """None when the notice may go now; else its new columns (skipped, or due later)."""
    event, user = notice.event, notice.user
    thread = event.thread
    if user.disabled:
        return {"state": NoticeState.SKIPPED, "note": "账号已停用"}
    subject = not NoticeKind(event.kind).to_followers
    if not subject and not permissions.can(user, "thread.view", thread):
        return {"state": NoticeState.SKIPPED, "note": "已无权查看此帖"}
    seen = facts.seen(notice)
    if seen == "read":
        return {"state": NoticeState.SKIPPED, "note": "已在站内看到"}
    if seen == "live" and now < event.created_at + policy.unread_wait():
        return {"not_before": event.created_at + policy.unread_wait(),
                "note": "页面已收到,未读再发"}
    choice = facts.settings[user.id]
    if not CHANNELS[notice.channel].address(user, choice):
        return {"state": NoticeState.SKIPPED, "note": "已关闭此渠道"}
    if not policy.ignores_quiet_hours(thread):
        personal = (policy.parse_clock(choice.quiet_start), policy.parse_clock(choice.quiet_end))
        until = policy.quiet_until(now, personal if all(personal) else None)
        if until is not None:
            return {"not_before": until, "note": "静默时段,结束后发送"}
    last = facts.last_sent.get((notice.user_id, notice.thread_id, notice.channel))
    if last is not None and now < last + policy.HOURLY:
        return {"not_before": last + policy.HOURLY, "note": "每帖每小时最多一条,稍后合并发送"}
    return None


def deliver_batch(size: int = DELIVERY_BATCH, now: datetime | None = None) -> int:
    """Deliver the notices due now; returns how many were settled (sent, folded, skipped,
    failed) or moved to a later time."""
    now = now or utcnow()
    with worker_session() as session:
        stmt = (select(Notice).where(Notice.state == NoticeState.PENDING,
                                     Notice.not_before <= now)
                .order_by(Notice.not_before, Notice.id).limit(size)
                .options(lazyload("*"), selectinload(Notice.event).selectinload(NoticeEvent.thread),
                         selectinload(Notice.event).selectinload(NoticeEvent.actor),
                         selectinload(Notice.event).selectinload(NoticeEvent.post),
                         selectinload(Notice.user)))
        notices = list(session.scalars(claimed(stmt, session, Notice)))
        if not notices:
            return 0
        facts = _Facts(session, notices)
        plans, going = [], defaultdict(list)
        for notice in notices:
            values = _decide(facts, notice, now)
            if values is None:
                going[(notice.user_id, notice.thread_id, notice.channel)].append(notice)
            else:
                plans.append(_Plan(notice.id, values))
        for key, group in going.items():
            plans.extend(_fold(facts, key, group))
        if session.bind.dialect.name != "postgresql":
            session.rollback()  # SQLite: end the read snapshot before the slow part and writes
        _send_all([p for p in plans if p.send], now)
        for plan in plans:
            session.execute(update(Notice).where(Notice.id == plan.notice_id)
                            .values(**plan.values))
        session.commit()
        return len(plans)


def _fold(facts: _Facts, key: tuple, group: list[Notice]) -> list[_Plan]:
    """The newest due notice goes, telling the others (and older ones still waiting) too."""
    group.sort(key=lambda n: n.event_id)
    chosen, channel = group[-1], key[2]
    older = [n.id for n in group[:-1]] + [
        row.id for row in facts.waiting.get(key, []) if row.event_id < chosen.event_id]
    plans = [_Plan(i, {"state": NoticeState.FOLDED, "folded_into_id": chosen.id,
                       "note": f"并入第 {chosen.id} 条"}) for i in older]
    message = texts.message(chosen.user, chosen.event, folded=len(older))
    address = CHANNELS[channel].address(chosen.user, facts.settings[chosen.user_id])
    plans.append(_Plan(chosen.id, {"attempts": chosen.attempts}, (channel, address, message),
                       (chosen.event.request_id, chosen.thread_id)))
    return plans


def _send_all(plans: list[_Plan], now: datetime) -> None:
    """Send several at once (a slow gateway answers in parallel); record each outcome."""
    if not plans:
        return
    app = current_app._get_current_object()
    workers = max(1, int(app.config.get("NOTICE_SEND_CONCURRENCY", 8)))

    def send(plan: _Plan):
        channel, address, message = plan.send
        with app.app_context():
            try:
                CHANNELS[channel].send(address, message)
                return plan, None
            except ChannelError as exc:
                return plan, str(exc)
            except Exception as exc:  # a bug in a channel is a failure to retry, not a crash
                log.exception("notice channel %s failed", channel)
                return plan, repr(exc)

    if len(plans) == 1 or workers == 1:
        results = [send(p) for p in plans]
    else:
        with ThreadPoolExecutor(max_workers=min(workers, len(plans))) as pool:
            results = list(pool.map(send, plans))
    for plan, error in results:
        attempts = plan.values["attempts"] + 1
        _log_trail(*plan.trail, "notice %s %s by %s (attempt %s)", plan.notice_id,
                   "sent" if error is None else "failed", plan.send[0], attempts,
                   notice_id=plan.notice_id, channel=plan.send[0])
        if error is None:
            plan.values.update(state=NoticeState.SENT, sent_at=now, attempts=attempts,
                               text=plan.send[2].text, last_error=None, note=None)
        elif attempts >= policy.max_attempts():
            plan.values.update(state=NoticeState.FAILED, attempts=attempts, last_error=error[:500],
                               note="多次发送失败")
        else:
            plan.values.update(attempts=attempts, last_error=error[:500],
                               not_before=now + policy.backoff(attempts), note="发送失败,稍后重试")


def settle_history() -> int:
    """Mark every event not fanned out yet as done without telling anyone: for seeding demo
    history (answers "given" last week must not ring bells or send texts today)."""
    result = db.session.execute(update(NoticeEvent).where(NoticeEvent.fanned_at.is_(None))
                                .values(fanned_at=utcnow()))
    db.session.commit()
    return result.rowcount

"""Posting: a citizen's new thread, and replies — the official ones record the first response.

`submit_thread` / `submit_reply` take the submission's idempotency key (the form's hidden field,
the API's Idempotency-Key header): a double-tapped 发布 stores one post, and the repeat is
answered with it (board/services/idempotency.py). `create_thread` / `reply` are the same without
a key.
"""
from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from board import answers, live, mentions, permissions, sla, text, urgency
from board.errors import NotAuthenticated, ValidationFailed
from board.extensions import db
from board.models import (
    Board,
    NoticeKind,
    Place,
    Post,
    Thread,
    ThreadFollow,
    Visibility,
    kinds,
    utcnow,
)
from board.notices import outbox
from board.queries import places
from board.services import idempotency, moderation_reports, notifications, status


def thread_text_errors(title: str, body: str, location: str) -> dict[str, str]:
    """A thread's words, cleaned, as a new thread and an edited one must have them."""
    errors: dict[str, str] = {}
    if not text.TITLE_MIN <= len(title) <= text.TITLE_MAX:
        errors["title"] = _("标题需为 %(min)s–%(max)s 个字(现在 %(n)s 个字)",
                            min=text.TITLE_MIN, max=text.TITLE_MAX, n=len(title))
    if not text.BODY_MIN <= len(body) <= text.BODY_MAX:
        errors["body"] = (_("内容需为 %(min)s–%(max)s 个字", min=text.BODY_MIN, max=text.BODY_MAX)
                          if body else _("请填写内容"))
    if len(location) > 100:
        errors["location"] = _("地点不能超过 100 个字")
    return errors


def reply_text_errors(body: str) -> dict[str, str]:
    """A reply's words, cleaned, as a new reply and an edited one must have them."""
    if text.BODY_MIN <= len(body) <= text.REPLY_MAX:
        return {}
    return {"body": _("回复需为 %(min)s–%(max)s 个字", min=text.BODY_MIN, max=text.REPLY_MAX)
            if body else _("请填写回复内容")}


def _validate_thread(board: Board, kind: str, title: str, body: str, location: str,
                     visibility: str) -> dict[str, str]:
    errors = thread_text_errors(title, body, location)
    if kinds.policy(kind) is None:
        errors["kind"] = _("请选择帖子类型")
    elif not board.allows_kind(kind):
        errors["kind"] = _("「%(board)s」版块不接受%(kind)s帖", board=board.shown_name,
                           kind=kinds.label(kind))
    if visibility not in set(Visibility):
        errors["visibility"] = _("可见范围无效")
    return errors


def _place(code: str) -> Place | None:
    """The picked district, street or community, if it is one a poster may pick now."""
    return places.active_place(code) if code.isascii() and code.isdigit() else None


def create_thread(author, board: Board, kind: str, title: str, body: str,
                  location: str | None = None, visibility: str = Visibility.PUBLIC,
                  place: str | None = None) -> Thread:
    """A signed-in user opens a thread; it shows at the top of its board at once.

    `place`: the 区划代码 of the district, street or community picked beside the free-text
    location (the command centre is offered the station whose 辖区 holds it)."""
    return submit_thread(author, board, kind, title, body, location, visibility,
                         place=place).item


def submit_thread(author, board: Board, kind: str, title: str, body: str,
                  location: str | None = None, visibility: str = Visibility.PUBLIC,
                  key: str | None = None, place: str | None = None,
                  own_row: Callable[[Thread], None] | None = None) -> idempotency.Submission:
    """create_thread with the submission's idempotency key: a repeat returns the first thread.

    `own_row`: a kind with its own form (a bulletin, models/kinds.py) adds its own row (and may
    hold the thread for review) in the thread's transaction, before it is counted or announced."""
    if not getattr(author, "is_authenticated", False):
        raise NotAuthenticated()
    permissions.require(author, "thread.create", board)
    key = idempotency.clean(key)
    title, body, location = text.clean_line(title), text.clean_body(body), text.clean_line(location)
    place = (place or "").strip()
    digest = idempotency.fingerprint("thread", board.id, kind, title, body, location, visibility,
                                     *([place] if place else []))
    if (row := idempotency.earlier(author, key, digest)) is not None:
        return idempotency.Submission(row.thread, True)
    errors = _validate_thread(board, kind, title, body, location, visibility)
    if "kind" not in errors and kinds.policy(kind).own_form and own_row is None:
        errors["kind"] = _("%(kind)s请从专门的发布页面发布", kind=kinds.label(kind))
    picked = _place(place) if place else None
    if place and picked is None:
        errors["place"] = _("请从列表中选择所在的区、街道或社区")
    if errors:
        raise ValidationFailed(fields=errors)
    permissions.require(author, "thread.create_kind", kind)
    now = utcnow()
    policy = kinds.policy(kind)  # e.g. an official notice needs no answer: born answered
    thread = Thread(
        board=board, author=author, kind=kind, title=title, body=body,
        body_html=mentions.link_names(text.render(body), body), location=location or None,
        visibility=visibility, place_id=picked.id if picked else None,
        status=policy.start_status, has_official_reply=not policy.needs_answer,
        created_at=now, last_activity_at=now,
    )
    if policy.needs_answer:  # issue 5: the board's first-response deadline, "call 110 now"
        thread.sla_due_at = sla.due_for(board, now)
        thread.urgent = urgency.is_urgent(title, body)
    moderation_reports.hold_if_needed(author, thread, None, title, body, location)  # word list
    db.session.add(thread)
    if own_row is not None:
        own_row(thread)
    db.session.add(ThreadFollow(thread=thread, user_id=author.id, created_at=now,
                                last_seen_at=now))  # asking follows the thread (issue 17)
    if thread.is_public:  # the count is what the public sees: no police-only or held threads
        db.session.execute(
            db.update(Board).where(Board.id == board.id).values(thread_count=Board.thread_count + 1)
        )
    idempotency.remember(author, key, digest, thread)
    if (row := idempotency.commit_once(author, key, digest)) is not None:
        return idempotency.Submission(row.thread, True)
    live.thread_created(thread)
    notifications.thread_created(thread)  # after the commit; never fails the post
    return idempotency.Submission(thread, False)


_THREAD_COLUMNS = [c.key for c in Thread.__mapper__.column_attrs]  # not its board, units...


def reply(author, thread: Thread, body: str, formal: bool = False) -> Post:
    """Anyone who can read a thread may reply; the responsible unit's reply (or another
    official's marked `formal`, board/answers.py) answers it."""
    return submit_reply(author, thread, body, formal=formal).item


def submit_reply(author, thread: Thread, body: str, key: str | None = None,
                 formal: bool = False) -> idempotency.Submission:
    """reply with the submission's idempotency key: a repeat returns the first reply.

    `formal`: a leader or a helping unit makes this reply the thread's answer (作为正式答复);
    ignored for residents and for the responsible unit, whose replies always answer."""
    if not getattr(author, "is_authenticated", False):
        raise NotAuthenticated()
    permissions.require(author, "post.create", thread)
    key = idempotency.clean(key)
    body = text.clean_body(body)
    formal = bool(formal) and permissions.can(author, "post.formal_answer", thread)
    digest = idempotency.fingerprint("reply", thread.id, body, formal)
    if (row := idempotency.earlier(author, key, digest)) is not None:
        return idempotency.Submission(row.post, True)
    if errors := reply_text_errors(body):
        raise ValidationFailed(fields=errors)
    now = utcnow()
    post = Post(thread=thread, author=author, body=body,
                body_html=mentions.link_names(text.render(body), body),
                created_at=now, formal_answer=False)
    if author.is_official:
        post.official = True
        post.official_name = author.real_name
        post.official_badge_no = author.badge_no
        post.official_unit = author.unit.name if author.unit else None
        post.official_contact = author.contact
        post.answer_role = answers.role_of(author, thread)
        post.formal_answer = answers.is_formal(post.answer_role, formal)
    elif author.agency_badge:  # 协作单位 (issue 21): its badge, never an answer for the police
        post.agency_name = author.agency_badge
    moderation_reports.hold_if_needed(author, thread, post, body)  # word list: held for review
    db.session.add(post)
    state: dict = {}  # what the thread page shows beyond counts: announced to its readers
    if post.formal_answer:  # a leader's or helping unit's reply leaves it awaiting the unit's
        if not thread.has_official_reply:
            state["has_official_reply"] = True
        if thread.first_response_at is None:
            state.update(first_response_at=now, first_responder_id=author.id,
                         first_response_unit_id=author.unit_id)
    if post.official:
        # Any officer's reply closes the residents' edit window for what was written before it
        # (issue 18). Not a change readers are told about: set outside `state`.
        thread.last_official_reply_at = now
    # One flush writes the post, the thread's counters (in SQL, so concurrent replies add up),
    # the first reply's guarded status move and the search job; the reader-facing push below
    # then reloads nothing but the post.
    if not post.hidden:  # a held reply is neither counted nor bumps the thread (issue 15, 18)
        thread.reply_count = Thread.reply_count + 1
        thread.last_activity_at = now
    for name, value in state.items():
        setattr(thread, name, value)
    moved = post.formal_answer and status.answer_if_awaiting(thread)  # guarded, see status.py
    if not post.hidden:  # the asker, earlier repliers and @mentions: bell entries by the worker
        outbox.record(NoticeKind.REPLY, thread, post=post, actor=author)
    if post.official and not post.hidden:  # the asker and followers hear of it off the page
        outbox.record(NoticeKind.OFFICIAL_REPLY, thread, post=post, actor=author)
    idempotency.remember(author, key, digest, thread, post)
    if (row := idempotency.commit_once(author, key, digest, keep=True)) is not None:
        return idempotency.Submission(row.post, True)
    # The post is as written (nothing reads it back); the thread is read again, as others may
    # have moved or hidden it meanwhile and its counters are the database's.
    db.session.expire(thread, _THREAD_COLUMNS)
    if not post.hidden:  # a held reply is announced when an officer approves it
        live.post_created(post, thread_changed=bool(state) or moved)
    return idempotency.Submission(post, False)

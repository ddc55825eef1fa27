"""Plain builders for tests: make_user(role=...), make_thread(...), make_post(...)."""
from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta

from board import answers, text
from board.extensions import db
from board.models import (
    Agency,
    AgencyInvitation,
    Board,
    Post,
    Role,
    Thread,
    ThreadStatus,
    Unit,
    User,
    utcnow,
)
from board.services import accounts, posting

PASSWORD = "password123"
_seq = itertools.count(1)


def unit(code: str) -> Unit:
    return db.session.scalar(db.select(Unit).where(Unit.code == code))


def board(slug: str) -> Board:
    return db.session.scalar(db.select(Board).where(Board.slug == slug))


def make_user(role: str = Role.CITIZEN, unit_code: str | None = None, **fields) -> User:
    n = next(_seq)
    username = fields.pop("username", f"{role}{n}")
    if role == Role.CITIZEN:
        user = accounts.register_citizen(username, PASSWORD, fields.pop("nickname", f"市民{n}"))
    elif role == Role.AGENCY:  # 协作单位 (issue 21): an account of a (new) partner agency
        agency = fields.pop("agency", None) or make_agency()
        user = accounts.create_user(role, username, PASSWORD,
                                    nickname=fields.pop("nickname", f"物业客服{n}"),
                                    agency_id=agency.id, **fields)
    else:
        default_unit = {"dispatcher": "command-110", "leader": "city-bureau"}.get(role, "hukou")
        user = accounts.create_user(
            role, username, PASSWORD,
            real_name=fields.pop("real_name", f"警员{n}"),
            badge_no=fields.pop("badge_no", f"{900000 + n}"),
            unit_code=unit_code or default_unit, **fields)
    return user


def make_agency(name: str | None = None, kind: str = "property") -> Agency:
    agency = Agency(name=name or f"第{next(_seq)}物业", kind=kind, created_at=utcnow())
    db.session.add(agency)
    db.session.commit()
    return agency


def invite(thread: Thread, agency: Agency) -> AgencyInvitation:
    """An invitation as the service leaves it, without its timeline step or notices."""
    row = AgencyInvitation(thread_id=thread.id, agency_id=agency.id, created_at=utcnow())
    db.session.add(row)
    db.session.commit()
    return row


def make_thread(author: User | None = None, board_slug: str = "hukou", kind: str = "question",
                title: str | None = None, body: str = "请问怎么办理?", **fields) -> Thread:
    author = author or make_user()
    n = next(_seq)
    return posting.create_thread(author, board(board_slug), kind, title or f"测试问题第{n}号",
                                 body, **fields)


def make_post(thread: Thread, author: User | None = None, body: str = "您好,可以办理。") -> Post:
    return posting.reply(author or make_user(), thread, body)


def set_activity(thread: Thread, when: datetime) -> Thread:
    thread.last_activity_at = when
    db.session.commit()
    return thread


def pin(thread: Thread, when: datetime | None = None) -> Thread:
    thread.pinned, thread.pinned_at = True, when or utcnow()
    db.session.commit()
    return thread


# --- bulk rows ------------------------------------------------------------------------------
# For listing and query-count tests: one commit, and they skip the services' side effects (live
# events, notifications to every participant, search indexing), which would make 40 replies take
# seconds. Use make_thread()/make_post() for the real path.


def make_users(count: int, role: str = Role.CITIZEN, unit_code: str | None = None) -> list[User]:
    """`count` users of one role in one commit (police staff get a name, badge and unit)."""
    the_unit = unit(unit_code or "hukou") if role != Role.CITIZEN else None
    users = []
    for _ in range(count):
        n = next(_seq)
        user = User(username=f"bulk_{role}{n}", nickname=f"用户{n}", role=role)
        if role != Role.CITIZEN:
            user.real_name, user.badge_no, user.unit = f"警员{n}", f"{800000 + n}", the_unit
        user.set_password(PASSWORD)
        users.append(user)
    db.session.add_all(users)
    db.session.commit()
    return users


def make_threads(count: int, author: User | None = None, board_slug: str = "hukou",
                 kind: str = "question", authors: list[User] | None = None,
                 **fields) -> list[Thread]:
    """`count` awaiting threads, oldest first, one millisecond apart, by `author` or by each of
    `authors` in turn."""
    authors = authors or [author or make_user()]
    target = board(board_slug)
    start = utcnow() - timedelta(milliseconds=count)
    threads = []
    for i in range(count):
        n = next(_seq)
        when = start + timedelta(milliseconds=i)
        body = fields.get("body", f"第{n}号测试内容")
        threads.append(Thread(
            board=target, author=authors[i % len(authors)], kind=kind,
            title=fields.get("title", f"测试问题第{n}号"), body=body, body_html=text.render(body),
            status=ThreadStatus.AWAITING_REPLY, visibility=fields.get("visibility", "public"),
            created_at=when, last_activity_at=when))
    db.session.add_all(threads)
    target.thread_count += count
    db.session.commit()
    return threads


def make_replies(thread: Thread, authors: list[User], body: str = "您好,可以办理。") -> list[Post]:
    """One reply per author, as posting.reply() records them (official snapshot, counters, first
    response, status), in one commit."""
    thread = db.session.get(Thread, thread.id)  # the caller's copy may be from an older session
    now = utcnow()
    posts = []
    for i, author in enumerate(authors):
        when = now + timedelta(milliseconds=i)
        post = Post(thread=thread, author=author, body=body, body_html=text.render(body),
                    created_at=when)
        if author.is_official:
            post.official, post.official_name = True, author.real_name
            post.official_badge_no = author.badge_no
            post.official_unit = author.unit.name if author.unit else None
            post.answer_role = answers.role_of(author, thread)
            post.formal_answer = answers.is_formal(post.answer_role, False)
        if post.formal_answer:
            thread.has_official_reply = True
            if thread.first_response_at is None:
                thread.first_response_at, thread.first_responder = when, author
                thread.first_response_unit_id = author.unit_id
            if thread.status == ThreadStatus.AWAITING_REPLY:
                thread.status = ThreadStatus.ANSWERED
        thread.reply_count += 1
        thread.last_activity_at = when
        posts.append(post)
    db.session.add_all(posts)
    db.session.commit()
    return posts


def lock(thread: Thread) -> Thread:
    thread.locked = True
    db.session.commit()
    return thread


def token(user: User) -> str:
    """A bearer token for API calls: headers={"Authorization": f"Bearer {token(user)}"}."""
    return accounts.issue_token(user)


def bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(user)}"}


# --- reading pages -------------------------------------------------------------------------

_THREAD_LIST = re.compile(r"<ul\b[^>]*\bdata-thread-list\b[^>]*>(.*?)</ul>", re.S)
_ROW_ID = re.compile(r'<li\b[^>]*\bdata-thread-id="(\d+)"')


def listed_thread_ids(html: str) -> list[int]:
    """Thread ids in the order a page's thread list (data-thread-list) shows them."""
    return [int(i) for block in _THREAD_LIST.findall(html) for i in _ROW_ID.findall(block)]


def post_html(html: str, post_id: int) -> tuple[str, str]:
    """(the opening <li> tag, the markup up to the next post) of one reply on a thread page."""
    match = re.search(rf'<li\b[^>]*\bid="p{post_id}"[^>]*>', html)
    assert match, f"post {post_id} is not on the page"
    rest = html[match.end():]
    end = min((i for i in (rest.find("data-post-id="), rest.find("</ol>")) if i >= 0),
              default=len(rest))
    return match.group(0), rest[:end]

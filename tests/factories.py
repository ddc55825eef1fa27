"""Plain builders for tests: make_user(role=...), make_thread(...), make_post(...)."""
from __future__ import annotations

import itertools
from datetime import datetime

from board.extensions import db
from board.models import Board, Post, Role, Thread, Unit, User, utcnow
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
    else:
        default_unit = {"dispatcher": "command-110", "leader": "city-bureau"}.get(role, "hukou")
        user = accounts.create_user(
            role, username, PASSWORD,
            real_name=fields.pop("real_name", f"警员{n}"),
            badge_no=fields.pop("badge_no", f"{900000 + n}"),
            unit_code=unit_code or default_unit, **fields)
    return user


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

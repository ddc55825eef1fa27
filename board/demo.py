"""Demo data for a fresh embedded board: police staff of several units, citizens, and threads.

Everything goes through the services, so the demo obeys the same rules as real use (a citizen
cannot publish a notice, an officer's reply carries the badge snapshot...). The threads live in
demo_threads.yaml; after each one is written, its timestamps are moved into the past so the
board looks lived-in: a fortnight of questions, most answered within minutes to hours.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml
from flask import current_app

from board import sla
from board.extensions import db
from board.models import Board, Post, Thread, Unit, User, utcnow
from board.services import accounts, posting

DEMO_PASSWORD = "demo-pass-2026"
THREADS_FILE = Path(__file__).with_name("demo_threads.yaml")
BEIJING = timezone(timedelta(hours=8))  # China keeps one offset all year

# role, username, real name, badge no., unit code, public contact line (leaders only)
STAFF = [
    ("admin", "admin", "系统管理员", None, None, None),
    ("leader", "leader_gao", "高振华", "150001", "city-bureau",
     "市公安局副局长 高振华 0472-5110110(工作日 8:30–17:30)"),
    ("dispatcher", "dispatch_han", "韩雪", "150110", "command-110", None),
    ("officer", "hukou_wang", "王海峰", "150231", "hukou", None),
    ("officer", "hukou_ma", "马丽", "150236", "hukou", None),
    ("officer", "exit_liu", "刘芳", "150312", "exit-entry", None),
    ("officer", "traffic_zhang", "张伟", "150123", "traffic", None),
    ("officer", "traffic_bai", "白志勇", "150128", "traffic", None),
    ("officer", "nanmen_chen", "陈志强", "150456", "station-nanmen", None),
    ("officer", "fuqiang_li", "李文博", "150471", "station-fuqiang", None),
    ("officer", "aerding_su", "苏日娜", "150489", "station-aerding", None),
    ("officer", "desk_sun", "孙丽娜", "150518", "online-desk", None),
    ("officer", "legal_zhou", "周明", "150620", "legal", None),
    ("officer", "env_wu", "吴刚", "150733", "environment", None),
    ("officer", "drug_zheng", "郑晓东", "150845", "anti-drug", None),
    ("officer", "terror_bao", "包特尔", "150902", "anti-terror", None),
    ("officer", "pub_yang", "杨柳", "150968", "publicity", None),
]
# username, nickname
CITIZENS = [
    ("laowang", "热心市民老王"),
    ("zhangjie", "张大姐"),
    ("qingshan_xiaoli", "青山小李"),
    ("grandpa_liu", "刘大爷"),
    ("momo_mom", "糖糖妈妈"),
    ("kunqu_driver", "昆区跑车的老赵"),
    ("xiaoyu", "考研的小雨"),
    ("hk_chan", "港仔阿Chan"),
]
_WHEN = re.compile(r"-(?:(\d+)d (\d\d):(\d\d)|(\d+)h(?:(\d+)m)?|(\d+)m)")


def is_empty() -> bool:
    """Seed only a brand-new database: no threads and no accounts (a real admin means real use)."""
    return (db.session.scalar(db.select(Thread.id).limit(1)) is None
            and db.session.scalar(db.select(User.id).limit(1)) is None)


def seed() -> bool:
    """Seed an empty database; returns False (and does nothing) if it holds anything already."""
    if not is_empty():
        return False
    with _keep_loaded_objects():
        users = _create_accounts()
        boards = {b.slug: b for b in db.session.scalars(db.select(Board))}
        now = utcnow()
        threads: dict[str, Thread] = {}
        for item in load_threads():
            threads[item["key"]] = _create_thread(item, users, boards, now)
    _after_seed(users, threads)
    return True


@contextmanager
def _keep_loaded_objects():
    """Don't expire every loaded account and board at each of the ~300 commits the services make
    (each would be re-read); the services refresh what they change with SQL themselves."""
    session = db.session()
    saved, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = saved
        session.expire_all()


def _after_seed(users: dict[str, User], threads: dict[str, Thread]) -> None:
    """Hook for later demo steps (pinning, escalation...): add calls here, through the services.

    `users` maps demo usernames (STAFF, CITIZENS) to accounts; `threads` maps the `key` of each
    entry in demo_threads.yaml to its thread, already backdated.
    """
    from board import demo_escalation

    demo_escalation.seed(users, threads)  # issue 5: escalations, dispatch, supervision, pins


def load_threads() -> list[dict]:
    with THREADS_FILE.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# --- accounts ----------------------------------------------------------------------------------


def _create_accounts() -> dict[str, User]:
    users: dict[str, User] = {}
    with _cheap_hashing():
        for role, username, name, badge, unit, contact in STAFF:
            users[username] = accounts.create_user(role, username, DEMO_PASSWORD, real_name=name,
                                                   nickname=name, badge_no=badge, unit_code=unit,
                                                   contact=contact)
        for username, nickname in CITIZENS:
            users[username] = accounts.register_citizen(username, DEMO_PASSWORD, nickname)
    _share_one_real_hash(list(users.values()))
    joined = utcnow() - timedelta(days=30)
    for n, user in enumerate(users.values()):
        user.created_at = joined + timedelta(hours=7 * n)  # everyone joined before the first thread
    db.session.commit()
    return users


@contextmanager
def _cheap_hashing():
    """While creating the accounts, hash with a trivial method; the real hash is set after."""
    config = current_app.config
    saved = config.get("PASSWORD_HASH_METHOD")
    config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1"
    try:
        yield
    finally:
        if saved is None:
            config.pop("PASSWORD_HASH_METHOD", None)
        else:
            config["PASSWORD_HASH_METHOD"] = saved


def _share_one_real_hash(users: list[User]) -> None:
    """Every demo account has the same password: hash it once with the configured method
    (scrypt, ~0.1 s each) instead of once per account, which keeps `python app.py` start fast."""
    users[0].set_password(DEMO_PASSWORD)
    for user in users[1:]:
        user.password_hash = users[0].password_hash


# --- threads -----------------------------------------------------------------------------------


def opened_at(when: str, now: datetime) -> datetime:
    """'-3d 09:12' = three days ago at 09:12 Beijing time; '-2h30m', '-2h', '-40m' = that long ago."""
    match = _WHEN.fullmatch(when)
    if match is None:
        raise ValueError(f"demo thread time {when!r} is not like '-3d 09:12' or '-2h30m'")
    days, hour, minute, hours, hour_minutes, minutes = match.groups()
    if days is not None:
        local = now.astimezone(BEIJING) - timedelta(days=int(days))
        local = local.replace(hour=int(hour), minute=int(minute), second=0, microsecond=0)
        return local.astimezone(timezone.utc)
    return now - timedelta(hours=int(hours or 0), minutes=int(hour_minutes or minutes or 0))


def _create_thread(item: dict, users: dict[str, User], boards: dict[str, Board],
                   now: datetime) -> Thread:
    thread = posting.create_thread(users[item["by"]], boards[item["board"]], item["kind"],
                                   item["title"], item["body"], item.get("location"))
    posts = [(posting.reply(users[r["by"]], thread, r["body"]), r["after"])
             for r in item.get("replies", [])]
    _backdate(thread, posts, opened_at(item["when"], now), now)
    db.session.commit()
    return thread


def _backdate(thread: Thread, posts: list[tuple[Post, int]], opened: datetime,
              now: datetime) -> None:
    """Move a freshly written thread into the past, keeping its derived times consistent:
    first_response_at = the first official reply, last_activity_at = the last post."""
    last_after = max((after for _, after in posts), default=0)
    while opened + timedelta(minutes=last_after + 1) > now:  # '-1d 20:15' + a day of replies
        opened -= timedelta(days=1)
    thread.created_at = thread.last_activity_at = opened
    if thread.sla_due_at is not None:  # the first-response deadline runs from the real start
        thread.sla_due_at = sla.due_for(thread.board, opened)
    for post, after in posts:
        post.created_at = opened + timedelta(minutes=after, seconds=(post.id * 23) % 60)
        thread.last_activity_at = post.created_at
    official = [post.created_at for post, _ in posts if post.official]
    thread.first_response_at = official[0] if official else None


def print_logins() -> None:
    """The demo accounts, for the console; prints nothing on a database without them."""
    if db.session.scalar(db.select(User.id).where(User.username == CITIZENS[0][0])) is None:
        return
    units = {u.code: u.name for u in db.session.scalars(db.select(Unit))}
    print(f"\n  Demo logins — password for every account: {DEMO_PASSWORD}")
    print(f"    {'role':<10} {'username':<16} {'name':<10} {'badge':<7} unit")
    for role, username, name, badge, unit, _ in STAFF:
        print(f"    {role:<10} {username:<16} {_pad(name, 10)} {badge or '-':<7} "
              f"{units.get(unit, '-')}")
    for username, nickname in CITIZENS:
        print(f"    {'citizen':<10} {username:<16} {nickname}")
    print()


def _pad(text: str, width: int) -> str:
    """Pad for a terminal where each Chinese character takes two columns."""
    cells = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(0, width - cells)

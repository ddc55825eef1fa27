"""Demo threads from threads.yaml: written through the services, then moved into the past so the
board looks lived-in (a fortnight of questions, most answered within minutes to hours)."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import yaml

from board import sla
from board.extensions import db
from board.models import Board, Post, Thread, User
from board.services import posting

THREADS_FILE = Path(__file__).with_name("threads.yaml")
BEIJING = timezone(timedelta(hours=8))  # China keeps one offset all year
_WHEN = re.compile(r"-(?:(\d+)d (\d\d):(\d\d)|(\d+)h(?:(\d+)m)?|(\d+)m)")


def load_threads() -> list[dict]:
    with THREADS_FILE.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def opened_at(when: str, now: datetime) -> datetime:
    """'-3d 09:12' = three days ago at 09:12 Beijing time; '-2h30m', '-2h', '-40m' = that long
    ago."""
    match = _WHEN.fullmatch(when)
    if match is None:
        raise ValueError(f"demo thread time {when!r} is not like '-3d 09:12' or '-2h30m'")
    days, hour, minute, hours, hour_minutes, minutes = match.groups()
    if days is not None:
        local = now.astimezone(BEIJING) - timedelta(days=int(days))
        local = local.replace(hour=int(hour), minute=int(minute), second=0, microsecond=0)
        return local.astimezone(UTC)
    return now - timedelta(hours=int(hours or 0), minutes=int(hour_minutes or minutes or 0))


def create_thread(item: dict, users: dict[str, User], boards: dict[str, Board],
                   now: datetime) -> Thread:
    thread = posting.create_thread(users[item["by"]], boards[item["board"]], item["kind"],
                                   item["title"], item["body"], item.get("location"),
                                   place=item.get("place"))
    posts = [(posting.reply(users[r["by"]], thread, r["body"]), r["after"])
             for r in item.get("replies", [])]
    _backdate(thread, posts, opened_at(item["when"], now), now)
    db.session.commit()
    return thread


def _backdate(thread: Thread, posts: list[tuple[Post, int]], opened: datetime,
              now: datetime) -> None:
    """Move a freshly written thread into the past, keeping its derived times consistent:
    first_response_at = the first formal answer (board/answers.py), last_activity_at = the last
    post."""
    last_after = max((after for _, after in posts), default=0)
    while opened + timedelta(minutes=last_after + 1) > now:  # '-1d 20:15' + a day of replies
        opened -= timedelta(days=1)
    thread.created_at = thread.last_activity_at = opened
    if thread.sla_due_at is not None:  # the first-response deadline runs from the real start
        thread.sla_due_at = sla.due_for(thread.board, opened)
    for post, after in posts:
        post.created_at = opened + timedelta(minutes=after, seconds=(post.id * 23) % 60)
        thread.last_activity_at = post.created_at
    official = [post.created_at for post, _ in posts if post.formal_answer]
    thread.first_response_at = official[0] if official else None

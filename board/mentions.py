"""@mentions in a post: which accounts a text names, so they can be told, and the links to an
officer's public card in the rendered post.

Two forms: `@username` (any account) and `@王海峰`, an officer's verified real name (issue 17).
Chinese runs on without spaces (「@王海峰您好」), so a name mention is the longest real name of an
enabled officer, leader or dispatcher that the characters after `@` begin with.
"""
from __future__ import annotations

import re

from markupsafe import escape

from board.extensions import db
from board.models import OFFICIAL_ROLES, User

# @username: the account names of accounts.USERNAME_RE, not preceded by a word character (so an
# e-mail address is not a mention). Chinese punctuation or spaces end the name.
MENTION_RE = re.compile(r"(?<![A-Za-z0-9_.@-])@([A-Za-z0-9_.-]{3,30})")
# @王海峰: a run of Chinese characters (and the middle dot of minority names) after the @.
NAME_RE = re.compile(r"(?<![A-Za-z0-9_.@-])@([\u4e00-\u9fff·]{2,12})")
NAME_MIN, NAME_MAX = 2, 6
MAX_MENTIONS = 10  # a post cannot page the whole force


def parse_mentions(text: str) -> list[str]:
    """The distinct usernames @mentioned in a text, in order of first appearance."""
    seen: dict[str, None] = {}
    for name in MENTION_RE.findall(text or ""):
        name = name.rstrip(".-")  # "@zhang." at a sentence end
        if len(name) >= 3:
            seen.setdefault(name.lower(), None)
    return list(seen)[:MAX_MENTIONS]


def name_candidates(text: str) -> list[str]:
    """Every prefix (2–6 characters) of each @run: the real names it could be."""
    found: dict[str, None] = {}
    for run in NAME_RE.findall(text or "")[:MAX_MENTIONS]:
        for size in range(NAME_MIN, min(NAME_MAX, len(run)) + 1):
            found.setdefault(run[:size], None)
    return list(found)


def _officials_named(candidates: list[str], session=None) -> list[User]:
    if not candidates:
        return []
    return list((session or db.session).scalars(db.select(User).where(
        User.real_name.in_(candidates), User.role.in_(list(OFFICIAL_ROLES)),
        User.disabled.is_(False)).order_by(User.id)))


def named_officials(text: str, session=None) -> list[User]:
    """The officers a text @mentions by real name: for each @run, the longest name it begins
    with (two officers sharing a name are both mentioned: the post cannot tell them apart)."""
    people = _officials_named(name_candidates(text), session)
    chosen: dict[int, User] = {}
    for run in NAME_RE.findall(text or "")[:MAX_MENTIONS]:
        fitting = [u for u in people if run.startswith(u.real_name)]
        if fitting:
            longest = max(len(u.real_name) for u in fitting)
            for user in fitting:
                if len(user.real_name) == longest:
                    chosen.setdefault(user.id, user)
    return list(chosen.values())


def mentioned_users(text: str, session=None) -> list[User]:
    """The enabled accounts a text @mentions (names matched case-insensitively, and officers by
    their real name). `session`: the notice worker's own (default: the request's)."""
    names = parse_mentions(text)
    found: dict[int, User] = {}
    if names:
        stmt = db.select(User).where(db.func.lower(User.username).in_(names),
                                     User.disabled.is_(False))
        found.update((u.id, u) for u in (session or db.session).scalars(stmt))
    for user in named_officials(text, session):
        found.setdefault(user.id, user)
    return list(found.values())[:MAX_MENTIONS]


def link_names(html: str, text: str) -> str:
    """The rendered post with each @真实姓名 of an officer linked to their public card
    (/officers/<id>); a name two officers share links to neither (the post cannot tell)."""
    officials = named_officials(text)
    counts: dict[str, int] = {}
    for user in officials:
        counts[user.real_name] = counts.get(user.real_name, 0) + 1
    unique = {u.real_name: u for u in officials if counts[u.real_name] == 1}
    if not unique:
        return html
    names = sorted(unique, key=len, reverse=True)  # one pass, longest first: no double links
    pattern = re.compile(r"(?<![A-Za-z0-9_.@-])@(" + "|".join(map(re.escape, names)) + ")")

    def link(match: re.Match) -> str:
        user = unique[match.group(1)]
        return (f'<a class="mention" href="/officers/{user.id}" '
                f'data-officer-id="{user.id}">@{escape(user.real_name)}</a>')

    return pattern.sub(link, html)

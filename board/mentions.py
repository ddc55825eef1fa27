"""@mentions in a post: which accounts a text names (`@username`), so they can be told.

Apart from the notifications service because it is a reading of text plus one lookup, used
wherever a post is delivered; the notifications decide what each mentioned person hears.
"""
from __future__ import annotations

import re

from board.extensions import db
from board.models import User

# @username: the account names of accounts.USERNAME_RE, not preceded by a word character (so an
# e-mail address is not a mention). Chinese punctuation or spaces end the name.
MENTION_RE = re.compile(r"(?<![A-Za-z0-9_.@-])@([A-Za-z0-9_.-]{3,30})")
MAX_MENTIONS = 10  # a post cannot page the whole force


def parse_mentions(text: str) -> list[str]:
    """The distinct usernames @mentioned in a text, in order of first appearance."""
    seen: dict[str, None] = {}
    for name in MENTION_RE.findall(text or ""):
        name = name.rstrip(".-")  # "@zhang." at a sentence end
        if len(name) >= 3:
            seen.setdefault(name.lower(), None)
    return list(seen)[:MAX_MENTIONS]


def mentioned_users(text: str) -> list[User]:
    """The enabled accounts a text @mentions (names matched case-insensitively)."""
    names = parse_mentions(text)
    if not names:
        return []
    stmt = db.select(User).where(db.func.lower(User.username).in_(names),
                                 User.disabled.is_(False))
    return list(db.session.scalars(stmt))

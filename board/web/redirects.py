"""Where to go after signing in: only a path on this site, whatever the browser does with it.

Browsers normalise a Location before following it: they drop tabs and line breaks anywhere,
trim leading control characters and spaces, and read a backslash as a slash. So
``/<TAB>/evil.example`` became ``//evil.example`` (another site), as did ``/\\evil.example``.
Rather than list tricks, a target is accepted only when it is already in the form no browser
rewrites: RFC 3986 characters (non-ASCII text percent-encoded first), no whitespace, control or
backslash anywhere, starting with exactly one slash. Its percent-decoded forms must start the
same way too, for a later hop that decodes once more (``/%2F/evil.example``, ``/%5Cevil``).
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote

MAX_LENGTH = 2000
# RFC 3986 unreserved, reserved and '%': everything a URI may hold, no space, quote or backslash.
URI_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%"
_URI = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_BAD_START = re.compile(r"/[/\\\s\x00-\x1f\x7f]|[^/]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # %0D%0A: a header split for whoever decodes it


def _harmless_char(char: str) -> bool:
    """No whitespace, control, format or separator character (tab, NBSP, U+2028, U+200B...)."""
    return char != "\\" and not char.isspace() and unicodedata.category(char)[0] not in "CZ"


def same_site_path(target: str | None) -> str | None:
    """The target as a same-site path (non-ASCII percent-encoded), or None to use the default."""
    if not target or len(target) > MAX_LENGTH or not all(map(_harmless_char, target)):
        return None
    target = quote(target, safe=URI_CHARS)  # text in Chinese: a URI the header can carry
    if not _URI.fullmatch(target) or _BAD_START.match(target):
        return None
    decoded = target
    for _ in range(3):  # a hop that decodes again must not find another site either
        decoded = unquote(decoded)
        if _BAD_START.match(decoded) or _CONTROL.search(decoded):
            return None
    return target

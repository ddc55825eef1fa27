"""The timeline's public steps in the reader's language (issue 21).

A step's sentence is stored as the service wrote it, in Chinese (services/status.py PUBLIC_TEXT
and its neighbours), with a unit's name, an incident number and an officer's note filled in. On
an English page a sentence made from one of those templates is shown translated, the filled-in
parts kept as written (marked `data-user-text`); a sentence from no known template (an older
wording) shows as stored. Chinese pages show the stored sentence unchanged."""
from __future__ import annotations

import re

from flask_babel import gettext
from markupsafe import Markup, escape

from board import i18n
from board.services.agencies import INVITED_TEXT
from board.services.status import PUBLIC_TEXT, REOPENED_HANDLING_TEXT, RETURNED_TEXT
from board.services.supervision import SUPERVISED_TEXT

_NOTE = "\n说明:"  # services/status.public_text_for appends the officer's public note so
_RATED = re.compile(r"提问人评价:(?P<stars>[★☆]+)(?:「(?P<comment>.*)」)?\Z", re.S)
RATED_TEXT = i18n.N_("提问人评价:%(stars)s")


def _pattern(template: str) -> re.Pattern:
    pattern = re.escape(template)
    pattern = pattern.replace(re.escape("{unit}"), "(?P<unit>.+?)")
    pattern = pattern.replace(re.escape("{incident}"), r"(?P<incident>\S*)")
    return re.compile(pattern + r"(?:" + re.escape(_NOTE) + r"(?P<note>.*))?\Z", re.S)


_TEMPLATES = [(_pattern(t), t) for t in (*PUBLIC_TEXT.values(), RETURNED_TEXT,
                                          REOPENED_HANDLING_TEXT, SUPERVISED_TEXT, INVITED_TEXT)]


def _user(words: str) -> Markup:
    return Markup('<span data-user-text>{}</span>').format(words)


def _translated(text: str) -> Markup | None:
    for pattern, template in _TEMPLATES:
        found = pattern.match(text)
        if found:
            parts = found.groupdict()
            shown = Markup(escape(gettext(template))).format(
                unit=_user(parts.get("unit") or ""), incident=_user(parts.get("incident") or ""))
            if parts.get("note"):
                shown += Markup("<br>") + escape(gettext("说明:")) + _user(parts["note"])
            return shown
    rated = _RATED.match(text)
    if rated:
        shown = escape(gettext(RATED_TEXT, stars=rated["stars"]))
        return shown + (Markup(" “{}”").format(_user(rated["comment"])) if rated["comment"]
                        else Markup(""))
    return None


def timeline_text(text: str | None):
    """Jinja filter: a step's (already masked) public sentence for this page's language."""
    if not text or not i18n.is_english():
        return text
    return _translated(text) or _user(text)

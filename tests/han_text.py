"""The interface words left in Chinese on a page rendered in English (issue 21).

Residents' and officers' own words are not translated: the templates mark them (`data-user-text`
on titles, bodies, nicknames, officer and unit names, places) and words meant to stay Chinese (the
「中文」 switch, the 警 logo) carry `lang="zh-CN"`. Everything else that a reader sees or hears —
text, and the title / aria-label / placeholder / alt / label attributes — must hold no Han
character."""
from __future__ import annotations

import re
from html.parser import HTMLParser

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
SEEN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "label")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
UNSEEN = {"script", "style", "template"}


def _exempt(tag: str, attrs: dict) -> bool:
    return ("data-user-text" in attrs or (attrs.get("lang") or "").startswith("zh")
            or tag in UNSEEN)


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, exempt)
        self.found: list[str] = []
        self.title = ""  # <title> may quote a resident's words: checked once they are known
        self.user_words: list[str] = []

    def _skipping(self) -> bool:
        return any(exempt for _, exempt in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        exempt = _exempt(tag, attrs)
        if not exempt and not self._skipping():
            for name in SEEN_ATTRIBUTES:
                if HAN.search(attrs.get(name) or ""):
                    self.found.append(f"<{tag} {name}={attrs[name]!r}>")
        if tag not in VOID:
            self.stack.append((tag, exempt))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):  # tolerate unclosed <p>, <li>
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] == "title":
            self.title += data
        elif self._skipping():
            if data.strip():
                self.user_words.append(data.strip())
        elif HAN.search(data):
            self.found.append(" ".join(data.split()))

    def title_left(self) -> str | None:
        title = self.title
        for words in sorted(self.user_words, key=len, reverse=True):
            title = title.replace(words, "")
        return " ".join(self.title.split()) if HAN.search(title) else None


def untranslated(html: str) -> list[str]:
    """Interface strings with Han characters outside the exempt elements, in page order."""
    finder = _Finder()
    finder.feed(html)
    title = finder.title_left()
    return [f"<title>{title}</title>", *finder.found] if title else finder.found

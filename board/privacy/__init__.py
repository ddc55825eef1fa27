"""Personal data in public text: ID numbers, mobiles, bank cards and plate+name pairs are masked.

Stored text stays original; masking happens where text leaves for a viewer who is neither the
author nor the police (serializers, templates via the `visible` filters, live payloads, search
snippets, notifications, timeline status notes and rating comments, whose author is the event's
actor). Detection reads a normalized copy (board/privacy/numbers.py: full-width digits, every
kind of separator, +86 prefixes); `mask()` only ever replaces the original characters that carry
the data with "*", so it is safe on sanitized HTML too (it cannot create or break markup).
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

from board.i18n import N_
from board.privacy.classify import id_checksum_ok, luhn_ok
from board.privacy.normalize import normalize
from board.privacy.numbers import find_numbers

__all__ = ["KIND_LABELS", "detect", "id_checksum_ok", "luhn_ok", "mask", "sees_original",
           "visible_filter", "visible_text", "warning"]

KIND_LABELS = {"id": N_("身份证号"), "mobile": N_("手机号"), "card": N_("银行卡号"),
               "plate_name": N_("车牌和姓名")}

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_RE = re.compile(rf"([{_PROVINCES}][A-Z])[·•・‧. -]?([A-Z0-9]{{5,6}})(?![A-Za-z0-9])")
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
             "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
             "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷"
             "詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴")
_NAME_KEYWORD = r"(?:车主|司机|驾驶人|驾驶员|姓名|名叫|叫做|叫)[:：是]?\s*"
_NAME = rf"([{_SURNAMES}])((?:(?![的了是在和说车开])[\u4e00-\u9fff]){{1,2}})"
_NAME_WITH_KEYWORD_RE = re.compile(_NAME_KEYWORD + _NAME)
_NAME_ADJACENT_AFTER_RE = re.compile(r"^[\s,，、:：()（）]{0,2}" + _NAME)
_NAME_ADJACENT_BEFORE_RE = re.compile(_NAME + r"[\s,，、:：()（）的]{0,2}$")
_WINDOW = 12
# One cheap scan decides whether the expensive checks run at all (most posts have none): eleven
# digits of any script with short gaps between them, or a plate's province and letter.
_QUICK_RE = re.compile(rf"\d(?:[^\d]{{0,60}}?\d){{10}}|[{_PROVINCES}][A-Za-zＡ-Ｚａ-ｚ]")

Span = tuple[int, int, str, list[int]]  # (start, end, kind, positions to star), normalized text


def _alnum_positions(text: str, start: int, end: int) -> list[int]:
    return [i for i in range(start, end) if text[i].isalnum()]


def _find(norm: str) -> list[Span]:
    """Every personal-data span of normalized text, non-overlapping, in order."""
    spans: list[Span] = list(find_numbers(norm))

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _, _ in spans)

    for m in _PLATE_RE.finditer(norm):
        name = _name_near(norm, m.start(), m.end())
        if name and free(m.start(), m.end()) and free(*name):
            plate = _alnum_positions(norm, m.start(), m.end())
            spans.append((m.start(), m.end(), "plate_name", plate[3:-2]))
            spans.append((name[0], name[1], "plate_name", list(range(name[0] + 1, name[1]))))
    return sorted(spans, key=lambda span: span[:2])


def _name_near(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A person's name next to a plate ("蒙B12345 张三", "车主张三 蒙B12345"), or None."""
    before_from = max(0, start - _WINDOW)
    after = text[end:end + _WINDOW]
    m = _NAME_ADJACENT_AFTER_RE.search(after) or _NAME_WITH_KEYWORD_RE.search(after)
    if m:
        return end + m.start(1), end + m.end(2)
    before = text[before_from:start]
    m = _NAME_ADJACENT_BEFORE_RE.search(before)
    if m is None:
        found = list(_NAME_WITH_KEYWORD_RE.finditer(before))
        m = found[-1] if found else None
    if m:
        return before_from + m.start(1), before_from + m.end(2)
    return None


def detect(text: str | None) -> list[str]:
    """The kinds of personal data in text, in a fixed order: ["id", "mobile", ...]."""
    if not text or not _QUICK_RE.search(text):
        return []
    kinds = {kind for _, _, kind, _ in _find(normalize(text)[0])}
    return [k for k in KIND_LABELS if k in kinds]


def warning(kinds: list[str]) -> str:
    """The composer's warning: 您的内容包含身份证号,公开显示时将被遮盖."""
    if not kinds:
        return ""
    what = _("、").join(_(KIND_LABELS[k]) for k in kinds)  # the writer's language (issue 21)
    return _("您的内容包含%(what)s,公开显示时将被遮盖", what=what)


def mask(text: str | None) -> str | None:
    """The text as the public sees it: the characters carrying personal data replaced by '*'
    one for one (same length). Detection reads the normalized text; the stars land on the
    original characters it came from, so separators, Markdown and markup stay as typed."""
    if not text or not _QUICK_RE.search(text):
        return text
    norm, where = normalize(text)
    hidden = {where[i] for _, _, _, positions in _find(norm) for i in positions}
    if not hidden:
        return text
    return "".join("*" if i in hidden else ch for i, ch in enumerate(text))


def sees_original(viewer, author_id: int | None) -> bool:
    """The author and the police read the original; everyone else (and live rooms) the mask."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return bool(getattr(viewer, "is_police", False)) or (
        author_id is not None and getattr(viewer, "id", None) == author_id)


def visible_text(viewer, author_id: int | None, text: str | None) -> str | None:
    """The one call for any user text leaving the server: original or masked for this viewer."""
    return text if sees_original(viewer, author_id) else mask(text)


def visible_filter(text: str | None, author_id: int | None, anyone: bool = False) -> str | None:
    """Jinja: {{ thread.title|visible(thread.author_id) }} for the signed-in viewer; with
    `anyone=true` as any reader sees it (rows pushed to the public live rooms)."""
    from flask_login import current_user

    return visible_text(None if anyone else current_user, author_id, text)

"""Personal data in public text: ID numbers, mobiles, bank cards and plate+name pairs are masked.

Stored text stays original; masking happens where text leaves for a viewer who is neither the
author nor the police (serializers, templates via the `visible` filters, live payloads, search
snippets, notifications). `mask()` only ever replaces characters with "*", so it is safe on
sanitized HTML too (it cannot create markup).
"""
from __future__ import annotations

import re

KIND_LABELS = {"id": "身份证号", "mobile": "手机号", "card": "银行卡号", "plate_name": "车牌和姓名"}

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Not inside a longer run of digits/letters (so a 20-digit order number is not an ID).
_ID_RE = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{16}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![0-9])")
_CARD_RE = re.compile(r"(?<![0-9])(\d(?:[ -]?\d){15,18})(?![0-9])")
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_RE = re.compile(rf"([{_PROVINCES}][A-Z])[·• ]?([A-Z0-9]{{5,6}})(?![A-Za-z0-9])")
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
# One cheap scan decides whether the expensive checks run at all (most posts have none).
_QUICK_RE = re.compile(rf"\d(?:[ -]?\d){{10,}}|[{_PROVINCES}][A-Z]")


def id_checksum_ok(number: str) -> bool:
    """GB 11643: the 18th character is the ISO 7064 MOD 11-2 check of the first 17 digits."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _star_digits(text: str, keep_head: int, keep_tail: int) -> str:
    """Replace digits/letters between the first keep_head and last keep_tail by '*', keep
    separators."""
    positions = [i for i, ch in enumerate(text) if ch.isalnum()]
    hide = set(positions[keep_head:len(positions) - keep_tail])
    return "".join("*" if i in hide else ch for i, ch in enumerate(text))


def _find(text: str) -> list[tuple[int, int, str, str]]:
    """Every personal-data span as (start, end, kind, replacement), non-overlapping."""
    spans: list[tuple[int, int, str, str]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _, _ in spans)

    for m in _ID_RE.finditer(text):
        if id_checksum_ok(m.group(1)):
            spans.append((m.start(1), m.end(1), "id", _star_digits(m.group(1), 3, 4)))
    for m in _CARD_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group(1))
        if 16 <= len(digits) <= 19 and luhn_ok(digits) and free(m.start(1), m.end(1)):
            spans.append((m.start(1), m.end(1), "card", _star_digits(m.group(1), 4, 4)))
    for m in _MOBILE_RE.finditer(text):
        start, end = m.start(1), m.end(3)
        if free(start, end):
            spans.append((start, end, "mobile", _star_digits(text[start:end], 3, 4)))
    for m in _PLATE_RE.finditer(text):
        name = _name_near(text, m.start(), m.end())
        if name and free(m.start(), m.end()) and free(*name):
            plate = m.group(0)
            spans.append((m.start(), m.end(), "plate_name", _star_digits(plate, 3, 2)))
            hidden_name = text[name[0]] + "*" * (name[1] - name[0] - 1)
            spans.append((name[0], name[1], "plate_name", hidden_name))
    return sorted(spans)


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
    kinds = {kind for _, _, kind, _ in _find(text)}
    return [k for k in KIND_LABELS if k in kinds]


def warning(kinds: list[str]) -> str:
    """The composer's warning: 您的内容包含身份证号,公开显示时将被遮盖."""
    if not kinds:
        return ""
    return f"您的内容包含{'、'.join(KIND_LABELS[k] for k in kinds)},公开显示时将被遮盖"


def mask(text: str | None) -> str | None:
    """The text as the public sees it: personal data replaced by '*' (same length)."""
    if not text or not _QUICK_RE.search(text):
        return text
    spans = _find(text)
    if not spans:
        return text
    out, last = [], 0
    for start, end, _, replacement in spans:
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


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

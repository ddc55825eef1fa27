"""The masking corpus (issue 15, item 4): personal numbers as residents really type them —
grouped with every kind of space, dash, dot and Markdown mark, in full-width digits, with
+86/0086 prefixes, zero-width characters inside, 15-digit old IDs, cards in fours — must be
masked; incident numbers, dates, times, prices, plates alone and badge numbers must stay readable.

Checked against `privacy.mask` directly, then a representative subset through every surface a
reader meets: the thread page, the API's thread/posts JSON, search snippets, live Socket.IO
payloads (thread room and board rows), a notification's text, the timeline's status notes and
the asker's rating comment.
"""
from __future__ import annotations

import json
import unicodedata

import pytest

from board import privacy
from board.privacy.normalize import is_separator, normalize
from board.services import escalation, status, supervision
from tests.test_live import events, join, sio

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def luhn_complete(prefix: str) -> str:
    return next(prefix + d for d in "0123456789" if privacy.luhn_ok(prefix + d))


def fmt(number: str, sizes: tuple[int, ...], sep: str) -> str:
    """number split into groups of `sizes` joined by sep: fmt("13987654321", (3, 4, 4), "-")."""
    out, at = [], 0
    for size in sizes:
        out.append(number[at:at + size])
        at += size
    return sep.join(out)


FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
ID18 = make_id("15020319850612371")                 # 包头, born 1985-06-12
ID18_X = next(make_id(f"1502031985061{n:04d}") for n in range(1000)
              if make_id(f"1502031985061{n:04d}").endswith("X"))
ID18_BAD = ID18[:-1] + str((int(ID18[-1]) + 1) % 10) if ID18[-1] != "X" else ID18[:-1] + "0"
ID15 = "150203850612371"                              # the old format: YYMMDD, no check digit
MOBILE = "13987654321"
CARD19 = luhn_complete("622202020011223344")
CARD16 = luhn_complete("621700123456789")
CARD16_BAD = CARD16[:-1] + str((int(CARD16[-1]) + 1) % 10)

ID_SEPARATORS = {
    "space": " ", "two spaces": "  ", "nbsp": "\u00a0", "ideographic space": "\u3000",
    "hyphen": "-", "en dash": "\u2013", "em dash": "\u2014", "double em dash": "——",
    "minus sign": "\u2212", "full-width hyphen": "\uff0d", "small hyphen": "\ufe63",
    "dot": ".", "full-width dot": "\uff0e", "middle dot": "\u00b7", "katakana dot": "\u30fb",
    "zero-width space": "\u200b", "markdown bold": "**", "spaced hyphen": " - ",
}
MOBILE_SEPARATORS = {
    "dot": ".", "middle dot": "·", "katakana dot": "・", "nbsp": "\u00a0",
    "ideographic space": "\u3000", "en dash": "–", "em dash": "—", "full-width hyphen": "－",
    "hyphen U+2010": "\u2010", "spaced hyphen": " - ", "two spaces": "  ", "underscore": "_",
    "tilde": "~", "zero-width joiner": "\u200d", "word joiner": "\u2060", "bullet": "•",
}

# (case id, text, kind, the number's digits as typed: they must not survive the mask)
POSITIVES: list[tuple[str, str, str, str]] = [
    *[(f"id 6-8-4 {name}", f"我的身份证号是{fmt(ID18, (6, 8, 4), sep)},被冒用了", "id", ID18)
      for name, sep in ID_SEPARATORS.items()],
    ("id 3-3-4-4-4", f"身份证 {fmt(ID18, (3, 3, 4, 4, 4), ' ')} 丢了", "id", ID18),
    ("id full-width digits", f"证件号{ID18.translate(FULL_WIDTH)}请核实", "id", ID18),
    ("id full-width grouped", f"身份证：{fmt(ID18, (6, 8, 4), chr(0x3000)).translate(FULL_WIDTH)}",
     "id", ID18),
    ("id mixed widths", f"身份证{ID18[:9].translate(FULL_WIDTH)}{ID18[9:]}", "id", ID18),
    ("id full-width X", f"身份证{ID18_X[:-1]}Ｘ补办", "id", ID18_X),
    ("id lower x grouped", f"号码 {fmt(ID18_X.lower(), (6, 8, 4), ' ')}", "id", ID18_X.lower()),
    ("id code marks", f"身份证 `{fmt(ID18, (6, 8, 4), '` `')}`", "id", ID18),
    ("id bad check digit grouped", f"身份证 {fmt(ID18_BAD, (6, 8, 4), '-')}", "id", ID18_BAD),
    ("id bad check digit after keyword", f"身份证号{ID18_BAD}", "id", ID18_BAD),
    ("old 15-digit id", f"老身份证号 {ID15} 还能用吗", "id", ID15),
    ("old 15-digit id grouped", f"身份证 {fmt(ID15, (6, 6, 3), ' ')}", "id", ID15),
    ("old 15-digit id full-width", f"身份证{ID15.translate(FULL_WIDTH)}", "id", ID15),
    *[(f"mobile 3-4-4 {name}", f"有事打我电话{fmt(MOBILE, (3, 4, 4), sep)}谢谢", "mobile", MOBILE)
      for name, sep in MOBILE_SEPARATORS.items()],
    ("mobile markdown bold", "电话 139**8765**4321", "mobile", MOBILE),
    ("mobile markdown code", "电话 `139` `8765` `4321`", "mobile", MOBILE),
    ("mobile full-width", f"电话{MOBILE.translate(FULL_WIDTH)}", "mobile", MOBILE),
    ("mobile full-width grouped", "手机：１３９－８７６５－４３２１", "mobile", MOBILE),
    ("mobile mixed widths", "手机１３9８765４321", "mobile", MOBILE),
    ("mobile 0086 glued", f"境外打 0086{MOBILE}", "mobile", MOBILE),
    ("mobile +86 nbsp", f"电话 +86\u00a0{fmt(MOBILE, (3, 4, 4), chr(0xa0))}", "mobile", MOBILE),
    ("mobile full-width +86", f"（＋８６）{MOBILE.translate(FULL_WIDTH)}", "mobile", MOBILE),
    ("mobile +86 parentheses", "+86(139)8765-4321", "mobile", MOBILE),
    ("mobile +86 dots", "+86.139.8765.4321", "mobile", MOBILE),
    ("mobile (0086) dots", "(0086)139.8765.4321", "mobile", MOBILE),
    ("mobile one digit at a time", "电话 1 3 9 8 7 6 5 4 3 2 1", "mobile", MOBILE),
    ("mobile after a date", f"2026-01-15 联系{fmt(MOBILE, (3, 8), '.')}", "mobile", MOBILE),
    ("card 4s dots", f"工资卡 {fmt(CARD19, (4, 4, 4, 4, 3), '.')} 被盗刷", "card", CARD19),
    ("card 4s middle dots", f"卡号{fmt(CARD19, (4, 4, 4, 4, 3), '·')}", "card", CARD19),
    ("card 4s nbsp", f"卡号 {fmt(CARD16, (4, 4, 4, 4), chr(0xa0))}", "card", CARD16),
    ("card 4s ideographic space", f"卡号{fmt(CARD16, (4, 4, 4, 4), chr(0x3000))}", "card", CARD16),
    ("card 4s em dash", f"卡号 {fmt(CARD16, (4, 4, 4, 4), '—')}", "card", CARD16),
    ("card full-width dots", f"银行卡{fmt(CARD19, (4, 4, 4, 4, 3), '．').translate(FULL_WIDTH)}",
     "card", CARD19),
    ("card full-width 4s", f"银行卡{fmt(CARD16, (4, 4, 4, 4), '　').translate(FULL_WIDTH)}",
     "card", CARD16),
    ("card zero-width inside", f"卡号 {fmt(CARD16, (4, 4, 4, 4), chr(0x200b))}", "card", CARD16),
    ("card 4s bad Luhn", f"卡号 {fmt(CARD16_BAD, (4, 4, 4, 4), ' ')}", "card", CARD16_BAD),
    ("card 4s two spaces", f"卡号 {fmt(CARD19, (4, 4, 4, 4, 3), '  ')}", "card", CARD19),
]

PLATE_NAMES = [
    ("plate full-width with name", "蒙Ｂ１２３４５ 王小二 天天占消防通道", "蒙Ｂ１", "小二"),
    ("plate katakana dot with name", "车主张建军的车蒙B・A1234一直乱停", "蒙B・A", "建军"),
]

NEGATIVES = [
    ("incident number", "警情编号 JQ20260115-0001"),
    ("incident number in a sentence", "您好,该警情已收悉,正在处置。警情编号 JQ20260115-0012。"),
    ("incident number glued", "编号JQ20260115-0001请查收"),
    ("date", "2026-01-15"),
    ("date in words", "2026年01月15日 10:30"),
    ("date with dots and time", "2026.01.15 13:45"),
    ("date with slashes", "2026/01/15"),
    ("date range", "2026-01-15 至 2026-01-16"),
    ("date range spaced", "2026-01-15 2026-01-16"),
    ("date range dots", "2026.01.15—2026.02.15"),
    ("compact date range", "20260115-20260116"),
    ("times", "办公时间 9:00—12:00, 14:30-17:30"),
    ("price", "¥1,299.00"),
    ("large amount", "共计 1,380,000.00 元"),
    ("price and quantity", "单价 13.80 元, 数量 12 件"),
    ("plate alone", "蒙B12345 乱停车"),
    ("plate with dot alone", "蒙B·A1234 天天占道"),
    ("plate full-width alone", "蒙Ｂ１２３４５ 一直占道"),
    ("badge number", "民警张伟(警号 150123)已回复"),
    ("badge number full-width", "警号：１５０１２３"),
    ("landline", "派出所电话 0472-1234567"),
    ("landline grouped", "(0472) 123 4567"),
    ("hotlines", "紧急情况请拨打 110 或 12345 热线, 短信报警 12110"),
    ("order number", "订单号 20231123123456789012"),
    ("id with wrong check digit, no context", f"编号{ID18_BAD}"),
    ("card with wrong Luhn, contiguous", f"卡号 {CARD16_BAD}"),
    ("ip address", "192.168.100.200"),
    ("screen size", "1920x1080 分辨率"),
    ("qq number", "QQ 123456789"),
    ("short mobile", "139 8765 432"),
    ("twelve digits", "139876543210"),
    ("version", "v13.8.1234"),
    ("list of small numbers", "第 1、3、9、8、7、6 号楼"),
]


def changed(original: str, masked: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(original, masked, strict=True) if a != b]


def digits_of(text: str) -> str:
    return "".join(ch for ch in normalize(text)[0] if ch.isdigit() or ch in "Xx")


@pytest.mark.parametrize("text,kind,number", [c[1:] for c in POSITIVES],
                         ids=[c[0] for c in POSITIVES])
def test_typed_formats_are_detected_and_masked(text, kind, number):
    assert privacy.detect(text) == [kind]
    masked = privacy.mask(text)
    assert len(masked) == len(text)
    assert number.upper() not in digits_of(masked).upper()
    diff = changed(text, masked)
    assert len(diff) >= 4
    # Only the number's own characters turn into stars: separators, Markdown and words stay.
    assert all(b == "*" and normalize(a)[0] in set("0123456789Xx") for a, b in diff), diff
    assert privacy.detect(masked) == []


@pytest.mark.parametrize("text,kept,hidden", [c[1:] for c in PLATE_NAMES],
                         ids=[c[0] for c in PLATE_NAMES])
def test_plates_with_a_name_in_any_width_are_masked(text, kept, hidden):
    assert privacy.detect(text) == ["plate_name"]
    masked = privacy.mask(text)
    assert kept in masked and hidden not in masked and len(masked) == len(text)


@pytest.mark.parametrize("text", [c[1] for c in NEGATIVES], ids=[c[0] for c in NEGATIVES])
def test_numbers_readers_need_stay_readable(text):
    assert privacy.detect(text) == []
    assert privacy.mask(text) == text


def test_mask_keeps_the_ends_a_reader_recognises():
    assert privacy.mask("电话 0086 139 8765 4321") == "电话 0086 139 **** 4321"
    assert privacy.mask("１３９－８７６５－４３２１") == "１３９－****－４３２１"
    spaced = fmt(ID18, (6, 8, 4), "\u00a0")
    assert privacy.mask(spaced) == f"{ID18[:3]}***\u00a0********\u00a0{ID18[-4:]}"
    assert privacy.mask(ID15) == f"{ID15[:3]}{'*' * 9}{ID15[-3:]}"  # the birth day hidden too
    dotted = fmt(CARD19, (4, 4, 4, 4, 3), ".")
    assert privacy.mask(dotted) == f"{CARD19[:4]}.****.****.***{CARD19[15]}.{CARD19[16:]}"


def test_two_numbers_in_one_run_are_each_masked():
    masked = privacy.mask(f"{MOBILE} 13812345678。{ID18}")
    assert masked == f"139****4321 138****5678。{ID18[:3]}{'*' * 11}{ID18[-4:]}"


def test_rendered_markdown_and_entities_are_masked_without_breaking_markup():
    html = ("<p>电话 139<strong>8765</strong>4321,身份证 "
            f"{fmt(ID18, (6, 8, 4), '&nbsp;')},<code>6222</code> x</p>")
    masked = privacy.mask(html)
    assert "<strong>****</strong>" in masked and "&nbsp;********&nbsp;" in masked
    assert masked.count("<") == html.count("<") and "&nbsp;" in masked


def test_every_unicode_dash_and_space_separates_digit_groups():
    """The class, not a list: every dash (Pd) and space (Zs) joins groups after NFKC."""
    for code in range(0x10000):
        ch = chr(code)
        if unicodedata.category(ch) in ("Pd", "Zs"):
            sep = normalize(ch)[0]
            assert sep and all(is_separator(c) for c in sep), hex(code)
            assert privacy.detect(fmt(MOBILE, (3, 4, 4), ch)) == ["mobile"], hex(code)


def test_corpus_is_large():
    assert len(POSITIVES) + len(PLATE_NAMES) + len(NEGATIVES) >= 60


# --- The same detection on every surface ------------------------------------------------------

# (as typed, a piece of it that must not reach the public)
SAMPLES = [
    (fmt(ID18, (6, 8, 4), "\u00a0"), ID18[6:14]),
    (f"0086{MOBILE}".translate(FULL_WIDTH), "８７６５"),
    ("137**2468**1357", "2468"),
    (fmt(CARD19, (4, 4, 4, 4, 3), "."), CARD19[4:8] + "." + CARD19[8:12]),
    (f"老证 {fmt(ID15, (6, 6, 3), '-')}", ID15[6:12]),
]
WORD = "隐私语料"
READABLE = ["JQ20260115-0001", "2026-01-15", "警号 150123", "¥1,299.00"]


def sample_text() -> str:
    return WORD + ":" + ";".join(s for s, _ in SAMPLES) + "。" + ";".join(READABLE)


def assert_masked(text: str) -> None:
    for typed, secret in SAMPLES:
        assert secret not in text, (typed, secret)


def dumped(data) -> str:
    return json.dumps(data, ensure_ascii=False)


@pytest.fixture
def leaky(make):
    author = make.make_user(nickname="李大姐")
    body = sample_text()
    thread = make.make_thread(author, "qa", title=f"{WORD}帖 {SAMPLES[2][0]}", body=body)
    reply = make.make_post(thread, author, body=body)
    return author, thread, reply


def test_thread_page_masks_for_an_anonymous_reader(app, leaky):
    _, thread, _ = leaky
    page = app.test_client().get(f"/t/{thread.id}").get_data(as_text=True)
    assert_masked(page)
    assert "<strong>****</strong>" in page
    for readable in ("2026-01-15", "警号 150123", "¥1,299.00"):
        assert readable in page


def test_api_thread_and_posts_json_are_masked(app, client, login, leaky):
    author, thread, _ = leaky
    anonymous = app.test_client()
    assert_masked(dumped(anonymous.get(f"/api/v1/threads/{thread.id}").get_json()))
    assert_masked(dumped(anonymous.get("/api/v1/boards/qa/threads").get_json()))
    login(author)  # the author reads what they typed
    mine = dumped(client.get(f"/api/v1/threads/{thread.id}").get_json())
    assert all(secret in mine for _, secret in SAMPLES)


def test_search_snippets_are_masked(app, leaky):
    anonymous = app.test_client()
    found = anonymous.get("/api/v1/search", query_string={"q": WORD}).get_json()["results"]
    assert found, "the corpus thread should be found"
    assert_masked(dumped(found))
    assert_masked(anonymous.get("/search", query_string={"q": WORD}).get_data(as_text=True))


def test_live_payloads_are_masked(app, make):
    author = make.make_user()
    sock = sio(app)  # an anonymous reader following the board and the thread
    assert join(sock, "board:qa")["ok"]
    thread = make.make_thread(author, "qa", title=f"{WORD} {SAMPLES[1][0]}", body=sample_text())
    assert join(sock, f"thread:{thread.id}")["ok"]
    make.make_post(thread, author, body=sample_text())
    received = events(sock)
    assert {"thread_created", "post_created"} <= {name for name, _ in received}
    assert_masked(dumped(received))
    caught_up = sock.emit("catch_up", {"thread_id": thread.id}, callback=True)
    assert caught_up["ok"] and caught_up["posts"]
    assert_masked(dumped(caught_up))


def test_notification_text_is_masked_for_another_reader(app, client, make, login):
    author = make.make_user()
    other = make.make_user(username="linju_01")
    thread = make.make_thread(author, "qa", title=f"{WORD} {SAMPLES[1][0]}")
    make.make_post(thread, author, body="@linju_01 您也看看")
    login(other)
    items = client.get("/api/v1/me/notifications").get_json()["notifications"]
    assert items and "提到了您" in items[0]["text"]
    assert_masked(dumped(items))


@pytest.fixture
def handled(make):
    """A thread escalated, dispatched (an incident number), noted and resolved by the unit, then
    rated by its asker; the status notes and the comment carry the samples."""
    asker = make.make_user()
    officer = make.make_user("officer", unit_code="online-desk")
    dispatcher = make.make_user("dispatcher")
    station = make.make_user("officer", unit_code="station-nanmen")
    thread = make.make_thread(asker, "qa", body="楼下有人打架")
    escalation.escalate(officer, thread, "需要出警", "urgent")
    escalation.dispatch(dispatcher, thread, "station-nanmen")
    status.change(station, thread, "handling", note=f"已联系 {SAMPLES[1][0]} {SAMPLES[0][0]}")
    status.change(station, thread, "resolved", note=f"车主电话 {SAMPLES[2][0]}")
    supervision.rate(asker, thread, 5, comment=f"民警很负责,卡号 {SAMPLES[3][0]} {SAMPLES[4][0]}")
    return asker, station, thread


def test_status_notes_and_rating_comments_are_masked(app, client, login, handled):
    asker, station, thread = handled
    anonymous = app.test_client()
    page = anonymous.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "已联系" in page and "民警很负责" in page and "车主电话" in page
    assert_masked(page)
    assert thread.incident_no and thread.incident_no in page  # the incident number stays
    fragment = anonymous.get(f"/t/{thread.id}/timeline").get_data(as_text=True)
    assert "已联系" in fragment
    assert_masked(fragment)
    api = anonymous.get(f"/api/v1/threads/{thread.id}").get_json()
    assert [e for e in api["thread"]["timeline"] if "已联系" in (e["text"] or "")]
    assert_masked(dumped(api))
    assert thread.incident_no in dumped(api)
    assert_masked(dumped(anonymous.get(f"/api/v1/threads/{thread.id}/timeline").get_json()))


def test_status_notes_are_original_for_police_and_comments_for_their_author(
        app, client, login, handled):
    asker, station, thread = handled
    login(station)
    police = dumped(client.get(f"/api/v1/threads/{thread.id}/timeline").get_json())
    assert all(secret in police for _, secret in SAMPLES)
    login(asker)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert SAMPLES[3][1] in page  # the asker's own rating comment
    assert SAMPLES[1][1] not in page  # an officer's note is not the asker's text


def test_composer_warns_about_typed_formats(client, make, login):
    login(make.make_user())
    for body, label in ((f"身份证 {fmt(ID18, (6, 8, 4), '-')}", "身份证号"),
                        ("手机：１３９－８７６５－４３２１", "手机号"),
                        (f"卡号 {fmt(CARD19, (4, 4, 4, 4, 3), '.')}", "银行卡号")):
        found = client.post("/api/v1/privacy/check", json={"body": body}).get_json()
        assert found["message"] == f"您的内容包含{label},公开显示时将被遮盖", body

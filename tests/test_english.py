"""Issue 21, foreign residents: the interface in English beside Simplified Chinese.

The pages a foreigner uses on the exit-entry board, rendered in English, keep no interface word in
Chinese (tests/han_text.py: residents' own words are marked and left out); the switch is
remembered per browser, Accept-Language decides a first visit, Chinese stays the default; dates
and counts follow the language; the anonymous page cache never serves one language's page to the
other; API errors speak the client's language with unchanged codes; and the committed catalog is
complete and compiled."""
from __future__ import annotations

from datetime import timedelta

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import refresh

from board import i18n
from board.models import utcnow
from board.queries.bulletins import for_thread as bulletin_for_thread
from board.services import escalation, following, status
from tests.han_text import untranslated
from tests.test_ratelimits import _sign_in, limited  # noqa: F401 (the fixture)

EN = {"Accept-Language": "en-US,en;q=0.9"}
PASSPORT_QUESTION = ("护照到期了怎么续签 Q2 签证", "我的护照 E12345678 下个月到期,Q2 签证还能续吗?")


def assert_english(response, page: str) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 400, 403, 404, 429), (page, response.status_code)
    assert '<html lang="en"' in html, page
    left = untranslated(html)
    assert not left, f"untranslated on {page}: {left}"
    return html


@pytest.fixture
def story(make):
    """An exit-entry question by a resident, answered by an officer, dispatched, resolved."""
    resident = make.make_user(nickname="John Smith")
    officer = make.make_user("officer", unit_code="exit-entry")
    dispatcher = make.make_user("dispatcher")
    thread = make.make_thread(resident, "exit-entry", "help", title=PASSPORT_QUESTION[0],
                              body=PASSPORT_QUESTION[1], location="昆区阿尔丁大街")
    make.make_post(thread, officer, "您好,请携带护照到出入境大厅办理。")
    make.make_post(thread, resident, "谢谢!")
    following.follow(make.make_user(), thread, same_question=True)
    escalation.escalate(officer, thread, "需要上门核实", "normal")
    escalation.dispatch(dispatcher, thread, "station-aerding", "请核实")
    station = make.make_user("officer", unit_code="station-aerding")
    status.change(station, thread, "handling")
    status.change(station, thread, "resolved", "已办结")
    return {"resident": resident, "officer": officer, "thread": thread}


def test_pages_a_foreigner_uses_have_no_untranslated_words(client, login, story, make):
    thread = story["thread"]
    client.set_cookie("lang", "en", domain="board.test")
    anonymous = ["/", "/b/exit-entry", "/b/exit-entry?sort=same_question", f"/t/{thread.id}",
                 "/search", "/search?q=Q2", "/search?q=nothingmatchesthis", "/login",
                 "/register", "/forgot-password", "/privacy", "/no-such-page"]
    for path in anonymous:
        assert_english(client.get(path), path)
    login(story["resident"])
    signed_in = ["/", f"/t/{thread.id}", "/b/exit-entry/new", "/me", "/me/security",
                 "/me/close", "/notifications", "/me/following", "/me/notification-settings",
                 f"/t/{thread.id}/report", f"/officers/{story['officer'].id}"]
    for path in signed_in:
        assert_english(client.get(path), path)
    refused = client.post("/b/exit-entry/new", data={"kind": "help", "title": "", "body": ""})
    html = assert_english(refused, "the new-thread form, refused")
    assert "Required" in html and "Please fill in the details" in html


def test_the_thread_page_reads_in_english(client, story):
    thread = story["thread"]
    html = client.get(f"/t/{thread.id}", headers=EN).get_data(as_text=True)
    assert "is handling it. Incident number <span data-user-text>JQ" in html  # the step, translated
    for words in ("Progress", "Resolved", "Officers dispatched", "Resident posted",
                  "Verified officer", "asked the same", "Sign in</a> to reply"):
        assert words in html, words
    assert PASSPORT_QUESTION[0] in html  # the resident's words stay as written
    assert "Exit &amp; Entry" in html  # the board's name_en from boards_config.yaml


def test_the_rating_form_and_flash_are_english(client, login, story):
    thread = story["thread"]
    client.set_cookie("lang", "en", domain="board.test")
    login(story["resident"])
    html = assert_english(client.get(f"/t/{thread.id}"), "the rating form")
    assert "please rate how the police handled it" in html
    response = client.post(f"/t/{thread.id}/rate", data={"score": "5"}, follow_redirects=True)
    assert "Thank you for your rating!" in assert_english(response, "after rating")


def test_chinese_is_the_default_and_accept_language_decides_a_first_visit(client):
    assert '<html lang="zh-CN"' in client.get("/").get_data(as_text=True)
    assert "版块" in client.get("/").get_data(as_text=True)
    html = client.get("/", headers=EN).get_data(as_text=True)
    assert '<html lang="en"' in html and "Boards" in html
    mixed = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
    assert '<html lang="zh-CN"' in client.get("/", headers=mixed).get_data(as_text=True)
    other = {"Accept-Language": "fr-FR,fr;q=0.9"}
    assert '<html lang="zh-CN"' in client.get("/", headers=other).get_data(as_text=True)


def test_the_switch_is_remembered_per_browser_over_accept_language(app, client, login, make):
    response = client.post("/lang", data={"lang": "en", "next": "/b/exit-entry"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/b/exit-entry")
    assert "lang=en" in response.headers["Set-Cookie"]
    assert "Max-Age=31536000" in response.headers["Set-Cookie"]
    zh_browser = {"Accept-Language": "zh-CN"}
    assert '<html lang="en"' in client.get("/", headers=zh_browser).get_data(as_text=True)
    client.post("/lang", data={"lang": "zh"})
    assert '<html lang="zh-CN"' in client.get("/", headers=EN).get_data(as_text=True)
    client.post("/lang", data={"lang": "xx"})  # an unknown choice changes nothing
    assert '<html lang="zh-CN"' in client.get("/", headers=EN).get_data(as_text=True)
    # The switch is on every page, written in the language it offers.
    html = client.get("/").get_data(as_text=True)
    assert 'value="en" lang="en"' in html and ">English</button>" in html


def test_signed_in_switch_needs_the_csrf_token(app, make):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    user = make.make_user()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"username": user.username, "password": "password123",
                                "csrf_token": token})
    assert client.post("/lang", data={"lang": "en"}).status_code == 400
    assert "lang=en" not in (client.get("/").headers.get("Set-Cookie") or "")


def test_dates_and_numbers_follow_the_language(app, make):
    when = utcnow() - timedelta(days=40)
    with app.test_request_context(headers=EN):
        from board.web import templating

        assert templating.timeago(utcnow() - timedelta(minutes=5)) == "5 min ago"
        assert templating.duration(3900) == "1 h 5 min"
        assert templating.number(12345) == "12,345"
        shown = templating.timeago(when)
        assert shown[:3].isalpha() and str(when.year) in shown  # e.g. "Oct 22, 2026"
        noon = utcnow().replace(hour=4, minute=5)  # 12:05 in Beijing
        assert templating.beijing(noon).endswith("12:05")
    with app.test_request_context():
        refresh()  # the test's one app context would otherwise keep the locale chosen above
        assert templating.timeago(utcnow() - timedelta(minutes=5)) == "5分钟前"
        assert templating.beijing(noon).endswith("日 12:05")


def test_the_page_cache_keeps_one_page_per_language(app, client, make):
    app.config["ANON_CACHE"] = True
    make.make_thread(board_slug="exit-entry")
    first = client.get("/b/exit-entry", headers=EN)
    assert first.headers["X-Anon-Cache"] == "miss" and '<html lang="en"' in first.get_data(True)
    chinese = client.get("/b/exit-entry", headers={"Accept-Language": "zh-CN"})
    assert chinese.headers["X-Anon-Cache"] == "miss"
    assert '<html lang="zh-CN"' in chinese.get_data(as_text=True)
    again = client.get("/b/exit-entry", headers=EN)
    assert again.headers["X-Anon-Cache"] == "hit" and '<html lang="en"' in again.get_data(True)
    assert "Accept-Language" in again.headers["Vary"]
    assert again.headers["Content-Language"] == "en"
    client.set_cookie("lang", "zh", domain="board.test")
    chosen = client.get("/b/exit-entry", headers=EN)
    assert '<html lang="zh-CN"' in chosen.get_data(as_text=True)


def test_api_errors_speak_the_clients_language_with_the_same_codes(client, make):
    english = client.get("/api/v1/threads/999999", headers=EN).get_json()["error"]
    chinese = client.get("/api/v1/threads/999999").get_json()["error"]
    assert english["code"] == chinese["code"] == "not_found"
    assert not untranslated(english["message"]) and "不存在" in chinese["message"]
    user = make.make_user()
    from tests.factories import bearer

    refused = client.post("/api/v1/boards/exit-entry/threads", json={"kind": "help"},
                          headers={**bearer(user), **EN}).get_json()["error"]
    assert refused["code"] == "validation_failed"
    assert refused["fields"] and all(not untranslated(v) for v in refused["fields"].values())


def test_the_catalog_is_complete_and_its_compiled_file_agrees():
    po_path = i18n.TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    assert i18n.untranslated(po_path) == [], "run `flask translate update`, translate, compile"
    with open(po_path, "rb") as fh:
        po = {m.id: m.string for m in read_po(fh) if m.id}
    with open(po_path.with_suffix(".mo"), "rb") as fh:
        mo = {m.id: m.string for m in read_mo(fh) if m.id}
    assert po == mo, "messages.mo is stale: run `flask translate compile`"
    with open(i18n.TRANSLATIONS / "messages.pot", "rb") as fh:
        template = {m.id for m in read_po(fh) if m.id}
    assert template <= set(po), "the .po lacks strings of messages.pot: `flask translate update`"


def test_extraction_finds_every_marked_string(tmp_path, monkeypatch):
    """A string marked in a template or in Python reaches messages.pot: re-extracting into a
    scratch file yields no string the committed template lacks (`flask translate update`)."""
    monkeypatch.setattr(i18n, "_POT", tmp_path / "messages.pot")
    i18n.extract()
    with open(tmp_path / "messages.pot", "rb") as fh:
        fresh = {m.id for m in read_po(fh) if m.id}
    with open(i18n.TRANSLATIONS / "messages.pot", "rb") as fh:
        committed = {m.id for m in read_po(fh) if m.id}
    assert fresh - committed == set(), "new strings: run `flask translate update`"


def test_live_pushes_carry_each_languages_markup_whoever_posts(app, make):
    """A reply or row pushed live is rendered for each audience, not in its poster's language: a
    foreigner's reply reaches Chinese readers in Chinese (`html`) and English readers in English
    (`html_en`, picked by static/js/live.js on pages whose <html lang> is en)."""
    from board.services import posting
    from tests.test_live import events, join, sio

    resident = make.make_user(nickname="John Smith")
    officer = make.make_user("officer", unit_code="exit-entry")
    thread = make.make_thread(resident, "exit-entry", "question", title="Q2 visa extension")
    reader, lister = sio(app), sio(app)
    assert join(reader, f"thread:{thread.id}")["ok"] and join(lister, "board:exit-entry")["ok"]
    reader.get_received()
    lister.get_received()
    with app.test_request_context(headers=EN):  # the poster reads English
        posting.reply(officer, thread, "您好,请带护照来办理。")
    [(_, pushed)] = events(reader, "post_created")
    assert "实名认证民警" in pushed["html"] and "Verified officer" in pushed["html_en"]
    assert untranslated(pushed["html_en"]) == []
    rows = [payload for _, payload in events(lister, "thread_updated")]
    assert rows and "回复" in rows[-1]["html"]["board"]
    assert untranslated(rows[-1]["html_en"]["board"]) == []


def test_posting_limits_are_told_in_english(limited, make):  # noqa: F811 (the fixture)
    """The allowance line before typing and the refusal after it (board/web/ratelimits.py)."""
    _, client = limited(RATELIMIT_THREAD_NEW_ACCOUNT="2 per day")
    client.set_cookie("lang", "en", domain="board.test")
    _sign_in(client, make.make_user())
    html = assert_english(client.get("/b/exit-entry/new"), "the form with its allowance")
    assert "Today: 2 more posts allowed" in html
    for n in range(3):
        response = client.post("/b/exit-entry/new", data={
            "kind": "question", "title": f"Visa question number {n}",
            "body": "How do I extend my Q2 visa?"})
    html = assert_english(response, "the refused form")
    assert "at most 2 threads on its first day" in html
    assert "How do I extend my Q2 visa?" in html  # kept


def test_editing_and_its_history_are_english(client, login, make):
    resident = make.make_user()
    thread = make.make_thread(resident, "exit-entry", "question",
                              title="Visa extension Q2 question",
                              body="How long does a Q2 visa extension take?")
    client.set_cookie("lang", "en", domain="board.test")
    login(resident)
    assert_english(client.get(f"/t/{thread.id}/edit"), "the edit form")
    client.post(f"/t/{thread.id}/edit", data={"title": "Visa extension Q2, how long?",
                                              "body": "How long does it take?", "location": ""})
    html = assert_english(client.get(f"/t/{thread.id}/history"), "the edit history")
    assert "Version 1" in html and "Visa extension Q2 question" in html


def test_the_composers_privacy_warning_is_english(client):
    response = client.post("/api/v1/privacy/check", json={"body": "Call me on 13812345678"},
                           headers=EN)
    message = response.get_json()["message"]
    assert "personal data (Mobile number)" in message and not untranslated(message)
    chinese = client.post("/api/v1/privacy/check", json={"body": "电话13812345678"}).get_json()
    assert chinese["message"] == "您的内容包含手机号,公开显示时将被遮盖"


# --- the features merged beside the English interface: alerts, sharing, bulletins, stations,
# partner agencies. Officers' alert words, bulletin places and agency names are their writers'
# words (data-user-text); every word around them is English.

def test_an_alert_banner_reads_in_english(client, make):
    """The banner is drawn by static/js/alerts.js from /api/v1/alerts/active: its level tag comes
    from the API in the reader's language, its buttons from the page."""
    from board.services import alerts

    officer = make.make_user("officer", unit_code="exit-entry")
    alerts.publish_alert(officer, title="警惕冒充客服退款诈骗", level="urgent", target="boards",
                         boards=["exit-entry"], text="客服不会要求您共享屏幕或转账,请立即挂断。")
    client.set_cookie("lang", "en", domain="board.test")
    for path in ("/", "/b/exit-entry"):
        html = assert_english(client.get(path), path)
        assert 'data-ack-label="Got it"' in html and 'data-more-label="Details"' in html
    [shown] = client.get("/api/v1/alerts/active?board=exit-entry").get_json()["alerts"]
    assert shown["level_label"] == "Urgent" and shown["title"] == "警惕冒充客服退款诈骗"
    page = assert_english(client.get(shown["url"]), "the alert's page")
    assert "Sent to: " in page and "Urgent" in page


def test_the_share_box_and_a_station_page_read_in_english(client, story):
    client.set_cookie("lang", "en", domain="board.test")
    html = assert_english(client.get(f"/t/{story['thread'].id}"), "the thread's share box")
    assert 'data-copied="Link copied"' in html and ">QR code<" in html
    html = assert_english(client.get("/station/station-aerding"), "a station page")
    assert "Boards this station answers" in html and "All boards" in html
    assert_english(client.get("/station/station-aerding/poster"), "a station's poster")


def test_bulletins_read_in_english(client, login, make):
    from board.services import bulletins

    station = make.make_user("officer", unit_code="station-nanmen")
    wallet = bulletins.publish(station, "lost_found", "南门外大街公交站捡到黑色钱包",
                               "黑色皮质钱包,内有现金和银行卡。", "南门外大街公交站",
                               utcnow() - timedelta(hours=3)).item
    appeal = bulletins.publish(station, "missing_person", "寻找走失老人:男,78岁",
                               "穿灰色棉袄,说本地口音。", "富强路早市附近",
                               utcnow() - timedelta(hours=5)).item
    wallet, appeal = bulletin_for_thread(wallet), bulletin_for_thread(appeal)
    client.set_cookie("lang", "en", domain="board.test")
    html = assert_english(client.get("/bulletins"), "the bulletins list")
    assert "Lost and found" in html and "Missing person" in html
    for bulletin in (wallet, appeal):
        html = assert_english(client.get(f"/t/{bulletin.thread_id}"), "a bulletin's page")
        assert "Searching" in html and "Place" in html
        poster = assert_english(client.get(f"/bulletins/{bulletin.id}/poster"), "its poster")
        assert "Contact" in poster
    login(make.make_user(nickname="John Smith"))
    assert_english(client.get("/bulletins"), "the bulletins list, signed in")
    assert_english(client.get("/bulletins/new"), "the form to post a notice")
    assert_english(client.get("/me/alert-follows"), "the alert subscriptions")
    refused = client.post("/bulletins/new", data={"kind": "lost_found", "title": "", "body": ""})
    assert "Please fill in" in assert_english(refused, "the notice form, refused")
    html = assert_english(client.get(f"/t/{wallet.thread_id}"), "a bulletin, signed in")
    assert "It is mine / I have information: message the police station" in html
    client.post(f"/bulletins/{wallet.id}/messages", data={"body": "钱包里有我的工作证,姓王。"})
    html = assert_english(client.get(f"/bulletins/{wallet.id}/messages"), "the claim messages")
    assert "钱包里有我的工作证" in html  # the claimant's words, as written


def test_an_agency_reply_reads_in_english(client, login, make):
    from board.services import agencies

    resident = make.make_user(nickname="John Smith")
    thread = make.make_thread(resident, "report", kind="help", title="Lift broken for 3 days",
                              body="The lift of building 3 has been broken for three days.")
    agency = make.make_agency("幸福里物业")
    officer = make.make_user("officer", unit_code="station-nanmen")
    agencies.invite(officer, thread, agency.id)
    manager = make.make_user("agency", agency=agency, nickname="物业客服小赵")
    make.make_post(thread, manager, "配件明天到,后天修好。")
    client.set_cookie("lang", "en", domain="board.test")
    html = assert_english(client.get(f"/t/{thread.id}"), "a thread with an agency reply")
    assert 'title="Partner agency (not police)"' in html
    assert "Partner agency·<span data-user-text>幸福里物业</span>" in html
    assert "Invited partner agency <span data-user-text>幸福里物业</span>" in html  # the step
    login(resident)
    assert_english(client.get(f"/t/{thread.id}"), "the asker's view of it")
    bell = assert_english(client.get("/notifications"), "the asker's bell")
    assert "(Partner agency·幸福里物业)" in bell


def test_a_live_push_speaks_chinese_whoever_publishes_it(app, client, login, story, monkeypatch):
    """A resident using English replies: everyone else's badge must not turn English. The
    thread's JSON keeps its Chinese labels, with the English status beside them."""
    from board import live

    pushed = []
    monkeypatch.setattr(live, "_emit", lambda event, payload, rooms: pushed.append(payload))
    login(story["resident"])
    response = client.post(f"/api/v1/threads/{story['thread'].id}/posts",
                           json={"body": "Thank you, it is clear now."}, headers=EN)
    assert response.status_code == 201
    threads = [p["thread"] for p in pushed if "thread" in p]
    assert threads, "the reply was announced"
    for thread in threads:
        assert thread["status_label"] == "已办结" and thread["status_label_en"] == "Resolved"


def test_a_failed_sign_in_says_why_in_english(client, make):
    user = make.make_user(nickname="John Smith")
    response = client.post("/login", data={"username": user.username, "password": "wrong-one"},
                           headers=EN)
    assert response.status_code == 400
    assert "Wrong username or password" in assert_english(response, "login, refused")

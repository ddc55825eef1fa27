"""Replies pushed to an open thread page are the replies the page renders: the same markup (the
officer's badge with name, badge number and unit, the contact line, photos, the hidden notice),
and each audience gets only its own: the thread room (any reader) the masked reply without
per-reader actions, police and the author the original text of a hidden reply, and a catch-up
exactly the asking reader's page."""
from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from board.services import attachments, moderation_reports, posting, status
from tests.test_live import events, join, sio

pytestmark = pytest.mark.usefixtures("no_search_indexing")

PHONE = "13812345678"
ID_NO = "150203198001011238"  # a valid check digit: masked as 150***********1238
NOTE = "嫌疑人已锁定,勿对外透露"


@pytest.fixture
def cast(make):
    citizen = make.make_user("citizen", username="asker01", nickname="小王")
    officer = make.make_user("officer", username="zhangwei", real_name="张伟",
                             badge_no="150123", unit_code="hukou", contact="0471-6668888")
    return citizen, officer, make.make_thread(citizen, "hukou")


def _page_post(html: str, post_id: int) -> str:
    """One reply's <li> on a thread page (its photos' <li>s end in </a></li>)."""
    match = re.search(rf'<li class="post[^"]*" id="p{post_id}".*?(?<!</a>)</li>', html, re.S)
    assert match, f"post {post_id} not on the page"
    return match.group(0)


def _token_free(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', html)


def _png() -> FileStorage:
    raw = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(raw, "PNG")
    return FileStorage(io.BytesIO(raw.getvalue()), "photo.png")


def test_pushed_reply_is_the_reply_a_reload_shows(app, client, cast):
    citizen, officer, thread = cast
    reader = sio(app)  # an anonymous reader has the thread open
    assert join(reader, f"thread:{thread.id}")["ok"]
    reader.get_received()

    answer = posting.reply(officer, thread, "您好,请带户口簿到窗口办理。")
    question = posting.reply(citizen, thread, f"好的,我的电话{PHONE}")
    pushed = {p["post"]["id"]: p["html"] for _, p in events(reader, "post_created")}

    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert pushed[answer.id] == _page_post(page, answer.id)
    assert pushed[question.id] == _page_post(page, question.id)
    badge = pushed[answer.id]
    assert '<strong class="officer-name" data-user-text>张伟</strong>' in badge
    assert '<span class="badge-no">警号 150123</span>' in badge
    assert '<span class="unit" data-user-text>市公安局户政管理支队</span>' in badge
    assert "联系方式:<span data-user-text>0471-6668888</span>" in badge
    assert "138****5678" in pushed[question.id]


def test_photos_added_after_a_reply_arrive_live(app, client, cast):
    """The reply is announced on commit, its photos a moment later: readers see both."""
    citizen, _, thread = cast
    reader = sio(app)
    assert join(reader, f"thread:{thread.id}")["ok"]
    post = posting.reply(citizen, thread, "现场照片如下。")
    saved, errors = attachments.attach(citizen, thread, post, [_png()])
    assert saved and not errors
    [(_, updated)] = events(reader, "post_updated")
    assert f"/media/{saved[0].id}/thumb" in updated["html"]
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert updated["html"] == _page_post(page, post.id)


def test_thread_room_never_gets_originals_or_police_markup(app, make, cast):
    citizen, officer, thread = cast
    room = f"thread:{thread.id}"
    anyone = sio(app)
    police = sio(app, token=make.token(officer))
    author = sio(app, token=make.token(citizen))
    for sock in (anyone, police, author):
        assert join(sock, room)["ok"]
        sock.get_received()

    post = posting.reply(citizen, thread, f"我的身份证{ID_NO},电话{PHONE}")
    status.change(officer, thread, "answered", NOTE, internal=True)
    moderation_reports.hide(officer, thread, post, "含个人信息")

    public = events(anyone)
    assert [name for name, _ in public].count("post_updated") == 1
    sent = json.dumps(public, ensure_ascii=False)
    for secret in (ID_NO, PHONE, NOTE, "internal-note", "hide-form", "csrf_token", "含个人信息"):
        assert secret not in sent
    [(_, created)] = [e for e in public if e[0] == "post_created"]
    assert "138****5678" in created["html"] and "150***********1238" in created["html"]
    [(_, hidden)] = [e for e in public if e[0] == "post_updated"]
    assert not hidden.get("html")  # the page removes it

    for sock in (police, author):  # they read the original, with why it is hidden
        full, redacted = (payload for _, payload in events(sock, "post_updated"))
        assert not redacted.get("html")  # the room's, after theirs: their page keeps the reply
        assert PHONE in full["html"] and ID_NO in full["html"]
        assert "此回复已被民警隐藏:<span data-user-text>含个人信息</span>" in full["html"]
        assert "csrf_token" not in full["html"]  # a broadcast carries nobody's actions


def test_catch_up_gives_each_reader_their_own_page(app, client, make, login, cast):
    citizen, officer, thread = cast
    other = make.make_user("citizen", username="other01", nickname="小李")
    answer = posting.reply(officer, thread, "您好,已收到。")
    mine = posting.reply(citizen, thread, f"电话{PHONE}")

    def caught_up(user=None):
        sock = sio(app, token=make.token(user) if user else None)
        assert join(sock, f"thread:{thread.id}")["ok"]
        reply = sock.emit("catch_up", {"thread_id": thread.id, "after_post_id": 0},
                          callback=True)
        return {p["id"]: p["html"] for p in reply["posts"]}

    anonymous, police, reader = caught_up(), caught_up(officer), caught_up(other)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert anonymous[mine.id] == _page_post(page, mine.id)
    assert anonymous[answer.id] == _page_post(page, answer.id)
    assert PHONE in police[mine.id] and "hide-form" in police[mine.id]
    login(officer)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert _token_free(police[mine.id]) == _token_free(_page_post(page, mine.id))
    assert "举报此帖" in reader[mine.id] and PHONE not in reader[mine.id]

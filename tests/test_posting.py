"""The core loop in the browser: a citizen asks through the forms, an officer answers under a real
name, and the thread's status and first-response time follow."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from board.extensions import db
from board.models import Post, Thread, ThreadStatus

pytestmark = pytest.mark.usefixtures("no_search_indexing")


def _thread_count() -> int:
    return db.session.scalar(db.select(db.func.count(Thread.id)))


def _reload(thread: Thread) -> Thread:
    db.session.expire_all()
    return db.session.get(Thread, thread.id)


def test_citizen_registers_posts_and_sees_the_thread_at_the_top_of_the_board(client, make):
    older = make.make_threads(3, board_slug="hukou")
    client.post("/register", data={"username": "zhangdajie", "nickname": "张大姐",
                                   "password": "password123", "accept_privacy": "y"})
    form = client.get("/b/hukou/new")
    assert form.status_code == 200

    response = client.post("/b/hukou/new", data={
        "kind": "question", "title": "户口簿丢了怎么补办", "body": "搬家时弄丢了,需要带什么材料?",
        "location": "东河区"})
    assert response.status_code == 302
    thread_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    thread = db.session.get(Thread, thread_id)
    assert thread.author.username == "zhangdajie" and thread.board.slug == "hukou"
    assert thread.status == ThreadStatus.AWAITING_REPLY and thread.kind == "question"

    page = client.get(f"/t/{thread_id}").get_data(as_text=True)
    assert "户口簿丢了怎么补办" in page and "搬家时弄丢了" in page and "张大姐" in page
    assert "待回复" in page and "东河区" in page

    board_page = client.get("/b/hukou").get_data(as_text=True)
    assert make.listed_thread_ids(board_page) == [thread_id] + [t.id for t in reversed(older)]
    home = client.get("/").get_data(as_text=True)
    assert make.listed_thread_ids(home)[0] == thread_id
    assert make.board("hukou").thread_count == 4


def test_new_thread_form_needs_sign_in(client):
    response = client.get("/b/hukou/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/b/hukou/new", data={"kind": "question", "title": "匿名发帖试试",
                                             "body": "内容"}).status_code == 302
    assert _thread_count() == 0


REJECTED = [
    ("户口迁", "正文写了", "标题需为 4–80 个字"),          # 3 characters
    ("问" * 81, "正文写了", "标题需为 4–80 个字"),         # 81 characters
    ("户口迁移怎么办理", "", "请填写内容"),                 # empty body
    ("户口迁移怎么办理", "   \n  ", "请填写内容"),          # blank body
    ("户口迁移怎么办理", "字" * 5001, "5000"),              # body too long
]


def test_rejected_thread_form_says_why_in_chinese_and_keeps_what_was_typed(client, make, login):
    login(make.make_user())
    for title, body, message in REJECTED:
        response = client.post("/b/hukou/new", data={"kind": "help", "title": title,
                                                     "body": body, "location": "青山区富强路"})
        page = response.get_data(as_text=True)
        assert response.status_code == 400, title
        assert message in page, title
        assert f'value="{title}"' in page
        if body.strip():
            assert body in page  # the textarea shows the typed text again
        assert 'value="青山区富强路"' in page
        assert "checked" in re.search(r'<input[^>]*value="help"[^>]*>', page).group(0)
    assert _thread_count() == 0


def test_title_limits_are_inclusive(client, make, login):
    login(make.make_user())
    for title in ("户口迁移", "问" * 80):
        response = client.post("/b/hukou/new", data={"kind": "question", "title": title,
                                                     "body": "好"})
        assert response.status_code == 302, title
    assert set(db.session.scalars(db.select(Thread.title))) == {"户口迁移", "问" * 80}


def test_officer_reply_shows_the_verified_badge_and_records_the_first_response(client, make,
                                                                                login):
    citizen = make.make_user(nickname="刘大爷")
    officer = make.make_user("officer", unit_code="hukou", real_name="王海峰", badge_no="150231")
    thread = make.make_thread(citizen, "hukou", title="身份证过期了怎么换")
    thread.created_at = thread.created_at - timedelta(minutes=30)  # asked half an hour ago
    db.session.commit()

    login(officer)
    response = client.post(f"/t/{thread.id}/reply", data={"body": "带上旧证到户籍窗口即可换领。"})
    assert response.status_code == 302

    thread = _reload(thread)
    post = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id))
    assert post.official and post.official_name == "王海峰" and post.official_badge_no == "150231"
    assert thread.status == ThreadStatus.ANSWERED
    assert thread.first_responder_id == officer.id
    assert thread.first_response_at == post.created_at
    assert 30 * 60 <= thread.first_response_seconds < 31 * 60
    assert thread.has_official_reply and thread.reply_count == 1

    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    tag, markup = make.post_html(page, post.id)
    assert "official" in tag
    assert "王海峰" in markup and "150231" in markup and "警号" in markup
    assert "市公安局户政管理支队" in markup
    assert "已回复" in page and "30分钟" in page  # status and the first-response time

    row = client.get("/b/hukou").get_data(as_text=True)
    assert "官方回复" in row and "已回复" in row


def test_citizen_reply_changes_neither_status_nor_first_response(client, make, login):
    asker = make.make_user(nickname="青山小李")
    thread = make.make_thread(asker, "hukou")
    login(asker)
    more = client.post(f"/t/{thread.id}/reply", data={"body": "补充一下:是集体户口。"})
    assert more.status_code == 302
    thread = _reload(thread)
    assert thread.status == ThreadStatus.AWAITING_REPLY
    assert thread.first_response_at is None and thread.first_responder_id is None
    assert not thread.has_official_reply and thread.reply_count == 1
    post = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id))
    assert not post.official
    tag, markup = make.post_html(client.get(f"/t/{thread.id}").get_data(as_text=True), post.id)
    assert "official" not in tag and "officer-badge" not in markup and "青山小李" in markup


def test_later_replies_keep_the_first_response(make):
    asker = make.make_user()
    first, second = (make.make_user("officer", unit_code="hukou") for _ in range(2))
    thread = make.make_thread(asker, "hukou")
    make.make_post(thread, first)
    answered_at = _reload(thread).first_response_at
    make.make_post(thread, asker, body="谢谢警官!")
    make.make_post(thread, second, body="补充说明。")
    thread = _reload(thread)
    assert thread.status == ThreadStatus.ANSWERED
    assert thread.first_responder_id == first.id and thread.first_response_at == answered_at
    assert thread.reply_count == 3


def test_empty_reply_is_rejected_in_chinese(client, make, login):
    thread = make.make_thread()
    login(make.make_user())
    response = client.post(f"/t/{thread.id}/reply", data={"body": "  "})
    assert response.status_code == 400 and "请填写回复内容" in response.get_data(as_text=True)
    assert _reload(thread).reply_count == 0


def test_user_text_is_escaped_on_every_page(client, make):
    thread = make.make_thread(title="<script>alert(1)</script>怎么办",
                              body="<img src=x onerror=alert(1)> **加粗**")
    make.make_post(thread, body="<b onclick=x>hi</b>")
    for path in (f"/t/{thread.id}", "/b/hukou", "/"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in page and "&lt;script&gt;" in page, path
        assert "<img src=x" not in page and "<b onclick" not in page, path
    assert "<strong>加粗</strong>" in client.get(f"/t/{thread.id}").get_data(as_text=True)

"""举报此帖, the review queue, hiding with a reason the author sees, suspensions, the word list."""
from __future__ import annotations

import pytest

from board.extensions import db
from board.models import Board, Post, Report, Thread, User

pytestmark = pytest.mark.usefixtures("no_search_indexing")  # search is tested elsewhere


def _board(slug="qa"):
    return db.session.scalar(db.select(Board).where(Board.slug == slug))


def test_citizen_reports_a_reply_and_it_reaches_the_review_queue(client, make, login):
    thread = make.make_thread()
    rude = make.make_post(thread, body="骂人的话")
    reader = make.make_user()
    login(reader)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "举报此帖" in page
    form = client.get(f"/t/{thread.id}/report?post={rude.id}")
    assert form.status_code == 200 and "举报原因" in form.get_data(as_text=True)
    done = client.post(f"/t/{thread.id}/report?post={rude.id}", data={"reason": "abuse",
                                                                    "detail": "人身攻击"},
                       follow_redirects=True)
    assert "已收到您的举报" in done.get_data(as_text=True)
    # Reporting twice does not flood the queue.
    client.post(f"/t/{thread.id}/report?post={rude.id}", data={"reason": "abuse"})
    assert db.session.scalar(db.select(db.func.count(Report.id))) == 1
    assert client.get("/review").status_code == 403
    login(make.make_user("officer"))
    queue = client.get("/review").get_data(as_text=True)
    assert "骂人的话" in queue and "辱骂、人身攻击" in queue and "人身攻击" in queue


def test_officer_hides_a_reply_with_a_reason_the_author_sees(client, make, login):
    thread = make.make_thread()
    author = make.make_user()
    post = make.make_post(thread, author, body="这里有别人的电话和住址")
    login(make.make_user("officer"))
    response = client.post(f"/t/{thread.id}/hide?post={post.id}", data={"reason": "含他人隐私信息"})
    assert response.status_code == 302
    assert db.session.get(Post, post.id).hidden
    client.post("/logout")
    public = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "这里有别人的电话和住址" not in public
    posts = client.get(f"/api/v1/threads/{thread.id}").get_json()["posts"]
    assert all(p["id"] != post.id for p in posts)
    login(author)
    mine = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "这里有别人的电话和住址" in mine and "含他人隐私信息" in mine and "已被民警隐藏" in mine
    api = client.get(f"/api/v1/threads/{thread.id}").get_json()
    assert next(p for p in api["posts"] if p["id"] == post.id)["hidden_reason"] == "含他人隐私信息"
    login(make.make_user("officer"))
    client.post(f"/t/{thread.id}/unhide?post={post.id}")
    client.post("/logout")
    assert "这里有别人的电话和住址" in client.get(f"/t/{thread.id}").get_data(as_text=True)


def test_hiding_a_thread_removes_it_from_lists_and_the_count(client, make, login):
    author = make.make_user()
    thread = make.make_thread(author, "qa", title="将被隐藏的一个帖子")
    before = _board().thread_count
    officer = make.make_user("officer", unit_code="online-desk")  # answers qa
    login(officer)
    client.post(f"/t/{thread.id}/hide", data={"reason": "广告信息"})
    db.session.expire_all()
    assert _board().thread_count == before - 1
    client.post("/logout")
    assert "将被隐藏的一个帖子" not in client.get("/b/qa").get_data(as_text=True)
    assert client.get(f"/t/{thread.id}").status_code == 404
    assert client.get(f"/api/v1/threads/{thread.id}").status_code == 404
    login(author)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "广告信息" in page and "将被隐藏的一个帖子" in client.get("/me").get_data(as_text=True)
    login(officer)
    client.post(f"/t/{thread.id}/unhide")
    db.session.expire_all()
    assert _board().thread_count == before


def test_hide_needs_a_reason_and_an_officer(client, make, login):
    thread = make.make_thread()
    login(make.make_user())
    denied = client.post(f"/api/v1/threads/{thread.id}/hide", json={"reason": "我不喜欢"})
    assert denied.status_code == 403
    login(make.make_user("officer"))
    response = client.post(f"/api/v1/threads/{thread.id}/hide", json={"reason": ""})
    assert response.status_code == 400 and "reason" in response.get_json()["error"]["fields"]
    assert not db.session.get(Thread, thread.id).hidden


def test_word_list_holds_a_post_for_review_instead_of_publishing(
        client, make, login, app, monkeypatch):
    from board.extensions import socketio

    sent = []
    monkeypatch.setattr(socketio, "emit",
                        lambda event, payload, **kw: sent.append((event, kw.get("to"))))
    app.config["MODERATION_WORDS"] = "代开发票,刷单返利"
    author = make.make_user()
    thread = make.make_thread()
    sent.clear()
    held = make.make_post(thread, author, body="低价代开发票,联系我")
    assert held.hidden and "待" in held.hidden_reason
    assert not [e for e in sent if e[0] == "post_created"], "a held reply must not go out live"
    assert "代开发票" not in client.get(f"/t/{thread.id}").get_data(as_text=True)
    login(author)
    assert "正在审核" in client.get(f"/t/{thread.id}").get_data(as_text=True)
    officer = make.make_user("officer")
    login(officer)
    queue = client.get("/review").get_data(as_text=True)
    assert "待审核" in queue and "低价代开发票" in queue
    item = db.session.scalar(db.select(Report).where(Report.post_id == held.id))
    client.post(f"/review/{item.id}/keep")
    assert not db.session.get(Post, held.id).hidden
    assert [e for e in sent if e[0] == "post_created"], "approval announces it live"


def test_word_list_holds_a_new_thread_and_it_is_not_counted(make, app):
    app.config["MODERATION_WORDS"] = ["刷单返利"]
    before = _board().thread_count
    thread = make.make_thread(title="刷单返利日结高薪", body="加我")
    db.session.expire_all()
    assert thread.hidden and _board().thread_count == before
    officer_thread = make.make_thread(make.make_user("officer"), title="警惕刷单返利诈骗",
                                      body="提醒")
    assert not officer_thread.hidden  # the police warn about such words


def test_word_list_from_a_file(make, app, tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("# 注释\n出售迷魂药\n", encoding="utf-8")
    app.config["MODERATION_WORDS"] = []
    app.config["MODERATION_WORDLIST"] = str(words)
    assert make.make_thread(body="有出售迷魂药的吗").hidden
    assert not make.make_thread(body="普通问题").hidden


def test_admin_suspends_an_account_and_it_can_no_longer_post(client, make, login):
    troll = make.make_user()
    admin = make.make_user("admin")
    login(admin)
    response = client.post(f"/admin/users/{troll.id}/suspend", data={"reason": "多次发布广告"})
    assert response.status_code == 302
    user = db.session.get(User, troll.id)
    assert user.disabled and user.disabled_reason == "多次发布广告"
    client.post("/logout")
    refused = client.post("/login", data={"username": troll.username, "password": "password123"})
    assert refused.status_code == 403  # the right password: told it is suspended, and why
    assert "多次发布广告" in refused.get_data(as_text=True)


def test_officers_cannot_suspend_and_admins_cannot_suspend_themselves(client, make, login):
    citizen = make.make_user()
    login(make.make_user("officer"))
    client.post(f"/admin/users/{citizen.id}/suspend", data={"reason": "试试看"})
    assert not db.session.get(User, citizen.id).disabled
    admin = make.make_user("admin")
    login(admin)
    client.post(f"/admin/users/{admin.id}/suspend", data={"reason": "手滑了"})
    assert not db.session.get(User, admin.id).disabled


def test_report_api_and_review_api(client, make, login):
    thread = make.make_thread()
    login(make.make_user())
    created = client.post(f"/api/v1/threads/{thread.id}/report", json={"reason": "spam"})
    assert created.status_code == 201
    bad = client.post(f"/api/v1/threads/{thread.id}/report", json={"reason": "无此原因"})
    assert bad.status_code == 400
    assert client.get("/api/v1/review").status_code == 403
    login(make.make_user("officer"))
    reports = client.get("/api/v1/review").get_json()["reports"]
    assert reports and reports[0]["thread_id"] == thread.id and reports[0]["reason"] == "spam"


def test_nobody_reports_their_own_post(client, make, login):
    author = make.make_user()
    thread = make.make_thread(author)
    login(author)
    assert "举报此帖" not in client.get(f"/t/{thread.id}").get_data(as_text=True)
    report = client.post(f"/api/v1/threads/{thread.id}/report", json={"reason": "spam"})
    assert report.status_code == 403

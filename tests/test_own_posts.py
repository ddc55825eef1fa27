"""Residents fix and withdraw their own posts (issue 18): the window (30 minutes, or until an
officer answers), the edit history for the police and the author, 「已编辑」 and 「作者已撤回」 for
the public, masking, search, the page cache and live readers following the edit, the audit."""
from __future__ import annotations

from datetime import timedelta

import pytest

from board.errors import Conflict
from board.extensions import db
from board.models import AuditEntry, Board, Post, Revision, Thread, User, utcnow
from board.services import attachments, editing, posting
from tests.test_live import events, join, sio
from tests.test_live_posts import _png

PHONE = "13812345678"
MASKED = "138****5678"


@pytest.fixture
def cast(make):
    asker = make.make_user(nickname="东河小陈")
    officer = make.make_user("officer", unit_code="hukou", real_name="李建国", badge_no="150777")
    thread = make.make_thread(asker, "hukou", title="新生儿落户需要带什么材料",
                              body="孩子刚出生,想问上户口要带哪些证件。")
    return asker, officer, thread


def _older(target, minutes: int) -> None:
    target.created_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()


def _as(client, login, user=None):
    client.post("/logout")
    if user is not None:
        login(user)


@pytest.mark.usefixtures("no_search_indexing")
def test_author_edits_and_readers_see_the_new_words_masked_with_the_history_for_police(
        client, login, make, cast):
    asker, officer, thread = cast
    cached = client.get(f"/t/{thread.id}").get_data(as_text=True)  # the anonymous page cache
    assert "新生儿落户需要带什么材料" in cached and "已编辑" not in cached

    login(asker)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert f'href="/t/{thread.id}/edit"' in page and "撤回" in page
    form = client.get(f"/t/{thread.id}/edit")
    assert form.status_code == 200 and "孩子刚出生" in form.get_data(as_text=True)
    saved = client.post(f"/t/{thread.id}/edit", data={
        "title": "新生儿在医院出生后怎么落户", "location": "东河区",
        "body": f"孩子上周出生,请问落户要带什么?我的电话 {PHONE}"})
    assert saved.status_code == 302
    mine = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert PHONE in mine and "编辑记录" in mine  # the author reads their own words

    _as(client, login)  # anonymous: the cached page was replaced, the phone is masked
    public = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "新生儿在医院出生后怎么落户" in public and "已编辑" in public
    assert MASKED in public and PHONE not in public
    assert "孩子刚出生" not in public and "编辑记录" not in public
    api = client.get(f"/api/v1/threads/{thread.id}").get_json()["thread"]
    assert api["edited_at"] and MASKED in api["body"] and PHONE not in api["body"]
    assert client.get(f"/t/{thread.id}/history").status_code == 302  # sign in first
    assert client.get(f"/api/v1/threads/{thread.id}/history").status_code == 401

    _as(client, login, make.make_user())  # another resident: 「已编辑」, no history
    assert client.get(f"/t/{thread.id}/history").status_code == 403
    assert client.get(f"/api/v1/threads/{thread.id}/history").status_code == 403
    assert client.patch(f"/api/v1/threads/{thread.id}", json={"body": "别人改的"}).status_code \
        == 403

    _as(client, login, officer)  # the police read every version, unmasked
    history = client.get(f"/t/{thread.id}/history").get_data(as_text=True)
    assert "孩子刚出生,想问上户口要带哪些证件。" in history
    assert "新生儿落户需要带什么材料" in history
    assert PHONE in history and "第 1 版" in history
    versions = client.get(f"/api/v1/threads/{thread.id}/history").get_json()["revisions"]
    assert [v["title"] for v in versions] == ["新生儿落户需要带什么材料"]
    assert versions[0]["action"] == "edit"


@pytest.mark.usefixtures("no_search_indexing")
def test_the_window_closes_after_30_minutes_and_when_an_officer_answers(
        client, login, make, cast):
    asker, officer, thread = cast
    early = make.make_post(thread, asker, "补充一下:孩子在市医院出生。")
    login(asker)
    ok = client.patch(f"/api/v1/posts/{early.id}", json={"body": "补充:孩子在市妇幼保健院出生。"})
    assert ok.status_code == 200 and ok.get_json()["post"]["edited_at"]

    _older(early, 31)  # half an hour has passed
    late = client.patch(f"/api/v1/posts/{early.id}", json={"body": "再改一次"})
    assert late.status_code == 409
    error = late.get_json()["error"]
    assert error["code"] == "edit_closed" and "30 分钟" in error["message"]
    assert set(error) == {"code", "message", "fields"}
    page = client.get(f"/p/{early.id}/edit", follow_redirects=True).get_data(as_text=True)
    assert "30 分钟" in page and f'href="/p/{early.id}/edit"' not in page

    make.make_post(thread, officer, "您好,请带出生医学证明和户口簿到派出所办理。")
    answered = client.patch(f"/api/v1/threads/{thread.id}", json={"title": "改一下标题可以吗"})
    assert answered.status_code == 409 and "民警已经回复" in answered.get_json()["error"]["message"]
    assert client.post(f"/t/{thread.id}/edit", data={
        "title": "改一下标题可以吗", "body": "改了"}, follow_redirects=True).status_code == 200
    assert db.session.get(Thread, thread.id).title == "新生儿落户需要带什么材料"

    after = make.make_post(thread, asker, "谢谢,明天上午去办。")  # written after the answer
    assert client.patch(f"/api/v1/posts/{after.id}",
                        json={"body": "谢谢,明天下午去办。"}).status_code == 200
    _as(client, login, officer)  # an official answer stands as given
    own = db.session.scalar(db.select(Post).where(Post.official.is_(True)))
    assert client.patch(f"/api/v1/posts/{own.id}", json={"body": "改答复"}).status_code == 403
    assert client.post(f"/api/v1/posts/{own.id}/withdraw").status_code == 403


@pytest.mark.usefixtures("no_search_indexing")
def test_withdrawn_post_shows_as_withdrawn_police_read_it_and_it_is_audited(
        client, login, make, cast):
    asker, officer, thread = cast
    reply = make.make_post(thread, asker, f"打错了,我的身份证号和电话 {PHONE} 不该发出来")
    other = make.make_post(thread, make.make_user(), "我也想问这个。")
    (photo,), _ = attachments.attach(asker, thread, reply, [_png()])
    assert db.session.get(Thread, thread.id).reply_count == 2
    _older(reply, 120)  # withdrawing has no window
    login(asker)
    assert client.post(f"/p/{reply.id}/withdraw").status_code == 302
    assert client.post(f"/api/v1/posts/{reply.id}/withdraw").status_code == 409  # once

    _as(client, login)
    public = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "作者已撤回" in public and "不该发出来" not in public
    assert PHONE not in public and MASKED not in public
    assert "我也想问这个" in public
    data = client.get(f"/api/v1/threads/{thread.id}").get_json()
    assert data["thread"]["reply_count"] == 1  # the count follows
    shown = {p["id"]: p for p in data["posts"]}
    assert shown[reply.id]["withdrawn"] and "不该发出来" not in shown[reply.id]["body"]
    assert shown[other.id]["withdrawn"] is False
    assert client.get(f"/media/{photo.id}").status_code == 404  # its photos went with it
    assert f"/media/{photo.id}" not in public

    _as(client, login, officer)
    assert "查看原文与编辑记录" in client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert client.get(f"/media/{photo.id}").status_code == 200
    original = client.get(f"/p/{reply.id}/history").get_data(as_text=True)
    assert "不该发出来" in original and PHONE in original and "撤回" in original
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "post.withdraw"))
    assert entry.actor_id == asker.id and entry.target_id == reply.id
    assert db.session.get(Revision, entry.after["revision_id"]).body.startswith("打错了")


@pytest.mark.usefixtures("no_search_indexing")
def test_withdrawn_thread_leaves_the_lists_and_keeps_its_address(client, login, make, cast):
    asker, officer, thread = cast
    board = db.session.get(Board, thread.board_id)
    before = board.thread_count
    login(asker)
    assert client.post(f"/api/v1/threads/{thread.id}/withdraw").status_code == 200
    db.session.expire_all()
    assert db.session.get(Board, thread.board_id).thread_count == before - 1
    _as(client, login)
    assert thread.id not in [t["id"] for t in
                             client.get("/api/v1/boards/hukou/threads").get_json()["threads"]]
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert page.count("作者已撤回") >= 2 and "孩子刚出生" not in page
    _as(client, login, officer)  # the inbox still lists it for the police, the original readable
    assert "孩子刚出生" in client.get(f"/t/{thread.id}/history").get_data(as_text=True)


def test_search_finds_the_new_words_and_not_the_removed_ones(client, login, make, cast):
    asker, _, thread = cast
    login(asker)
    reply = make.make_post(thread, asker, "孩子的出生证明上名字写成了喀什噶尔怎么办")
    assert [r["thread_id"] for r in client.get(
        "/api/v1/search", query_string={"q": "喀什噶尔"}).get_json()["results"]] == [thread.id]
    edited = client.patch(f"/api/v1/posts/{reply.id}",
                          json={"body": "孩子的出生证明上名字写成了乌鲁木齐怎么办"})
    assert edited.status_code == 200

    def found(q):
        return [r["thread_id"] for r in
                client.get("/api/v1/search", query_string={"q": q}).get_json()["results"]]

    assert found("乌鲁木齐") == [thread.id]
    assert found("喀什噶尔") == []
    client.post(f"/api/v1/posts/{reply.id}/withdraw")
    assert found("乌鲁木齐") == []


@pytest.mark.usefixtures("no_search_indexing")
def test_open_pages_receive_the_edit_and_the_withdrawal(app, client, login, make, cast):
    asker, _, thread = cast
    reply = make.make_post(thread, asker, "补充:孩子是双胞胎。")
    reader = sio(app)
    assert join(reader, f"thread:{thread.id}")["ok"]
    reader.get_received()
    login(asker)

    client.patch(f"/api/v1/posts/{reply.id}", json={"body": f"补充:双胞胎,电话 {PHONE}"})
    (_, pushed), = events(reader, "post_updated")
    assert pushed["post"]["id"] == reply.id and MASKED in pushed["html"]
    assert PHONE not in str(pushed) and "已编辑" in pushed["html"]
    assert "编辑记录" not in pushed["html"] and "撤回" not in pushed["html"]  # nobody's links

    client.patch(f"/api/v1/threads/{thread.id}", json={"title": "双胞胎新生儿怎么落户"})
    page = [p for _, p in events(reader, "thread_updated") if "html" in p]
    assert page and "双胞胎新生儿怎么落户" in page[0]["html"]
    assert "data-thread-content" in page[0]["html"]

    client.post(f"/api/v1/posts/{reply.id}/withdraw")
    (_, gone), = events(reader, "post_updated")
    assert "作者已撤回" in gone["html"] and "双胞胎" not in gone["html"]
    reader.disconnect()


@pytest.mark.usefixtures("no_search_indexing")
def test_an_edit_is_read_by_the_word_list_like_a_new_post(client, login, make, cast):
    asker, _, thread = cast
    reply = make.make_post(thread, asker, "请问办理要多久?")
    login(asker)
    edited = client.patch(f"/api/v1/posts/{reply.id}", json={"body": "加我做刷单返利,日赚三百"})
    assert edited.status_code == 200 and edited.get_json()["held"] is True
    _as(client, login)
    data = client.get(f"/api/v1/threads/{thread.id}").get_json()
    assert data["thread"]["reply_count"] == 0 and data["posts"] == []
    assert "刷单返利" not in client.get(f"/t/{thread.id}").get_data(as_text=True)


@pytest.mark.usefixtures("no_search_indexing")
def test_an_answer_committed_while_the_edit_is_in_flight_closes_the_window(app, make, cast):
    """The author's request loaded the thread before an officer's answer committed in another
    session (the status-race tests' pattern): the edit re-reads the thread's row, locked, and is
    refused instead of changing the question under the answer."""
    asker, officer, thread = cast
    assert thread.last_official_reply_at is None  # the author's page loaded it unanswered
    with app.app_context():  # the officer's request, its own session and connection
        posting.reply(db.session.get(User, officer.id), db.session.get(Thread, thread.id),
                      "您好,请带出生医学证明到派出所办理。")
        db.session.remove()
    with pytest.raises(Conflict) as refused:
        editing.edit(asker, thread, None, "改过的内容", thread.title, thread.location)
    assert "民警已经回复" in refused.value.message
    db.session.rollback()
    assert db.session.get(Thread, thread.id).body == "孩子刚出生,想问上户口要带哪些证件。"

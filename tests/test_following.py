"""关注 / 同问 (issue 17): counts that add up, the form without JavaScript (CSRF-checked), the API,
my followed threads with unread marks, the board sorted by demand and the inbox showing it; the
bell grouping alike entries; @mentions by an officer's real name, suggestions and public cards."""
from __future__ import annotations

import re

import pytest

from board import mentions
from board.bell_entries import group_entries
from board.extensions import db, socketio
from board.models import Notification
from board.services import posting

pytestmark = pytest.mark.usefixtures("no_search_indexing")


@pytest.fixture
def thread(make):
    asker = make.make_user("citizen", username="asker17", nickname="老周")
    return make.make_thread(asker, "hukou", title="新生儿落户要去哪个派出所")


def test_same_question_counts_add_up_and_show_on_thread_board_and_inbox(
        app, client, make, login, thread):
    neighbours = [make.make_user("citizen") for _ in range(3)]
    for user in neighbours:
        api = app.test_client()
        api.post("/login", data={"username": user.username, "password": "password123"})
        first = api.post(f"/api/v1/threads/{thread.id}/follow", json={"same_question": True})
        again = api.post(f"/api/v1/threads/{thread.id}/follow", json={"same_question": True})
        assert first.status_code == again.status_code == 200
    assert again.json == {"following": True, "same_question": True, "same_question_count": 3}
    gone = api.delete(f"/api/v1/threads/{thread.id}/follow")
    assert gone.json == {"following": False, "same_question": False, "same_question_count": 2}

    login(thread.author)  # the asker follows from the start and cannot 同问 their own question
    own = client.post(f"/api/v1/threads/{thread.id}/follow", json={"same_question": True})
    assert own.status_code == 400 and own.json["error"]["fields"]["same_question"]
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "我的提问 · 已关注" in page and 'value="same_question"' not in page

    other = make.make_thread(thread.author, "hukou", title="身份证丢了怎么补办")
    board = app.test_client().get("/b/hukou?sort=same_question").get_data(as_text=True)
    assert "2 人同问" in board
    assert board.index("新生儿落户要去哪个派出所") < board.index("身份证丢了怎么补办")
    listing = app.test_client().get("/api/v1/boards/hukou/threads?sort=same_question").json
    assert [t["id"] for t in listing["threads"]][:2] == [thread.id, other.id]
    assert listing["threads"][0]["same_question_count"] == 2
    assert app.test_client().get("/api/v1/boards/hukou/threads?sort=x").status_code == 400

    officer = make.make_user("officer", unit_code="hukou")
    inbox = app.test_client()
    inbox.post("/login", data={"username": officer.username, "password": "password123"})
    assert "2 人同问" in inbox.get("/inbox").get_data(as_text=True)


def test_follow_form_works_without_javascript_and_checks_csrf(app, client, make, login, thread):
    reader = make.make_user("citizen")
    login(reader)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert 'data-follow-form' in page and "0</span> 人同问" in page
    done = client.post(f"/t/{thread.id}/follow", data={"action": "same_question"},
                       follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "已同问" in page and "1</span> 人同问" in page
    client.post(f"/t/{thread.id}/follow", data={"action": "unfollow"})
    assert "0</span> 人同问" in client.get(f"/t/{thread.id}").get_data(as_text=True)

    app.config["WTF_CSRF_ENABLED"] = True
    forged = client.post(f"/t/{thread.id}/follow", data={"action": "follow"})
    assert forged.status_code == 400
    api = client.post(f"/api/v1/threads/{thread.id}/follow", json={})
    assert api.status_code == 400  # a browser session's API write needs X-CSRFToken too
    anonymous = app.test_client().post(f"/api/v1/threads/{thread.id}/follow", json={})
    assert anonymous.status_code == 401


def test_my_following_has_unread_marks_cleared_by_opening_the_thread(
        app, client, make, login, thread):
    reader = make.make_user("citizen")
    login(reader)
    client.post(f"/api/v1/threads/{thread.id}/follow", json={})
    mine = client.get("/api/v1/me/following").json["threads"]
    assert [(t["id"], t["unread"]) for t in mine] == [(thread.id, False)]
    posting.reply(make.make_user("officer", unit_code="hukou"), thread, "您好,到户籍所在地派出所。")
    assert client.get("/api/v1/me/following").json["threads"][0]["unread"] is True
    assert "有更新" in client.get("/me/following").get_data(as_text=True)
    page = socketio.test_client(app, flask_test_client=client)  # the page opens, goes live
    page.emit("join", {"room": f"thread:{thread.id}"}, callback=True)
    page.disconnect()
    assert client.get("/api/v1/me/following").json["threads"][0]["unread"] is False
    assert client.get("/api/v1/me/following?before=junk").status_code == 400


def test_bell_groups_alike_entries(client, make, login, thread):
    wang = make.make_user("officer", real_name="王海峰", unit_code="hukou")
    li = make.make_user("officer", real_name="李明", unit_code="hukou")
    for officer, body in ((li, "第一条答复"), (wang, "第二条答复"), (li, "第三条"),
                          (wang, "第四条")):
        posting.reply(officer, thread, body)
    login(thread.author)
    page = client.get("/notifications").get_data(as_text=True)
    assert "王海峰等 2 位民警回复了您的帖子「新生儿落户要去哪个派出所」(4 条)" in page
    groups = client.get("/api/v1/me/notifications").json["groups"]
    assert len(groups) == 1 and groups[0]["count"] == 4 and len(groups[0]["ids"]) == 4
    # Marking the group read marks all four.
    ids = groups[0]["ids"]
    client.post("/notifications/read", data={"id": [str(i) for i in ids]})
    assert client.get("/api/v1/me/notifications").json["unread_count"] == 0


def test_group_entries_keeps_unlike_entries_apart():
    def entry(i, kind, thread_id, read=False, actor="王海峰"):
        return {"id": i, "kind": kind, "thread_id": thread_id, "read": read, "text": f"t{i}",
                "thread_title": "标题", "actor": {"display_name": actor, "real_name": actor}}
    groups = group_entries([entry(5, "official_reply", 1), entry(4, "official_reply", 1),
                            entry(3, "official_reply", 2), entry(2, "mention", 2),
                            entry(1, "mention", 2), entry(0, "official_reply", 2, read=True)])
    assert [(g["ids"], g["count"]) for g in groups] == [
        ([5, 4], 2), ([3], 1), ([2], 1), ([1], 1), ([0], 1)]
    assert groups[0]["text"] == "王海峰回复了您的帖子「标题」(2 条)"


@pytest.mark.parametrize("text, names", [
    ("@王海峰您好,请问几点上班", ["王海峰"]),
    ("麻烦 @王海 看一下", ["王海"]),
    ("邮箱 a@王海峰.com 不是", []),
    ("@欧阳娜娜、@王海峰", ["欧阳娜娜", "王海峰"]),
])
def test_real_name_mentions_take_the_longest_name(make, text, names):
    for name in ("王海峰", "王海", "欧阳娜娜"):
        make.make_user("officer", real_name=name, unit_code="hukou")
    make.make_user("citizen", nickname="王海峰")  # a citizen's nickname is not a real name
    assert sorted(u.real_name for u in mentions.named_officials(text)) == sorted(names)


def test_mention_by_real_name_notifies_links_and_is_suggested(app, client, make, login, thread):
    wang = make.make_user("officer", real_name="王海峰", badge_no="330101", unit_code="hukou")
    make.make_user("officer", real_name="王小红", unit_code="traffic")  # another unit's
    login(thread.author)
    suggested = client.get(f"/api/v1/threads/{thread.id}/mention-suggestions?q=王").json
    assert [o["name"] for o in suggested["officers"]] == ["王海峰"]
    assert suggested["officers"][0]["mention"] == "@王海峰"
    assert app.test_client().get(
        f"/api/v1/threads/{thread.id}/mention-suggestions?q=王").status_code == 401

    post = posting.reply(thread.author, thread, "@王海峰您好,周六能办吗?")
    assert re.search(rf'<a class="mention" href="/officers/{wang.id}"[^>]*>@王海峰</a>您好',
                     post.body_html)
    note = db.session.scalar(db.select(Notification).where(Notification.user_id == wang.id))
    assert note.kind == "mention"
    card = app.test_client().get(f"/officers/{wang.id}").get_data(as_text=True)
    assert "王海峰" in card and "330101" in card and "户政" in card
    assert app.test_client().get(f"/officers/{thread.author_id}").status_code == 404
    api = app.test_client().get(f"/api/v1/officers/{wang.id}").json["officer"]
    assert api["badge_no"] == "330101" and api["role_label"] == "民警"


def test_notification_settings_page_and_api(client, make, login):
    user = make.make_user("citizen")
    login(user)
    got = client.get("/api/v1/me/notification-settings").json
    assert got["sms"] is True and got["quiet_start"] == "22:00" and got["phone_verified"] is False
    bad = client.put("/api/v1/me/notification-settings",
                     json={"quiet_end": "25:00", "sms": "yes", "email_address": "not-mail"})
    assert bad.status_code == 400
    assert set(bad.json["error"]["fields"]) == {"quiet_end", "sms", "email_address"}
    page = client.post("/me/notification-settings",
                       data={"sms": "1", "followed": "1", "quiet_start": "21:30",
                             "quiet_end": "08:00", "email_address": ""}, follow_redirects=True)
    assert "提醒设置已保存" in page.get_data(as_text=True)
    got = client.get("/api/v1/me/notification-settings").json
    assert (got["quiet_start"], got["quiet_end"], got["email"]) == ("21:30", "08:00", False)
    shown = client.post("/me/notification-settings", data={"email": "1", "quiet_start": "x"})
    assert shown.status_code == 400
    assert "开启邮件提醒需要填写邮箱地址" in shown.get_data(as_text=True)

"""Live events over Socket.IO (python-socketio's test client): rooms and their permissions,
replies, catch-up after a gap, typing, notifications and the bell, @mentions."""
from __future__ import annotations

import pytest

from board import mentions
from board.extensions import db, socketio
from board.models import Notification, Post, Visibility
from board.queries.notifications import unread_count
from board.services import accounts, notifications, posting


def sio(app, client=None, token=None):
    """A Socket.IO client: signed in through `client`'s session cookie, a token, or anonymous."""
    flask_client = client or app.test_client()
    return socketio.test_client(app, flask_test_client=flask_client,
                                auth={"token": token} if token else None)


def events(sock, name=None):
    got = sock.get_received()
    return [(e["name"], e["args"][0]) for e in got if name is None or e["name"] == name]


def join(sock, room):
    return sock.emit("join", {"room": room}, callback=True)


@pytest.fixture
def people(make):
    citizen = make.make_user("citizen", username="asker01", nickname="小王")
    officer = make.make_user("officer", username="zhangwei", real_name="张伟",
                             badge_no="150123", unit_code="hukou")
    return citizen, officer


def test_join_then_officer_reply_arrives_with_badge(app, client, make, login, people):
    citizen, officer = people
    thread = make.make_thread(citizen, "hukou")
    login(citizen)
    sock = sio(app, client)
    assert join(sock, f"thread:{thread.id}") == {"ok": True, "room": f"thread:{thread.id}"}
    sock.get_received()

    posting.reply(officer, thread, "您好,户口迁移请带身份证到窗口办理。")

    received = events(sock)
    created = [e for e in received if e[0] == "post_created"]
    assert len(created) == 1
    post = created[0][1]["post"]
    assert created[0][1]["thread_id"] == thread.id
    assert post["official"] is True
    assert post["author"]["real_name"] == "张伟"
    assert post["author"]["badge_no"] == "150123"
    assert post["author"]["unit"] == "市公安局户政管理支队"
    assert "户口迁移" in post["body_html"]
    updated = [d["thread"] for name, d in received if name == "thread_updated"]
    assert updated[-1]["status"] == "answered" and updated[-1]["official_answered"] is True


def test_status_change_reaches_thread_room(app, make, people):
    citizen, officer = people
    thread = make.make_thread(citizen, "hukou")
    sock = sio(app)  # anonymous readers may follow public threads
    assert join(sock, f"thread:{thread.id}")["ok"]
    posting.reply(officer, thread, "已收到。")
    updates = events(sock, "thread_updated")
    assert updates and updates[-1][1]["thread"]["status"] == "answered"
    assert updates[-1][1]["thread"]["reply_count"] == 1


def test_later_replies_reach_the_thread_room_once_each(app, make, people):
    """Once a thread is answered, a further reply is one message per reader, not two."""
    citizen, officer = people
    thread = make.make_thread(citizen, "hukou")
    posting.reply(officer, thread, "已收到,正在核实。")
    sock = sio(app)
    assert join(sock, f"thread:{thread.id}")["ok"]
    posting.reply(officer, thread, "核实完毕,请周一来窗口办理。")
    posting.reply(citizen, thread, "好的,谢谢民警同志。")
    received = events(sock)
    assert [name for name, _ in received] == ["post_created", "post_created"]


def test_police_only_thread_room_is_closed_to_others(app, make, login, client, people):
    citizen, officer = people
    stranger = make.make_user("citizen")
    secret = make.make_thread(citizen, "hukou", visibility=Visibility.POLICE_ONLY,
                              body="线索:某小区有人贩卖假证。")
    room = f"thread:{secret.id}"

    anonymous = sio(app)
    assert join(anonymous, room) == {"ok": False, "error": "forbidden"}
    login(stranger)
    stranger_sock = sio(app, client)
    assert join(stranger_sock, room) == {"ok": False, "error": "forbidden"}
    assert stranger_sock.emit("catch_up", {"thread_id": secret.id, "after_post_id": 0},
                              callback=True)["ok"] is False
    author_sock = sio(app, token=accounts.issue_token(citizen))
    assert join(author_sock, room)["ok"]
    officer_sock = sio(app, token=accounts.issue_token(officer))
    assert join(officer_sock, room)["ok"]
    for s in (anonymous, stranger_sock, author_sock, officer_sock):
        s.get_received()

    posting.reply(officer, secret, "已转交属地派出所核查。")

    assert events(author_sock, "post_created")
    assert events(officer_sock, "post_created")
    assert events(anonymous) == []
    assert events(stranger_sock) == []


def test_clients_cannot_join_server_assigned_rooms(app, make, people):
    citizen, officer = people
    sock = sio(app)
    assert join(sock, f"user:{citizen.id}")["ok"] is False
    assert join(sock, "unit:hukou")["ok"] is False
    assert join(sock, "thread:999999")["ok"] is False


def test_board_room_gets_public_threads_only_and_inbox_gets_both(app, make, people):
    citizen, officer = people
    other_unit = make.make_user("officer", unit_code="traffic")
    board_sock = sio(app)
    assert join(board_sock, "board:hukou")["ok"]
    home_sock = sio(app)
    assert join(home_sock, "home")["ok"]
    inbox_sock = sio(app, token=accounts.issue_token(officer))  # put in unit:hukou on connect
    traffic_sock = sio(app, token=accounts.issue_token(other_unit))
    for s in (board_sock, home_sock, inbox_sock, traffic_sock):
        s.get_received()

    public = make.make_thread(citizen, "hukou", title="身份证补办要多久")
    secret = make.make_thread(citizen, "hukou", title="举报线索一则",
                              visibility=Visibility.POLICE_ONLY)

    board_ids = [d["thread"]["id"] for _, d in events(board_sock, "thread_created")]
    assert board_ids == [public.id]
    assert [d["thread"]["id"] for _, d in events(home_sock, "thread_created")] == [public.id]
    inbox_events = events(inbox_sock, "thread_created")
    assert [d["thread"]["id"] for _, d in inbox_events] == [public.id, secret.id]
    assert inbox_events[0][1]["thread"]["status"] == "awaiting_reply"
    assert events(traffic_sock, "thread_created") == []

    posting.reply(officer, public, "一般 20 个工作日。")  # answered: it leaves the inbox live
    updates = events(inbox_sock, "thread_updated")
    assert updates[-1][1]["thread"]["id"] == public.id
    assert updates[-1][1]["thread"]["status"] == "answered"
    assert all(d["thread"]["id"] != secret.id for _, d in events(board_sock))


def test_catch_up_returns_exactly_the_missed_posts_in_order(app, make, people):
    citizen, officer = people
    thread = make.make_thread(citizen, "hukou")
    seen = make.make_post(thread, citizen, "补充一下情况。")
    sock = sio(app, token=accounts.issue_token(citizen))
    join(sock, f"thread:{thread.id}")
    sock.disconnect()  # the phone locks

    missed = [posting.reply(officer, thread, f"第{i}条答复") for i in range(3)]
    hidden = make.make_post(thread, make.make_user("citizen"), "广告内容")
    hidden.hidden = True
    db.session.commit()
    after = posting.reply(officer, thread, "最后一条")

    sock = sio(app, token=accounts.issue_token(citizen))  # the phone is back
    assert join(sock, f"thread:{thread.id}")["ok"]
    reply = sock.emit("catch_up", {"thread_id": thread.id, "after_post_id": seen.id},
                      callback=True)
    got = [p["id"] for p in reply["posts"]]
    assert got == [p.id for p in missed] + [after.id]  # hidden one left out, nothing twice
    assert reply["thread"]["status"] == "answered" and reply["more"] is False
    again = sock.emit("catch_up", {"thread_id": thread.id, "after_post_id": after.id},
                      callback=True)
    assert again["posts"] == []
    staff = sio(app, token=accounts.issue_token(officer))  # police do see the hidden post
    staff_reply = staff.emit("catch_up", {"thread_id": thread.id, "after_post_id": seen.id},
                             callback=True)
    assert hidden.id in [p["id"] for p in staff_reply["posts"]]


def test_catch_up_over_polling_transport_and_bad_input(app, make, people):
    citizen, officer = people
    thread = make.make_thread(citizen, "hukou")
    first = posting.reply(officer, thread, "您好")
    sock = sio(app)
    assert sock.emit("catch_up", {"thread_id": thread.id, "after_post_id": 0},
                     callback=True)["posts"][0]["id"] == first.id
    assert sock.emit("catch_up", {"thread_id": "x"}, callback=True)["ok"] is False
    assert sock.emit("catch_up", None, callback=True)["ok"] is False


def test_typing_shows_officers_to_the_thread_not_to_themselves(app, make, people):
    citizen, officer = people
    thread = make.make_thread(citizen, "hukou")
    reader = sio(app, token=accounts.issue_token(citizen))
    typist = sio(app, token=accounts.issue_token(officer))
    for s in (reader, typist):
        join(s, f"thread:{thread.id}")
        s.get_received()

    assert typist.emit("typing", {"thread_id": thread.id}, callback=True)["ok"]
    typing = events(reader, "typing")
    assert len(typing) == 1
    assert typing[0][1]["user"]["real_name"] == "张伟" and typing[0][1]["typing"] is True
    assert events(typist, "typing") == []

    assert typist.emit("typing", {"thread_id": thread.id}, callback=True)["throttled"]
    assert events(reader, "typing") == []
    typist.emit("typing", {"thread_id": thread.id, "typing": False})
    assert events(reader, "typing")[0][1]["typing"] is False

    assert reader.emit("typing", {"thread_id": thread.id}, callback=True)["ok"] is False
    assert events(typist, "typing") == []  # citizens' typing is not relayed


def test_token_auth_and_bad_token(app, make, people):
    citizen, _ = people
    good = sio(app, token=accounts.issue_token(citizen))
    assert good.is_connected()
    bad = sio(app, token="not-a-token")
    assert not bad.is_connected()


def test_notifications_official_reply_participants_and_unread_counts(app, make, people):
    citizen, officer = people
    neighbour = make.make_user("citizen")
    thread = make.make_thread(citizen, "hukou")
    make.make_post(thread, neighbour, "我也想知道。")
    bell = sio(app, token=accounts.issue_token(citizen))
    neighbour_bell = sio(app, token=accounts.issue_token(neighbour))
    bell.get_received()  # the neighbour's reply notified the asker already
    neighbour_bell.get_received()
    assert unread_count(citizen.id) == 1

    post = posting.reply(officer, thread, "请携带户口本办理。")

    got = events(bell, "notification")
    assert len(got) == 1
    note = got[0][1]["notification"]
    assert note["kind"] == "official_reply" and got[0][1]["unread_count"] == 2
    assert "张伟" in note["text"] and note["url"].endswith(f"#p{post.id}")
    assert db.session.get(Notification, note["id"]) is not None  # written before emitted
    other = events(neighbour_bell, "notification")
    assert other[0][1]["notification"]["kind"] == "reply"
    assert unread_count(officer.id) == 0  # nobody is told of their own post


def test_mentions_notify_by_username_and_respect_visibility(app, make, people):
    citizen, officer = people
    outsider = make.make_user("citizen", username="lisi_99")
    thread = make.make_thread(citizen, "hukou")
    officer_bell = sio(app, token=accounts.issue_token(officer))
    officer_bell.get_received()

    make.make_post(thread, citizen, "@zhangwei 张警官您好,请问材料齐了吗?")
    got = events(officer_bell, "notification")
    assert [d["notification"]["kind"] for _, d in got] == ["mention"]

    secret = make.make_thread(citizen, "hukou", visibility=Visibility.POLICE_ONLY,
                              body="@lisi_99 @zhangwei 请核实")
    kinds = {n.user_id: n.kind for n in db.session.scalars(
        db.select(Notification).where(Notification.thread_id == secret.id))}
    assert kinds == {officer.id: "mention"}  # the outsider may not read it, so is not told
    assert unread_count(outsider.id) == 0


@pytest.mark.parametrize("text, names", [
    ("@zhangwei 你好", ["zhangwei"]),
    ("请@li.si。看一下", ["li.si"]),
    ("@Wang_1,@wang_1 和 @abc", ["wang_1", "abc"]),
    ("邮箱 test@example.com 不是提及", []),
    ("@ab 太短", []),
    ("没有提及", []),
])
def test_parse_mentions(text, names):
    assert mentions.parse_mentions(text) == names


def test_notifications_api_and_bell(app, client, make, login, people):
    citizen, officer = people
    thread = make.make_thread(citizen, "hukou")
    for i in range(3):
        posting.reply(officer, thread, f"答复{i}")
    token = accounts.issue_token(citizen)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    listed = api.get("/api/v1/me/notifications", headers=headers).get_json()
    assert listed["unread_count"] == 3 and len(listed["notifications"]) == 3
    first = listed["notifications"][0]
    assert first["kind"] == "official_reply" and first["read"] is False
    sock = sio(app, token=token)
    sock.get_received()

    marked = api.post("/api/v1/me/notifications/read", json={"ids": [first["id"]]},
                      headers=headers)
    assert marked.get_json() == {"unread_count": 2}
    pushed = dict(events(sock, "notification")[-1][1])
    assert pushed.pop("request_id") == marked.headers["X-Request-ID"]  # the mark-read request's
    assert pushed == {"notification": None, "unread_count": 2}
    assert api.post("/api/v1/me/notifications/read", json={},
                    headers=headers).status_code == 400
    assert api.get("/api/v1/me/notifications").status_code == 401

    login(citizen)
    page = client.get("/").get_data(as_text=True)
    assert 'class="bell-count"' in page and ">2</span>" in page
    listing = client.get("/notifications").get_data(as_text=True)
    assert "张伟" in listing and "全部标为已读" in listing
    assert client.post("/notifications/read", data={"all": "1"}).status_code == 302
    assert unread_count(citizen.id) == 0
    page = client.get("/").get_data(as_text=True)
    assert "data-bell-count hidden" in page


def test_status_changed_notification_for_escalation(app, make, people):
    citizen, officer = people
    thread = make.make_thread(citizen, "hukou")
    bell = sio(app, token=accounts.issue_token(citizen))
    bell.get_received()
    thread.status = "escalated"
    db.session.commit()
    notifications.notify_status_changed(thread, actor=officer)
    note = events(bell, "notification")[0][1]["notification"]
    assert note["kind"] == "status_changed" and note["status_label"] == "已转指挥中心"
    assert notifications.notify_status_changed(thread, actor=citizen) == []


def test_a_failing_emit_never_fails_the_post(app, make, people, monkeypatch):
    citizen, officer = people
    thread = make.make_thread(citizen, "hukou")

    def broken(*args, **kwargs):
        raise ConnectionError("message queue down")

    monkeypatch.setattr(socketio, "emit", broken)
    token = accounts.issue_token(officer)
    response = app.test_client().post(f"/api/v1/threads/{thread.id}/posts", json={"body": "收到"},
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    assert db.session.get(Post, response.get_json()["post"]["id"]) is not None
    assert unread_count(citizen.id) == 1  # still written, just not pushed


def test_socketio_payloads_keep_chinese_unescaped(app):
    from board.socket_server import UnicodeJSON

    assert UnicodeJSON.dumps({"text": "民警正在回复"}) == '{"text":"民警正在回复"}'


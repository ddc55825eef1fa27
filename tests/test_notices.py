"""Notices that reach people off the page (issue 17), the whole story through a real local SMS
gateway (an HTTP server, SMS_BACKEND=http), a real SMTP server (aiosmtpd) and a frozen clock:
an official answer texts the asker and the neighbour who tapped 同问, once; nobody who saw it
live is texted; quiet hours hold it till morning unless the thread is urgent; a gateway that is
down is retried until the message goes, nothing lost; one per thread per hour, later ones fold."""
from __future__ import annotations

import socket
from datetime import timedelta

import pytest
import time_machine

from board.extensions import db, socketio
from board.models import (
    Notice,
    NoticeEvent,
    NoticeState,
    Notification,
    ThreadFollow,
    utcnow,
)
from board.services import escalation, moderation_reports, posting, status
from tests.notice_helpers import BASE_URL, Gateway, beijing, run_worker

pytestmark = pytest.mark.usefixtures("no_search_indexing")


@pytest.fixture
def gateway(app):
    gw = Gateway()
    app.config.update(SMS_BACKEND="http", SMS_HTTP_URL=gw.url, SMS_HTTP_TOKEN="gw-token",
                      BASE_URL=BASE_URL, NOTICE_GRACE_SECONDS=30, NOTICE_UNREAD_MINUTES=5,
                      NOTICE_RETRY_SECONDS=30, NOTICE_QUIET_HOURS="22:00-07:00")
    yield gw
    gw.close()


@pytest.fixture
def clock():
    """Beijing 10:00 on a weekday, ticking; `clock.shift(seconds)` moves it on."""
    with time_machine.travel(beijing(2026, 12, 2, 10, 0), tick=True) as traveller:
        yield traveller


def with_phone(user, phone):
    user.phone, user.phone_verified_at = phone, utcnow()
    db.session.commit()
    return user


@pytest.fixture
def cast(make, clock):
    asker = with_phone(make.make_user("citizen", username="liftmum", nickname="陈阿姨"),
                       "13800138000")
    neighbour = with_phone(make.make_user("citizen", username="neighbour"), "13900139000")
    officer = make.make_user("officer", username="wanghf", real_name="王海峰",
                             badge_no="330101", unit_code="hukou")
    thread = make.make_thread(asker, "hukou", title="孩子户口迁入需要什么材料")
    return {"asker": asker, "neighbour": neighbour, "officer": officer, "thread": thread}


def notices_of(user):
    return list(db.session.scalars(db.select(Notice).where(Notice.user_id == user.id)
                                   .order_by(Notice.id)))


def test_official_answer_texts_asker_and_same_question_neighbour_exactly_once(
        app, client, login, gateway, clock, cast):
    thread, neighbour = cast["thread"], cast["neighbour"]
    login(neighbour)
    answer = client.post(f"/api/v1/threads/{thread.id}/follow", json={"same_question": True})
    assert answer.status_code == 200 and answer.json["same_question_count"] == 1
    posting.reply(cast["officer"], thread, "您好,带户口簿、出生证明到派出所办理即可。")

    run_worker()  # fanned out at once, but nobody is texted during the grace period
    assert gateway.received == []
    clock.shift(31)
    run_worker()
    to_asker, to_neighbour = gateway.to("13800138000"), gateway.to("13900139000")
    assert len(to_asker) == 1 and len(to_neighbour) == 1
    for message in (to_asker[0], to_neighbour[0]):
        assert message["text"].startswith("【鹿城24小时警局】")
        assert "孩子户口迁入需要什么材料" in message["text"]
        assert f"{BASE_URL}/t/{thread.id}" in message["text"]
        assert message["template"] == "official_reply"
    assert "王海峰" in to_asker[0]["text"] and "您的帖子" in to_asker[0]["text"]
    assert "您关注的帖子" in to_neighbour[0]["text"]
    assert gateway.tokens[0] == "Bearer gw-token"
    # The neighbour's bell rang too (the asker's came with the reply itself).
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification).where(
        Notification.user_id == neighbour.id, Notification.kind == "followed")) == 1

    clock.shift(60)
    run_worker()
    assert len(gateway.received) == 2  # exactly one each

    # Two more answers within the hour: held back, then told in one message that says so.
    posting.reply(cast["officer"], thread, "补充:户口簿原件也要带上。")
    posting.reply(cast["officer"], thread, "再补充:父母双方身份证。")
    clock.shift(40)
    run_worker()
    assert len(gateway.to("13800138000")) == 1
    clock.shift(3600)
    run_worker()
    later = gateway.to("13800138000")
    assert len(later) == 2 and "另有 1 条新动态" in later[1]["text"]
    states = [n.state for n in notices_of(cast["asker"])]
    assert states.count(NoticeState.SENT) == 2 and states.count(NoticeState.FOLDED) == 1


def test_nobody_who_saw_it_live_is_texted(app, client, login, gateway, clock, cast):
    """The asker reads the thread when the answer arrives; the neighbour has the board open on
    another page: their page received it, so a text goes only if it stays unread 5 minutes."""
    thread, neighbour = cast["thread"], cast["neighbour"]
    login(cast["asker"])
    asker_socket = socketio.test_client(app, flask_test_client=client)
    other = app.test_client()
    other.post("/login", data={"username": neighbour.username, "password": "password123"})
    other.post(f"/api/v1/threads/{thread.id}/follow", json={})
    neighbour_socket = socketio.test_client(app, flask_test_client=other)

    posting.reply(cast["officer"], thread, "您好,带户口簿、出生证明到派出所办理即可。")
    pushed = [e for e in asker_socket.get_received() if e["name"] == "notification"]
    assert len(pushed) == 1  # what static/js/live.js then answers, reading the thread:
    asker_socket.emit("notification_seen", {"id": pushed[0]["args"][0]["notification"]["id"],
                                            "reading": True}, callback=True)
    run_worker()  # the neighbour's bell entry is pushed by the worker's fan-out
    pushed = [e for e in neighbour_socket.get_received() if e["name"] == "notification"]
    assert len(pushed) == 1 and "您关注的帖子" in pushed[0]["args"][0]["notification"]["text"]
    neighbour_socket.emit("notification_seen", {"id": pushed[0]["args"][0]["notification"]["id"],
                                                "reading": False}, callback=True)
    clock.shift(31)
    run_worker()
    assert gateway.received == []
    assert [n.state for n in notices_of(cast["asker"])] == [NoticeState.SKIPPED]
    clock.shift(5 * 60)
    run_worker()  # received on another page, still unread after five minutes: now it is sent
    assert len(gateway.to("13900139000")) == 1 and gateway.to("13800138000") == []
    asker_socket.disconnect()
    neighbour_socket.disconnect()


def test_opening_the_thread_before_the_grace_ends_means_no_text(app, client, login, gateway,
                                                                clock, cast):
    posting.reply(cast["officer"], cast["thread"], "您好,可以办理。")
    login(cast["asker"])
    assert client.get(f"/t/{cast['thread'].id}").status_code == 200
    page = socketio.test_client(app, flask_test_client=client)  # what static/js/live.js does
    assert page.emit("join", {"room": f"thread:{cast['thread'].id}"}, callback=True)["ok"]
    page.disconnect()
    clock.shift(31)
    run_worker()
    assert gateway.received == []


def test_quiet_hours_hold_texts_till_seven_unless_the_thread_is_urgent(app, make, gateway, cast):
    thread, officer = cast["thread"], cast["officer"]
    with time_machine.travel(beijing(2026, 12, 2, 23, 0), tick=True) as clock:
        posting.reply(officer, thread, "您好,明天上午可以来办理。")
        clock.shift(31)
        run_worker()
        assert gateway.received == []
        waiting = notices_of(cast["asker"])[0]
        assert waiting.state == NoticeState.PENDING
        assert waiting.not_before == beijing(2026, 12, 3, 7, 0)

        # A suspected emergency may wake people: sent at once, at 23:01.
        urgent = make.make_thread(cast["neighbour"], "hukou", title="电梯里有人被困",
                                  body="小区电梯有人被困,打不开门")
        assert urgent.urgent
        posting.reply(officer, urgent, "已通知派出所和物业,马上到。")
        clock.shift(31)
        run_worker()
        assert len(gateway.to("13900139000")) == 1 and gateway.to("13800138000") == []

    with time_machine.travel(beijing(2026, 12, 3, 7, 0, 5), tick=True):
        run_worker()
        assert len(gateway.to("13800138000")) == 1


def test_personal_quiet_hours_are_kept_too(client, login, gateway, clock, cast):
    login(cast["asker"])
    saved = client.put("/api/v1/me/notification-settings",
                       json={"quiet_start": "09:30", "quiet_end": "12:00"})
    assert saved.status_code == 200 and saved.json["quiet_start"] == "09:30"
    posting.reply(cast["officer"], cast["thread"], "您好,可以办理。")
    clock.shift(31)
    run_worker()
    assert gateway.received == []
    assert notices_of(cast["asker"])[0].not_before == beijing(2026, 12, 2, 12, 0)


def test_gateway_down_is_retried_with_backoff_and_nothing_is_lost(gateway, clock, cast):
    gateway.status = 503
    status.change(cast["officer"], cast["thread"], "answered", "")  # not worth a text
    status.change(cast["officer"], cast["thread"], "closed", "重复提问,已在另一帖答复")
    clock.shift(31)
    run_worker()
    notice = notices_of(cast["asker"])[0]
    assert notice.state == NoticeState.PENDING and notice.attempts == 1
    assert "503" in notice.last_error
    first_retry = notice.not_before
    clock.shift(31)
    run_worker()
    db.session.refresh(notice)
    assert notice.attempts == 2 and notice.not_before - first_retry >= timedelta(seconds=60)
    assert gateway.refused == 2 and gateway.received == []

    gateway.status = 200
    clock.shift(120)
    run_worker()
    db.session.refresh(notice)
    assert notice.state == NoticeState.SENT and notice.attempts == 3
    assert len(gateway.received) == 1
    assert "已关闭" in gateway.received[0]["text"] and "重复提问" in gateway.received[0]["text"]


def test_status_moves_and_moderation_reach_the_right_people(app, make, gateway, clock, cast):
    thread = cast["thread"]
    dispatcher = make.make_user("dispatcher")
    escalation.escalate(cast["officer"], thread, "需要民警上门核实情况")
    escalation.dispatch(dispatcher, thread, "station-nanmen")
    clock.shift(31)
    run_worker()
    assert len(gateway.to("13800138000")) == 1
    assert "已派警处置" in gateway.to("13800138000")[0]["text"]

    reply = posting.reply(cast["neighbour"], thread, "我家小孩也是这个情况,同问")
    moderation_reports.hide(cast["officer"], thread, reply, "与本帖无关的广告")
    clock.shift(3700)
    run_worker()
    texts = [m["text"] for m in gateway.to("13900139000")]
    assert len(texts) == 1 and "已被隐藏" in texts[0] and "与本帖无关的广告" in texts[0]
    bell = db.session.scalar(db.select(Notification).where(
        Notification.user_id == cast["neighbour"].id, Notification.kind == "moderation"))
    assert "与本帖无关的广告" in bell.detail
    assert all(m["phone"] != "13800138000" for m in gateway.received[1:])  # not the asker's


def test_email_notice_through_a_real_smtp_server(app, client, login, clock, cast):
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
            self.messages.append(envelope)
            return "250 OK"

    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks it is up by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                          MAIL_DEFAULT_SENDER="notice@board.example.gov.cn", BASE_URL=BASE_URL,
                          SMS_BACKEND="console")
        login(cast["neighbour"])
        client.post(f"/api/v1/threads/{cast['thread'].id}/follow", json={"same_question": True})
        bad = client.put("/api/v1/me/notification-settings", json={"email": True})
        assert bad.status_code == 400 and "email_address" in bad.json["error"]["fields"]
        ok = client.put("/api/v1/me/notification-settings",
                        json={"email": True, "sms": False, "email_address": "nb@example.com"})
        assert ok.json["channels"] == {"sms": False, "email": True}
        status.change(cast["officer"], cast["thread"], "answered", "")
        status.change(cast["officer"], cast["thread"], "resolved", "已电话告知办理流程")
        clock.shift(31)
        run_worker()
        assert len(inbox.messages) == 1
        envelope = inbox.messages[0]
        assert envelope.rcpt_tos == ["nb@example.com"]
        body = envelope.content.decode("utf-8", "replace")
        assert "notice@board.example.gov.cn" in body
        sent = db.session.scalar(db.select(Notice).where(Notice.channel == "email"))
        assert sent.state == NoticeState.SENT and f"{BASE_URL}/t/{cast['thread'].id}" in sent.text
        assert "已办结" in sent.text
    finally:
        smtp.stop()


def test_a_reply_writes_one_outbox_row_whatever_the_followers(app, make, gateway, clock, cast):
    thread = cast["thread"]
    citizens = [make.make_user("citizen") for _ in range(12)]
    db.session.add_all(ThreadFollow(thread_id=thread.id, user_id=u.id, created_at=utcnow())
                       for u in citizens)
    db.session.commit()
    posting.reply(cast["officer"], thread, "您好,可以办理。")
    events = db.session.scalars(db.select(NoticeEvent).order_by(NoticeEvent.id)).all()
    # Two rows whatever the followers: the reply's own bell entries (rung after the commit, by
    # the worker; at once in tests) and the answer's notices, left for the worker.
    assert [e.kind for e in events] == ["reply", "official_reply"]
    assert events[0].recipients == 1 and events[1].fanned_at is None  # the asker's bell
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification).where(
        Notification.kind == "followed")) == 0  # no fan-out in the request
    run_worker()
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification).where(
        Notification.kind == "followed")) == 12
    # 12 followers without a phone: no SMS rows; the asker's one SMS notice.
    assert db.session.scalar(db.select(db.func.count()).select_from(Notice)) == 1


def test_admins_see_each_notice_state(client, make, login, gateway, clock, cast):
    gateway.status = 500
    posting.reply(cast["officer"], cast["thread"], "您好,可以办理。")
    clock.shift(31)
    run_worker()
    login(cast["asker"])
    assert client.get("/admin/notices").status_code == 403
    client.post("/logout")
    login(make.make_user("admin"))
    page = client.get("/admin/notices").get_data(as_text=True)
    assert "待发送" in page and "gateway answered 500" in page


def test_the_notices_cli_drains_shows_and_retries(flask_cli, gateway, clock, cast):
    gateway.status = 500
    posting.reply(cast["officer"], cast["thread"], "您好,可以办理。")
    clock.shift(31)
    assert "1 events fanned out" in flask_cli("notices", "drain").output
    db.session.execute(db.update(Notice).values(state=NoticeState.FAILED))  # as after 20 tries
    db.session.commit()
    assert "failed   1" in flask_cli("notices", "status").output
    gateway.status = 202
    assert "1 failed notices queued again" in flask_cli("notices", "retry").output
    flask_cli("notices", "drain")
    assert len(gateway.received) == 1


def test_a_leaders_or_helping_units_reply_is_told_as_a_reply_not_the_answer(
        app, make, gateway, clock, cast):
    """Issue 18 meets issue 17: the asker hears that a leader or another unit replied (an
    officer did reply), worded as a reply; 「答复」 is kept for the thread's answer — the
    responsible unit's, or a leader's marked 「作为正式答复」."""
    thread = cast["thread"]
    leader = make.make_user("leader", username="leader-li", real_name="李建国")
    helper = make.make_user("officer", username="helper-zhao", real_name="赵志刚",
                            unit_code="station-nanmen")
    posting.reply(leader, thread, "请户籍科尽快答复这位群众。")
    clock.shift(31)
    run_worker()
    posting.reply(helper, thread, "南门派出所也可以代收材料。")
    clock.shift(3600 + 31)
    run_worker()
    posting.reply(leader, thread, "经核实,带出生证明即可办理。", formal=True)
    clock.shift(3600 + 31)
    run_worker()
    texts = [m["text"] for m in gateway.to("13800138000")]
    assert len(texts) == 3
    assert "李建国回复了您的帖子" in texts[0] and "答复" not in texts[0].split("。")[0]
    assert "赵志刚回复了您的帖子" in texts[1] and "答复" not in texts[1].split("。")[0]
    assert "李建国答复了您的帖子" in texts[2]

"""Escalation end to end: a citizen posts, an officer escalates, the command centre dispatches,
the unit handles and resolves, the citizen rates — timeline, live events, notifications,
dashboard and audit log all show it. Incident numbers stay unique under concurrent dispatch."""
from __future__ import annotations

import re
import threading

import pytest

from board import errors
from board.extensions import db, socketio
from board.models import AuditEntry, Notification, Thread
from board.services import escalation, moderation, replies, status

INCIDENT_RE = re.compile(r"^JQ\d{8}-\d{4}$")


def sio(app, client):
    return socketio.test_client(app, flask_test_client=client)


def updates(sock) -> list[dict]:
    return [e["args"][0]["thread"] for e in sock.get_received() if e["name"] == "thread_updated"]


@pytest.fixture
def cast(make):
    return {
        "citizen": make.make_user("citizen", nickname="热心市民"),
        "officer": make.make_user("officer", unit_code="online-desk", real_name="孙丽娜"),
        "dispatcher": make.make_user("dispatcher", real_name="李晓燕"),
        "unit": make.make_user("officer", unit_code="station-kunhe", real_name="陈志强"),
        "leader": make.make_user("leader", real_name="赵建国"),
    }


def test_the_whole_story(app, make, cast):
    citizen_c, officer_c, dispatcher_c, unit_c, leader_c = (app.test_client() for _ in range(5))
    for client, key in ((citizen_c, "citizen"), (officer_c, "officer"),
                        (dispatcher_c, "dispatcher"), (unit_c, "unit"), (leader_c, "leader")):
        r = client.post("/login", data={"username": cast[key].username, "password": "password123"})
        assert r.status_code == 302

    # 1. The citizen posts what reads like an emergency: told to call 110, marked urgent.
    r = citizen_c.post("/api/v1/boards/qa/threads", json={
        "kind": "help", "title": "路边捡到求救纸条,有人被困传销窝点",
        "body": "纸条上写着:我被困在昆区某小区,救命!请帮忙报警。", "location": "昆区"})
    assert r.status_code == 201, r.get_json()
    data = r.get_json()
    thread_id = data["thread"]["id"]
    assert data["thread"]["urgent"] is True and "110" in data["urgent_notice"]

    citizen_sock = sio(app, citizen_c)
    assert citizen_sock.emit("join", {"room": f"thread:{thread_id}"}, callback=True)["ok"]
    dispatcher_sock, unit_sock = sio(app, dispatcher_c), sio(app, unit_c)
    for sock in (citizen_sock, dispatcher_sock, unit_sock):
        sock.get_received()

    # 2. The desk officer escalates it with a reason and urgency.
    r = officer_c.post(f"/api/v1/threads/{thread_id}/escalate",
                       json={"reason": "疑似非法拘禁,需核查地址", "urgency": "critical"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["thread"]["status"] == "escalated"
    assert updates(citizen_sock)[-1]["status"] == "escalated"
    assert updates(dispatcher_sock)[-1]["id"] == thread_id  # the queue page hears of it live

    queue = dispatcher_c.get("/api/v1/command-centre/queue").get_json()
    assert [t["id"] for t in queue["waiting"]] == [thread_id]
    assert queue["waiting"][0]["reason"] == "疑似非法拘禁,需核查地址"
    assert citizen_c.get("/api/v1/command-centre/queue").status_code == 403

    # 3. The dispatcher sends it to a police station: an incident number is issued.
    assert officer_c.post(f"/api/v1/threads/{thread_id}/dispatch",
                          json={"unit": "station-kunhe"}).status_code == 403
    r = dispatcher_c.post(f"/api/v1/threads/{thread_id}/dispatch",
                          json={"unit": "station-kunhe", "note": "请立即出警核查"})
    assert r.status_code == 200, r.get_json()
    incident = r.get_json()["incident_no"]
    assert INCIDENT_RE.match(incident) and incident.endswith("-0001")
    assert r.get_json()["thread"]["dispatched_unit"] == "昆区昆河派出所"
    assert updates(unit_sock)[-1]["status"] == "dispatched"  # the unit's officers, live
    assert updates(citizen_sock)[-1]["incident_no"] == incident

    # 4. The unit handles and resolves, with a public note and an internal one.
    r = unit_c.post(f"/api/v1/threads/{thread_id}/status",
                    json={"status": "handling", "note": "民警已到达现场"})
    assert r.status_code == 200, r.get_json()
    r = unit_c.post(f"/api/v1/threads/{thread_id}/status",
                    json={"status": "resolved", "note": "嫌疑人已控制,涉案窝点已查处",
                          "internal": True})
    assert r.status_code == 200
    r = unit_c.post(f"/api/v1/threads/{thread_id}/status",
                    json={"status": "resolved", "note": "再次提交"})
    assert r.status_code == 409
    assert [u["status"] for u in updates(citizen_sock)] == ["handling", "resolved"]

    # 5. The citizen rates it.
    assert unit_c.post(f"/api/v1/threads/{thread_id}/rate", json={"score": 5}).status_code == 403
    r = citizen_c.post(f"/api/v1/threads/{thread_id}/rate",
                       json={"score": 5, "comment": "感谢民警!"})
    assert r.status_code == 201, r.get_json()
    assert citizen_c.post(f"/api/v1/threads/{thread_id}/rate", json={"score": 4}).status_code == 409

    # The timeline, worded for the citizen; internal notes only for police.
    public = citizen_c.get(f"/api/v1/threads/{thread_id}").get_json()["thread"]
    texts = [e["text"] for e in public["timeline"]]
    assert [e["kind"] for e in public["timeline"]] == [
        "escalated", "dispatched", "handling", "resolved", "rated"]
    assert "110指挥中心" in texts[0]
    assert "您好,该警情已收悉,昆区昆河派出所正在处置" in texts[1] and incident in texts[1]
    assert "民警已到达现场" in texts[2]
    assert "嫌疑人已控制" not in "".join(texts)  # the internal note stays internal
    assert all("internal_note" not in e for e in public["timeline"])
    assert public["status"] == "resolved" and public["incident_no"] == incident
    police = unit_c.get(f"/api/v1/threads/{thread_id}").get_json()["thread"]
    notes = [e.get("internal_note") for e in police["timeline"]]
    assert "[特急] 疑似非法拘禁,需核查地址" in notes and "嫌疑人已控制,涉案窝点已查处" in notes

    page = citizen_c.get(f"/t/{thread_id}").get_data(as_text=True)
    assert "已派警: 昆区昆河派出所" in page and incident in page and "★★★★★" in page
    assert "嫌疑人已控制" not in page
    assert "嫌疑人已控制" in unit_c.get(f"/t/{thread_id}").get_data(as_text=True)

    # Notifications: the asker heard of every step made by the police.
    kinds = db.session.scalars(db.select(Notification.status).where(
        Notification.user_id == cast["citizen"].id, Notification.kind == "status_changed")).all()
    assert kinds == ["escalated", "dispatched", "handling", "resolved"]
    work = db.session.execute(db.select(Notification.user_id, Notification.status).where(
        Notification.kind == "work", Notification.thread_id == thread_id)).all()
    assert sorted(work) == sorted([(cast["dispatcher"].id, "escalated"),
                                   (cast["unit"].id, "dispatched")])

    # The audit log has every step, with who and before/after.
    entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.target_id == thread_id)
                                 .order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["thread.escalate", "thread.dispatch", "thread.status",
                                           "thread.status", "thread.rate"]
    assert entries[1].actor_id == cast["dispatcher"].id
    assert entries[1].before["status"] == "escalated"
    assert entries[1].after["incident_no"] == incident

    # The dashboard counts it.
    board = leader_c.get("/api/v1/dashboard?days=7").get_json()
    by_status = {s["status"]: s["count"] for s in board["by_status"]}
    assert by_status["resolved"] == 1
    assert board["satisfaction"] == {"count": 1, "average": 5.0, "satisfied_share": 1.0,
                                     "distribution": [{"score": s, "count": 1 if s == 5 else 0}
                                                      for s in range(1, 6)]}
    kunhe = [u for u in board["per_unit"] if u["key"] == "station-kunhe"]
    assert kunhe and kunhe[0]["resolved"] == 1
    assert citizen_c.get("/api/v1/dashboard").status_code == 403


def test_pin_lock_are_audited_and_newest_pin_first(app, make, cast, client, login):
    officer = make.make_user("officer", unit_code="hukou")
    first, second = make.make_thread(board_slug="hukou"), make.make_thread(board_slug="hukou")
    moderation.pin(officer, first)
    moderation.pin(officer, second)
    login(officer)
    listing = client.get("/api/v1/boards/hukou/threads").get_json()["threads"]
    assert [t["id"] for t in listing[:2]] == [second.id, first.id]
    r = client.post(f"/api/v1/threads/{first.id}/lock")
    assert r.status_code == 200 and r.get_json()["thread"]["locked"] is True
    assert client.post(f"/api/v1/threads/{first.id}/unpin").get_json()["thread"]["pinned"] is False
    actions = db.session.scalars(db.select(AuditEntry.action).where(
        AuditEntry.target_id == first.id).order_by(AuditEntry.id)).all()
    assert actions == ["thread.pin", "thread.lock", "thread.unpin"]
    # Someone else's board: the traffic police may not pin a hukou thread.
    login(make.make_user("officer", unit_code="traffic"))
    assert client.post(f"/api/v1/threads/{second.id}/unpin").status_code == 403


def test_reply_templates_fill_unit_officer_and_incident(app, make):
    officer = make.make_user("officer", unit_code="station-kunhe", real_name="陈志强")
    replies.create(officer, "已出警", "您好,{unit}{officer}已受理,警情编号{incident}。")
    thread = make.make_thread(board_slug="report", kind="report")
    thread.incident_no = "JQ20261122-0007"
    db.session.commit()
    [template] = replies.expanded_for(officer, thread)
    assert template["text"] == "您好,昆区昆河派出所陈志强已受理,警情编号JQ20261122-0007。"
    other = make.make_user("officer", unit_code="traffic")
    assert replies.expanded_for(other, thread) == []  # each unit keeps its own


def test_urgent_posts_go_to_the_top_of_the_inbox(app, make, client, login):
    officer = make.make_user("officer", unit_code="hukou")
    calm = make.make_thread(board_slug="hukou", body="想咨询户口迁移。")
    urgent = make.make_thread(board_slug="hukou", body="邻居家里有人持刀威胁,正在打架!")
    assert urgent.urgent and not calm.urgent
    login(officer)
    page = client.get("/inbox").get_data(as_text=True)
    assert page.index(f'data-thread-id="{urgent.id}"') < page.index(f'data-thread-id="{calm.id}"')


def test_urgent_words_are_configurable(app, make):
    app.config["URGENT_WORDS"] = ["煤气泄漏"]
    assert make.make_thread(board_slug="qa", body="楼道里煤气泄漏了").urgent
    assert not make.make_thread(board_slug="qa", body="有人被困电梯").urgent


def _escalated_threads(make, n):
    officer = make.make_user("officer", unit_code="online-desk")
    threads = []
    for i in range(n):
        t = make.make_thread(board_slug="qa", body=f"第{i}号求助")
        escalation.escalate(officer, t, "需要出警", "urgent")
        threads.append(t.id)
    return threads


def _run_parallel(app, jobs):
    """Run each job in its own thread with its own app context (its own DB session)."""
    results, barrier = [None] * len(jobs), threading.Barrier(len(jobs))

    def run(i, job):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = job()
            except Exception as exc:  # noqa: BLE001 - collected and asserted on
                results[i] = exc
            finally:
                db.session.remove()

    workers = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    return results


def test_incident_numbers_unique_and_sequential_under_concurrent_dispatch(app, make):
    ids = _escalated_threads(make, 8)
    dispatchers = [make.make_user("dispatcher").id for _ in ids]
    db.session.remove()

    def job(thread_id, user_id):
        from board.models import User

        def dispatch():
            thread, user = db.session.get(Thread, thread_id), db.session.get(User, user_id)
            return escalation.dispatch(user, thread, "station-nanmen", "并发派警").incident_no
        return dispatch

    results = _run_parallel(app, [job(t, u) for t, u in zip(ids, dispatchers, strict=True)])
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == len(ids)
    days = {r[:10] for r in results}
    assert len(days) == 1
    assert sorted(int(r[-4:]) for r in results) == list(range(1, len(ids) + 1))
    stored = db.session.scalars(db.select(Thread.incident_no).where(Thread.id.in_(ids))).all()
    assert sorted(stored) == sorted(results)


def test_one_thread_dispatched_by_two_dispatchers_at_once_wins_once(app, make):
    [thread_id] = _escalated_threads(make, 1)
    a, b = make.make_user("dispatcher").id, make.make_user("dispatcher").id
    db.session.remove()

    def job(user_id, unit):
        from board.models import User

        def dispatch():
            thread, user = db.session.get(Thread, thread_id), db.session.get(User, user_id)
            return escalation.dispatch(user, thread, unit).incident_no
        return dispatch

    results = _run_parallel(app, [job(a, "station-nanmen"), job(b, "station-kunhe")])
    wins = [r for r in results if isinstance(r, str)]
    losses = [r for r in results if isinstance(r, errors.Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    thread = db.session.get(Thread, thread_id)
    assert thread.incident_no == wins[0] and thread.status == "dispatched"


def test_status_form_on_thread_page_and_flash(app, make, client, login):
    officer = make.make_user("officer", unit_code="hukou")
    thread = make.make_thread(board_slug="hukou")
    login(officer)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "转110指挥中心" in page and 'name="reason"' in page
    r = client.post(f"/t/{thread.id}/escalate", data={"reason": "需出警", "urgency": "urgent"})
    assert r.status_code == 302
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "已转交110指挥中心" in page and "正在调派警力" in page
    r = client.post(f"/t/{thread.id}/status", data={"status": "closed"}, follow_redirects=True)
    assert "不能从" in r.get_data(as_text=True)


def test_leader_supervises_thread_shows_it_publicly(app, make, client, login):
    leader = make.make_user("leader")
    thread = make.make_thread(board_slug="hukou")
    officer = make.make_user("officer", unit_code="hukou")
    login(officer)
    r = client.post(f"/api/v1/threads/{thread.id}/supervise", json={"instruction": "今日内答复"})
    assert r.status_code == 403
    login(leader)
    r = client.post(f"/api/v1/threads/{thread.id}/supervise", json={"instruction": "今日内答复"})
    assert r.status_code == 200 and r.get_json()["thread"]["supervised"] is True
    anonymous = app.test_client()
    page = anonymous.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "领导督办" in page and "今日内答复" not in page
    # The leader follows the thread: the officer's next step is announced, audited.
    status.change(officer, thread, "answered", "已电话联系")
    assert db.session.scalar(db.select(AuditEntry.id).where(
        AuditEntry.action == "thread.supervise", AuditEntry.target_id == thread.id))


def test_hide_and_suspend_are_audited(app, make):
    from board.services import accounts, moderation_reports

    officer, admin = make.make_user("officer", unit_code="hukou"), make.make_user("admin")
    thread = make.make_thread(board_slug="hukou")
    moderation_reports.hide(officer, thread, None, "含个人隐私信息")
    accounts.suspend(admin, thread.author, "发布违法信息")
    rows = db.session.execute(db.select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.after)
                              .where(AuditEntry.action.in_(("thread.hide", "user.disable")))
                              .order_by(AuditEntry.id)).all()  # (not the accounts' creation)
    assert [(a, who) for a, who, _ in rows] == [("thread.hide", officer.id),
                                                 ("user.disable", admin.id)]
    assert rows[0][2]["hidden_reason"] == "含个人隐私信息"


def test_urgent_post_in_the_browser_form_is_told_to_call_110(app, make, client, login):
    login(make.make_user("citizen"))
    r = client.post("/b/report/new", data={"kind": "report", "title": "小区门口有人持刀",
                                           "body": "正在打架,有人持刀!"}, follow_redirects=True)
    assert r.status_code == 200
    assert "请立即拨打 110" in r.get_data(as_text=True)

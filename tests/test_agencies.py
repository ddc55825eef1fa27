"""Partner agencies (协作单位, issue 21): an admin registers a property company and its account;
a station officer invites it into a resident's lift-breakdown thread; the property manager
answers there under its own badge, and the thread still waits for the police's answer."""
from __future__ import annotations

import pytest

from board.errors import ValidationFailed
from board.extensions import db, socketio
from board.models import (
    Agency,
    AuditEntry,
    Notification,
    Post,
    ReplyTemplate,
    Role,
    Thread,
    ThreadEvent,
    User,
    utcnow,
)
from board.services import accounts, status

pytestmark = pytest.mark.usefixtures("no_search_indexing")

BADGE = "协作单位·幸福里物业"


@pytest.fixture
def lift(make):
    """A resident's lift-breakdown thread on the report board (answered by 南门外派出所), the
    station's officer, and 幸福里物业 with one account."""
    asker = make.make_user(nickname="刘大爷")
    thread = make.make_thread(asker, "report", kind="help", title="3号楼电梯停了三天没人修",
                              body="老伴腿脚不好,三天没下楼了,物业说在等配件。")
    officer = make.make_user("officer", unit_code="station-nanmen", real_name="陈志强")
    agency = make.make_agency("幸福里物业")
    manager = make.make_user("agency", agency=agency, nickname="物业客服小赵")
    return {"thread": thread, "asker": asker, "officer": officer, "agency": agency,
            "manager": manager}


def _reload(thread: Thread) -> Thread:
    db.session.expire_all()
    return db.session.get(Thread, thread.id)


def test_a_property_manager_invited_to_a_lift_thread_answers_under_its_own_badge(
        client, login, lift):
    thread, officer, manager = lift["thread"], lift["officer"], lift["manager"]
    login(officer)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "data-agency-invite" in page and "幸福里物业(物业)" in page
    response = client.post(f"/t/{thread.id}/invite-agency", data={"agency_id": lift["agency"].id})
    assert response.status_code == 302
    client.post("/logout")

    # the invitation is a public step of the thread, and audited
    public = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert f"已邀请{BADGE}" in public
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "agency.invite"))
    assert entry.actor_id == officer.id and entry.after == {"agency": "幸福里物业"}

    login(manager)
    bell = client.get("/api/v1/me/notifications").get_json()
    assert any("邀请贵单位协助处理「3号楼电梯停了三天没人修」" in n["text"]
               for n in bell["notifications"])
    mine = client.get("/api/v1/agency/threads").get_json()
    assert mine["agency"]["badge"] == BADGE
    assert [(t["id"], t["agency_replied"]) for t in mine["threads"]] == [(thread.id, False)]
    assert "3号楼电梯停了三天没人修" in client.get("/agency").get_data(as_text=True)

    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert f"以「{BADGE}」身份回复" in page and "作为正式答复" not in page
    client.post(f"/t/{thread.id}/reply", data={
        "body": "配件今天到货,明天上午修好;维修期间一楼有人值守帮老人上下楼。",
        "formal_answer": "y"})
    post = db.session.scalar(db.select(Post).where(Post.author_id == manager.id))
    assert post.agency_name == BADGE
    assert (post.official, post.formal_answer, post.answer_role) == (False, False, None)
    assert client.get("/api/v1/agency/threads").get_json()["threads"][0]["agency_replied"]
    client.post("/logout")
    login(lift["asker"])  # the asker's bell names the agency, not a police officer
    told = client.get("/api/v1/me/notifications").get_json()["notifications"][0]["text"]
    assert told.startswith(f"物业客服小赵({BADGE})") and "民警" not in told
    client.post("/logout")

    # everyone reads it under the agency's badge, never the police's
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    start = page.index(f'id="p{post.id}"')
    item = page[start:page.index("</li>", start)]
    assert BADGE in item and "data-agency-badge" in item
    assert "officer-badge" not in item and "官方回复" not in item
    api = client.get(f"/api/v1/threads/{thread.id}").get_json()
    shown = next(p for p in api["posts"] if p["id"] == post.id)
    assert shown["agency"] == BADGE and shown["official"] is False
    assert shown["author"]["agency"] == BADGE and shown["author"]["badge_no"] is None

    # ... and the thread still waits for the police: no answer, no response time
    thread = _reload(thread)
    assert thread.status == "awaiting_reply"
    assert thread.first_response_at is None and thread.first_response_unit_id is None
    assert not thread.has_official_reply
    login(officer)
    waiting = client.get("/api/v1/inbox?tab=awaiting").get_json()["threads"]
    assert thread.id in [t["id"] for t in waiting]


def test_an_agency_replies_only_where_it_was_invited_and_posts_no_threads(client, login,
                                                                           make, lift):
    other = make.make_thread(lift["asker"], "report", kind="help", title="楼道灯坏了")
    login(lift["manager"])
    refused = client.post(f"/api/v1/threads/{other.id}/posts", json={"body": "物业来回复"})
    assert refused.status_code == 403
    assert set(refused.get_json()["error"]) == {"code", "message", "fields"}
    page = client.get(f"/t/{other.id}").get_data(as_text=True)
    assert f'action="/t/{other.id}/reply"' not in page
    created = client.post("/api/v1/boards/report/threads", json={
        "title": "物业发帖", "body": "物业通知", "kind": "help"})
    assert created.status_code == 403
    assert client.get("/api/v1/agency/threads").get_json()["threads"] == []


def test_an_invitation_to_a_police_only_or_hidden_thread_is_refused(client, login, make, lift):
    secret = make.make_thread(lift["asker"], "report", kind="report", title="仅警方可见的线索",
                              visibility="police_only")
    hidden = make.make_thread(lift["asker"], "report", kind="report", title="被隐藏的帖子")
    hidden.hidden = True
    db.session.commit()
    login(lift["officer"])
    for thread in (secret, hidden):
        response = client.post(f"/api/v1/threads/{thread.id}/agencies",
                               json={"agency_id": lift["agency"].id})
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "not_public"
        page = client.get(f"/t/{thread.id}").get_data(as_text=True)
        assert "仅警方可见或已隐藏的帖子不能邀请协作单位" in page
    bad = client.post(f"/api/v1/threads/{lift['thread'].id}/agencies", json={"agency_id": "x"})
    assert bad.status_code == 400 and "agency_id" in bad.get_json()["error"]["fields"]
    missing = client.post(f"/api/v1/threads/{lift['thread'].id}/agencies",
                          json={"agency_id": 99999})
    assert missing.status_code == 404
    assert db.session.scalar(db.select(db.func.count(ThreadEvent.id)).where(
        ThreadEvent.kind == "agency_invited")) == 0


def test_inviting_twice_changes_nothing(client, login, lift):
    thread = lift["thread"]
    login(lift["officer"])
    url, body = f"/api/v1/threads/{thread.id}/agencies", {"agency_id": lift["agency"].id}
    first, again = client.post(url, json=body), client.post(url, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert (first.get_json()["invited"], again.get_json()["invited"]) == (True, False)
    assert [a["badge"] for a in again.get_json()["agencies"]] == [BADGE]
    events = db.session.scalar(db.select(db.func.count(ThreadEvent.id)).where(
        ThreadEvent.thread_id == thread.id, ThreadEvent.kind == "agency_invited"))
    notes = db.session.scalar(db.select(db.func.count(Notification.id)).where(
        Notification.user_id == lift["manager"].id))
    assert (events, notes) == (1, 1)


def test_an_agency_sees_no_police_panels_or_internal_notes(client, login, make, lift):
    thread, officer = lift["thread"], lift["officer"]
    lift["asker"].phone, lift["asker"].phone_verified_at = "13904720177", utcnow()
    db.session.add(ReplyTemplate(unit_id=officer.unit_id, title="电梯模板", body="模板正文内容",
                                 position=0, created_by_id=officer.id, created_at=utcnow()))
    db.session.commit()
    make.invite(thread, lift["agency"])
    status.change(officer, thread, "answered", "已联系物业维修,内部:物业经理电话 139",
                  internal=True)
    login(lift["manager"])
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    for police_only in ("内部:物业经理电话", "仅警方可见", "data-thread-actions", "联系发帖人",
                        "电梯模板", "data-agency-invite", "13904720177", "deadline"):
        assert police_only not in page, police_only
    api = client.get(f"/api/v1/threads/{thread.id}").get_json()["thread"]
    assert "内部:物业经理电话" not in str(api)
    for action in ("pin", "lock", "escalate", "hide"):
        response = client.post(f"/api/v1/threads/{thread.id}/{action}",
                               json={"reason": "协作单位试图操作", "urgency": "normal"})
        assert response.status_code == 403, action
    assert client.post(f"/api/v1/threads/{thread.id}/contact-author").status_code == 403
    templates = client.get(f"/api/v1/threads/{thread.id}/reply-templates").get_json()
    assert templates == {"templates": []}


def test_the_admin_registers_an_agency_and_its_account(client, login, make):
    admin = make.make_user("admin")
    login(admin)
    empty = client.post("/admin/agencies", data={"name": "", "kind": "property"})
    assert empty.status_code == 400 and "请填写单位名称" in empty.get_data(as_text=True)
    response = client.post("/admin/agencies", data={"name": "锦绣物业", "kind": "property",
                                                    "contact": "0472-5123000"})
    assert response.status_code == 302
    agency = db.session.scalar(db.select(Agency).where(Agency.name == "锦绣物业"))
    assert agency.badge == "协作单位·锦绣物业" and agency.kind_label == "物业"
    again = client.post("/admin/agencies", data={"name": "锦绣物业", "kind": "water"})
    assert again.status_code == 409 and "该协作单位已存在" in again.get_data(as_text=True)
    assert "锦绣物业" in client.get("/admin/agencies").get_data(as_text=True)

    bad = client.post(f"/admin/agencies/{agency.id}", data={"username": "a", "nickname": "客服"})
    assert bad.status_code == 400 and "用户名需为" in bad.get_data(as_text=True)
    made = client.post(f"/admin/agencies/{agency.id}",
                       data={"username": "jinxiu_kefu", "nickname": "锦绣客服"})
    page = made.get_data(as_text=True)
    assert made.status_code == 200 and "data-issued-password" in page
    user = db.session.scalar(db.select(User).where(User.username == "jinxiu_kefu"))
    assert (user.role, user.agency_id, user.must_change_password) == (Role.AGENCY, agency.id,
                                                                      True)
    assert not user.is_police and not user.is_official and user.role_label == "协作单位"
    registered = db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "agency.create"))
    assert (registered.actor_id, registered.target_id) == (admin.id, agency.id)
    assert registered.after["name"] == "锦绣物业"
    created = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.create",
                                                            AuditEntry.target_id == user.id))
    assert created.after["agency"] == "锦绣物业"
    assert client.get("/admin/agencies/99999").status_code == 404
    # the account is managed like any other: listed by role, its page, a new temporary password
    assert "jinxiu_kefu" in client.get("/admin/users?role=agency").get_data(as_text=True)
    assert "jinxiu_kefu" in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    reset = client.post(f"/admin/users/{user.id}/password", data={"confirm": "yes"})
    assert reset.status_code == 200 and "temp-password" in reset.get_data(as_text=True)
    # the new-account form offers no 协作单位 role (the filter above it lists every role):
    # those accounts are made on their agency's page, with their agency
    users_page = client.get("/admin/users").get_data(as_text=True)
    new_account_form = users_page.split('id="user-role"')[1].split("</select>", 1)[1]
    assert 'value="officer"' in new_account_form and 'value="agency"' not in new_account_form
    # and the staff editor makes no one an agency account (it would have no agency)
    officer = make.make_user("officer")
    with pytest.raises(ValidationFailed) as refused:
        accounts.update_staff(admin, officer, role=Role.AGENCY)
    assert "role" in refused.value.fields


def test_the_agency_hears_its_invitation_live_and_nothing_meant_for_police(app, client, login,
                                                                           make, lift):
    """Socket.IO: the bell rings on the invitation; a police-only thread posted on the board
    (announced to the board's police units) never reaches the agency's connection."""
    login(lift["manager"])
    sio = socketio.test_client(app, flask_test_client=client)
    try:
        assert sio.is_connected()
        sio.get_received()
        officer_client = app.test_client()
        officer_client.post("/login", data={"username": lift["officer"].username,
                                            "password": "password123"})
        assert officer_client.post(f"/api/v1/threads/{lift['thread'].id}/agencies",
                                   json={"agency_id": lift["agency"].id}).status_code == 201
        make.make_thread(lift["asker"], "report", kind="report", title="秘密线索不给物业",
                         visibility="police_only")
        received = sio.get_received()
        bells = [e["args"][0]["notification"] for e in received if e["name"] == "notification"]
        assert any("邀请贵单位协助处理" in (n or {}).get("text", "") for n in bells)
        assert "秘密线索不给物业" not in str(received)
        secret = db.session.scalar(db.select(Thread).where(Thread.title == "秘密线索不给物业"))
        ack = sio.emit("join", {"room": f"thread:{secret.id}"}, callback=True)
        assert not (ack or {}).get("ok")
    finally:
        sio.disconnect()


def test_the_demo_property_company_answers_the_lift_thread(app, client, capsys):
    """The demo's 幸福里物业 (login printed with the others) answers the lift-breakdown thread
    under its badge; the thread's answer and response time stay the station officer's."""
    from board import demo

    app.config["SEARCH_SYNC"] = False
    assert demo.seed() is True
    demo.print_logins()
    assert "wuye_xingfuli" in capsys.readouterr().out
    thread = db.session.scalar(db.select(Thread).where(Thread.title.contains("电梯停了三天")))
    posts = list(db.session.scalars(db.select(Post).where(Post.thread_id == thread.id)
                                    .order_by(Post.created_at)))
    assert [p.agency_name for p in posts] == [None, BADGE]
    assert posts[0].official_name == "陈志强" and posts[0].formal_answer
    assert thread.first_responder_id == posts[0].author_id
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "已邀请协作单位·幸福里物业" in page and page.count("data-agency-badge") == 1


def test_an_agency_signs_in_to_its_own_list_and_residents_to_the_home_page(client, lift):
    """A property manager's work is the threads it was invited to: it lands there."""
    def landing(user):
        client.post("/logout")
        return client.post("/login", data={"username": user.username,
                                           "password": "password123"}).headers["Location"]

    assert landing(lift["manager"]) == "/agency"
    assert landing(lift["asker"]) == "/"

"""permissions.can(): a role × action table, and the same answers enforced by pages and API."""
from __future__ import annotations

import pytest

from board import permissions
from board.extensions import db
from board.models import Anonymous, Thread
from board.services import accounts

pytestmark = pytest.mark.usefixtures("no_search_indexing")

ROLES = ["anonymous", "citizen", "author", "officer_hukou", "officer_traffic", "leader",
         "dispatcher", "admin", "disabled_officer"]

# action, target, and who may (everyone else may not).
TABLE = [
    ("thread.create_kind", "publicity",
     {"officer_hukou", "officer_traffic", "leader", "dispatcher"}),
    ("thread.create_kind", "question",
     {"citizen", "author", "officer_hukou", "officer_traffic", "leader", "dispatcher", "admin"}),
    ("thread.pin", "hukou_thread", {"officer_hukou", "leader", "admin"}),
    ("thread.lock", "hukou_thread", {"officer_hukou", "leader", "admin"}),
    ("inbox.view", None, {"officer_hukou", "officer_traffic", "leader"}),
    ("admin.access", None, {"admin"}),
    ("user.manage", None, {"admin"}),
    ("user.suspend", "citizen_account", {"admin"}),
    ("post.create", "locked_thread",
     {"officer_hukou", "officer_traffic", "leader", "dispatcher", "admin"}),
    ("post.create", "hukou_thread",
     {"citizen", "author", "officer_hukou", "officer_traffic", "leader", "dispatcher", "admin"}),
    ("thread.view", "police_only_thread",
     {"author", "officer_hukou", "officer_traffic", "leader", "dispatcher", "admin"}),
    ("thread.view", "hukou_thread", set(ROLES) - {"disabled_officer"}),
    ("thread.share", "hukou_thread", set(ROLES) - {"disabled_officer"}),  # issue 21
    ("thread.share", "police_only_thread", set()),
    ("police_only.view", None,
     {"officer_hukou", "officer_traffic", "leader", "dispatcher", "admin"}),
    # issue 18: the author's own thread (the window: tests/test_own_posts.py)
    ("content.edit", "hukou_thread", {"author"}),
    ("content.withdraw", "hukou_thread", {"author"}),
    ("content.history", "hukou_thread",
     {"author", "officer_hukou", "officer_traffic", "leader", "dispatcher", "admin"}),
]


@pytest.fixture
def world(make):
    people = {
        "anonymous": Anonymous(),
        "citizen": make.make_user(),
        "author": make.make_user(),
        "officer_hukou": make.make_user("officer", unit_code="hukou"),
        "officer_traffic": make.make_user("officer", unit_code="traffic"),
        "leader": make.make_user("leader"),
        "dispatcher": make.make_user("dispatcher"),
        "admin": make.make_user("admin"),
        "disabled_officer": make.make_user("officer", unit_code="hukou"),
    }
    accounts.suspend(accounts.SYSTEM, people["disabled_officer"], "测试停用")
    author = people["author"]
    targets = {
        "hukou_thread": make.make_thread(author, "hukou"),
        "citizen_account": make.make_user(),
        "locked_thread": make.lock(make.make_thread(author, "hukou")),
        "police_only_thread": make.make_thread(author, "report", kind="report",
                                               visibility="police_only"),
    }
    return people, targets


def test_permission_table(world):
    """Every row × every role; a failure lists each (action, target, role) answered wrongly."""
    people, targets = world
    wrong = []
    for action, target, allowed in TABLE:
        subject = targets.get(target, target)
        for role in ROLES:
            answer = permissions.can(people[role], action, subject)
            if answer != (role in allowed):
                wrong.append(f"{action} on {target} by {role}: {answer}")
    assert not wrong, "\n".join(wrong)


def test_an_unknown_action_fails_loudly(world):
    people, _ = world
    with pytest.raises(LookupError):
        permissions.can(people["admin"], "thread.delete_everything")


# --- the same rules enforced over HTTP -------------------------------------------------------


def test_citizen_is_not_offered_publicity_and_a_forged_post_is_refused(client, make, login):
    login(make.make_user())
    form = client.get("/b/hukou/new").get_data(as_text=True)
    assert 'value="question"' in form and 'value="help"' in form
    assert 'value="publicity"' not in form and "宣传" not in form.split("<form", 1)[1]

    response = client.post("/b/hukou/new", data={"kind": "publicity", "title": "冒充的官方通知",
                                                 "body": "假通知"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "您不能在此版块发布这种类型的帖子" in page and "Not a valid choice" not in page
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 0


def test_officer_is_offered_publicity_and_it_needs_no_answer(client, make, login):
    login(make.make_user("officer", unit_code="hukou", real_name="王海峰"))
    assert 'value="publicity"' in client.get("/b/hukou/new").get_data(as_text=True)
    response = client.post("/b/hukou/new", data={
        "kind": "publicity", "title": "【提醒】户籍窗口周六照常办公", "body": "欢迎前来办理。"})
    assert response.status_code == 302
    thread = db.session.scalar(db.select(Thread))
    assert thread.kind == "publicity" and thread.status == "answered"


def test_citizen_api_publicity_is_403(client, make):
    response = client.post("/api/v1/boards/hukou/threads", headers=make.bearer(make.make_user()),
                           json={"kind": "publicity", "title": "冒充的官方通知", "body": "假通知"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 0


def test_a_kind_the_board_does_not_take_is_a_field_error(client, make):
    response = client.post("/api/v1/boards/lawyer/threads", headers=make.bearer(make.make_user()),
                           json={"kind": "report", "title": "这是一条举报线索", "body": "内容"})
    assert response.status_code == 400
    assert "kind" in response.get_json()["error"]["fields"]


def test_locked_thread_refuses_citizen_replies_but_not_officers(client, make, login):
    author = make.make_user()
    thread = make.lock(make.make_thread(author))
    login(author)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "已锁定" in page and f'action="/t/{thread.id}/reply"' not in page
    assert client.post(f"/t/{thread.id}/reply", data={"body": "我还想说"}).status_code in (400, 403)
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).reply_count == 0
    api = client.application.test_client()
    response = api.post(f"/api/v1/threads/{thread.id}/posts", headers=make.bearer(author),
                        json={"body": "我还想说"})
    assert response.status_code == 403
    officer = make.make_user("officer", unit_code="hukou")
    response = api.post(f"/api/v1/threads/{thread.id}/posts", headers=make.bearer(officer),
                        json={"body": "补充说明"})
    assert response.status_code == 201


def test_police_only_thread_is_not_found_for_other_citizens(client, make, login):
    thread = make.make_thread(make.make_user(), "report", kind="report", visibility="police_only")
    other = make.make_user()
    assert client.get(f"/api/v1/threads/{thread.id}", headers=make.bearer(other)).status_code == 404
    login(other)
    assert client.get(f"/t/{thread.id}").status_code == 404
    assert client.post(f"/t/{thread.id}/reply", data={"body": "看看"}).status_code == 404
    dispatcher = make.make_user("dispatcher")
    assert client.application.test_client().get(
        f"/api/v1/threads/{thread.id}", headers=make.bearer(dispatcher)).status_code == 200


def test_templates_ask_the_same_module(client, make, login):
    """Navigation links follow permissions.can: the inbox for officers, admin for admins."""
    login(make.make_user("officer", unit_code="hukou"))
    page = client.get("/").get_data(as_text=True)
    assert 'href="/inbox"' in page and 'href="/admin/users"' not in page
    client.post("/logout")
    login(make.make_user("admin"))
    page = client.get("/").get_data(as_text=True)
    assert 'href="/admin/users"' in page and 'href="/inbox"' not in page

"""Accounts: citizens register themselves, police staff only through an admin, disabled accounts
are locked out everywhere, and CSRF guards every browser form and session-backed API call."""
from __future__ import annotations

import re

import pytest

from board.extensions import db
from board.models import Role, Thread, User
from board.services import accounts

pytestmark = pytest.mark.usefixtures("no_search_indexing")


def _user(username: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(db.select(User).where(User.username == username))


def _signed_in(client) -> bool:
    """/me needs a signed-in user: 200 when signed in, a redirect to /login otherwise."""
    return client.get("/me").status_code == 200


def _csrf_token(client, path: str = "/") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "the page carries no CSRF token"
    return match.group(1)


# --- registration ------------------------------------------------------------------------


def test_citizen_registers_through_the_form_and_is_signed_in(client):
    assert client.get("/register").status_code == 200
    assert not _signed_in(client)
    response = client.post("/register", data={"username": "laowang", "nickname": "热心市民老王",
                                              "password": "secret-pass-1",
                                              "accept_privacy": "y"})
    assert response.status_code == 302
    user = _user("laowang")
    assert user.role == Role.CITIZEN and user.nickname == "热心市民老王"
    assert user.real_name is None and user.badge_no is None and user.unit is None
    assert user.password_hash != "secret-pass-1"
    assert _signed_in(client)
    assert "热心市民老王" in client.get("/").get_data(as_text=True)


def test_rejected_registration_says_why_in_chinese_and_keeps_the_input(client):
    response = client.post("/register", data={"username": "ab", "nickname": "张大姐",
                                              "password": "short"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="ab"' in page and 'value="张大姐"' in page
    assert "用户名需为 3–30 位" in page and "密码至少 8 位" in page
    assert 'value="short"' not in page  # a password is never echoed back
    assert "Field must be" not in page and "Not a valid" not in page
    assert _user("ab") is None and not _signed_in(client)


def test_duplicate_username_is_refused_on_the_form(client, make):
    make.make_user(username="taken_name")
    response = client.post("/register", data={"username": "taken_name", "nickname": "另一个人",
                                              "password": "password123", "accept_privacy": "y"})
    assert response.status_code == 400
    assert "该用户名已被注册" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(User.id))
                             .where(User.username == "taken_name")) == 1


def test_self_registration_never_creates_police_staff(client):
    forged = {"username": "fake_cop", "nickname": "假警察", "password": "password123",
              "accept_privacy": "y", "role": "officer", "real_name": "张伟", "badge_no": "150999",
              "unit": "hukou"}
    assert client.post("/register", data=forged).status_code == 302
    user = _user("fake_cop")
    assert user.role == Role.CITIZEN and not user.is_official
    assert user.badge_no is None and user.real_name is None and user.unit is None

    api = client.application.test_client()
    response = api.post("/api/v1/auth/register", json={**forged, "username": "fake_cop2",
                                                        "unit": "hukou"})
    assert response.status_code == 201
    body = response.get_json()["user"]
    assert body["role"] == "citizen" and body["badge_no"] is None and body["real_name"] is None


# --- police staff only through the admin -------------------------------------------------


def test_admin_pages_are_forbidden_to_everyone_but_admins(client, make, login):
    for role in ("citizen", "officer", "leader", "dispatcher"):
        login(make.make_user(role))
        for path in ("/admin/users", "/admin/units", "/admin/boards"):
            assert client.get(path).status_code == 403, (role, path)
        response = client.post("/admin/users", data={
            "role": "officer", "username": "sneaky", "password": "password123",
            "real_name": "张伟", "badge_no": "150777", "unit": "hukou"})
        assert response.status_code == 403, role
        assert _user("sneaky") is None
        client.post("/logout")


def test_admin_pages_send_anonymous_readers_to_sign_in(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_creates_an_officer_with_real_name_badge_and_unit(client, make, login):
    login(make.make_user("admin", username="root_admin"))
    assert client.get("/admin/users").status_code == 200
    response = client.post("/admin/users", data={
        "role": "officer", "username": "officer_zhang", "password": "password123",
        "real_name": "张伟", "badge_no": "150123", "unit": "traffic",
        "nickname": "", "contact": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    officer = _user("officer_zhang")
    assert officer.role == Role.OFFICER and officer.real_name == "张伟"
    assert officer.badge_no == "150123" and officer.unit.code == "traffic"
    assert officer.display_name == "张伟"


def test_admin_creates_an_officer_when_the_optional_nickname_is_only_spaces(client, make,
                                                                              login):
    """Staff text is cleaned like everyone's (board/text.py): a nickname box holding a stray
    space is empty, so the officer goes by their real name instead of being refused."""
    login(make.make_user("admin"))
    response = client.post("/admin/users", data={
        "role": "officer", "username": " officer_li ", "password": "password123",
        "real_name": "李  文博", "badge_no": " 150471 ", "unit": "hukou",
        "nickname": "  ", "contact": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    officer = _user("officer_li")
    assert officer.nickname == officer.real_name == "李 文博"
    assert officer.badge_no == "150471"


def test_admin_form_refuses_an_officer_without_badge_in_chinese(client, make, login):
    login(make.make_user("admin"))
    response = client.post("/admin/users", data={
        "role": "officer", "username": "no_badge", "password": "password123",
        "real_name": "李四", "badge_no": "", "unit": "hukou"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "民警须填写警号" in page
    assert 'value="no_badge"' in page and 'value="李四"' in page
    assert _user("no_badge") is None


# --- disabled accounts --------------------------------------------------------------------


def test_disabled_user_cannot_sign_in_on_the_form(client, make, login):
    user = make.make_user()
    login(user)  # works while active
    client.post("/logout")
    accounts.suspend(accounts.SYSTEM, user, "测试停用")
    response = client.post("/login", data={"username": user.username, "password": "password123"})
    assert response.status_code == 403  # told why and whom to ask (issue 17), not "wrong password"
    page = response.get_data(as_text=True)
    assert "账号已被停用" in page and "测试停用" in page and "网上警务室" in page
    assert not _signed_in(client)


def test_disabled_user_gets_no_api_token(client, make):
    user = make.make_user()
    ok = client.post("/api/v1/auth/token", json={"username": user.username,
                                                 "password": "password123"})
    assert ok.status_code == 200 and ok.get_json()["token"]
    accounts.suspend(accounts.SYSTEM, user, "测试停用")
    refused = client.post("/api/v1/auth/token", json={"username": user.username,
                                                      "password": "password123"})
    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert error["code"] == "account_disabled" and "测试停用" in error["message"]


def test_disabling_ends_an_open_session_and_existing_tokens(client, make, login):
    user = make.make_user()
    login(user)  # with "remember me": the remember cookie must not bring the user back either
    headers = make.bearer(user)
    api = client.application.test_client()
    assert _signed_in(client)
    assert api.get("/api/v1/me", headers=headers).status_code == 200

    accounts.suspend(accounts.SYSTEM, user, "测试停用")

    assert not _signed_in(client)
    assert client.post("/b/hukou/new", data={"kind": "question", "title": "停用后还能发帖吗",
                                             "body": "试试"}).status_code == 302  # to /login
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 0
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    response = api.post("/api/v1/boards/hukou/threads", headers=headers,
                        json={"kind": "question", "title": "停用后还能发帖吗", "body": "试试"})
    assert response.status_code == 401


def test_admin_disables_a_user_on_the_admin_page(client, make, login):
    victim = make.make_user()
    login(make.make_user("admin"))
    response = client.post(f"/admin/users/{victim.id}/disable", data={"reason": "测试停用"})
    assert response.status_code == 302
    assert _user(victim.username).disabled
    assert client.post("/api/v1/auth/token", json={"username": victim.username,
                                                   "password": "password123"}).status_code == 403


# --- CSRF -------------------------------------------------------------------------------------


def test_csrf_rejects_a_form_post_without_token(app, client, make, login):
    login(make.make_user())
    app.config["WTF_CSRF_ENABLED"] = True
    data = {"kind": "question", "title": "没有令牌的帖子", "body": "内容"}

    response = client.post("/b/hukou/new", data=data)
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 0

    token = _csrf_token(client, "/b/hukou/new")
    assert client.post("/b/hukou/new", data={**data, "csrf_token": "forged"}).status_code == 400
    assert client.post("/b/hukou/new", data={**data, "csrf_token": token}).status_code == 302
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 1


def test_csrf_guards_sign_in_and_registration_forms_too(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/register", data={"username": "csrf_user", "nickname": "甲",
                                          "password": "password123"}).status_code == 400
    assert _user("csrf_user") is None


def test_csrf_api_with_browser_session_needs_the_header_but_bearer_does_not(app, client, make,
                                                                            login):
    user = make.make_user()
    login(user)
    app.config["WTF_CSRF_ENABLED"] = True
    payload = {"kind": "question", "title": "接口发帖测试", "body": "内容"}

    response = client.post("/api/v1/boards/hukou/threads", json=payload)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 0

    token = _csrf_token(client)
    response = client.post("/api/v1/boards/hukou/threads", json=payload,
                           headers={"X-CSRFToken": token})
    assert response.status_code == 201

    bearer_client = app.test_client()  # no cookies at all: nothing to forge
    response = bearer_client.post("/api/v1/boards/hukou/threads", json=payload,
                                  headers=make.bearer(user))
    assert response.status_code == 201
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 2


def test_csrf_does_not_block_anonymous_api_registration(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/api/v1/auth/register", json={"username": "mobile_user",
                                                          "password": "password123",
                                                          "nickname": "手机用户"})
    assert response.status_code == 201

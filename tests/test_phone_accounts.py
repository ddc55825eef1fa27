"""Issue 17, accounts: verified phones by SMS code, registration with the privacy notice,
password reset and change (every other sign-in ends), temporary passwords, what a disabled
account is told, export and closing an account, and 联系发帖人 (audited).

Codes are read where a resident reads them: from a real local HTTP SMS gateway stand-in (an
HTTP server in the test, SMS_BACKEND=http) or from the server log (SMS_BACKEND=console)."""
from __future__ import annotations

import json
import logging
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from board.extensions import db
from board.models import (
    AuditEntry,
    Board,
    Notice,
    NoticeEvent,
    NoticeKind,
    NoticeSettings,
    NoticeState,
    Rating,
    SmsCode,
    Thread,
    ThreadFollow,
    User,
    utcnow,
)
from board.privacy import notice
from board.services import accounts

pytestmark = pytest.mark.usefixtures("no_search_indexing")  # search is tested elsewhere

PHONE = "13904720188"
CODE_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")  # six digits alone, not inside the number


class Gateway:
    """A stand-in for an operator's SMS gateway: it records every JSON POST and answers with
    `status` (a 500 plays a gateway that is down)."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.headers: list[dict] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append(json.loads(body))
                gateway.headers.append(dict(self.headers))
                self.send_response(gateway.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def codes(self, phone: str = PHONE) -> list[str]:
        return [m["params"]["code"] for m in self.received
                if m["phone"] == phone and "code" in m.get("params", {})]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(app):
    gw = Gateway()
    app.config.update(SMS_BACKEND="http", SMS_HTTP_URL=gw.url, SMS_HTTP_TOKEN="gw-secret")
    yield gw
    gw.close()


def _code(client, phone=PHONE, purpose="register", **environ):
    response = client.post("/api/v1/auth/sms-code", json={"phone": phone, "purpose": purpose},
                           environ_base=environ or {})
    assert response.status_code == 202, response.get_json()
    return response


def _register(client, code, phone=PHONE, username="phone_user", **extra):
    return client.post("/api/v1/auth/register", json={
        "username": username, "password": "password123", "nickname": "手机用户",
        "phone": phone, "code": code, "accept_privacy": True, **extra})


def _citizen_with_phone(make, phone=PHONE, **fields):
    user = make.make_user(**fields)
    user.phone, user.phone_verified_at = phone, utcnow()
    db.session.commit()
    return user


def _bearer(client, username, password="password123"):
    response = client.post("/api/v1/auth/token", json={"username": username,
                                                       "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


# --- registering with a phone ----------------------------------------------------------------


def test_register_with_a_code_from_the_http_gateway(client, gateway):
    _code(client, "+86 139-0472-0188")  # any way a resident types it
    message = gateway.received[-1]
    assert message["phone"] == PHONE and message["template"] == "verify_register"
    assert message["text"].startswith("【鹿城24小时警局】")
    assert message["params"]["code"] in message["text"]
    assert gateway.headers[-1]["Authorization"] == "Bearer gw-secret"
    row = db.session.scalar(db.select(SmsCode))
    assert message["params"]["code"] not in row.code_hash  # only a keyed hash is kept

    response = _register(client, message["params"]["code"], phone="139 0472 0188")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["user"]["phone"] == PHONE  # the owner sees the whole number
    user = db.session.scalar(db.select(User).where(User.username == "phone_user"))
    assert user.phone == PHONE and user.phone_verified_at is not None
    assert user.privacy_version == notice.VERSION and user.privacy_accepted_at is not None

    again = _register(client, message["params"]["code"], username="second_user")  # single use
    assert again.status_code == 400 and "code" in again.get_json()["error"]["fields"]


def test_register_on_the_page_with_a_code_from_the_console_log(client, app, caplog):
    app.config["SMS_BACKEND"] = "console"
    form = {"username": "page_user", "nickname": "页面用户", "password": "password123",
            "phone": "139-0472-0188"}
    with caplog.at_level(logging.WARNING, logger="board.sms"):
        sent = client.post("/register", data={**form, "action": "send_code"})
    assert sent.status_code == 200 and "验证码已发送至 139****0188" in sent.get_data(as_text=True)
    assert 'value="page_user"' in sent.get_data(as_text=True)  # what was typed stays
    code = CODE_RE.search(next(r.getMessage() for r in caplog.records
                               if PHONE in r.getMessage())).group(1)

    refused = client.post("/register", data={**form, "code": code})  # the privacy tick missing
    assert refused.status_code == 400
    assert "请阅读并同意《隐私政策》" in refused.get_data(as_text=True)
    done = client.post("/register", data={**form, "code": code, "accept_privacy": "y"})
    assert done.status_code == 302
    user = db.session.scalar(db.select(User).where(User.username == "page_user"))
    assert user.phone == PHONE and user.privacy_version == notice.VERSION


def test_register_requires_phone_when_configured_and_not_otherwise(client, app, gateway):
    legacy = client.post("/api/v1/auth/register", json={
        "username": "legacy_app", "password": "password123", "nickname": "老客户端"})
    assert legacy.status_code == 201  # the existing contract keeps working
    app.config["REGISTER_REQUIRES_PHONE"] = True
    bare = client.post("/api/v1/auth/register", json={
        "username": "strict_one", "password": "password123", "nickname": "新用户"})
    assert bare.status_code == 400
    assert set(bare.get_json()["error"]["fields"]) == {"phone", "accept_privacy"}
    page = client.get("/register").get_data(as_text=True)
    assert "手机号(选填)" not in page and "手机号" in page
    _code(client)
    no_consent = _register(client, gateway.codes()[-1], username="strict_one",
                           accept_privacy=False)
    assert no_consent.status_code == 400
    assert _register(client, gateway.codes()[-1], username="strict_one").status_code == 201


def test_sending_reveals_nothing_about_which_numbers_have_accounts(client, app, make, gateway):
    _citizen_with_phone(make)
    app.config["SMS_CODE_PHONE_LIMITS"] = "5 per minute"  # one number asks twice here
    answers = [_code(client, PHONE, "register", REMOTE_ADDR="10.0.0.1").get_json(),
               _code(client, "13904720177", "register", REMOTE_ADDR="10.0.0.2").get_json(),
               _code(client, PHONE, "reset", REMOTE_ADDR="10.0.0.3").get_json(),
               _code(client, "13904720166", "reset", REMOTE_ADDR="10.0.0.4").get_json()]
    assert all(a == answers[0] for a in answers)
    # the owner of the registered number is told so instead of getting a register code; no
    # reset code goes to a number without an account
    assert [(m["phone"], m["template"]) for m in gateway.received] == [
        (PHONE, "registered"), ("13904720177", "verify_register"), (PHONE, "verify_reset")]
    bad = client.post("/api/v1/auth/sms-code", json={"phone": "1234", "purpose": "register"})
    assert bad.status_code == 400 and "phone" in bad.get_json()["error"]["fields"]
    assert client.post("/api/v1/auth/sms-code", json={"phone": PHONE, "purpose": "bind"}
                       ).status_code == 400  # bind needs an account


def test_send_limits_per_number_and_per_client(client, app, gateway):
    _code(client, PHONE, REMOTE_ADDR="10.0.0.1")
    _code(client, PHONE, REMOTE_ADDR="10.0.0.2")  # the same number within the minute
    assert len(gateway.received) == 1
    app.config["SMS_CODE_CLIENT_LIMITS"] = "2 per minute"
    for n in range(3):  # one client, three numbers
        _code(client, f"1390472010{n}", REMOTE_ADDR="10.0.0.9")
    assert [m["phone"] for m in gateway.received[1:]] == ["13904720100", "13904720101"]
    # the hour and the day count too: 5 a number an hour
    app.config["SMS_CODE_PHONE_LIMITS"] = "10 per minute;5 per hour"
    for n in range(6):
        _code(client, "13904720155", REMOTE_ADDR=f"10.0.1.{n}")
    assert sum(m["phone"] == "13904720155" for m in gateway.received) == 5


def test_a_code_allows_five_tries_and_expires(client, gateway):
    _code(client)
    right = gateway.codes()[-1]
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(5):
        assert _register(client, wrong).status_code == 400
    spent = _register(client, right)
    assert spent.status_code == 400
    assert spent.get_json()["error"]["fields"]["code"] == "验证码输错次数过多,请重新获取"

    db.session.execute(db.delete(SmsCode))
    db.session.commit()
    _code(client, REMOTE_ADDR="10.0.0.5")
    db.session.execute(db.update(SmsCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert _register(client, gateway.codes()[-1]).status_code == 400  # five minutes passed


def test_a_gateway_that_is_down_is_tried_twice_and_never_shown(client, gateway, caplog):
    gateway.status = 500
    with caplog.at_level(logging.ERROR, logger="board.sms"):
        response = _code(client)
    assert response.get_json()["accepted"] is True
    assert len(gateway.received) == 2  # tried once more
    assert "gateway failed twice" in caplog.text


# --- passwords ---------------------------------------------------------------------------------


def _other_session(app, user):
    other = app.test_client()
    assert other.post("/login", data={"username": user.username,
                                      "password": "password123"}).status_code == 302
    return other


def _signed_in(c) -> bool:
    return c.get("/me").status_code == 200


def test_reset_by_phone_ends_every_sign_in(client, app, make, gateway):
    user = _citizen_with_phone(make)
    token = _bearer(client, user.username)
    browser = _other_session(app, user)
    _code(client, PHONE, "reset")
    response = client.post("/api/v1/auth/password/reset", json={
        "phone": PHONE, "code": gateway.codes()[-1], "new_password": "brand-new-pass"})
    assert response.status_code == 200
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert not _signed_in(browser)
    assert client.post("/api/v1/auth/token", json={"username": user.username,
                                                   "password": "password123"}).status_code == 401
    _bearer(client, user.username, "brand-new-pass")

    unknown = client.post("/api/v1/auth/password/reset", json={
        "phone": "13904720166", "code": "123456", "new_password": "whatever-pass"})
    assert unknown.status_code == 400 and "code" in unknown.get_json()["error"]["fields"]


def test_change_by_api_gives_a_new_token_and_ends_the_others(client, app, make):
    user = make.make_user()
    first, second = _bearer(client, user.username), _bearer(client, user.username)
    browser = _other_session(app, user)
    wrong = client.post("/api/v1/me/password", headers=first,
                        json={"current_password": "nope-nope", "new_password": "brand-new-pass"})
    assert wrong.status_code == 400 and "current_password" in wrong.get_json()["error"]["fields"]
    changed = client.post("/api/v1/me/password", headers=first,
                          json={"current_password": "password123",
                                "new_password": "brand-new-pass"})
    assert changed.status_code == 200
    fresh = {"Authorization": f"Bearer {changed.get_json()['token']}"}
    assert client.get("/api/v1/me", headers=fresh).status_code == 200
    for old in (first, second):
        assert client.get("/api/v1/me", headers=old).status_code == 401
    assert not _signed_in(browser)


def test_change_on_the_page_keeps_this_browser_and_ends_the_others(client, app, make, login):
    user = make.make_user()
    token = _bearer(client, user.username)
    login(user)
    browser = _other_session(app, user)
    assert "修改密码" in client.get("/me/security").get_data(as_text=True)
    mismatch = client.post("/me/security/password", data={
        "current_password": "password123", "new_password": "brand-new-pass",
        "confirm": "other-new-pass"})
    assert mismatch.status_code == 400 and "两次输入的密码不一致" in mismatch.get_data(as_text=True)
    done = client.post("/me/security/password", data={
        "current_password": "password123", "new_password": "brand-new-pass",
        "confirm": "brand-new-pass"})
    assert done.status_code == 302
    assert _signed_in(client) and not _signed_in(browser)
    assert client.get("/api/v1/me", headers=token).status_code == 401


def test_an_officer_with_a_temporary_password_must_choose_their_own(client, app, make, login):
    admin = make.make_user("admin")
    login(admin)
    assert client.post("/admin/users", data={
        "role": "officer", "username": "new_officer", "password": "temp-pass-2026",
        "real_name": "赵刚", "badge_no": "150777", "unit": "hukou"}).status_code == 302
    officer = db.session.scalar(db.select(User).where(User.username == "new_officer"))
    assert officer.must_change_password
    client.post("/logout")

    assert client.post("/login", data={"username": "new_officer",
                                       "password": "temp-pass-2026"}).status_code == 302
    gated = client.get("/inbox")
    assert gated.status_code == 302 and "/me/security" in gated.headers["Location"]
    assert "临时密码" in client.get("/me/security").get_data(as_text=True)
    token = _bearer(client, "new_officer", "temp-pass-2026")
    api = client.get("/api/v1/me/notifications", headers=token)
    assert api.status_code == 403
    assert api.get_json()["error"]["code"] == "password_change_required"
    assert client.post("/me/security/password", data={
        "current_password": "temp-pass-2026", "new_password": "my-own-pass-1",
        "confirm": "my-own-pass-1"}).status_code == 302
    assert client.get("/inbox").status_code == 200

    # an admin issues a new temporary one: shown once, audited, every sign-in ends
    client.post("/logout")
    login(admin)
    page = client.post(f"/admin/users/{officer.id}/password", data={"confirm": "yes"})
    issued = re.search(r'class="temp-password">(\w+)<', page.get_data(as_text=True)).group(1)
    db.session.refresh(officer)
    assert officer.must_change_password and officer.check_password(issued)
    entry = db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "user.temporary_password"))
    assert entry.actor_id == admin.id and entry.target_id == officer.id
    assert issued not in json.dumps(entry.after)
    other = make.make_user()
    client.post("/logout")
    login(other)
    assert client.post(f"/admin/users/{officer.id}/password",
                       data={"confirm": "yes"}).status_code == 403


def test_flask_users_create_gives_police_a_temporary_password(flask_cli):
    assert flask_cli("users", "create", "--role", "officer", "--username", "cli_cop",
                     "--password", "temp-pass-2026", "--real-name", "钱军", "--badge-no",
                     "150778", "--unit", "hukou").exit_code == 0
    assert flask_cli("users", "create", "--role", "citizen", "--username", "cli_citizen",
                     "--password", "pass-2026-x").exit_code == 0
    flags = dict(db.session.execute(db.select(User.username, User.must_change_password)).all())
    assert flags == {"cli_cop": True, "cli_citizen": False}


def test_a_disabled_account_is_told_why_only_after_the_right_password(client, app, make):
    user = make.make_user()
    accounts.suspend(accounts.SYSTEM, user, "多次发布广告")
    app.config["ACCOUNT_CONTACT"] = "市局网上警务室 0472-5116110"
    right = client.post("/api/v1/auth/token", json={"username": user.username,
                                                    "password": "password123"})
    assert right.status_code == 403
    message = right.get_json()["error"]["message"]
    assert "多次发布广告" in message and "0472-5116110" in message
    wrong = client.post("/api/v1/auth/token", json={"username": user.username,
                                                    "password": "not-the-password"})
    nobody = client.post("/api/v1/auth/token", json={"username": "no_such_name",
                                                     "password": "not-the-password"})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.get_json() == nobody.get_json()
    page = client.post("/login", data={"username": user.username, "password": "password123"})
    assert page.status_code == 403 and "多次发布广告" in page.get_data(as_text=True)


# --- binding a phone later ----------------------------------------------------------------------


def test_bind_a_phone_from_account_security(client, make, login, gateway):
    user = make.make_user()
    _citizen_with_phone(make, "13904720177")
    login(user)
    client.post("/me/security/phone", data={"phone": "13904720177", "action": "send_code"})
    assert gateway.received == []  # another account's number: nothing sent, nothing said
    sent = client.post("/me/security/phone", data={"phone": PHONE, "action": "send_code"},
                       environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert "验证码已发送至 139****0188" in sent.get_data(as_text=True)
    code = gateway.codes()[-1]
    intruder = make.make_user()  # a code sent to one account binds only to it
    other = client.application.test_client()
    other.post("/login", data={"username": intruder.username, "password": "password123"})
    assert other.post("/api/v1/me/phone", json={"phone": PHONE, "code": code}).status_code == 400
    assert client.post("/me/security/phone", data={"phone": PHONE, "code": code}
                       ).status_code == 302
    db.session.refresh(user)
    assert user.phone == PHONE
    assert PHONE in client.get("/me/security").get_data(as_text=True)  # its owner sees it all


# --- PIPL: the notice, export, closing the account ------------------------------------------


def test_the_privacy_notice_is_a_versioned_page_linked_from_sign_up(client):
    page = client.get("/privacy").get_data(as_text=True)
    assert notice.VERSION in page and "个人信息保护法" in page and "注销账号" in page
    assert "/privacy" in client.get("/register").get_data(as_text=True)


def test_export_holds_what_the_board_keeps_about_me(client, make, login):
    user = _citizen_with_phone(make)
    thread = make.make_thread(user, title="户口迁移需要什么材料")
    make.make_post(thread, user, body="补充:我是外地户口。")
    officer = make.make_user("officer", unit_code="hukou")
    make.make_post(thread, officer, body="请带身份证和户口本到户籍窗口办理。")
    db.session.add(Rating(thread_id=thread.id, user_id=user.id, score=5, comment="很及时"))
    db.session.commit()
    assert client.get("/api/v1/me/export").status_code == 401
    login(user)
    response = client.get("/api/v1/me/export?download=1")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["profile"]["phone"] == PHONE and data["profile"]["username"] == user.username
    assert [t["title"] for t in data["threads"]] == ["户口迁移需要什么材料"]
    assert [p["body"] for p in data["posts"]] == ["补充:我是外地户口。"]
    assert data["ratings"][0]["comment"] == "很及时"
    assert data["notifications"] and data["sign_ins"]
    assert "导出我的数据" in client.get("/me/security").get_data(as_text=True)


def test_export_and_closing_cover_follows_notice_settings_and_notices(client, make, login):
    """What issue 17 added about a person (同问, notice settings with an e-mail address, the
    notices sent to them) is in their export, and goes when they close the account."""
    user = _citizen_with_phone(make)
    other = make.make_thread(title="小区夜里施工噪音能管吗")
    police_only = make.make_thread(make.make_user("officer"), title="内部核查的线索",
                                  visibility="police_only")
    login(user)
    assert client.post(f"/api/v1/threads/{other.id}/follow",
                       json={"same_question": True}).status_code == 200
    db.session.add(ThreadFollow(thread_id=police_only.id, user_id=user.id))
    assert client.put("/api/v1/me/notification-settings", json={
        "email": True, "email_address": "zhang.dajie@example.cn",
        "quiet_start": "21:30"}).status_code == 200
    event = NoticeEvent(kind=NoticeKind.OFFICIAL_REPLY, thread_id=other.id, fanned_at=utcnow())
    db.session.add(event)
    db.session.flush()
    db.session.add(Notice(event_id=event.id, user_id=user.id, thread_id=other.id, channel="sms",
                          state=NoticeState.SENT, text="【鹿城24小时警局】您关注的帖子有民警答复",
                          sent_at=utcnow()))
    db.session.commit()

    data = client.get("/api/v1/me/export").get_json()
    following = {f["thread_id"]: f for f in data["following"]}
    assert following[other.id]["same_question"] is True
    assert following[other.id]["title"] == "小区夜里施工噪音能管吗"
    assert following[police_only.id]["title"] is None  # no longer theirs to read
    assert data["notice_settings"]["email_address"] == "zhang.dajie@example.cn"
    assert data["notice_settings"]["email"] is True
    assert data["notice_settings"]["quiet_start"] == "21:30"
    assert [(n["channel"], n["state"], n["text"]) for n in data["notices"]] == [
        ("sms", "sent", "【鹿城24小时警局】您关注的帖子有民警答复")]

    assert client.delete("/api/v1/me", json={"password": "password123"}).status_code == 200
    db.session.expire_all()
    assert db.session.get(NoticeSettings, user.id) is None
    assert not db.session.scalars(db.select(ThreadFollow).where(
        ThreadFollow.user_id == user.id)).all()
    assert not db.session.scalars(db.select(Notice).where(Notice.user_id == user.id)).all()
    assert db.session.get(Thread, other.id).same_question_count == 1  # the demand stays counted


def test_closing_an_account_erases_it_and_keeps_the_posts(client, app, make, login):
    user = _citizen_with_phone(make, nickname="张大姐")
    thread = make.make_thread(user, title="小区门口电动车被盗怎么办")
    token = _bearer(client, user.username)
    old_name = user.username
    refused = client.delete("/api/v1/me", headers=token, json={"password": "wrong-one"})
    assert refused.status_code == 400
    response = client.delete("/api/v1/me", headers=token, json={"password": "password123"})
    assert response.status_code == 200 and response.get_json()["withdrawn_threads"] == 0
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.nickname == "已注销用户" and user.phone is None and user.deleted_at
    assert user.username != old_name
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": old_name,
                                                   "password": "password123"}).status_code == 401
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "小区门口电动车被盗怎么办" in page and "已注销用户" in page and "张大姐" not in page
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.delete"))
    assert entry.target_id == user.id and PHONE not in json.dumps(entry.after)


def test_closing_on_the_page_can_withdraw_the_posts(client, make, login):
    """Withdrawing on closing is the author's withdrawal (issue 18): 「作者已撤回」 in place, out
    of the lists and counts, the original kept for the police; one audit entry for the closing."""
    user = make.make_user()
    thread = make.make_thread(user, title="想撤回的求助帖")
    other = make.make_thread(title="别人的帖子")
    reply = make.make_post(other, user, body="我也遇到过这种情况。")
    officer = make.make_user("officer")
    board_count = db.session.get(Board, thread.board_id).thread_count
    login(user)
    assert "注销账号" in client.get("/me/security").get_data(as_text=True)
    unconfirmed = client.post("/me/close", data={"password": "password123",
                                                 "withdraw_posts": "y"})
    assert unconfirmed.status_code == 400
    done = client.post("/me/close", data={"password": "password123", "withdraw_posts": "y",
                                          "understood": "y"})
    assert done.status_code == 302 and not _signed_in(client)
    page = client.get(f"/t/{thread.id}")
    assert page.status_code == 200 and "作者已撤回" in page.get_data(as_text=True)
    assert "想撤回的求助帖" not in page.get_data(as_text=True)
    other_page = client.get(f"/t/{other.id}").get_data(as_text=True)
    assert "我也遇到过这种情况" not in other_page and "作者已撤回" in other_page
    listed = client.get("/api/v1/boards/hukou/threads").get_json()["threads"]
    assert thread.id not in [t["id"] for t in listed]
    db.session.expire_all()
    assert db.session.get(Board, thread.board_id).thread_count == board_count - 1
    assert db.session.get(Thread, other.id).reply_count == 0
    assert not db.session.get(Thread, thread.id).hidden  # withdrawn, not hidden by a moderator
    assert db.session.get(type(reply), reply.id).withdrawn_at is not None
    login(officer)  # the police still read what was withdrawn
    assert "我也遇到过这种情况" in client.get(f"/p/{reply.id}/history").get_data(as_text=True)
    actions = list(db.session.scalars(db.select(AuditEntry.action)))
    assert actions.count("user.delete") == 1 and not any("withdraw" in a for a in actions)


def test_police_accounts_cannot_close_themselves(client, make):
    officer = make.make_user("officer")
    token = _bearer(client, officer.username)
    assert client.delete("/api/v1/me", headers=token,
                         json={"password": "password123"}).status_code == 403


# --- 联系发帖人 ---------------------------------------------------------------------------------


def test_contact_the_asker_is_audited_and_only_for_those_handling_it(client, make, login):
    asker = _citizen_with_phone(make)
    thread = make.make_thread(asker, "report", kind="report", title="电梯里有人被困")
    officer = make.make_user("officer", unit_code="station-nanmen")
    login(officer)
    assert "联系发帖人" in client.get(f"/t/{thread.id}").get_data(as_text=True)
    page = client.post(f"/t/{thread.id}/contact-author")
    assert page.status_code == 200 and f'href="tel:{PHONE}"' in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    api = client.post(f"/api/v1/threads/{thread.id}/contact-author").get_json()
    assert api == {"phone": PHONE, "tel": f"tel:{PHONE}"}
    entries = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "thread.contact_author")).all()
    assert [(e.actor_id, e.target_id) for e in entries] == [(officer.id, thread.id)] * 2
    assert all(PHONE not in json.dumps(e.after) for e in entries)

    client.post("/logout")
    login(asker)
    mine = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "联系发帖人" not in mine and "回电" not in mine
    assert client.post(f"/t/{thread.id}/contact-author").status_code == 403

    no_phone = make.make_thread(board_slug="report", kind="report", title="没有手机号的帖子")
    client.post("/logout")
    login(officer)
    assert "没有绑定已验证的手机号" in client.get(f"/t/{no_phone.id}").get_data(as_text=True)
    assert client.post(f"/api/v1/threads/{no_phone.id}/contact-author").status_code == 409

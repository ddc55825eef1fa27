"""Signing out, changing a password or being suspended ends the sign-in on the server, so a
copy of a cookie or token made before stops working; bearer tokens expire, and their owner can
list, revoke and refresh them (issue 15, item 5)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from board import models
from board.extensions import db
from board.models import ApiToken, utcnow
from board.services import accounts
from tests.browser import sign_in
from tests.live_server import BoardServer, register
from tests.test_live import join, sio

pytestmark = pytest.mark.usefixtures("no_search_indexing")

SESSION, REMEMBER = "session", "remember_token"


def _sign_in(app, user, remember: bool = True):
    """A browser of its own, signed in through the sign-in form."""
    browser = app.test_client()
    data = {"username": user.username, "password": "password123"}
    if remember:
        data["remember"] = "y"
    assert browser.post("/login", data=data).status_code == 302
    return browser


def _domain(app) -> str:
    return (app.config.get("SERVER_NAME") or "localhost").split(":")[0]


def _cookie(browser, name: str) -> str:
    cookie = browser.get_cookie(name, domain=_domain(browser.application))
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _browser_with(app, **cookies):
    """Another computer, holding copies of the given cookies (and nothing else)."""
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value, domain=_domain(app))
    return browser


def _is_signed_in(browser) -> bool:
    return browser.get("/api/v1/me").status_code == 200


def _me(app, token: str):
    return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


# --- browser sessions -----------------------------------------------------------------------


def test_a_session_cookie_copied_before_sign_out_is_refused_after_it(app, make):
    user = make.make_user()
    browser = _sign_in(app, user, remember=False)
    copy = _browser_with(app, **{SESSION: _cookie(browser, SESSION)})
    assert _is_signed_in(copy)  # the copy works as long as the sign-in does

    browser.post("/logout")

    assert not _is_signed_in(browser)
    assert not _is_signed_in(copy)
    assert copy.get("/me").status_code == 302  # the page sends it to sign in


def test_remember_me_is_new_at_every_sign_in_and_an_old_one_dies_with_sign_out(app, make):
    user = make.make_user()
    office, home = _sign_in(app, user), _sign_in(app, user)
    office_cookie, home_cookie = _cookie(office, REMEMBER), _cookie(home, REMEMBER)
    assert office_cookie != home_cookie
    assert _is_signed_in(_browser_with(app, **{REMEMBER: office_cookie}))

    office.post("/logout")

    assert not _is_signed_in(_browser_with(app, **{REMEMBER: office_cookie}))
    assert _is_signed_in(_browser_with(app, **{REMEMBER: home_cookie}))  # only that one ended
    assert _is_signed_in(home)


def test_a_forged_cookie_without_a_sign_in_is_refused(app, make):
    """A session naming only a user id (as cookies did before) names no sign-in."""
    user = make.make_user()
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = str(user.id)
    assert not _is_signed_in(browser)


def test_a_browser_sign_in_without_remember_me_ends_after_idling(app, make):
    user = make.make_user()
    browser = _sign_in(app, user, remember=False)
    a_while_ago = utcnow() - timedelta(minutes=1)
    db.session.execute(db.update(models.UserSession).values(last_seen_at=a_while_ago,
                                                     expires_at=a_while_ago))
    db.session.commit()
    assert not _is_signed_in(browser)


def test_suspending_ends_browser_sessions_and_tokens_and_reinstating_revives_none(app, make):
    user = make.make_user()
    browser = _sign_in(app, user)
    remembered = _cookie(browser, REMEMBER)
    token = make.token(user)

    accounts.suspend(accounts.SYSTEM, user, "手机丢失")
    assert not _is_signed_in(browser) and _me(app, token).status_code == 401
    accounts.reinstate(accounts.SYSTEM, user)

    assert not _is_signed_in(browser)
    assert not _is_signed_in(_browser_with(app, **{REMEMBER: remembered}))
    assert _me(app, token).status_code == 401
    assert _is_signed_in(_sign_in(app, user))  # the owner signs in afresh


def test_changing_the_password_ends_every_sign_in_made_before(app, make):
    user = make.make_user()
    browser, token = _sign_in(app, user), make.token(user)

    accounts.change_password(user, "password123", "a-new-password")

    assert not _is_signed_in(browser)
    assert _me(app, token).status_code == 401
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": user.username,
                                      "password": "a-new-password"}).status_code == 302


def test_a_wrong_current_password_changes_nothing(app, make):
    user = make.make_user()
    token = make.token(user)
    with pytest.raises(accounts.ValidationFailed) as refused:
        accounts.change_password(user, "not-my-password", "a-new-password")
    assert refused.value.fields == {"current_password": "当前密码不正确"}
    assert _me(app, token).status_code == 200


# --- bearer tokens --------------------------------------------------------------------------


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _issue(client, user) -> dict:
    response = client.post("/api/v1/auth/token",
                           json={"username": user.username, "password": "password123"})
    assert response.status_code == 200
    return response.get_json()


def test_a_new_token_says_when_it_expires(client, make):
    user = make.make_user()
    body = _issue(client, user)
    assert set(body) == {"token", "expires_at", "user"}
    assert body["user"]["username"] == user.username
    token = db.session.scalar(db.select(ApiToken).where(
        ApiToken.token_hash == ApiToken.hash(body["token"])))
    assert timedelta(days=29) < token.expires_at - utcnow() <= timedelta(days=30)
    assert body["expires_at"].startswith(token.expires_at.date().isoformat())


def test_an_expired_token_is_refused_with_a_reason(client, make):
    user = make.make_user()
    token = _issue(client, user)["token"]
    db.session.execute(db.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()

    response = client.get("/api/v1/me", headers=_bearer(token))
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "token_expired" and error["message"] == "登录已过期,请重新登录"
    posted = client.post("/api/v1/boards/hukou/threads", headers=_bearer(token),
                         json={"kind": "question", "title": "过期凭证发帖", "body": "试试"})
    assert posted.status_code == 401
    read = client.get("/api/v1/boards/hukou/threads", headers=_bearer(token))
    assert read.status_code == 401  # a stale token never reads as anonymous (issue 15, item 13)
    assert read.get_json()["error"]["code"] == "token_expired"
    assert client.post("/api/v1/auth/token/refresh", headers=_bearer(token)).status_code == 401


def test_an_owner_lists_and_revokes_a_token_and_it_stops_working(client, make):
    user, other = make.make_user(), make.make_user()
    phone, tablet = _issue(client, user)["token"], _issue(client, user)["token"]
    theirs = _issue(client, other)["token"]

    listed = client.get("/api/v1/auth/tokens", headers=_bearer(phone)).get_json()["tokens"]
    assert len(listed) == 2 and [t["current"] for t in listed] == [False, True]
    assert set(listed[0]) == {"id", "created_at", "last_used_at", "expires_at", "current"}
    assert phone not in str(listed) and tablet not in str(listed)
    tablet_id = listed[0]["id"]
    their_id = client.get("/api/v1/auth/tokens",
                          headers=_bearer(theirs)).get_json()["tokens"][0]["id"]

    gone = client.delete(f"/api/v1/auth/tokens/{tablet_id}", headers=_bearer(phone))
    assert gone.status_code == 200 and gone.get_json() == {"id": tablet_id, "revoked": True}
    assert client.get("/api/v1/me", headers=_bearer(tablet)).status_code == 401
    assert client.get("/api/v1/me", headers=_bearer(phone)).status_code == 200
    left = client.get("/api/v1/auth/tokens", headers=_bearer(phone)).get_json()["tokens"]
    assert [t["id"] for t in left] != [tablet_id] and len(left) == 1

    not_mine = client.delete(f"/api/v1/auth/tokens/{their_id}", headers=_bearer(phone))
    assert not_mine.status_code == 404 and not_mine.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/me", headers=_bearer(theirs)).status_code == 200
    assert client.get("/api/v1/auth/tokens").status_code == 401


def test_a_signed_in_browser_can_end_a_lost_phones_token(app, make):
    """The web page may end a phone's token too (as a browser write, it is CSRF-checked)."""
    user = make.make_user()
    phone = make.token(user)
    browser = _sign_in(app, user)
    listed = browser.get("/api/v1/auth/tokens").get_json()["tokens"]
    assert [t["current"] for t in listed] == [False]
    url = f"/api/v1/auth/tokens/{listed[0]['id']}"
    app.config["WTF_CSRF_ENABLED"] = True
    forged = browser.delete(url)  # what another site could make this browser send
    assert forged.status_code == 400 and forged.get_json()["error"]["code"] == "csrf_failed"
    assert _me(app, phone).status_code == 200
    page = browser.get("/").get_data(as_text=True)
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    assert browser.delete(url, headers={"X-CSRFToken": csrf}).status_code == 200
    assert _me(app, phone).status_code == 401


def test_refresh_gives_a_working_new_token_and_ends_the_old_one(client, make):
    user = make.make_user()
    old = _issue(client, user)["token"]

    response = client.post("/api/v1/auth/token/refresh", headers=_bearer(old))

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "expires_at", "user"} and body["token"] != old
    assert client.get("/api/v1/me", headers=_bearer(body["token"])).status_code == 200
    refused = client.get("/api/v1/me", headers=_bearer(old))
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "token_invalid"
    again = client.post("/api/v1/auth/token/refresh", headers=_bearer(old))
    assert again.status_code == 401
    assert client.post("/api/v1/auth/token/refresh").status_code == 401


# --- Socket.IO ------------------------------------------------------------------------------


def test_a_socket_on_a_revoked_token_loses_its_rights_and_cannot_reconnect(app, client, make):
    officer = make.make_user("officer", unit_code="hukou")
    secret = make.make_thread(board_slug="report", kind="report", title="仅警方可见的线索",
                              visibility="police_only")
    token = make.token(officer)
    sock = sio(app, token=token)
    assert join(sock, f"thread:{secret.id}")["ok"]

    token_id = client.get("/api/v1/auth/tokens", headers=_bearer(token)).get_json()["tokens"][0]
    client.delete(f"/api/v1/auth/tokens/{token_id['id']}", headers=_bearer(token))

    assert join(sock, f"thread:{secret.id}") == {"ok": False, "error": "forbidden"}
    assert not sio(app, token=token).is_connected()


def test_a_socket_on_a_signed_out_browser_session_loses_its_rights(app, make):
    officer = make.make_user("officer", unit_code="hukou")
    secret = make.make_thread(board_slug="report", kind="report", title="仅警方可见的线索",
                              visibility="police_only")
    browser = _sign_in(app, officer)
    copy = _browser_with(app, **{SESSION: _cookie(browser, SESSION)})
    sock = sio(app, copy)
    assert join(sock, f"thread:{secret.id}")["ok"]

    browser.post("/logout")

    assert join(sock, f"thread:{secret.id}") == {"ok": False, "error": "forbidden"}


def test_a_browser_with_a_strange_user_agent_signs_in(app, make):
    """The sign-in row keeps a summary of the user agent: control bytes must not break it."""
    user = make.make_user()
    browser = app.test_client()
    response = browser.post("/login", data={"username": user.username, "password": "password123"},
                            headers={"User-Agent": "Mozilla\x00/5.0 " + "长" * 300})
    assert response.status_code == 302 and _is_signed_in(browser)


def test_sign_ins_that_ended_long_ago_are_forgotten(app, make):
    """Rows grow with sign-ins, not forever: a week after one ended, the next sign-in prunes it."""
    user = make.make_user()
    _sign_in(app, user).post("/logout")
    make.token(user)
    long_ago = utcnow() - timedelta(days=8)
    for model in (models.UserSession, ApiToken):
        db.session.execute(db.update(model).values(expires_at=long_ago))
    db.session.commit()
    _sign_in(app, user)
    make.token(user)
    count = db.session.scalar(db.select(db.func.count(models.UserSession.id)))
    assert count == 1
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 1


# --- in a real browser against the real server ------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("sessions-browser")
    board = BoardServer(instance).wait_ready()
    register(board, "copied_cookie", "小心的市民")
    yield board
    board.stop()


@pytest.mark.browser
def test_cookies_copied_from_chromium_stop_working_when_the_owner_signs_out(browser, server):
    """Someone copies the cookies of a browser at an internet café; the owner signs out there;
    the copies open nothing, remember-me included."""
    context, page, _ = sign_in(browser, server, "copied_cookie")
    cookies = {c["name"]: c for c in context.cookies()}
    assert {"session", "remember_token"} <= set(cookies)
    thief = browser.new_context(base_url=server.url, locale="zh-CN")
    thief.add_cookies([cookies["session"], cookies["remember_token"]])
    thief_page = thief.new_page()
    thief_page.goto("/me")
    assert "/login" not in thief_page.url  # the copies work while the sign-in does

    page.click("footer button:has-text('退出登录')")
    page.wait_for_load_state()

    for names in (("session", "remember_token"), ("remember_token",)):
        thief.clear_cookies()
        thief.add_cookies([cookies[name] for name in names])
        thief_page.goto("/me")
        assert "/login" in thief_page.url, names
    thief.close()
    context.close()

"""Issue 15, items 6 and 12: guessing passwords is throttled without locking the owner out, bursts
of parallel guesses get no more hash checks than the limit, and the answers (and the work done)
are the same for a real account and an unknown name."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from board.extensions import db
from board.models import Notification, SignInThrottle, utcnow
from board.services import accounts
from tests import factories

pytestmark = pytest.mark.usefixtures("no_search_indexing")

WRONG = "not-the-password"


def _sign_in(client, username, password="password123"):
    return client.post("/login", data={"username": username, "password": password})


def _guess_five_times(client, username):
    for _ in range(5):
        assert _sign_in(client, username, WRONG).status_code == 400


def test_an_attackers_wrong_passwords_do_not_lock_the_officer_out_of_their_usual_phone(app, make):
    officer = make.make_user("officer", unit_code="hukou")
    phone, attacker = app.test_client(), app.test_client()
    assert _sign_in(phone, officer.username).status_code == 302
    phone.post("/logout")

    _guess_five_times(attacker, officer.username)
    refused = _sign_in(attacker, officer.username)  # even the right password, from a new client
    assert refused.status_code == 429 and "账号已临时锁定" in refused.get_data(as_text=True)

    assert _sign_in(phone, officer.username).status_code == 302  # the officer's own phone
    assert phone.get("/").status_code == 200
    assert _sign_in(attacker, officer.username).status_code == 429  # the lock stays for others


def test_the_owner_hears_in_the_bell_that_someone_is_guessing(app, make, client):
    user = make.make_user()
    _guess_five_times(client, user.username)
    notes = db.session.scalars(db.select(Notification).where(Notification.user_id == user.id))
    assert [n.kind for n in notes] == ["security"]
    assert _sign_in(app.test_client(), user.username).status_code == 429
    owner = app.test_client()
    db.session.get(SignInThrottle, user.username).locked_until = utcnow()
    db.session.commit()
    assert _sign_in(owner, user.username).status_code == 302
    bell = owner.get("/api/v1/me/notifications").get_json()
    texts = [n["text"] for n in bell["notifications"]]
    assert any("多次输入错误密码" in t for t in texts)
    assert "多次输入错误密码" in owner.get("/notifications").get_data(as_text=True)


def test_each_lock_in_a_row_lasts_longer(app, make, client):
    user = make.make_user()
    _guess_five_times(client, user.username)
    first = db.session.get(SignInThrottle, user.username).locked_until - utcnow()
    db.session.get(SignInThrottle, user.username).locked_until = utcnow()
    db.session.commit()
    _guess_five_times(client, user.username)
    db.session.expire_all()
    second = db.session.get(SignInThrottle, user.username).locked_until - utcnow()
    assert timedelta(minutes=14) < first <= timedelta(minutes=15)
    assert timedelta(minutes=29) < second <= timedelta(minutes=30)


# --- parallel guesses -------------------------------------------------------------------------


def _burst(app, username: str, threads: int, monkeypatch) -> int:
    """`threads` wrong guesses at once, each in its own app context (own session and database
    connection); returns how many were checked against a password hash."""
    checked, lock = [], threading.Lock()
    real_check = accounts.check_password_hash

    def slow_check(stored, password):
        with lock:
            checked.append(password)
        time.sleep(0.05)  # a real hash takes ~100 ms: the window the old code raced through
        return real_check(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", slow_check)
    start = threading.Barrier(threads)

    def guess():
        with app.app_context():
            start.wait()
            try:
                accounts.authenticate(username, WRONG)
            except accounts.lockout.AccountLocked:
                pass
            finally:
                db.session.remove()

    workers = [threading.Thread(target=guess) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return len(checked)


def test_a_burst_of_parallel_guesses_gets_no_more_than_five_tries(app, make, monkeypatch):
    user = make.make_user("officer", unit_code="hukou")
    assert _burst(app, user.username, 20, monkeypatch) == 5
    with pytest.raises(accounts.lockout.AccountLocked):  # and the right one is refused after
        accounts.authenticate(user.username, "password123")


def test_a_burst_of_parallel_guesses_on_postgresql_gets_no_more_than_five_tries(
        pg_app, monkeypatch):
    user = factories.make_user("officer", unit_code="hukou")
    assert _burst(pg_app, user.username, 20, monkeypatch) == 5
    with pytest.raises(accounts.lockout.AccountLocked):
        accounts.authenticate(user.username, "password123")


# --- account enumeration (item 12) ------------------------------------------------------------


def test_an_unknown_name_is_throttled_with_the_very_same_answer(app, make):
    real = make.make_user(username="real_person")
    answers = {}
    for name in (real.username, "nobody_here"):
        client = app.test_client()
        for _ in range(5):
            wrong = client.post("/api/v1/auth/token", json={"username": name, "password": WRONG})
            assert wrong.status_code == 401
        answers[name] = client.post("/api/v1/auth/token",
                                    json={"username": name, "password": WRONG})
    assert {a.status_code for a in answers.values()} == {429}
    real_json, unknown_json = (a.get_json() for a in answers.values())
    assert real_json == unknown_json and real_json["error"]["code"] == "account_locked"


def test_an_unknown_name_costs_a_password_hash_like_a_real_one(app, make, monkeypatch):
    real = make.make_user()
    calls = []
    real_check = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash",
                        lambda stored, pw: calls.append(stored) or real_check(stored, pw))
    assert accounts.authenticate(real.username, WRONG) is None
    assert accounts.authenticate("nobody_at_all", WRONG) is None
    assert len(calls) == 2 and calls[0].split("$")[0] == calls[1].split("$")[0]  # same method


def test_a_disabled_account_costs_a_hash_and_never_signs_in(app, make, monkeypatch):
    user = make.make_user()
    accounts.suspend(None, user, "测试停用")
    calls = []
    real_check = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash",
                        lambda stored, pw: calls.append(stored) or real_check(stored, pw))
    with pytest.raises(accounts.AccountDisabled):  # the right password: told it is disabled
        accounts.authenticate(user.username, "password123")
    assert accounts.authenticate(user.username, WRONG) is None  # a wrong one: nothing more
    assert len(calls) == 2


# --- cookies behind HTTPS (item 5, in part) ---------------------------------------------------


def test_behind_https_the_remember_me_and_device_cookies_are_secure(tmp_path, app, make):
    from board import create_app
    from board.config import TestConfig

    config = TestConfig(tmp_path / "https")
    config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    config.SESSION_COOKIE_SECURE = True
    secure = create_app(config)
    user = make.make_user()
    with secure.app_context():
        response = secure.test_client().post("/login", base_url="https://localhost", data={
            "username": user.username, "password": "password123", "remember": "y"})
    assert response.status_code == 302
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert "Secure" in cookies["remember_token"] and "Secure" in cookies["board_device"]

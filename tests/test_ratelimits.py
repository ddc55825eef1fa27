"""Rate limits (429 with a Chinese message and the API error shape) and sign-in lock-out."""
from __future__ import annotations

import socket
import uuid
from datetime import timedelta

import pytest

from board import config as board_config
from board import create_app
from board.extensions import db
from board.models import SignInThrottle, User, utcnow

pytestmark = pytest.mark.usefixtures("no_search_indexing")  # search is tested elsewhere


def _limited_app(tmp_path, app, **overrides):
    config = board_config.TestConfig(tmp_path / "limited")
    config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    config.RATELIMIT_ENABLED = True
    for key, value in overrides.items():
        setattr(config, key, value)
    return create_app(config)


@pytest.fixture
def limited(tmp_path, app):
    """build(**config) -> (app, client) with rate limits on, sharing the test's database."""
    contexts = []

    def build(**overrides):
        strict = _limited_app(tmp_path, app, **overrides)
        contexts.append(strict.app_context())
        contexts[-1].push()
        return strict, strict.test_client()

    yield build
    for ctx in reversed(contexts):
        ctx.pop()


def _sign_in(client, user):
    assert client.post("/login", data={"username": user.username,
                                       "password": "password123"}).status_code == 302


def test_sign_up_limit_gives_a_chinese_429_page_and_api_error_shape(limited):
    _, client = limited(RATELIMIT_SIGNUP="2 per hour")
    for n in range(2):
        response = client.post("/api/v1/auth/register", json={
            "username": f"rl_{uuid.uuid4().hex[:8]}", "password": "password123",
            "nickname": f"市民{n}"})
        assert response.status_code == 201
    api = client.post("/api/v1/auth/register", json={
        "username": "rl_third", "password": "password123", "nickname": "第三个"})
    assert api.status_code == 429
    error = api.get_json()["error"]
    assert error["code"] == "rate_limited" and "注册太频繁" in error["message"]
    assert set(error) == {"code", "message", "fields"}
    assert "Retry-After" in api.headers
    page = client.post("/register", data={"username": "rl_page", "password": "password123",
                                          "nickname": "网页"})
    assert page.status_code == 429
    assert "注册太频繁" in page.get_data(as_text=True)
    assert client.get("/register").status_code == 200  # reading the form is never limited


def test_sign_in_attempts_are_limited_per_address(limited, make):
    _, client = limited(RATELIMIT_SIGNIN="3 per minute", LOGIN_LOCKOUT_THRESHOLD=100)
    user = make.make_user()
    for _ in range(3):
        client.post("/login", data={"username": user.username, "password": "wrong-password"})
    response = client.post("/login", data={"username": user.username, "password": "password123"})
    assert response.status_code == 429 and "登录尝试太频繁" in response.get_data(as_text=True)
    token = client.post("/api/v1/auth/token", json={"username": user.username, "password": "x"})
    assert token.status_code == 429 and token.get_json()["error"]["code"] == "rate_limited"


def test_a_new_account_may_open_only_a_few_threads_on_its_first_day(limited, make):
    _, client = limited()
    newcomer = make.make_user()
    _sign_in(client, newcomer)
    for n in range(3):
        response = client.post("/api/v1/boards/qa/threads", json={
            "title": f"新账号第{n}个问题", "body": "请问怎么办?", "kind": "question"})
        assert response.status_code == 201
    refused = client.post("/api/v1/boards/qa/threads", json={
        "title": "新账号第四个问题", "body": "请问怎么办?", "kind": "question"})
    assert refused.status_code == 429
    assert "新注册账号第一天最多发 3 个帖子" in refused.get_json()["error"]["message"]
    page = client.post("/b/qa/new", data={"kind": "question", "title": "网页发第四帖",
                                          "body": "请问?"})
    assert page.status_code == 429 and "新注册账号第一天" in page.get_data(as_text=True)


def test_an_established_account_gets_the_normal_limit(limited, make):
    _, client = limited(RATELIMIT_THREAD="5 per hour")
    veteran = make.make_user()
    db.session.get(User, veteran.id).created_at = utcnow() - timedelta(days=30)
    db.session.commit()
    _sign_in(client, veteran)
    codes = [client.post("/api/v1/boards/qa/threads", json={
        "title": f"老用户第{n}个问题", "body": "请问?", "kind": "question"}).status_code
        for n in range(6)]
    assert codes == [201] * 5 + [429]


def test_replies_are_limited_for_citizens_but_not_for_the_police(limited, make):
    _, client = limited(RATELIMIT_REPLY="2 per minute")
    thread = make.make_thread()
    _sign_in(client, make.make_user())
    url = f"/api/v1/threads/{thread.id}/posts"
    codes = [client.post(url, json={"body": f"回复{n}"}).status_code for n in range(3)]
    assert codes == [201, 201, 429]
    client.post("/logout")
    _sign_in(client, make.make_user("officer"))
    codes = [client.post(url, json={"body": f"民警回复{n}"}).status_code for n in range(4)]
    assert codes == [201] * 4


def test_limits_use_redis_when_configured(limited, make, redis_url):
    import random

    import redis

    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    _, client = limited(RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_SIGNUP="1 per hour")
    client.environ_base["REMOTE_ADDR"] = address  # a key of our own in the shared Redis
    first = client.post("/api/v1/auth/register", json={
        "username": f"rr_{uuid.uuid4().hex[:8]}", "password": "password123", "nickname": "甲"})
    assert first.status_code == 201
    store = redis.Redis.from_url(redis_url)
    keys = store.keys(f"*{address}*")
    try:
        assert keys, "the limiter should count in Redis"
        second = client.post("/api/v1/auth/register", json={
            "username": "rr_second", "password": "password123", "nickname": "乙"})
        assert second.status_code == 429
    finally:
        if keys:
            store.delete(*keys)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_posting_still_works_when_the_limit_storage_is_down(limited, make):
    _, client = limited(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{_closed_port()}/0")
    _sign_in(client, make.make_user())
    response = client.post("/api/v1/boards/qa/threads", json={
        "title": "Redis 停了也能发帖", "body": "测试", "kind": "question"})
    assert response.status_code == 201


# --- lock-out ------------------------------------------------------------------------------


def test_repeated_failed_sign_ins_lock_the_account(client, make, app):
    user = make.make_user()
    for _ in range(5):
        response = client.post("/login", data={"username": user.username, "password": "nope-nope"})
        assert response.status_code == 400
    locked = client.post("/login", data={"username": user.username, "password": "password123"})
    assert locked.status_code == 429
    assert "账号已临时锁定" in locked.get_data(as_text=True)
    api = client.post("/api/v1/auth/token",
                      json={"username": user.username, "password": "password123"})
    assert api.status_code == 429 and api.get_json()["error"]["code"] == "account_locked"
    # When the lock expires the right password works again and the counter starts afresh.
    db.session.get(SignInThrottle, user.username).locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.post("/login", data={"username": user.username,
                                       "password": "password123"}).status_code == 302
    assert db.session.get(SignInThrottle, user.username) is None  # the count starts afresh


def test_a_success_resets_the_failure_count(client, make):
    user = make.make_user()
    for _ in range(4):
        client.post("/login", data={"username": user.username, "password": "nope-nope"})
    assert client.post("/login", data={"username": user.username,
                                       "password": "password123"}).status_code == 302
    client.post("/logout")
    for _ in range(4):
        client.post("/login", data={"username": user.username, "password": "nope-nope"})
    assert client.post("/login", data={"username": user.username,
                                       "password": "password123"}).status_code == 302


def test_lockout_threshold_is_configurable(client, make, app):
    app.config["LOGIN_LOCKOUT_THRESHOLD"] = 2
    user = make.make_user()
    for _ in range(2):
        client.post("/login", data={"username": user.username, "password": "nope-nope"})
    assert client.post("/login", data={"username": user.username,
                                       "password": "password123"}).status_code == 429


def test_asking_whether_a_name_is_taken_costs_a_sign_up(limited, make):
    """Issue 15, item 12: "该用户名已被注册" stays for the real person, but probing names through
    it is no cheaper than signing up: each taken answer spends the address's sign-up allowance."""
    _, client = limited(RATELIMIT_SIGNUP="3 per hour")
    names = [make.make_user().username for _ in range(3)]
    for name in names:
        taken = client.post("/api/v1/auth/register", json={
            "username": name, "password": "password123", "nickname": "探测"})
        assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "username_taken"
    probe = client.post("/register", data={"username": "free_name_x", "password": "password123",
                                           "nickname": "探测"})
    assert probe.status_code == 429 and "注册太频繁" in probe.get_data(as_text=True)

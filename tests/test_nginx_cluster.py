"""The production setup end to end (issue 22): the shipped deploy/nginx.conf under a real nginx in
front of two gunicorn board processes that share nothing but PostgreSQL and Redis (their own
instance folders, photos and search in the database). A resident's phone (Chromium) follows a
thread through nginx and sees an officer's reply live; the process holding its connection is
killed; the phone reconnects through nginx to the other process, catches up on the reply it
missed exactly once, and the conversation goes on. X-Forwarded-* count only when nginx sent them.

Skips without nginx, PostgreSQL, Redis or Chromium on a developer's machine; under CI=true that
is a failure."""
from __future__ import annotations

import http.client
import json
import re
import sys
import uuid
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from board import config, create_app
from board.extensions import db
from board.services import accounts
from tests.browser import PHONE, WAIT, sign_in, until, wait_live
from tests.conftest import PG_ADMIN_URL, REDIS_TEST_URL, _migrate_and_sync, need_service
from tests.live_server import PASSWORD, BoardServer, free_port
from tests.test_nginx import SITE, Nginx, _nginx_binary

pytestmark = pytest.mark.browser

RESIDENT, OFFICER = "127.0.0.1", "127.0.0.2"  # nginx's $remote_addr for each


def call(port: int, method: str, path: str, source: str = RESIDENT, host: str = SITE,
         headers: dict | None = None, body: dict | None = None):
    """(status, headers, parsed JSON or text) of one request to 127.0.0.1:port."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15, source_address=(source, 0))
    try:
        sent = {"Host": host, **(headers or {})}
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            sent["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        raw = response.read().decode()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw
        return response.status, dict(response.getheaders()), parsed
    finally:
        conn.close()


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A fresh PostgreSQL database, migrated here (what `python -m board.wsgi prepare` does
    before the first start: the test saves a process start) with the officer and the resident."""
    need_service("PostgreSQL", PG_ADMIN_URL, 5432)
    need_service("Redis", REDIS_TEST_URL, 6379)
    name = f"board_cluster_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    app = create_app(config.TestConfig(tmp_path_factory.mktemp("cluster-prepare"), url))
    _migrate_and_sync(app)
    with app.app_context():
        accounts.create_user("officer", "live_officer", PASSWORD, real_name="王海峰",
                             badge_no="150231", unit_code="hukou")
        accounts.create_user("citizen", "live_reader", PASSWORD, nickname="青山小李")
        db.session.remove()
        db.engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = :n"), {"n": name})
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, database, chromium_path):
    binary = _nginx_binary()
    nginx_port = free_port()
    site = f"http://{SITE}:{nginx_port}"
    shared = {"DATABASE_URL": database, "REDIS_URL": REDIS_TEST_URL,
              "FLASK_SOCKETIO_CHANNEL": f"board-cluster-{uuid.uuid4().hex[:8]}",
              "PHOTO_STORE": "database", "BASE_URL": site, "LOG_FORMAT": "json",
              "PROXY_FIX_X_FOR": "1", "PROXY_FIX_X_PROTO": "1", "PROXY_FIX_X_HOST": "1",
              "PROXY_TRUSTED_FROM": "127.0.0.1/32",  # nginx's address: nobody else's headers
              "FLASK_SEARCH_SYNC": "false"}
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "board.wsgi:app"]
    boards: list[BoardServer] = []
    nginx = None
    try:
        for machine in ("machine-a", "machine-b"):  # both at once, as two machines would
            boards.append(BoardServer(tmp_path_factory.mktemp(machine), command=gunicorn,
                                      own_session=True,
                                      extra_env={**shared, "BOARD_SKIP_PREPARE": "1"}))
        for board in boards:
            board.wait_ready(120)
        nginx = Nginx(binary, tmp_path_factory.mktemp("nginx-cluster"),
                      [b.port for b in boards], port=nginx_port)
        yield SimpleNamespace(boards=boards, nginx=nginx, url=site)
    finally:
        if nginx:
            nginx.stop()
        for board in boards:  # nothing to finish gracefully: the test is over
            if board.proc.poll() is None:
                board.kill()
            board.stop()


def _token(port: int, username: str, source: str) -> str:
    status, _, body = call(port, "POST", "/api/v1/auth/token", source=source,
                           body={"username": username, "password": PASSWORD})
    assert status == 200, body
    return body["token"]


def _connections(board: BoardServer) -> float:
    status, _, text = call(board.port, "GET", "/metrics", host="127.0.0.1")
    assert status == 200
    return float(re.search(r"^board_socketio_connections (\S+)", text, re.M).group(1))


def _log_lines(board: BoardServer) -> list[dict]:
    lines = []
    for line in board.log_path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_a_phone_through_nginx_survives_losing_its_board_process(cluster, chromium_path):
    from playwright.sync_api import sync_playwright

    port = cluster.nginx.port
    officer = _token(port, "live_officer", OFFICER)
    resident = _token(port, "live_reader", RESIDENT)
    status, _, body = call(port, "POST", "/api/v1/boards/hukou/threads",
                           headers={"Authorization": f"Bearer {resident}"},
                           body={"title": "集群测试:新生儿落户要带什么材料", "kind": "question",
                                 "body": "孩子上个月出生,想尽快办理落户。"})
    assert status == 201, body
    thread_id = body["thread"]["id"]

    sent: dict[int, str] = {}  # reply id → the request id of the POST that stored it

    def reply(text: str) -> int:
        """The officer's app: a POST caught on a connection to a process that just died gets
        a 502 from nginx (it never resends a POST), and the app sends it again with the same
        Idempotency-Key, so the reply is stored once whichever process took the first try."""
        key = uuid.uuid4().hex
        for _attempt in range(2):
            status, headers, body = call(port, "POST", f"/api/v1/threads/{thread_id}/posts",
                                   source=OFFICER, body={"body": text},
                                   headers={"Authorization": f"Bearer {officer}",
                                            "Idempotency-Key": key})
            if status != 502:
                break
        assert status in (200, 201), body
        sent[body["post"]["id"]] = headers["X-Request-ID"]
        return body["post"]["id"]

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            f"--host-resolver-rules=MAP {SITE} 127.0.0.1"])
        context, page, errors = sign_in(chromium, cluster, "live_reader", **PHONE)
        try:
            page.goto(f"/t/{thread_id}")
            wait_live(page)
            first = reply("您好,请带出生医学证明和父母户口簿。")
            page.locator(f"#p{first}").wait_for(timeout=WAIT)

            holding = [b for b in cluster.boards if _connections(b) >= 1]
            assert len(holding) == 1, "ip_hash keeps the phone on one process"
            survivor = next(b for b in cluster.boards if b is not holding[0])
            holding[0].kill()  # the machine is gone: no close frame, no goodbye
            missed = reply("补充:父母双方身份证也请带上。")  # nginx sends it to the survivor
            until(page, f"document.querySelector('#p{missed}') !== null")
            assert _connections(survivor) >= 1  # reconnected through nginx to the survivor

            page.locator(".reply-form textarea").fill("谢谢警官,明天上午就去办理。")
            page.locator(".reply-form button[type=submit]").click()
            page.locator(".post", has_text="明天上午就去办理").wait_for(timeout=WAIT)
            wait_live(page)
            last = reply("好的,窗口八点半开始受理。")
            page.locator(f"#p{last}").wait_for(timeout=WAIT)
            ids = page.locator(".post").evaluate_all("posts => posts.map(p => p.id)")
            assert len(ids) == len(set(ids)) == 4, ids  # no reply twice, none lost
            assert [f"p{first}", f"p{missed}"] == ids[:2] and ids[-1] == f"p{last}"
            assert not [e for e in errors if "socket" in e.lower() and "failed" not in e.lower()]
        finally:
            context.close()
            chromium.close()

    # The balancer's view through nginx: ready while one process is; /metrics never through it.
    status, _, ready = call(port, "GET", "/readyz")
    assert status == 200 and ready["status"] == "ok", ready
    assert call(port, "GET", "/metrics")[0] == 404
    # X-Forwarded-For counts only from nginx: a neighbour calling the survivor directly with a
    # forged header is logged under its own address; through nginx, the resident's address.
    _, direct, _ = call(survivor.port, "GET", "/healthz", source=OFFICER, host="127.0.0.1",
                        headers={"X-Forwarded-For": "198.51.100.77"})
    _, proxied, _ = call(port, "GET", "/healthz", source="127.0.0.3",
                         headers={"X-Forwarded-For": "198.51.100.78"})
    lines = {line.get("request_id"): line for line in _log_lines(survivor)
             if line.get("logger") == "board.request"}
    assert lines[direct["X-Request-ID"]]["client"] == OFFICER
    assert lines[proxied["X-Request-ID"]]["client"] == "127.0.0.3"
    # The officer's last reply, followed by its request id: the request line and the live push.
    # (Pushes no request caused, such as a page's 「已读」 receipt, carry none.)
    request_id = sent[last]
    assert lines[request_id]["status"] in (200, 201)
    pushed = [line for line in _log_lines(survivor) if line.get("logger") == "board.live"
              and line.get("request_id") == request_id]
    assert any("post_created" in line["message"] for line in pushed), pushed

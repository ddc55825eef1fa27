"""Socket.IO only answers pages of the board's own origin (issue 15, item 1).

A page on another port of the same host, or on a sibling subdomain, is "same site" to a browser:
it sends the signed-in officer's cookies along with its WebSocket. Before this check such a page
read police-only threads through `catch_up` and received the officer's pushes. These tests speak
to the Engine.IO endpoint the way a browser does (a handshake with an `Origin` header) and through
the Socket.IO test client, and at the end with real Chromium and a page on another port.
"""
from __future__ import annotations

import pytest

from board import create_app
from board.config import TestConfig as BoardConfig
from board.extensions import socketio
from board.models import Visibility
from board.services import accounts

HANDSHAKE = "/socket.io/?EIO=4&transport=polling"
OWN = "http://board.test"  # TestConfig.SERVER_NAME, served over http
FOREIGN = ["http://evil.example", "http://board.test:8001", "https://board.test",
           "http://a.board.test", "http://board.test.evil.example", "null"]


def _handshake(client, origin: str | None, host: str | None = None):
    headers = {"Origin": origin} if origin else {}
    if host:
        headers["Host"] = host
    return client.get(HANDSHAKE, headers=headers)


def _signed_in_officer(make, login):
    officer = make.make_user("officer", username="origin_officer", unit_code="hukou")
    return login(officer)


def test_the_boards_own_pages_connect(client):
    response = _handshake(client, OWN)
    assert response.status_code == 200 and b'"sid"' in response.data
    assert response.headers.get("Access-Control-Allow-Origin") == OWN


@pytest.mark.parametrize("origin", FOREIGN)
def test_a_page_of_another_origin_is_refused_at_the_handshake(client, origin):
    response = _handshake(client, origin)
    assert response.status_code == 400
    assert b'"sid"' not in response.data
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_page_without_origin_connects(client):
    """Browsers leave Origin out of same-origin GETs (the long-polling handshake); non-browser
    clients can write any Origin they like, so its absence proves nothing either way."""
    assert _handshake(client, None).status_code == 200


def test_a_foreign_page_with_an_officers_cookies_gets_no_connection(app, make, login):
    """The socket test client skips the HTTP layer: the connect handler checks again."""
    browser = _signed_in_officer(make, login)
    secret = make.make_thread(make.make_user(), "hukou", visibility=Visibility.POLICE_ONLY,
                              body="线索:身份证号 110101199003071234,电话 13812345678")
    foreign = socketio.test_client(app, flask_test_client=browser,
                                   headers={"Origin": "http://board.test:8001"})
    assert not foreign.is_connected()
    own = socketio.test_client(app, flask_test_client=browser, headers={"Origin": OWN})
    assert own.is_connected()
    caught = own.emit("catch_up", {"thread_id": secret.id, "after_post_id": 0}, callback=True)
    assert caught["ok"] is True  # the officer's own page still reads the thread
    own.disconnect()


def test_a_token_client_from_a_foreign_page_is_refused_too(app, make):
    officer = make.make_user("officer", unit_code="hukou")
    token = accounts.issue_token(officer)
    foreign = socketio.test_client(app, auth={"token": token},
                                   headers={"Origin": "http://evil.example"})
    assert not foreign.is_connected()
    app_client = socketio.test_client(app, auth={"token": token})  # a phone app: no Origin
    assert app_client.is_connected()
    app_client.disconnect()


def _app(tmp_path, **settings):
    config = BoardConfig(tmp_path)
    for key, value in settings.items():
        setattr(config, key, value)
    return create_app(config)


def test_several_host_names_are_configurable(tmp_path):
    app = _app(tmp_path, SERVER_NAME=None, BASE_URL="https://board.example.gov.cn/",
               SOCKETIO_ALLOWED_ORIGINS="https://m.board.example.gov.cn, https://Board.Example.cn")
    client = app.test_client()
    for origin in ("https://board.example.gov.cn", "https://m.board.example.gov.cn",
                   "https://board.example.cn"):
        assert _handshake(client, origin).status_code == 200, origin
    for origin in ("http://board.example.gov.cn", "https://evil.example",
                   "https://board.example.gov.cn:8443"):
        assert _handshake(client, origin).status_code == 400, origin


def test_a_configured_site_ignores_a_forged_host(tmp_path):
    """With the site's origins configured, a request's own Host proves nothing."""
    app = _app(tmp_path, SERVER_NAME=None, BASE_URL="https://board.example.gov.cn")
    response = _handshake(app.test_client(), "http://evil.example", host="evil.example")
    assert response.status_code == 400


def test_unconfigured_the_page_must_come_from_the_host_it_connects_to(tmp_path):
    """`python app.py` with nothing configured: http://127.0.0.1:5000 and http://localhost:5000
    both work (each is the Host its own browser sends); another port of the same host does not.
    """
    app = _app(tmp_path, SERVER_NAME=None)
    client = app.test_client()
    for host in ("127.0.0.1:5000", "localhost:5000"):
        assert _handshake(client, f"http://{host}", host=host).status_code == 200, host
        other_port = f"http://{host.split(':')[0]}:8001"
        assert _handshake(client, other_port, host=host).status_code == 400, host


def test_unconfigured_behind_the_shipped_nginx_the_https_page_connects(tmp_path):
    """nginx terminates TLS and says so in X-Forwarded-Proto (a browser cannot send it)."""
    client = _app(tmp_path, SERVER_NAME=None).test_client()
    proxied = {"Host": "board.example.gov.cn", "X-Forwarded-Proto": "https"}
    ok = client.get(HANDSHAKE, headers=proxied | {"Origin": "https://board.example.gov.cn"})
    assert ok.status_code == 200
    other = client.get(HANDSHAKE, headers=proxied | {"Origin": "https://evil.example"})
    assert other.status_code == 400


# --- a real browser, a real foreign page -------------------------------------------------------

ATTACK_PAGE = """<!doctype html><meta charset="utf-8"><title>attack</title>
<script src="{board}/static/vendor/socket.io/socket.io.min.js"></script>
<script>
window.result = {{events: []}};
var s = io("{board}", {{withCredentials: true, reconnection: false, transports: {transports}}});
s.on("connect", function () {{
  window.result.connected = true;
  s.emit("catch_up", {{thread_id: {thread_id}, after_post_id: 0}},
         function (r) {{ window.result.caught = JSON.stringify(r); }});
  s.emit("typing", {{thread_id: {thread_id}, typing: true}});
}});
s.on("connect_error", function (e) {{ window.result.refused = String(e && e.message); }});
s.onAny(function (name, data) {{ window.result.events.push(name + JSON.stringify(data)); }});
</script>"""


@pytest.fixture(scope="module")
def live_board(tmp_path_factory):
    from tests.live_server import BoardServer, seed_people

    instance = tmp_path_factory.mktemp("origin-browser")
    board = BoardServer(instance).wait_ready()
    seed_people(board, instance)
    yield board
    board.stop()


@pytest.fixture
def foreign_site(tmp_path):
    """A second web server on another port of the same host: the attacker's page."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
@pytest.mark.parametrize("transports", ['["websocket"]', '["polling", "websocket"]'])
def test_a_page_on_another_port_cannot_use_the_officers_session(browser, live_board,
                                                                foreign_site, transports):
    import requests

    from tests.browser import sign_in, until, wait_live
    from tests.live_server import token

    secret = requests.post(
        live_board.url + "/api/v1/boards/hukou/threads", timeout=10,
        headers={"Authorization": f"Bearer {token(live_board, 'live_asker')}"},
        json={"title": "仅警方可见:邻居家的情况", "kind": "question", "visibility": "police_only",
              "body": "我的身份证号 110101199003071234,电话 13812345678,请民警联系我。"})
    assert secret.status_code == 201, secret.text
    thread_id = secret.json()["thread"]["id"]
    folder, site = foreign_site
    (folder / "attack.html").write_text(ATTACK_PAGE.format(
        board=live_board.url, transports=transports, thread_id=thread_id), encoding="utf-8")

    context, page, _ = sign_in(browser, live_board, "live_officer")
    try:
        page.goto(f"/t/{thread_id}")
        wait_live(page)  # the officer's own page connects (its polling handshake has no Origin)
        attack = context.new_page()
        attack.goto(f"{site}/attack.html")
        until(attack, "window.result.refused || window.result.caught")
        attack.wait_for_timeout(500)
        result = attack.evaluate("window.result")
        assert result.get("refused") and not result.get("connected"), result
        assert "110101199003071234" not in str(result) and not result["events"], result
        assert page.evaluate("window.boardLive.socket.connected")
    finally:
        context.close()

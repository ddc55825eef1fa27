"""Permission is checked again when it changes, not only when a socket joins (issue 15, item 2).

Hiding a thread used to leave the readers who had joined while it was public in its room: they
kept receiving its replies. Suspending an account left its sockets open: a disabled officer kept
receiving the unit's police-only threads. Now hiding a thread sends its public readers out of the
room (police and the asker stay), and suspending an account closes every connection it has open,
in every server process (tests/test_live_evict.py::test_over_redis... runs two).
"""
from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from board.extensions import socketio
from board.models import Visibility
from board.services import accounts, moderation_reports, posting, status
from tests.live_server import ROOT


def sio(app, client=None, token=None):
    return socketio.test_client(app, flask_test_client=client or app.test_client(),
                                auth={"token": token} if token else None)


def names(sock) -> list[str]:
    """Every event that reached the socket since the last look, connected or not."""
    got, sock.queue = sock.queue, []
    return [e["name"] for e in got]


@pytest.fixture
def cast(make):
    return {"author": make.make_user(nickname="发帖居民"), "reader": make.make_user(),
            "officer": make.make_user("officer", unit_code="hukou"),
            "colleague": make.make_user("officer", unit_code="hukou"),
            "admin": make.make_user("admin")}


def test_readers_of_a_public_thread_hear_nothing_once_it_is_hidden(app, make, cast):
    thread = make.make_thread(cast["author"], "hukou", title="小区门口乱停车谁来管")
    room = f"thread:{thread.id}"
    anonymous = sio(app)
    reader = sio(app, token=accounts.issue_token(cast["reader"]))
    author = sio(app, token=accounts.issue_token(cast["author"]))
    police = sio(app, token=accounts.issue_token(cast["colleague"]))
    for sock in (anonymous, reader, author, police):
        assert sock.emit("join", {"room": room}, callback=True)["ok"]
        names(sock)

    moderation_reports.hide(cast["officer"], thread, None, "涉及他人隐私,已隐藏")
    posting.reply(cast["officer"], thread, "已联系发帖人核实情况。")
    posting.reply(cast["author"], thread, "好的,谢谢。")
    status.change(cast["officer"], thread, "resolved", "已处理完毕")
    police.emit("typing", {"thread_id": thread.id, "typing": True})

    for outsider in (anonymous, reader):
        heard = names(outsider)
        assert heard == ["thread_gone"], heard  # told once to leave, then nothing
        assert outsider.emit("join", {"room": room}, callback=True)["ok"] is False
    assert names(author).count("post_created") == 2  # the asker and police still follow it
    assert names(police).count("post_created") == 2


def test_a_thread_shown_again_can_be_followed_again(app, make, cast):
    thread = make.make_thread(cast["author"], "hukou")
    reader = sio(app)
    assert reader.emit("join", {"room": f"thread:{thread.id}"}, callback=True)["ok"]
    moderation_reports.hide(cast["officer"], thread, None, "待核实")
    moderation_reports.unhide(cast["officer"], thread, None)
    assert reader.emit("join", {"room": f"thread:{thread.id}"}, callback=True)["ok"]
    names(reader)
    posting.reply(cast["officer"], thread, "核实无误,已恢复显示。")
    assert "post_created" in names(reader)


def test_a_suspended_officers_connections_close_and_hear_nothing_more(app, client, login, make,
                                                                    cast):
    officer = cast["officer"]
    by_token = sio(app, token=accounts.issue_token(officer))
    login(officer)
    by_cookie = sio(app, client)
    colleague = sio(app, token=accounts.issue_token(cast["colleague"]))
    assert by_token.is_connected() and by_cookie.is_connected()
    for sock in (by_token, by_cookie, colleague):
        names(sock)

    accounts.suspend(cast["admin"], officer, "已调离岗位,停用账号")

    assert not by_token.is_connected() and not by_cookie.is_connected()
    assert colleague.is_connected()
    make.make_thread(cast["author"], "hukou", visibility=Visibility.POLICE_ONLY,
                     title="线索:某网吧有人收购银行卡")
    assert names(by_token) == [] and names(by_cookie) == []
    assert "thread_created" in names(colleague)  # the unit's other officers still hear it
    again = sio(app, token=accounts.issue_token(officer))
    assert not again.is_connected()  # and the token no longer connects


# --- several processes over Redis ---------------------------------------------------------------


def _cli(instance, redis_url: str, channel: str, *args: str) -> None:
    """A `flask` command as an operator runs it: its own process, on the servers' queue."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "BOARD_"))}
    env.pop("DATABASE_URL", None)
    env.update(BOARD_INSTANCE=str(instance), FLASK_APP="board:create_app", REDIS_URL=redis_url,
               FLASK_SOCKETIO_CHANNEL=channel, SECRET_KEY="live-test-secret")
    subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=60)


@pytest.fixture
def two_servers(redis_url, tmp_path):
    from tests.live_server import BoardServer, create_user, seed_people

    channel = f"board-test-{uuid.uuid4().hex}"
    first = BoardServer(tmp_path, redis_url=redis_url, channel=channel).wait_ready()
    second = None
    try:
        seed_people(first, tmp_path)
        create_user(tmp_path, "--role", "officer", "--username", "live_colleague", "--password",
                    "password123", "--real-name", "李明", "--badge-no", "150232",
                    "--unit", "hukou")
        second = BoardServer(tmp_path, redis_url=redis_url, channel=channel).wait_ready()
        yield first, second, channel
    finally:
        for server in (second, first):
            if server is not None:
                server.stop()


def _client(server, token: str | None = None, transports=("websocket",)):
    import queue

    import socketio as sio_client

    got: queue.Queue = queue.Queue()
    client = sio_client.Client(reconnection=False)
    client.on("*", lambda name, data: got.put(name))
    client.on("disconnect", lambda *args: got.put("disconnect"))
    client.connect(server.url, transports=list(transports), wait_timeout=10,
                   auth={"token": token} if token else None)
    return client, got


def _heard(got, until: str | None = None, timeout: float = 3.0) -> list[str]:
    import queue

    heard = []
    while True:
        try:
            heard.append(got.get(timeout=timeout))
        except queue.Empty:
            return heard
        if heard[-1] == until:
            return heard


def test_over_redis_hiding_and_suspending_reach_the_other_process(two_servers, tmp_path,
                                                                   redis_url):
    import requests

    from tests.live_server import token

    first, second, channel = two_servers
    asker, officer = token(first, "live_asker"), token(first, "live_officer")
    colleague = token(first, "live_colleague")

    def api(method, path, bearer, **json):
        response = requests.request(method, first.url + "/api/v1" + path, json=json, timeout=10,
                                    headers={"Authorization": f"Bearer {bearer}"})
        assert response.status_code in (200, 201), response.text
        return response.json()

    thread_id = api("POST", "/boards/hukou/threads", asker, title="跨进程:楼道堆放杂物",
                    body="请问谁来管?", kind="question")["thread"]["id"]
    reader, reader_got = _client(second, transports=("polling",))
    author, author_got = _client(second, asker)
    suspended, suspended_got = _client(second, officer)
    clients = (reader, author, suspended)
    try:
        for client in (reader, author):
            assert client.call("join", {"room": f"thread:{thread_id}"}, timeout=10)["ok"]
        api("POST", f"/threads/{thread_id}/hide", colleague, reason="内容待核实,暂时隐藏")
        api("POST", f"/threads/{thread_id}/posts", colleague, body="已联系发帖人。")
        assert "post_created" not in _heard(reader_got)
        assert "post_created" in _heard(author_got, until="post_created")

        _cli(tmp_path, redis_url, channel, "users", "disable", "live_officer")
        assert _heard(suspended_got, until="disconnect")[-1] == "disconnect"
        assert not suspended.connected
    finally:
        for client in clients:
            if client.connected:
                client.disconnect()

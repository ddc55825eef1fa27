"""Several processes over Redis: a reply POSTed to one server process reaches Socket.IO clients
connected to another one (WebSocket and long-polling), through a channel unique to this run."""
from __future__ import annotations

import queue
import uuid

import pytest
import requests
import socketio as sio_client

from tests.live_server import BoardServer, seed_people, token


def _client(server: BoardServer, transports: list[str], token: str | None = None):
    got: queue.Queue = queue.Queue()
    client = sio_client.Client(reconnection=False)
    for name in ("post_created", "notification"):
        client.on(name, lambda data, name=name: got.put((name, data)))
    client.connect(server.url, transports=transports, auth={"token": token} if token else None,
                   wait_timeout=10)
    return client, got


def _next(got: queue.Queue, name: str, timeout: float = 10.0) -> dict:
    while True:
        event, data = got.get(timeout=timeout)
        if event == name:
            return data


@pytest.fixture
def two_servers(redis_url, tmp_path):
    channel = f"board-test-{uuid.uuid4().hex}"
    first = BoardServer(tmp_path, redis_url=redis_url, channel=channel).wait_ready()
    second = None
    try:  # started after the first has migrated the shared SQLite file
        seed_people(first, tmp_path)
        second = BoardServer(tmp_path, redis_url=redis_url, channel=channel).wait_ready()
        yield first, second
    finally:
        for server in (second, first):
            if server is not None:
                server.stop()


def test_reply_posted_on_one_process_reaches_clients_on_the_other(two_servers):
    first, second = two_servers
    asker, officer = token(first, "live_asker"), token(first, "live_officer")
    created = requests.post(first.url + "/api/v1/boards/hukou/threads", timeout=10,
                            headers={"Authorization": f"Bearer {asker}"},
                            json={"title": "跨进程测试:户口迁移", "body": "请问需要什么材料?",
                                  "kind": "question"})
    assert created.status_code == 201, created.text
    thread_id = created.json()["thread"]["id"]

    ws_client, ws_events = _client(second, ["websocket"], token=asker)
    poll_client, poll_events = _client(second, ["polling"])  # anonymous, long-polling only
    try:
        for client in (ws_client, poll_client):
            assert client.call("join", {"room": f"thread:{thread_id}"}, timeout=10)["ok"]

        reply = requests.post(f"{first.url}/api/v1/threads/{thread_id}/posts", timeout=10,
                              headers={"Authorization": f"Bearer {officer}"},
                              json={"body": "您好,请携带户口簿和身份证到户政窗口办理。"})
        assert reply.status_code == 201, reply.text
        post_id = reply.json()["post"]["id"]

        for got in (ws_events, poll_events):
            data = _next(got, "post_created")
            assert data["post"]["id"] == post_id and data["post"]["official"] is True
            assert data["post"]["author"]["real_name"] == "王海峰"
        note = _next(ws_events, "notification")  # the asker's bell, via their user room
        assert note["notification"]["kind"] == "official_reply" and note["unread_count"] >= 1

        caught = ws_client.call("catch_up", {"thread_id": thread_id, "after_post_id": 0},
                                timeout=10)
        assert [p["id"] for p in caught["posts"]] == [post_id]
    finally:
        ws_client.disconnect()
        poll_client.disconnect()


def test_socketio_channel_is_configurable(redis_url, tmp_path):
    from board import create_app
    from board.config import TestConfig
    from board.extensions import socketio

    config = TestConfig(tmp_path)
    config.REDIS_URL = redis_url
    config.SOCKETIO_CHANNEL = channel = f"board-test-{uuid.uuid4().hex}"
    create_app(config)
    try:
        assert socketio.server.manager.channel == channel
    finally:  # leave the shared extension without a queue (init_app keeps its old manager)
        socketio.server_options.pop("client_manager", None)
        create_app(TestConfig(tmp_path))


def test_with_redis_down_posting_works_and_readers_catch_up_from_the_database(tmp_path, redis_url):
    """Redis (the message queue) stops: replies are still accepted, and a reader's catch-up, which
    reads the database through the process it is connected to, still delivers them."""
    import shutil
    import subprocess
    import time

    import redis

    if not shutil.which("redis-server"):  # the shared Redis is never stopped: start our own
        pytest.skip("redis-server is not installed")

    from tests.live_server import free_port

    port = free_port()
    private = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = None
    try:
        for _ in range(100):
            try:
                redis.Redis(port=port).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        server = BoardServer(tmp_path, redis_url=f"redis://127.0.0.1:{port}/0",
                             channel=f"board-test-{uuid.uuid4().hex}").wait_ready()
        seed_people(server, tmp_path)
        asker, officer = token(server, "live_asker"), token(server, "live_officer")
        created = requests.post(server.url + "/api/v1/boards/hukou/threads", timeout=10,
                                headers={"Authorization": f"Bearer {asker}"},
                                json={"title": "消息队列中断时的提问", "body": "请问怎么办?",
                                      "kind": "question"})
        thread_id = created.json()["thread"]["id"]
        reader, _events = _client(server, ["websocket"], token=asker)
        try:
            assert reader.call("join", {"room": f"thread:{thread_id}"}, timeout=10)["ok"]
            private.terminate()
            private.wait(10)
            reply = requests.post(f"{server.url}/api/v1/threads/{thread_id}/posts", timeout=30,
                                  headers={"Authorization": f"Bearer {officer}"},
                                  json={"body": "您好,消息队列中断也不影响回复。"})
            assert reply.status_code == 201, reply.text
            caught = reader.call("catch_up", {"thread_id": thread_id, "after_post_id": 0},
                                 timeout=10)
            assert [p["id"] for p in caught["posts"]] == [reply.json()["post"]["id"]]
        finally:
            reader.disconnect()
    finally:
        if server is not None:
            server.stop()
        private.kill()

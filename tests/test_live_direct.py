"""Broadcasts written straight to idle WebSockets (board/live_direct.py), against the real server
(`python app.py`, gevent): pinned to the library internals it relies on, every reader gets every
event in order under a burst, and a reader that stops reading is dropped instead of holding up
the others or the server's memory."""
from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import socketio
from engineio import socket as eio_socket
from websockets.sync.client import connect

from board import live_direct
from tests.live_server import ROOT, BoardServer, free_port, seed_people, stop_process, token

QUEUE_LIMIT = 100
BURST = 300

# A Flask-SocketIO app served as app.py serves the board (gevent, simple-websocket) with the
# adapter installed: `POST /burst` emits BURST messages of 16 kB to room "r", yielding between
# them as board/live.py does; `GET /stats` tells what the adapter did and the longest queue.
HARNESS = """
from gevent import monkey
monkey.patch_all()
import sys
import gevent
from flask import Flask
from flask_socketio import SocketIO, join_room
from board import live_direct

app = Flask("harness")
ping = {"ping_interval": float(sys.argv[4]), "ping_timeout": 1} if len(sys.argv) > 4 else {}
sio = SocketIO(app, async_mode="gevent", **ping)
assert live_direct.install(sio.server, queue_limit=int(sys.argv[2]))
longest = [0]

@sio.on("join")
def join(data):
    join_room("r")
    return {"ok": True}

@app.post("/burst")
def burst():
    for i in range(int(sys.argv[3])):
        sio.emit("m", {"i": i, "pad": "x" * 16000}, to="r")
        longest[0] = max([longest[0]] + [s.queue.qsize() for s in sio.server.eio.sockets.values()])
        gevent.sleep(0.001)
    return {"ok": True}

@app.get("/stats")
def stats():
    return {**live_direct.counts, "longest_queue": longest[0],
            "connected": len(sio.server.eio.sockets)}

print("LISTENING", flush=True)
sio.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_output=False)
"""


def test_the_installed_libraries_are_the_ones_the_adapter_was_written_for():
    """Fails when a library the adapter reaches into is upgraded: re-read the functions named
    here, re-measure with bench/live.py, then update PINNED_VERSIONS and FINGERPRINTS."""
    assert live_direct.incompatibilities() == []
    assert set(live_direct.FINGERPRINTS) == set(live_direct._targets())


def test_a_changed_library_leaves_the_direct_path_off(monkeypatch, caplog):
    monkeypatch.setattr(eio_socket.Socket, "send", eio_socket.Socket.send)
    monkeypatch.setattr(eio_socket.Socket, "_websocket_handler",
                        eio_socket.Socket._websocket_handler)
    original_send = eio_socket.Socket.send
    server = socketio.Server(async_mode="gevent")
    monkeypatch.setitem(live_direct.FINGERPRINTS, "engineio.socket.Socket.poll", "0" * 64)
    assert not live_direct.install(server, queue_limit=10)
    assert "engineio.socket.Socket.poll changed" in caplog.text
    assert eio_socket.Socket.send is original_send and not live_direct.installed(server)

    monkeypatch.setitem(live_direct.PINNED_VERSIONS, "python-engineio", "4.99.0")
    monkeypatch.setattr(live_direct, "FINGERPRINTS", {})
    assert not live_direct.install(server, queue_limit=10)
    assert "(pinned 4.99.0)" in caplog.text

    threaded = socketio.Server(async_mode="threading")
    assert not live_direct.install(threaded, queue_limit=10)


@pytest.fixture
def harness(request):
    port = free_port()
    ping = [str(request.param)] if hasattr(request, "param") else []  # seconds between pings
    proc = subprocess.Popen([sys.executable, "-c", HARNESS, str(port), str(QUEUE_LIMIT),
                             str(BURST), *ping], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "LISTENING"
        for _ in range(100):  # until it accepts connections
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        stop_process(proc)


def _get(port, path, method="GET"):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _join(send, recv):
    """Engine.IO open, Socket.IO connect, join the room (acknowledged)."""
    assert recv().startswith('0{"sid"')
    send("40")
    assert recv().startswith("40")
    send('420["join",{}]')
    while not recv().startswith("430"):
        pass


def _sequence(messages):
    return [json.loads(m[2:])[1]["i"] for m in messages if m.startswith('42["m"')]


class StalledReader:
    """A raw WebSocket client with a tiny receive buffer that joins, then stops reading."""

    def __init__(self, port):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        self.sock.settimeout(10)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                           f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert b" 101 " in head.split(b"\r\n")[0]
        self.closed = False

    def send(self, text):
        data, mask = text.encode(), os.urandom(4)
        assert len(data) < 126
        self.sock.sendall(bytes([0x81, 0x80 | len(data)]) + mask
                          + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _frame(self):
        """The next complete frame's (opcode, payload), or None at the end of the stream."""
        while True:
            buf = self.buffer
            pos = {126: 4, 127: 10}.get(buf[1] & 0x7F, 2) if len(buf) >= 2 else 2
            if len(buf) >= pos:
                length = buf[1] & 0x7F if pos == 2 else int.from_bytes(buf[2:pos], "big")
                if len(buf) >= pos + length:
                    self.buffer = buf[pos + length:]
                    return buf[0] & 0x0F, buf[pos:pos + length]
            chunk = self.sock.recv(65536)
            if not chunk:
                self.closed = True
                return None
            self.buffer += chunk

    def recv(self):
        while (frame := self._frame()) is not None:
            opcode, payload = frame
            if opcode == 1:
                return payload.decode()
            if opcode == 8:
                self.closed = True
                return None
        return None

    def read_to_end(self) -> list[str]:
        messages = []
        try:
            while (message := self.recv()) is not None:
                messages.append(message)
        except (ConnectionResetError, TimeoutError):
            self.closed = True
        return messages


def test_a_stalled_reader_is_dropped_while_the_others_get_every_message_in_order(harness):
    stalled = StalledReader(harness)
    _join(stalled.send, stalled.recv)
    url = f"ws://127.0.0.1:{harness}/socket.io/?EIO=4&transport=websocket"
    readers = [connect(url, open_timeout=10, close_timeout=1, max_size=2**22) for _ in range(2)]
    try:
        for ws in readers:
            _join(ws.send, lambda ws=ws: ws.recv(timeout=10))
        # the stalled reader reads nothing more; a burst of 300 messages (4.8 MB) goes out
        _get(harness, "/burst", "POST")
        for ws in readers:
            got = []
            while len(got) < BURST:
                got += _sequence([ws.recv(timeout=30)])
            assert got == list(range(BURST))  # every message, once, in order
        stats = _get(harness, "/stats")
        assert stats["direct"] > 0 and stats["queued"] > 0  # both paths were taken
        assert stats["dropped"] == 1
        assert stats["longest_queue"] <= QUEUE_LIMIT + 1  # the server held no more for it
        # what it had been sent before is in order, then the connection ends
        received = _sequence(stalled.read_to_end())
        assert stalled.closed
        assert len(received) < BURST
        assert received == list(range(len(received)))
        assert _get(harness, "/stats")["connected"] == 2
    finally:
        for ws in readers:
            ws.close()
        stalled.sock.close()


@pytest.mark.parametrize("harness", [1], indirect=True)
def test_one_pinger_keeps_answering_readers_and_ends_a_silent_one(harness):
    """Engine.IO's pings come from the adapter's one pinger: readers that answer are pinged
    again and again and stay; a reader that stops answering is disconnected."""
    silent = StalledReader(harness)
    _join(silent.send, silent.recv)
    url = f"ws://127.0.0.1:{harness}/socket.io/?EIO=4&transport=websocket"
    readers = [connect(url, open_timeout=10, close_timeout=1) for _ in range(2)]
    try:
        for ws in readers:
            _join(ws.send, lambda ws=ws: ws.recv(timeout=10))
        pings = [0, 0]
        deadline = time.monotonic() + 4.5  # pings every second
        while time.monotonic() < deadline:
            for i, ws in enumerate(readers):
                try:
                    message = ws.recv(timeout=0.1)
                except TimeoutError:
                    continue
                if message == "2":
                    pings[i] += 1
                    ws.send("3")
        assert min(pings) >= 3
        assert "2" in silent.read_to_end() and silent.closed  # pinged, never answered: ended
        assert _get(harness, "/stats")["connected"] == 2
    finally:
        for ws in readers:
            ws.close()
        silent.sock.close()


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    instance = tmp_path_factory.mktemp("live-direct")
    server = BoardServer(instance).wait_ready()
    try:
        seed_people(server, instance)
        asker, officer = token(server, "live_asker"), token(server, "live_officer")
        thread = _api(server, "POST", "/api/v1/boards/hukou/threads", asker,
                      {"title": "户口迁入需要哪些材料", "body": "孩子落户要带什么?",
                       "kind": "question"})
        yield server, officer, thread["thread"]["id"]
    finally:
        server.stop()


def _api(server, method, path, bearer, body):
    request = urllib.request.Request(server.url + path, method=method,
                                     data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {bearer}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _post_ids(messages):
    return [json.loads(m[2:])[1]["post"]["id"] for m in messages
            if m.startswith('42["post_created"')]


def test_the_boards_replies_reach_every_reader_in_order_under_a_burst(board):
    """The board as `python app.py` serves it, adapter on: a burst of replies from several
    officer's requests at once arrives at every reader once each, all in the same order."""
    server, officer, thread_id = board
    url = server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    readers = [connect(url, open_timeout=10, close_timeout=1) for _ in range(3)]
    try:
        for ws in readers:
            assert ws.recv(timeout=10).startswith('0{"sid"')
            ws.send("40")
            assert ws.recv(timeout=10).startswith("40")
            ws.send(f'420["join",{{"room":"thread:{thread_id}"}}]')
            while not (ack := ws.recv(timeout=10)).startswith("430"):
                pass
            assert '"ok":true' in ack
        with ThreadPoolExecutor(2) as pool:
            posted = list(pool.map(lambda i: _api(
                server, "POST", f"/api/v1/threads/{thread_id}/posts", officer,
                {"body": f"第{i}条答复:请带齐材料到户政窗口办理。"})["post"]["id"], range(8)))
        orders = []
        for ws in readers:
            got = []
            while len(got) < len(posted):
                got += _post_ids([ws.recv(timeout=20)])
            orders.append(got)
        assert sorted(orders[0]) == sorted(posted)  # every reply, once
        assert orders[1] == orders[0] and orders[2] == orders[0]  # the server's order, for all
    finally:
        for ws in readers:
            ws.close()

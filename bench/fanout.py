"""The Socket.IO stack's own cost of one broadcast, in one process, without clients in the way.

    python bench/fanout.py                  # 1,000 connections, 20 rounds
    python bench/fanout.py --clients 100 --rounds 50

bench/live.py measures what a reader sees, and there the clients' process, the kernel and the
machine's noise all take their share. This one isolates the server. N real WebSocket connections
(TCP over loopback; the client ends are never read, the kernel buffers the few kB) are held by
the same code the board runs: python-socketio's server and rooms, python-engineio's gevent
driver with its per-connection queue and writer greenlet, simple-websocket and wsproto framing.
Each round one `post_created` of the board's size is emitted to the room, and the time until
every writer has sent it is taken. The reference, alternating round by round in the same
process over the same sockets: the frame built once and written to each socket in a loop, which
is what a raw asyncio `websockets` broadcast does. The ratio is the floor under bench/live.py's
"p95 / raw" for any application on this stack.
"""
from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import base64  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import socketio  # noqa: E402
from engineio import socket as eio_socket  # noqa: E402
from engineio.async_drivers.gevent import WebSocketWSGI  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live import _sample_post, raise_open_files  # noqa: E402
from board.socket_server import UnicodeJSON  # noqa: E402

ROOM = "thread:1"


def _connections(n: int) -> tuple[list[socket.socket], list[socket.socket]]:
    """n accepted TCP connections on loopback: (server ends, client ends)."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=n)
    port = listener.getsockname()[1]
    servers, clients = [], []
    for _ in range(n):
        client = socket.create_connection(("127.0.0.1", port))
        servers.append(listener.accept()[0])
        clients.append(client)
    listener.close()
    return servers, clients


def _attach(sio: socketio.Server, sock: socket.socket) -> None:
    """One Socket.IO client in ROOM, served by python-engineio's own WebSocket handler."""
    eio = sio.eio
    eio_sid = eio.generate_id()
    engine_socket = eio_socket.Socket(eio, eio_sid)
    eio.sockets[eio_sid] = engine_socket
    sid = sio.manager.connect(eio_sid, "/")
    sio.manager.enter_room(sid, "/", ROOM, eio_sid)
    environ = {"werkzeug.socket": sock, "HTTP_HOST": "127.0.0.1", "HTTP_UPGRADE": "websocket",
               "HTTP_CONNECTION": "Upgrade", "HTTP_SEC_WEBSOCKET_VERSION": "13",
               "HTTP_SEC_WEBSOCKET_KEY": base64.b64encode(os.urandom(16)).decode()}
    wsgi = WebSocketWSGI(engine_socket._websocket_handler, eio)
    gevent.spawn(wsgi, environ, lambda *args: None)


def _frame(text: str) -> bytes:
    """A server-to-client text frame (unmasked), as a raw broadcast sends it."""
    data = text.encode()
    n = len(data)
    header = bytes([0x81]) + (bytes([n]) if n < 126 else bytes([126]) + n.to_bytes(2, "big"))
    return header + data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    raise_open_files()

    sio = socketio.Server(async_mode="gevent", json=UnicodeJSON)
    servers, clients = _connections(args.clients)
    for sock in servers:
        _attach(sio, sock)
    gevent.sleep(0.5)  # every handshake answered, every writer waiting on its queue
    assert sum(1 for s in sio.eio.sockets.values() if s.upgraded) == args.clients

    stack, raw = [], []
    for i in range(1, args.rounds + 1):
        payload = {"thread_id": 1, "post": _sample_post(i)}
        started = time.perf_counter()
        sio.emit("post_created", payload, to=ROOM)
        gevent.sleep(0)  # runs every writer greenlet the emit woke
        stack.append(time.perf_counter() - started)

        started = time.perf_counter()
        frame = _frame("42" + UnicodeJSON.dumps(["post_created", payload]))
        for sock in servers:
            sock.send(frame)
        raw.append(time.perf_counter() - started)
        gevent.sleep(0.05)
    for sock in clients:
        sock.close()

    n = args.clients
    stack_ms, raw_ms = statistics.median(stack) * 1000, statistics.median(raw) * 1000
    print(f"{n} connections, {args.rounds} rounds, medians; payload "
          f"{len(_frame(UnicodeJSON.dumps(['post_created', _sample_post(1)])))} bytes")
    print(f"  raw: frame once, write to each socket   {raw_ms:7.1f} ms  "
          f"({raw_ms * 1000 / n:5.1f} µs per connection)")
    print(f"  Socket.IO stack: emit to the room       {stack_ms:7.1f} ms  "
          f"({stack_ms * 1000 / n:5.1f} µs per connection)  {stack_ms / raw_ms:.2f}x raw")


if __name__ == "__main__":
    main()

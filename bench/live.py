"""Live fan-out benchmark: time from an officer's reply POST to each reader's `post_created`.

    python bench/live.py                    # N = 100 and 1000, one process and two over Redis
    python bench/live.py --clients 100 --rounds 3 --scenarios single
    python bench/live.py --clients 1000 --scenarios single direct-off   # board/live_direct.py
    python bench/live.py --clients 1000 3000 --scenarios single gunicorn   # + production command
    python bench/live.py --idle 1000 5000 --idle-seconds 30   # idle readers: kB each, pings' CPU

For each N it starts the real board (`python app.py`: gevent, WebSocket), connects N clients to
one thread room from a separate process (raw WebSocket clients speaking Engine.IO/Socket.IO,
transport=websocket only), has the officer POST replies over HTTP, and reports p50/p95/p99/max
and the delivered fraction (every server gets one unmeasured warm-up round first). The
reference, measured in the same run with the same client code: a raw asyncio `websockets`
server broadcasting a payload of the same size to the same N clients; beside it a minimal
Flask-SocketIO app on the same stack (gevent + simple-websocket) that emits the same payload on
a POST, so "board minus minimal" is the board's own work per reply; and Node.js socket.io 4.8
(bench/node_ref/server.js, the same endpoints; `cd bench/node_ref && npm install` once, else
the row says it is skipped).
`BENCH_NO_SEARCH_WORKER=1` runs app.py without its in-process search indexer (diagnosis).
`--gc-pauses` notes the board's full garbage collections while the clients connect and the
replies go out (how many, the longest), and adds the board without its start-up `gc.freeze()`.
`--deflate` has the clients offer permessage-deflate as browsers do (the minimal app accepts it,
as the stack does by default; the board declines it); the kB/conn column is each server's memory
growth per connected client. `--threading` adds the board under a threaded gunicorn worker
(Socket.IO "threading" mode), to justify the async-mode choice. Bench-only dependency:
websockets (requirements-dev.txt).

`--idle N ...` measures what an idle reader costs instead: each server gets a few warm-up clients,
then N more that connect (the Socket.IO ones join a room) and stay idle; the row gives the
server's resident memory growth per reader (all its processes: gunicorn's master and worker) and
the share of one core it spends over `--idle-seconds` doing nothing but Engine.IO pings (the
kernel's user+system time for its processes; "without N": the same before the N connect).
Servers: raw `websockets`, Node socket.io, the
minimal Flask-SocketIO app, the board under `python app.py`, the board under the production
command (gunicorn gevent, gunicorn.conf.py); `--idle-servers ... board-off board-gunicorn-off`
adds the board with board/live_direct.py switched off (the libraries' own per-connection writer
and ping greenlets: the "before" of issue 19's idle work). `BENCH_TRACEMALLOC=1` makes the
board print the largest allocation sites (grouped by traceback) that the N readers added.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONNECT_BATCH = 50  # clients connecting at once (a burst of 1,000 handshakes is its own test)
NO_SEARCH_WORKER = os.environ.get("BENCH_NO_SEARCH_WORKER") == "1"
DEFLATE = os.environ.get("BENCH_DEFLATE") == "1"  # clients offer permessage-deflate (--deflate)
# Unmeasured rounds first, the same for every server: the first message after 1,000 connects
# meets cold caches and the collector's pending full collection (see --gc-pauses).
WARMUP_ROUNDS = 1
SAMPLE_BODY = ("您好,您反映的户口迁移问题,请携带身份证、户口簿和准迁证到户政窗口办理,"
               "工作日可预约。") * 2


def raise_open_files() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 65536) if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- client process: N WebSocket clients, each noting when every post arrives ---------------


class _WebSocket(asyncio.Protocol):
    """A minimal WebSocket client (RFC 6455, text frames) on an asyncio Protocol. With `deflate`
    it offers permessage-deflate as every browser does, and inflates if the server accepts.

    Far cheaper per message than a full client library, so with 1,000 connections in one
    process the figures measure the server, not the client's own queueing. Each chunk is
    time-stamped when it arrives; `on_text(payload, when)` gets every text frame.
    """

    def __init__(self, path: str, host: str, on_text, deflate: bool = False):
        self.path, self.host, self.on_text, self.deflate = path, host, on_text, deflate
        self.buffer, self.open, self.transport, self.inflater = b"", False, None, None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write((f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\n"
                         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                         f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                         + ("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"
                            "\r\n" if self.deflate else "") + "\r\n").encode())

    def connection_lost(self, exc):
        if not self.closed.done():
            self.closed.set_result(exc)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buf = self.buffer + data
        if not self.open:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buf
                return
            if b" 101 " not in buf[:buf.find(b"\r\n")]:
                self.transport.close()
                return
            if b"permessage-deflate" in buf[:end].lower():
                self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            self.open, buf = True, buf[end + 4:]
            self.on_text(None, now)  # opened
        while len(buf) >= 2:
            head, length, pos = buf[0], buf[1] & 0x7F, 2
            opcode = head & 0x0F
            if length == 126:
                if len(buf) < 4:
                    break
                length, pos = int.from_bytes(buf[2:4], "big"), 4
            elif length == 127:
                if len(buf) < 10:
                    break
                length, pos = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < pos + length:
                break
            payload, buf = buf[pos:pos + length], buf[pos + length:]
            if self.inflater and head & 0x40:  # RSV1: a compressed message
                payload = self.inflater.decompress(payload + b"\x00\x00\xff\xff")
            if opcode == 1:
                self.on_text(payload, now)
            elif opcode == 9:
                self._frame(0xA, payload)
            elif opcode == 8:
                self.transport.close()
        self.buffer = buf

    def _frame(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        n = len(payload)
        header = bytes([0x80 | opcode])
        header += bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, "big")
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(header + mask + masked)

    def send(self, text: str) -> None:
        self._frame(1, text.encode())


async def _open(url: str, on_text) -> _WebSocket:
    parsed = urllib.parse.urlsplit(url)
    path = parsed.path or "/"
    if parsed.query:
        path += "?" + parsed.query
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(
        lambda: _WebSocket(path, parsed.netloc, on_text, DEFLATE), parsed.hostname, parsed.port)
    return protocol


async def _socketio_client(url: str, room: str, arrivals: list, ready: asyncio.Event,
                           counter: list, total: int) -> None:
    """Engine.IO v4 / Socket.IO v5 by hand: open, connect, join (ack), answer pings, note
    (arrival time, raw message) for every post_created; parsed only after the run."""
    holder: list = []

    def on_text(payload, now):
        if payload is None:
            return
        if payload.startswith(b'42["post_created"'):
            arrivals.append((now, payload))
        elif payload == b"2":  # engine.io ping
            holder[0].send("3")
        elif payload.startswith(b"0{"):  # engine.io open: connect the default namespace
            holder[0].send("40")
        elif payload.startswith(b"40"):  # namespace connected: join the room, ack id 0
            holder[0].send("420" + json.dumps(["join", {"room": room}]))
        elif payload.startswith(b"430"):  # the join ack
            counter[0] += 1
            if counter[0] == total:
                ready.set()

    ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    protocol = await _open(ws_url, on_text)
    holder.append(protocol)
    await protocol.closed


async def _raw_client(url: str, arrivals: list, ready: asyncio.Event, counter: list,
                      total: int) -> None:
    def on_text(payload, now):
        if payload is None:
            counter[0] += 1
            if counter[0] == total:
                ready.set()
        else:
            arrivals.append((now, payload))

    protocol = await _open(url, on_text)
    await protocol.closed


def _post_id(message: bytes) -> int:
    data = json.loads(message[2:] if message.startswith(b"42") else message)
    return data[1]["post"]["id"]


async def client_main(args) -> None:
    """Connect, print READY, wait for DONE on stdin, print the arrival times as JSON."""
    urls = args.urls.split(",")
    arrivals: list = []
    ready, counter = asyncio.Event(), [0]
    tasks = []
    for i in range(args.clients):
        url = urls[i % len(urls)]
        if args.kind == "raw":
            coro = _raw_client(url, arrivals, ready, counter, args.clients)
        else:
            coro = _socketio_client(url, args.room, arrivals, ready, counter, args.clients)
        tasks.append(asyncio.create_task(coro))
        if (i + 1) % CONNECT_BATCH == 0:
            await asyncio.sleep(0.05)
    try:
        await asyncio.wait_for(ready.wait(), timeout=90)
        print("READY", flush=True)
    except TimeoutError:
        failed = sum(1 for t in tasks if t.done() and t.exception())
        print(f"READY partial {counter[0]}/{args.clients} ({failed} failed)", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)  # "DONE"
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    by_post: dict = {}
    for when, message in arrivals:
        by_post.setdefault(str(_post_id(message)), []).append(when)
    print(json.dumps(by_post), flush=True)


# --- reference server: raw asyncio websockets broadcast -------------------------------------


async def refserver_main(args) -> None:
    """Everyone connected gets every broadcast; a 'go <id>' from the control socket triggers it."""
    from websockets.asyncio.server import broadcast, serve

    listeners: set = set()
    payload_template = ["post_created", {"thread_id": 1, "post": _sample_post(0)}]

    async def handler(ws):
        if ws.request.path == "/control":
            async for message in ws:
                post_id = int(message.split()[1])
                payload_template[1]["post"]["id"] = post_id
                broadcast(listeners, json.dumps(payload_template, ensure_ascii=False))
            return
        listeners.add(ws)
        try:
            await ws.wait_closed()
        finally:
            listeners.discard(ws)

    async with serve(handler, "127.0.0.1", args.port, compression=None, max_size=2**22):
        print("LISTENING", flush=True)
        await asyncio.Future()


def _sample_post(post_id: int) -> dict:
    """The size and shape of a real post_created payload (an officer's reply)."""
    return {"id": post_id, "thread_id": 1,
            "body": SAMPLE_BODY, "body_html": f"<p>{SAMPLE_BODY}</p>",
            "official": True, "hidden": False, "hidden_reason": None,
            "created_at": "2026-11-23T08:00:00Z", "edited_at": None,
            "author": {"id": 2, "display_name": "王海峰", "role": "officer", "role_label": "民警",
                       "real_name": "王海峰", "badge_no": "150231", "unit": "市公安局户政管理支队",
                       "contact": None}}


# --- a minimal Flask-SocketIO app: the same stack as the board without the board ------------


def minimal_main(args) -> None:
    """`POST /post` emits one post_created (the sample payload) to room thread:1; nothing else.
    Served like app.py (gevent, simple-websocket), so board-vs-minimal isolates the board's work.
    It imports nothing of the board (`python bench/live.py minimal` runs this file alone): the
    board's modules would be a heap it collects without the board's `gc.freeze()`."""
    from gevent import monkey

    monkey.patch_all()
    from flask import Flask
    from flask_socketio import SocketIO, join_room

    class UnicodeJSON:  # as the board's (board/socket_server.py), without importing the board
        dumps = staticmethod(lambda obj, *a, **k: json.dumps(obj, *a, **{
            **k, "ensure_ascii": False, "separators": (",", ":")}))
        loads = staticmethod(json.loads)

    app = Flask("minimal")
    sio = SocketIO(app, async_mode="gevent", json=UnicodeJSON)
    counter = [0]

    @sio.on("join")
    def join(data):
        join_room(data["room"])
        return {"ok": True}

    @app.post("/post")
    def post():
        counter[0] += 1
        sio.emit("post_created", {"thread_id": 1, "post": _sample_post(counter[0])}, to="thread:1")
        return {"post": {"id": counter[0]}}, 201

    print("LISTENING", flush=True)
    sio.run(app, host="127.0.0.1", port=args.port, log_output=False)


NODE_REF = ROOT / "bench" / "node_ref"


def node_reference_missing() -> str | None:
    """Why the Node.js socket.io reference cannot run here, or None."""
    try:
        subprocess.run(["node", "-v"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return "node not found"
    if not (NODE_REF / "node_modules" / "socket.io").is_dir():
        return f"socket.io not installed: cd {NODE_REF} && npm install"
    return None


def run_minimal(n: int, rounds: int, gap: float, node: bool = False) -> dict:
    """The minimal Flask-SocketIO app, or (`node`) Node.js socket.io with the same endpoints."""
    from tests.live_server import free_port

    port = free_port()
    if node:
        command = ["node", str(NODE_REF / "server.js"), str(port)]
        env = {**os.environ, "SAMPLE_POST": json.dumps(_sample_post(0), ensure_ascii=False)}
    else:
        command, env = [sys.executable, __file__, "minimal", "--port", str(port)], None
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        assert server.stdout.readline().strip() == "LISTENING"
        time.sleep(0.5)
        clients = Clients("socketio", [url], n, "thread:1", [server.pid])
        sent = {}
        for i in range(WARMUP_ROUNDS + rounds):
            time.sleep(gap)
            t0 = time.monotonic()
            post_id = _http("POST", url + "/post", {})["post"]["id"]
            if i >= WARMUP_ROUNDS:
                sent[post_id] = t0
        time.sleep(gap + 1)
        label = ("Node.js socket.io 4.8 (reference)" if node
                 else "minimal Flask-SocketIO app (same stack)")
        return _summary(label, n, rounds, sent, clients)
    finally:
        server.terminate()
        server.wait(10)


# --- coordinator ---------------------------------------------------------------------------


def _http(method: str, url: str, body: dict | None = None, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _family(pids: list[int]) -> list[int]:
    """The pids and all their descendants (gunicorn's worker under its master)."""
    found, todo = [], list(pids)
    while todo:
        pid = todo.pop()
        found.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return found


def _rss_kb(pids: list[int]) -> int:
    total = 0
    for pid in _family(pids):
        status = Path(f"/proc/{pid}/status").read_text()
        total += int(status.split("VmRSS:")[1].split()[0])
    return total


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes (and their children) so far."""
    total = 0
    for pid in _family(pids):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


class Clients:
    """The client process: started, waited for READY, told DONE, its arrivals read back.
    `server_pids`: the server's memory growth per connected client is noted too."""

    def __init__(self, kind: str, urls: list[str], n: int, room: str = "",
                 server_pids: list[int] = ()):
        before = _rss_kb(server_pids)
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "client", "--kind", kind, "--urls", ",".join(urls),
             "--clients", str(n), "--room", room],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        self.ready_line = line
        if not line.startswith("READY"):
            raise RuntimeError(f"client process failed: {line!r}")
        self.kb_per_client = (_rss_kb(server_pids) - before) / n if server_pids else None

    def finish(self) -> dict[int, list[float]]:
        self.proc.stdin.write("DONE\n")
        self.proc.stdin.flush()
        out = self.proc.stdout.readline()
        self.proc.wait(60)
        return {int(k): v for k, v in json.loads(out).items()}


def _summary(label: str, n: int, rounds: int, sent: dict[int, float], clients: Clients) -> dict:
    arrivals = clients.finish()
    latencies = sorted((t - sent[pid]) * 1000 for pid, times in arrivals.items() if pid in sent
                       for t in times)
    expected = n * rounds
    row = {"label": label, "n": n, "delivered": len(latencies) / expected if expected else 0,
           "kb_per_client": clients.kb_per_client}
    if latencies:
        q = statistics.quantiles(latencies, n=100, method="inclusive")
        row.update(p50=q[49], p95=q[94], p99=q[98], max=latencies[-1])
    return row


def run_reference(n: int, rounds: int, gap: float) -> dict:
    from websockets.sync.client import connect

    from tests.live_server import free_port

    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "refserver", "--port", str(port)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "LISTENING"
        clients = Clients("raw", [f"ws://127.0.0.1:{port}/"], n, server_pids=[server.pid])
        sent = {}
        with connect(f"ws://127.0.0.1:{port}/control") as control:
            for i in range(1, WARMUP_ROUNDS + rounds + 1):
                time.sleep(gap)
                if i > WARMUP_ROUNDS:
                    sent[i] = time.monotonic()
                control.send(f"go {i}")
            time.sleep(gap + 1)
        return _summary("raw websockets broadcast (reference)", n, rounds, sent, clients)
    finally:
        server.terminate()
        server.wait(10)


# app.py with a note of every full collection's pause; argv[1] "unfrozen": without gc.freeze().
GC_PROBE = """
import gc, sys, time
if sys.argv[1] == "unfrozen":
    gc.freeze = lambda: None
began = []
def note(phase, info):
    if phase == "start":
        began.append(time.perf_counter())
    elif info["generation"] == 2:
        print(f"GC-PAUSE {(time.perf_counter() - began.pop()) * 1000:.1f}", flush=True)
    else:
        began.pop()
gc.callbacks.append(note)
import app
raise SystemExit(app.main())
"""


def _gc_pauses(server, offset: int) -> tuple[int, float]:
    """(full collections, longest pause in ms) in the server's log after `offset`."""
    with open(server.log_path, errors="replace") as log:
        log.seek(offset)
        pauses = [float(line.split()[1]) for line in log if line.startswith("GC-PAUSE ")]
    return len(pauses), max(pauses, default=0.0)


def run_board(label: str, n: int, rounds: int, gap: float, processes: int,
              redis_url: str | None, threading: bool = False, gc_probe: str | None = None,
              env: dict | None = None) -> dict:
    from tests.live_server import BoardServer, seed_people, token

    instance = Path(tempfile.mkdtemp(prefix="live-bench-"))
    channel = f"board-bench-{uuid.uuid4().hex}"
    servers: list[BoardServer] = []
    try:
        for i in range(processes):
            command = None
            if threading:  # not monkey-patched: Socket.IO runs in its "threading" mode
                command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                           "-k", "gthread", "--threads", "100", "-w", "1",
                           "--log-level", "warning", "-b", "127.0.0.1:{port}", "board.wsgi:app"]
            elif NO_SEARCH_WORKER:  # diagnosis: the same app.py without its indexer greenlet
                command = [sys.executable, "-c", "import app, board.search as s; "
                           "s.start_worker = lambda a: None; raise SystemExit(app.main())"]
            elif gc_probe:
                command = [sys.executable, "-c", GC_PROBE, gc_probe]
            elif (env or {}).get("BENCH_GUNICORN") == "1":  # the production command
                command = [sys.executable, "-m", "gunicorn", *GUNICORN]
            server = BoardServer(instance, redis_url=redis_url, channel=channel,
                                 command=command, extra_env={"BOARD_DEMO": "0", **(env or {})})
            servers.append(server.wait_ready())
            if i == 0:
                seed_people(server, instance)
        first = servers[0]
        asker, officer = token(first, "live_asker"), token(first, "live_officer")
        thread = _http("POST", first.url + "/api/v1/boards/hukou/threads", {
            "title": "压测:户口迁移需要什么材料", "body": "请问需要带什么材料?",
            "kind": "question"},
            asker)["thread"]
        log_offset = first.log_path.stat().st_size
        try:
            clients = Clients("socketio", [s.url for s in servers], n, f"thread:{thread['id']}",
                              [s.proc.pid for s in servers])
        except RuntimeError as exc:
            return {"label": label, "n": n, "delivered": 0.0, "error": str(exc)}
        partial = clients.ready_line != "READY"
        sent, error = {}, clients.ready_line if partial else ""
        for i in range(WARMUP_ROUNDS + rounds):
            time.sleep(gap)
            t0 = time.monotonic()
            try:
                post = _http("POST", f"{first.url}/api/v1/threads/{thread['id']}/posts",
                             {"body": SAMPLE_BODY}, officer)["post"]
            except OSError as exc:  # e.g. every worker thread is held by a WebSocket
                error = f"reply POST failed: {exc}"
                break
            if i >= WARMUP_ROUNDS:
                sent[post["id"]] = t0
        time.sleep(gap + 2)
        row = _summary(label, n, rounds, sent, clients)
        if gc_probe:  # the server writes its log itself, flushing each line
            row["gc"] = _gc_pauses(first, log_offset)
        if error:
            row["error"] = error
            row["delivered"] = row["delivered"] if sent else 0.0
        return row
    finally:
        for server in servers:
            server.stop()


# app.py (or gunicorn's worker): SIGUSR1 starts tracemalloc, SIGUSR2 writes the largest blocks
# traced since and still held (grouped by traceback) and the greenlets alive by kind.
TRACE_PROBE = """
import collections, gc, os, signal, sys, tracemalloc
def dump(signum, frame):
    if signum == signal.SIGUSR1:  # tracing from now: what it holds later is what the readers added
        gc.collect()
        tracemalloc.start(8)
        return
    gc.collect()
    snap = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)])
    n = int(open(os.environ["BENCH_TRACE_N"]).read())
    out = open(os.environ["BENCH_TRACE_OUT"] + ".part", "w")
    stats = snap.statistics("traceback")
    total = sum(s.size for s in stats)
    out.write(f"traced growth {total / 1024 / n:.1f} kB per reader\\n")
    for stat in stats[:25]:
        out.write(f"\\n{stat.size / 1024 / n:6.2f} kB/reader "
                  f"{stat.count / n:5.1f} blocks\\n")
        for line in stat.traceback.format()[-8:]:
            out.write("    " + line + "\\n")
    import greenlet
    kinds = collections.Counter()
    for obj in gc.get_objects():
        if isinstance(obj, greenlet.greenlet):
            run = getattr(obj, "_run", None) or getattr(obj, "run", None)
            kinds[getattr(run, "__qualname__", type(obj).__name__)] += 1
    out.write("\\ngreenlets alive: " + repr(kinds.most_common(12)) + "\\n")
    out.close()
    os.rename(out.name, os.environ["BENCH_TRACE_OUT"])
signal.signal(signal.SIGUSR1, dump)
signal.signal(signal.SIGUSR2, dump)
if sys.argv[1] == "gunicorn":
    from gunicorn.app.wsgiapp import run
    sys.argv = ["gunicorn"] + sys.argv[2:]
    raise SystemExit(run())
import app
raise SystemExit(app.main())
"""

IDLE_SERVERS = ["raw", "node", "minimal", "board", "board-gunicorn", "board-off",
                "board-gunicorn-off"]
IDLE_LABELS = {"raw": "raw websockets (reference)", "node": "Node.js socket.io 4.8 (reference)",
               "minimal": "minimal Flask-SocketIO app (same stack)",
               "board": "board, python app.py", "board-gunicorn": "board, gunicorn gevent (prod)",
               "board-off": "board, app.py, LIVE_DIRECT_WRITE off",
               "board-gunicorn-off": "board, gunicorn, LIVE_DIRECT_WRITE off"}
GUNICORN = ["-c", "gunicorn.conf.py", "-b", "127.0.0.1:{port}", "--log-level", "warning",
            "board.wsgi:app"]


def run_idle(kind: str, n: int, seconds: float, warm: int = 20) -> dict:
    """A server with `warm` clients, then N idle readers more: kB each, CPU share for pings."""
    from tests.live_server import BoardServer, free_port, seed_people, token

    label, stop, trace = IDLE_LABELS[kind], None, None
    if kind in ("raw", "node", "minimal"):
        port = free_port()
        url, room, client_kind = f"http://127.0.0.1:{port}", "thread:1", "socketio"
        if kind == "raw":
            command, env = [sys.executable, __file__, "refserver", "--port", str(port)], None
            url, client_kind = f"ws://127.0.0.1:{port}/", "raw"
        elif kind == "node":
            command = ["node", str(NODE_REF / "server.js"), str(port)]
            env = {**os.environ, "SAMPLE_POST": json.dumps(_sample_post(0), ensure_ascii=False)}
        else:
            command, env = [sys.executable, __file__, "minimal", "--port", str(port)], None
        server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
        pid = server.pid
        assert server.stdout.readline().strip() == "LISTENING"

        def stop():
            server.terminate()
            server.wait(10)
    else:
        instance = Path(tempfile.mkdtemp(prefix="live-idle-"))
        command, extra = None, {"BOARD_DEMO": "0"}
        if kind.endswith("-off"):  # the library's own queue, writer and ping greenlets
            extra["FLASK_LIVE_DIRECT_WRITE"] = "false"
            kind = kind.removesuffix("-off")
        if kind == "board-gunicorn":
            command = [sys.executable, "-m", "gunicorn", *GUNICORN]
        if os.environ.get("BENCH_TRACEMALLOC") == "1":
            trace = instance / "trace.txt"
            extra.update(BENCH_TRACE_OUT=str(trace), BENCH_TRACE_N=str(instance / "n"))
            (instance / "n").write_text(str(n))
            command = ([sys.executable, "-c", TRACE_PROBE, "gunicorn", *GUNICORN]
                       if kind == "board-gunicorn" else [sys.executable, "-c", TRACE_PROBE, "app"])
        board = BoardServer(instance, command=command, extra_env=extra).wait_ready()
        seed_people(board, instance)
        asker = token(board, "live_asker")
        thread = _http("POST", board.url + "/api/v1/boards/hukou/threads", {
            "title": "压测:户口迁移需要什么材料", "body": "请问需要带什么材料?",
            "kind": "question"}, asker)["thread"]
        url, room, client_kind = board.url, f"thread:{thread['id']}", "socketio"
        pid = board.proc.pid
        stop = board.stop
    try:
        warm_clients = Clients(client_kind, [url], warm, room) if warm else None
        time.sleep(2)
        if trace:
            for p in _family([pid])[-1:]:  # the process serving: app.py, or gunicorn's worker
                os.kill(p, signal.SIGUSR1)
            time.sleep(3)
        before = _rss_kb([pid])
        cpu0, t0 = _cpu_seconds([pid]), time.monotonic()
        time.sleep(seconds / 3)  # the server's own idle work, without the N readers
        base = (_cpu_seconds([pid]) - cpu0) / (time.monotonic() - t0)
        clients = Clients(client_kind, [url], n, room)
        time.sleep(3)
        after = _rss_kb([pid])
        cpu0, t0 = _cpu_seconds([pid]), time.monotonic()
        time.sleep(seconds)
        share = (_cpu_seconds([pid]) - cpu0) / (time.monotonic() - t0)
        row = {"label": label, "n": n, "kb": (after - before) / n, "cpu": share, "base": base,
               "rss_mb": after / 1024, "ready": clients.ready_line}
        if trace:
            for p in _family([pid])[-1:]:
                os.kill(p, signal.SIGUSR2)
            deadline = time.monotonic() + 300
            while not trace.exists() and time.monotonic() < deadline:
                time.sleep(1)
            row["trace"] = trace.read_text() if trace.exists() else "(no trace written)"
        clients.finish()
        if warm_clients:
            warm_clients.finish()
        return row
    finally:
        stop()


def idle_coordinator(args) -> None:
    limit = raise_open_files()
    print(f"open-files limit {limit}; {os.cpu_count()} CPUs; idle window {args.idle_seconds:.0f} s")
    print(f"{'server':<44} {'N':>5} {'kB/reader':>10} {'core share':>11} {'without N':>10} "
          f"{'RSS MB':>8}")
    for n in args.idle:
        for kind in args.idle_servers:
            if kind == "node" and node_reference_missing():
                print(f"{IDLE_LABELS[kind]:<44} skipped: {node_reference_missing()}", flush=True)
                continue
            row = run_idle(kind, n, args.idle_seconds)
            note = "" if row["ready"] == "READY" else f"  {row['ready']}"
            print(f"{row['label']:<44} {n:>5} {row['kb']:>10.1f} {row['cpu'] * 100:>10.1f}% "
                  f"{row['base'] * 100:>9.1f}% {row['rss_mb']:>8.0f}{note}", flush=True)
            if "trace" in row:
                print(row["trace"], flush=True)


def _fmt(row: dict, reference: dict | None) -> str:
    kb = row.get("kb_per_client")
    memory = f"{kb:>8.0f}" if kb is not None else f"{'-':>8}"
    if "p50" not in row:
        return (f"{row['label']:<44} {row['n']:>5} {'-':>8} {'-':>8} {'-':>8} {'-':>8} "
                f"{row['delivered'] * 100:>9.1f}% {memory}  {row.get('error', '')}")
    ratio = ""
    if reference and "p95" in reference and row is not reference:
        ratio = f"{row['p95'] / reference['p95']:.2f}x"
    line = (f"{row['label']:<44} {row['n']:>5} {row['p50']:>8.1f} {row['p95']:>8.1f} "
            f"{row['p99']:>8.1f} {row['max']:>8.1f} {row['delivered'] * 100:>9.1f}% {memory}  "
            f"{ratio}")
    if "gc" in row:
        count, longest = row["gc"]
        line += (f"\n{'':<4}full collections while connecting and replying: {count}, "
                 f"longest pause {longest:.0f} ms")
    return line


def coordinator(args) -> None:
    limit = raise_open_files()
    if args.deflate:
        os.environ["BENCH_DEFLATE"] = "1"  # read by the client processes
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    print(f"open-files limit {limit}; {os.cpu_count()} CPUs; rounds per row {args.rounds}")
    header = (f"{'scenario':<44} {'N':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
              f"{'max ms':>8} {'delivered':>10} {'kB/conn':>8}  p95/ref")
    for n in args.clients:
        print()
        print(header, flush=True)
        reference = run_reference(n, args.rounds, args.gap)
        print(_fmt(reference, reference), flush=True)
        missing = node_reference_missing()
        if missing:
            print(f"{'Node.js socket.io (reference)':<44} skipped: {missing}", flush=True)
        else:
            print(_fmt(run_minimal(n, args.rounds, args.gap, node=True), reference), flush=True)
        print(_fmt(run_minimal(n, args.rounds, args.gap), reference), flush=True)
        probe = "frozen" if args.gc_pauses else None
        runs = []
        if "single" in args.scenarios:
            runs.append(("board, 1 process (gevent)", 1, None, False, probe))
        if "direct-off" in args.scenarios:  # board/live_direct.py switched off: the library's
            runs.append(("board, 1 process, LIVE_DIRECT_WRITE off", 1, None, False, probe,
                         {"FLASK_LIVE_DIRECT_WRITE": "false"}))
        if "gunicorn" in args.scenarios:
            runs.append(("board, gunicorn gevent (production)", 1, None, False, None,
                         {"BENCH_GUNICORN": "1"}))
        if args.gc_pauses:
            runs.append(("board, 1 process, without gc.freeze()", 1, None, False, "unfrozen"))
        if "redis" in args.scenarios:
            runs.append(("board, 2 processes over Redis (gevent)", 2, redis_url, False, probe))
        if args.threading:
            runs.append(("board, gunicorn gthread x100 (threading)", 1, None, True, None))
        for label, processes, queue_url, threading, gc_probe, *env in runs:
            row = run_board(label, n, args.rounds, args.gap, processes, queue_url, threading,
                            gc_probe, env[0] if env else None)
            print(_fmt(row, reference), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="role")
    client = sub.add_parser("client")
    client.add_argument("--kind", choices=["socketio", "raw"], required=True)
    client.add_argument("--urls", required=True)
    client.add_argument("--clients", type=int, required=True)
    client.add_argument("--room", default="")
    ref = sub.add_parser("refserver")
    ref.add_argument("--port", type=int, required=True)
    minimal = sub.add_parser("minimal")
    minimal.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--rounds", type=int, default=5, help="replies posted per row")
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between replies")
    parser.add_argument("--scenarios", nargs="+", default=["single", "redis"],
                        choices=["single", "direct-off", "redis", "gunicorn"])
    parser.add_argument("--deflate", action="store_true",
                        help="clients offer permessage-deflate, as browsers do")
    parser.add_argument("--gc-pauses", action="store_true",
                        help="note the board's full collections; add it without gc.freeze()")
    parser.add_argument("--threading", action="store_true",
                        help="also measure a threaded gunicorn worker (async-mode justification)")
    parser.add_argument("--idle", type=int, nargs="+",
                        help="idle mode: memory per reader and pings' CPU for these N")
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--idle-servers", nargs="+", default=IDLE_SERVERS[:5],
                        choices=IDLE_SERVERS)
    args = parser.parse_args()
    if args.role is None and args.idle:
        idle_coordinator(args)
    elif args.role == "client":
        raise_open_files()
        asyncio.run(client_main(args))
    elif args.role == "minimal":
        raise_open_files()
        minimal_main(args)
    elif args.role == "refserver":
        raise_open_files()
        asyncio.run(refserver_main(args))
    else:
        coordinator(args)


if __name__ == "__main__":
    main()

"""Socket.IO broadcasts written straight to idle WebSockets (issue 19), until python-engineio
does it itself.

python-engineio hands every outgoing packet to a per-connection queue, and a writer greenlet per
connection takes it from there to the socket: at 1,000 readers that hop, not framing, is most of a
broadcast's cost (bench/fanout.py, bench/live.py). This adapter writes a packet at once when the
connection is on WebSocket, nothing is queued and no write is in progress, with a non-blocking
send; anything else (a full socket buffer, a write in progress, polling) goes to the queue as
before, so each reader gets its packets in order and a slow reader never holds up the broadcast.

It also bounds each reader's queue: a reader that stopped reading and falls more than
LIVE_QUEUE_LIMIT packets behind is disconnected (its client reconnects and catches up from the
database), and a write blocked longer than Engine.IO's ping interval + timeout ends the
connection, so a stalled reader cannot hold memory forever. And the writer greenlet sends whole
frames (`sendall`): simple-websocket 1.1.0 ignores a partial `send`.

The adapter reaches into library internals, so it is pinned: `install` checks the exact versions
and a fingerprint of every function it relies on, and stays off (with a warning) on any
difference. Safety rests on gevent's cooperative scheduling (no switch between the writer taking
packets off the queue and starting to write them), so it is only installed in gevent mode.

And fewer greenlets per idle reader: one greenlet pings every reader (`_Pinger`) instead of
Engine.IO's sleeping greenlet per reader, and a connection that starts on WebSocket gets a writer
greenlet only while packets wait in its queue (`_handler_without_writer`). An idle reader held
four greenlets, each with its own saved C stack and its own 16 kB Python frame stack
(bench/live.py --idle, BENCH_TRACEMALLOC=1); it now holds two. Under `python app.py` the
handshake's 8 kB read buffer is freed as well (`_release_request_buffer`).
"""
from __future__ import annotations

import _socket
import hashlib
import inspect
import io
import logging
import socket
import time
import weakref
from collections import deque
from dataclasses import dataclass
from importlib import metadata

import gevent
import gevent.lock
import simple_websocket
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio import socket as eio_socket
from engineio.async_drivers import _websocket_wsgi
from wsproto.events import Message, TextMessage

log = logging.getLogger(__name__)

# The exact versions this adapter was written and measured against (requirements.txt).
PINNED_VERSIONS = {
    "python-engineio": "4.15.1",
    "python-socketio": "5.18.1",
    "simple-websocket": "1.1.0",
    "gevent": "26.9.0",
}

# sha256 of the source of each library function whose behaviour this module relies on or
# mirrors: the queue and writer protocol of Engine.IO's socket, simple-websocket's framing.
FINGERPRINTS = {
    "engineio.socket.Socket.send":
        "f8b2738ee5d48ab284f078db0e6ee53b1725df575dbe200194904a3c92541066",
    "engineio.socket.Socket.poll":
        "d7d705066fd3b9487de647e24e548526a34264ca5b92a61705f26a7471b6e73f",
    "engineio.socket.Socket.close":
        "05fac55831999f25188d658b733f8e1044d5325becfd3c87011a6b03d30003b9",
    "engineio.socket.Socket._websocket_handler":
        "58afe122719282de1def07b5530c154fbf41a40481bc8a787c4eb7d94db56c9c",
    "engineio.base_socket.BaseSocket.__init__":
        "8532b631a4dc815f51afe4d3a7f782ddea8dbc32e26e29c2a3476ef1291ae6b9",
    "engineio.async_drivers._websocket_wsgi.SimpleWebSocketWSGI":
        "ef4f852b672632e5005b7e39138ac15d8792ce77d715830d0eba7c42edf6b884",
    "simple_websocket.ws.Base.send":
        "5dd75a306f1fab597f81d8c7efcdae9c91e41a8e9f935c3e4eb196e7fb10b8f9",
    "simple_websocket.ws.Base.close":
        "c3b710ade5278edb7789a2d427d6533a78d98026e69408bf90fcea207fdd466a",
    "engineio.socket.Socket.schedule_ping":
        "fe316639159cd70d34cdb911a055fc1a0056ff15615b8460a1ab6593c95e9372",
    "engineio.socket.Socket._send_ping":
        "21861287bd38dedcb34c5d7a2aba3b427cddb013d8f6a5d91d47383805de9bd6",
}

# Packets that may skip the queue: Socket.IO messages and Engine.IO pings. The rest (open,
# close, noop, upgrade) keep the library's path.
DIRECT_TYPES = frozenset({eio_packet.MESSAGE, eio_packet.PING})

_ORIGINAL_SEND = eio_socket.Socket.send
_ORIGINAL_HANDLER = eio_socket.Socket._websocket_handler
_ORIGINAL_SCHEDULE_PING = eio_socket.Socket.schedule_ping
_CHANNEL = "_board_live_channel"
_DROPPED = "_board_live_dropped"


@dataclass(frozen=True)
class Settings:
    queue_limit: int  # packets waiting for one reader before it is disconnected
    write_timeout: float  # seconds one write may block before the connection is ended
    pinger: _Pinger


_servers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engineio server → Settings
counts = {"direct": 0, "queued": 0, "dropped": 0}  # packets written at once / queued; readers


def _targets() -> dict:
    base = eio_socket.base_socket.BaseSocket
    return {
        "engineio.socket.Socket.send": _ORIGINAL_SEND,
        "engineio.socket.Socket.poll": eio_socket.Socket.poll,
        "engineio.socket.Socket.close": eio_socket.Socket.close,
        "engineio.socket.Socket._websocket_handler": _ORIGINAL_HANDLER,
        "engineio.base_socket.BaseSocket.__init__": base.__init__,
        "engineio.async_drivers._websocket_wsgi.SimpleWebSocketWSGI":
            _websocket_wsgi.SimpleWebSocketWSGI,
        "simple_websocket.ws.Base.send": simple_websocket.ws.Base.send,
        "simple_websocket.ws.Base.close": simple_websocket.ws.Base.close,
        "engineio.socket.Socket.schedule_ping": _ORIGINAL_SCHEDULE_PING,
        "engineio.socket.Socket._send_ping": eio_socket.Socket._send_ping,
    }


def fingerprint(obj) -> str:
    return hashlib.sha256(inspect.getsource(obj).encode()).hexdigest()


def incompatibilities() -> list[str]:
    """What differs from the library versions and internals this adapter was written for."""
    problems = []
    for name, pinned in PINNED_VERSIONS.items():
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            found = None
        if found != pinned:
            problems.append(f"{name} {found} (pinned {pinned})")
    targets = _targets()
    for name, expected in FINGERPRINTS.items():
        try:
            found = fingerprint(targets[name])
        except (OSError, TypeError) as exc:
            problems.append(f"{name}: source unavailable ({exc})")
            continue
        if found != expected:
            problems.append(f"{name} changed")
    return problems


def install(server, queue_limit: int) -> bool:
    """Turn the direct path on for one python-socketio server; False (and a warning) when the
    libraries are not exactly the ones it was written for, or not in gevent mode."""
    eio = server.eio
    if eio.async_mode != "gevent" or eio._async.get("websocket") is None \
            or not issubclass(eio._async["websocket"], _websocket_wsgi.SimpleWebSocketWSGI):
        log.debug("live direct write off: needs gevent with simple-websocket (mode %s)",
                 eio.async_mode)
        return False
    problems = incompatibilities()
    if problems:
        log.warning("live direct write off: the libraries differ from the pinned ones: %s",
                    "; ".join(problems))
        return False
    _servers[eio] = Settings(queue_limit=max(1, int(queue_limit)),
                             write_timeout=float(eio.ping_interval + eio.ping_timeout),
                             pinger=_Pinger(float(eio.ping_interval)))
    eio_socket.Socket.send = _send
    eio_socket.Socket._websocket_handler = _websocket_handler
    eio_socket.Socket.schedule_ping = _schedule_ping
    log.info("live direct write on (queue limit %d packets per reader)", queue_limit)
    return True


def installed(server) -> bool:
    return server.eio in _servers


def uninstall(server) -> None:
    _servers.pop(server.eio, None)


class _Pinger:
    """Engine.IO's pings for every connection of one server, from one greenlet.

    The library starts a greenlet per connection that sleeps `ping_interval` and sends one ping
    (Socket._send_ping), again after each pong. Here each due ping is a (time, socket) entry;
    every entry is `ping_interval` ahead of the moment it was added, so a FIFO is already in due
    order, and one greenlet sleeps until the first is due and sends what is due, as
    `_send_ping` would."""

    def __init__(self, interval: float):
        self.interval = interval
        self.due: deque = deque()
        self.task = None

    def add(self, eio_sock) -> None:
        self.due.append((time.monotonic() + self.interval, eio_sock))
        if self.task is None or self.task.dead:
            self.task = gevent.spawn(self._run)

    def _run(self) -> None:
        while self.due:
            wait = self.due[0][0] - time.monotonic()
            if wait > 0:
                gevent.sleep(wait)
                continue
            _, eio_sock = self.due.popleft()
            if eio_sock.closing or eio_sock.closed:
                continue
            try:
                eio_sock.last_ping = time.time()
                eio_sock.send(eio_packet.Packet(eio_packet.PING))
            except Exception:  # one broken connection must not stop everyone's pings
                log.exception("live ping to %s failed", eio_sock.sid)


def _schedule_ping(self):
    """Engine.IO's Socket.schedule_ping, the ping handed to the server's one pinger."""
    settings = _servers.get(self.server)
    if settings is None:
        return _ORIGINAL_SCHEDULE_PING(self)
    if self.last_ping:  # only after the previous ping's wait completed, as the library does
        self.last_ping = None
        settings.pinger.add(self)
    return None


class _Channel:
    """Stands in for the library's WebSocket wrapper (SimpleWebSocketWSGI) inside Engine.IO's
    handler: the writer greenlet's sends and the direct path take turns through `lock`, and
    `busy` counts writes started or waiting, so the direct path never passes queued packets.

    Deliberately no `_sock`/`socket` attribute: Engine.IO would set a timeout on it, which would
    end the reading side of an idle connection."""

    def __init__(self, wrapper, settings: Settings):
        self.wrapper = wrapper
        self.ws = wrapper.ws  # simple_websocket.Server
        self.sock = self.ws.sock  # gevent socket
        raw = getattr(self.sock, "_sock", None)  # gevent's own non-blocking socket underneath
        self.raw = raw if isinstance(raw, _socket.socket) else None
        environ = getattr(self.ws, "environ", {}) or {}
        # A negotiated extension (permessage-deflate) makes frames depend on the ones before:
        # such a connection keeps the library's path.
        self.direct_ok = (self.raw is not None
                          and not environ.get("HTTP_SEC_WEBSOCKET_EXTENSIONS"))
        self.settings = settings
        self.lock = gevent.lock.Semaphore()
        self.busy = 0
        self.writer = None  # the greenlet writing queued packets, while there are some

    # --- the wrapper's interface, for Engine.IO's handler and writer greenlet ---

    def wait(self):
        return self.wrapper.wait()

    def send(self, message):
        self.busy += 1
        try:
            with self.lock:
                if not self.ws.connected:
                    raise OSError("websocket closed")
                self._sendall(self._frame(message))
        finally:
            self.busy -= 1

    def close(self):
        self.busy += 1
        try:
            with self.lock:
                self.wrapper.close()
        finally:
            self.busy -= 1

    # --- the direct path ---

    def idle(self, eio_sock) -> bool:
        return (self.direct_ok and not self.busy and not self.lock.locked()
                and eio_sock.upgraded and not eio_sock.upgrading and not eio_sock.closing
                and not eio_sock.closed and not eio_sock.queue.qsize() and self.ws.connected)

    def write_now(self, pkt) -> bool:
        """Write one packet without blocking; False: nothing was written (the socket buffer is
        full or failing), the caller queues it. A partly written frame is finished by a greenlet
        that holds the lock, so nothing else is written in between."""
        frame = self._frame(pkt.encode())
        try:
            sent = self.raw.send(frame)
        except BlockingIOError:
            return False
        except OSError:
            return False  # the reading side notices the broken connection and closes it
        if sent < len(frame):
            self.lock.acquire()
            self.busy += 1
            gevent.spawn(self._finish, memoryview(frame)[sent:])
        return True

    def _finish(self, rest) -> None:
        try:
            self._sendall(rest)
        except OSError:
            pass
        finally:
            self.busy -= 1
            self.lock.release()

    def _frame(self, message) -> bytes:
        """simple_websocket.ws.Base.send's framing, without its write."""
        if isinstance(message, bytes):
            return self.ws.ws.send(Message(data=message))
        return self.ws.ws.send(TextMessage(data=str(message)))

    def _sendall(self, data) -> None:
        try:
            with gevent.Timeout(self.settings.write_timeout, OSError("write timed out")):
                self.sock.sendall(data)
        except OSError:
            self.abort()
            raise

    def abort(self) -> None:
        """End the TCP connection now: a blocked write fails, the reading side sees the end, and
        Engine.IO's handler closes the session (leaving the rooms)."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _websocket_handler(self, ws):
    settings = _servers.get(self.server)
    if settings is None or not isinstance(ws, _websocket_wsgi.SimpleWebSocketWSGI):
        return _ORIGINAL_HANDLER(self, ws)
    channel = _Channel(ws, settings)
    _release_request_buffer(channel.ws)
    self.__dict__[_CHANNEL] = channel
    try:
        if channel.direct_ok and not self.connected:  # a WebSocket from the start
            return _handler_without_writer(self, channel)
        return _ORIGINAL_HANDLER(self, channel)  # an upgrade from long-polling
    finally:
        self.__dict__.pop(_CHANNEL, None)


class _KickingQueue:
    """The connection's packet queue; a packet put in it starts a writer if none is running."""

    def __init__(self, queue, kick):
        self._queue, self._kick = queue, kick

    def put(self, item, *args, **kwargs):
        self._queue.put(item, *args, **kwargs)
        self._kick()

    def __getattr__(self, name):
        return getattr(self._queue, name)


def _handler_without_writer(self, channel):
    """Engine.IO's Socket._websocket_handler for a connection that starts on WebSocket, with a
    writer greenlet only while packets wait in the queue: with the direct path most packets
    never do, and a parked writer per idle reader cost a greenlet (its saved C stack and its
    Python frame stack, ~8 kB). Reading and the end of the connection are the library's."""
    self.connected = True
    self.upgraded = True
    self.queue = _KickingQueue(self.queue, lambda: _start_writer(self, channel))
    if self.queue.qsize():  # the open packet, queued at the handshake
        _start_writer(self, channel)
    limit = self.server.max_http_buffer_size
    while True:
        try:
            data = channel.wait()
            if data and len(data) > limit:
                raise ValueError("packet is too large")
        except Exception:
            break
        if data is None:  # closed by the client
            break
        try:
            self.receive(eio_packet.Packet(encoded_packet=data))
        except eio_exceptions.UnknownPacketError:
            pass
        except eio_exceptions.SocketIsClosedError:
            break
        except Exception:
            log.exception("live reader %s: unknown receive error", self.sid)
            break
    self.queue.put(None)  # the writer sends what is left, then closes the WebSocket
    writer = channel.writer
    if writer is not None:
        writer.join()
    self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)
    return []


def _start_writer(eio_sock, channel) -> None:
    if channel.writer is None:
        channel.writer = gevent.spawn(_write_queued, eio_sock, channel)


def _write_queued(eio_sock, channel) -> None:
    """The library's writer loop until the queue is empty, then it ends; a None in the queue
    (the connection is closing) closes the WebSocket, as the library's writer does."""
    queue_empty = eio_sock.server.get_queue_empty_exception()
    try:
        while True:
            try:
                pkt = eio_sock.queue.get(block=False)
            except queue_empty:
                return
            eio_sock.queue.task_done()
            if pkt is None:
                channel.close()
                return
            try:
                channel.send(pkt.encode())
            except Exception:
                channel.close()
                return
    finally:
        channel.writer = None


def _release_request_buffer(ws) -> None:
    """gevent's WSGI server (`python app.py`) keeps the handshake request's 8 kB read buffer
    for as long as the connection lives; simple-websocket reads from its own duplicate of the
    socket ("gevent" mode), so the buffer is closed, which frees it. Closing it leaves the
    socket open (it is closed when the handler returns), and the server, seeing it closed,
    reads no further request from the connection."""
    if getattr(ws, "mode", None) != "gevent":
        return
    rfile = (getattr(ws, "environ", None) or {}).get("wsgi.input")  # a GET: the reader itself
    rfile = getattr(rfile, "rfile", rfile)  # else gevent's Input around it
    if isinstance(rfile, io.BufferedReader):
        rfile.close()


def _send(self, pkt):
    """Engine.IO's Socket.send: straight to an idle WebSocket, else the queue (bounded)."""
    settings = _servers.get(self.server)
    if settings is None:
        return _ORIGINAL_SEND(self, pkt)
    if self.__dict__.get(_DROPPED):
        return None  # being disconnected for falling behind: nothing more is kept for it
    channel = self.__dict__.get(_CHANNEL)
    if channel is not None and pkt.packet_type in DIRECT_TYPES and channel.idle(self):
        if not self.check_ping_timeout():
            return None
        if channel.write_now(pkt):
            counts["direct"] += 1
            return None
    counts["queued"] += 1
    _ORIGINAL_SEND(self, pkt)
    if self.queue.qsize() > settings.queue_limit:
        _drop(self, channel, settings)
    return None


def _drop(eio_sock, channel, settings: Settings) -> None:
    eio_sock.__dict__[_DROPPED] = True
    counts["dropped"] += 1
    log.warning("live reader %s fell %d packets behind: disconnected", eio_sock.sid,
                settings.queue_limit)
    if channel is not None:
        channel.abort()
    else:  # long-polling: close the session outside this broadcast
        eio_sock.server.start_background_task(
            eio_sock.close, wait=False, abort=True,
            reason=eio_sock.server.reason.TRANSPORT_ERROR)


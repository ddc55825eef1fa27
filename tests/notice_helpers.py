"""Test helpers for notices off the page: a real local SMS gateway stand-in (an HTTP server that
records what it was sent and can be told to fail), a real local SMTP server (aiosmtpd), a frozen
Beijing clock, and one round of the notice worker."""
from __future__ import annotations

import json
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

from board.services import notice_delivery

BEIJING = ZoneInfo("Asia/Shanghai")
BASE_URL = "https://board.example.gov.cn"


class Gateway:
    """POST JSON {"phone", "text", "template", "params"}; answers `status` (202 by default)."""

    def __init__(self, delay: float = 0.0):
        self.received: list[dict] = []  # accepted messages
        self.refused = 0
        self.status = 202
        self.delay = delay
        self.tokens: list[str | None] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.tokens.append(self.headers.get("Authorization"))
                if gateway.delay:
                    threading.Event().wait(gateway.delay)
                status = gateway.status
                if 200 <= status < 300:
                    gateway.received.append(body)
                else:
                    gateway.refused += 1
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def to(self, phone: str) -> list[dict]:
        return [m for m in self.received if m["phone"] == phone]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


def run_worker() -> tuple[int, int]:
    """One round of the worker, as `flask notices drain` runs it (in the test's app context)."""
    events = notices = 0
    while (n := notice_delivery.fan_out_batch()):
        events += n
    while (n := notice_delivery.deliver_batch()):
        notices += n
    return events, notices

"""The shipped deploy/nginx.conf in front of a real board process (issue 15 item 7): each resident
gets their own sign-in allowance, a forged X-Forwarded-For buys no fresh one, Socket.IO answers
through the proxy for the site's own origin only, and foreign Host names get no answer.

The nginx config is generated from the shipped file's text (only the upstream address, the
listen ports and TLS are swapped), so these tests check the shipped proxy headers themselves.
Skips without nginx on a developer's machine; under CI=true that is a failure."""
from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import CI
from tests.live_server import ROOT, BoardServer, free_port, stop_process

SITE = "board.example.gov.cn"  # deploy/nginx.conf's server_name, kept as shipped
ORIGIN = f"http://{SITE}"  # the site as the board sees it through this plain-HTTP test nginx
CLIENT_A, CLIENT_B = "127.0.0.1", "127.0.0.2"  # two residents, as nginx's $remote_addr


def _nginx_binary() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                     else None)
    if path:
        return path
    if CI:
        pytest.fail("nginx is not installed, and CI=true forbids skipping the nginx tests")
    pytest.skip("nginx is not installed (Debian package `nginx`)")


def _swap(text: str, pattern: str, replacement: str, count: int = 0) -> str:
    """re.sub that insists the shipped file still has the shape this test expects."""
    new, n = re.subn(pattern, replacement, text, count=count, flags=re.S)
    assert n, f"deploy/nginx.conf no longer matches {pattern!r}: update tests/test_nginx.py"
    return new


def shipped_config(listen: int, upstream: int | list[int], workdir: Path) -> str:
    """deploy/nginx.conf on 127.0.0.1:listen, plain HTTP, these upstreams; all else as shipped."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "".join(f"\n    server 127.0.0.1:{port};"
                      for port in (upstream if isinstance(upstream, list) else [upstream]))
    text = _swap(text, r"(\s*server 127\.0\.0\.1:\d+;)+", servers)
    text = _swap(text, r"server \{\s*listen 80;.*?return 301[^}]*\}", "")  # the https redirect
    text = _swap(text, r"listen 80 default_server;", f"listen 127.0.0.1:{listen} default_server;")
    text = _swap(text, r"listen 443 ssl default_server;|ssl_reject_handshake on;|http2 on;"
                       r"|ssl_certificate\w* [^;]+;", "")
    text = _swap(text, r"listen 443 ssl;", f"listen 127.0.0.1:{listen};")
    text = _swap(text, r"alias /srv/board/static/;", f"alias {ROOT / 'static'}/;")
    temps = "\n".join(f"    {name}_temp_path {workdir / name};"
                      for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers may write the temp dirs
    return (f"{user}worker_processes 1;\npid {workdir / 'nginx.pid'};\n"
            f"error_log {workdir / 'error.log'} warn;\nevents {{ worker_connections 64; }}\n"
            f"http {{\n    access_log {workdir / 'access.log'};\n{temps}\n{text}\n}}\n")


class Nginx:
    """`nginx -g 'daemon off;'` with everything (pid, logs, temp files) under workdir."""

    def __init__(self, binary: str, workdir: Path, upstream: int | list[int],
                 port: int | None = None, wait: bool = True):
        self.port = port or free_port()
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        conf = workdir / "nginx.conf"
        conf.write_text(shipped_config(self.port, upstream, workdir))
        self.proc = subprocess.Popen(
            [binary, "-p", str(workdir), "-e", str(workdir / "error.log"), "-c", str(conf),
             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        if wait:
            self._wait_listening()

    def _wait_listening(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.log()}")
            try:
                request(self, "GET", "/api/v1/boards")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"nginx not answering in {timeout}s: {self.log()}")

    def log(self) -> str:
        path = self.workdir / "error.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        stop_process(self.proc)


def request(proxy: Nginx, method: str, path: str, source: str = CLIENT_A, host: str = SITE,
            headers: dict | None = None, body: dict | None = None) -> tuple[int, bytes]:
    """One HTTP request to nginx from the `source` address; (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10,
                                      source_address=(source, 0))
    try:
        sent = {"Host": host, **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    binary = _nginx_binary()
    instance = tmp_path_factory.mktemp("nginx-board")
    board = BoardServer(instance, extra_env={
        "PROXY_FIX_X_FOR": "1", "PROXY_FIX_X_PROTO": "1", "PROXY_FIX_X_HOST": "1",
        "FLASK_RATELIMIT_ENABLED": "true", "FLASK_RATELIMIT_SIGNIN": "3 per minute",
        "FLASK_LOGIN_LOCKOUT_THRESHOLD": "1000"})  # the address allowance, not the account's
    nginx = None
    try:
        board.wait_ready()
        nginx = Nginx(binary, tmp_path_factory.mktemp("nginx"), board.port)
        yield nginx
    finally:
        if nginx:
            nginx.stop()
        board.stop()


def _fail_sign_in(proxy: Nginx, source: str, forged: str | None = None) -> int:
    headers = {"X-Forwarded-For": forged} if forged else {}
    status, _ = request(proxy, "POST", "/api/v1/auth/token", source=source, headers=headers,
                        body={"username": "nobody_here", "password": "wrong-password"})
    return status


def test_each_resident_behind_nginx_gets_their_own_sign_in_allowance(proxy):
    statuses = [_fail_sign_in(proxy, CLIENT_A) for _ in range(4)]
    assert 429 not in statuses[:3] and statuses[3] == 429, statuses
    assert _fail_sign_in(proxy, CLIENT_B) not in (429, 502), \
        "one resident's typos must not block everyone behind nginx"


def test_a_forged_x_forwarded_for_through_nginx_buys_no_fresh_allowance(proxy):
    statuses = [_fail_sign_in(proxy, CLIENT_B) for _ in range(4)]  # B's allowance, used up
    assert statuses[-1] == 429, statuses
    for forged in ("198.51.100.23", "10.0.0.9, 198.51.100.24", CLIENT_A):
        assert _fail_sign_in(proxy, CLIENT_B, forged=forged) == 429, forged


def test_socketio_handshake_through_nginx_for_the_sites_own_origin_only(proxy):
    path = "/socket.io/?EIO=4&transport=polling"
    status, body = request(proxy, "GET", path, headers={"Origin": ORIGIN})
    assert status == 200, body[:300]
    assert body.startswith(b"0{") and b'"sid"' in body, body[:300]
    status, _ = request(proxy, "GET", path, headers={"Origin": "http://evil.example"})
    assert status != 200


def test_a_foreign_host_name_gets_no_answer_through_nginx(proxy):
    with pytest.raises(http.client.RemoteDisconnected):
        request(proxy, "GET", "/api/v1/boards", host="evil.example")
    status, _ = request(proxy, "GET", "/api/v1/boards")
    assert status == 200

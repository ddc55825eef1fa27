"""Start the real board (`python app.py`) in a subprocess on a free port, for the live tests and
bench/live.py: a tmp BOARD_INSTANCE, optional Redis, and a clean stop."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BoardServer:
    """`python app.py` with its own instance folder; `url` once it answers HTTP."""

    def __init__(self, instance: Path, demo: bool = False, redis_url: str | None = None,
                 channel: str | None = None, extra_env: dict | None = None,
                 command: list[str] | None = None, own_session: bool = False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "BOARD_"))}
        env.update(BOARD_INSTANCE=str(instance), PORT=str(self.port), HOST="127.0.0.1",
                   BOARD_DEMO="1" if demo else "0", FLASK_RATELIMIT_ENABLED="false",
                   SECRET_KEY="live-test-secret", PYTHONUNBUFFERED="1")
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        if redis_url:
            env["REDIS_URL"] = redis_url
            env["FLASK_SOCKETIO_CHANNEL"] = channel or "board-test"
        env.update(extra_env or {})
        self.log_path = Path(instance) / f"server-{self.port}.log"
        Path(instance).mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")
        cmd = [part.replace("{port}", str(self.port)) for part in command or
               [sys.executable, "app.py"]]
        # own_session: a process group of its own (gunicorn's master and worker), so `kill()`
        # can take the whole server down at once, as a crashed machine would go.
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=own_session)

    def wait_ready(self, timeout: float = 60) -> BoardServer:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/api/v1/boards", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"server not ready in {timeout}s: {self.log()}")

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        stop_process(self.proc)
        self._log.close()

    def kill(self) -> None:
        """SIGKILL the whole process group (own_session=True): no goodbye to any client."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate a test server (SIGTERM, then SIGKILL after 10 s) and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def create_user(instance: Path, *args: str) -> None:
    """`flask users create ...` against the server's database (same BOARD_INSTANCE)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "BOARD_"))}
    env.pop("DATABASE_URL", None)
    env.update(BOARD_INSTANCE=str(instance), FLASK_APP="board:create_app",
               SECRET_KEY="live-test-secret")
    subprocess.run([sys.executable, "-m", "flask", "users", "create", "--final", *args],
                   cwd=ROOT, env=env,
                   check=True, capture_output=True)


PASSWORD = "password123"


def register(server: BoardServer, username: str, nickname: str) -> None:
    """A citizen, through the public API."""
    import json

    request = urllib.request.Request(
        server.url + "/api/v1/auth/register", method="POST",
        data=json.dumps({"username": username, "password": PASSWORD,
                         "nickname": nickname}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


def token(server: BoardServer, username: str) -> str:
    import json

    request = urllib.request.Request(
        server.url + "/api/v1/auth/token", method="POST",
        data=json.dumps({"username": username, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["token"]


def seed_people(server: BoardServer, instance: Path) -> None:
    """The cast of the live tests: officer `live_officer` (王海峰, 150231, 户政) and citizens
    `live_asker`, `live_reader`, `live_elder`; every password is PASSWORD."""
    create_user(instance, "--role", "officer", "--username", "live_officer", "--password",
                PASSWORD, "--real-name", "王海峰", "--badge-no", "150231", "--unit", "hukou")
    for username, nickname in (("live_asker", "张大姐"), ("live_reader", "青山小李"),
                               ("live_elder", "刘大爷")):
        register(server, username, nickname)

"""Behind the shipped nginx (issue 15 item 7): residents get their own rate-limit allowance when
PROXY_FIX_X_FOR says one proxy is trusted, and a forged X-Forwarded-For buys nothing, with or
without the setting."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from board import config as board_config
from board import create_app

pytestmark = pytest.mark.usefixtures("no_search_indexing")

NGINX = "127.0.0.1"  # every request reaches the board from the proxy on the same machine
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def behind(tmp_path, app):
    """build(**config) -> a client factory: client(forwarded_for) sends every request through
    "nginx" (REMOTE_ADDR 127.0.0.1), with that X-Forwarded-For header (None: none)."""
    contexts = []

    def build(**overrides):
        config = board_config.TestConfig(tmp_path / f"proxy{len(contexts)}")
        config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        config.RATELIMIT_ENABLED = True
        config.RATELIMIT_SIGNIN = "3 per minute"
        config.LOGIN_LOCKOUT_THRESHOLD = 1000  # this is about the address limit, not the account
        for key, value in overrides.items():
            setattr(config, key, value)
        strict = create_app(config)
        contexts.append(strict.app_context())
        contexts[-1].push()

        def client(forwarded_for: str | None):
            c = strict.test_client()
            c.environ_base["REMOTE_ADDR"] = NGINX
            if forwarded_for:
                c.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
            return c
        return client

    yield build
    for ctx in reversed(contexts):
        ctx.pop()


def _fail_sign_in(client, username: str) -> int:
    return client.post("/login", data={"username": username,
                                       "password": "wrong-password"}).status_code


def test_with_one_trusted_proxy_two_residents_get_separate_allowances(behind, make):
    client = behind(PROXY_FIX_X_FOR=1)
    user = make.make_user()
    careless = client("203.0.113.7")
    for _ in range(3):
        assert _fail_sign_in(careless, user.username) != 429
    assert _fail_sign_in(careless, user.username) == 429
    neighbour = client("198.51.100.23")
    ok = neighbour.post("/login", data={"username": user.username, "password": "password123"})
    assert ok.status_code == 302, "one resident's typos must not block everyone behind nginx"


def test_with_one_trusted_proxy_a_forged_first_hop_buys_no_fresh_allowance(behind, make):
    """nginx appends the real address ($proxy_add_x_forwarded_for): only the last hop counts."""
    client = behind(PROXY_FIX_X_FOR=1)
    user = make.make_user()
    statuses = [_fail_sign_in(client(f"10.9.8.{n}, 203.0.113.7"), user.username)
                for n in range(5)]
    assert 429 not in statuses[:3] and statuses[3:] == [429, 429]


def test_without_the_setting_a_forged_x_forwarded_for_is_ignored(behind, make):
    client = behind()  # the default: the board is reached directly, nothing forwarded is trusted
    user = make.make_user()
    statuses = [_fail_sign_in(client(f"192.0.2.{n}"), user.username) for n in range(5)]
    assert 429 not in statuses[:3]
    assert statuses[3:] == [429, 429], "a made-up address per request must not reset the limit"


def test_with_the_setting_scheme_and_host_come_from_the_proxy(behind):
    from flask import request

    build = behind(PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1, PROXY_FIX_X_HOST=1)
    app = build(None).application
    environ = {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": "203.0.113.7",
               "HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "board.example.gov.cn"}
    seen = {}

    @app.get("/_whoami")
    def whoami():
        seen.update(addr=request.remote_addr, scheme=request.scheme, host=request.host)
        return ""

    app.test_client().get("/_whoami", environ_base=environ)
    assert seen == {"addr": "203.0.113.7", "scheme": "https", "host": "board.example.gov.cn"}


def test_the_shipped_nginx_sends_the_real_client_and_a_fixed_host():
    """The board trusts one hop (deploy/run.sh): nginx must set the headers itself, from its own
    view of the connection, and forward its own server name, never the client's Host."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    proxied = re.findall(r"location [^{]+\{[^}]*proxy_pass[^}]*\}", conf)
    assert len(proxied) >= 2
    for block in proxied:
        assert "proxy_set_header X-Forwarded-For $remote_addr;" in block
        assert "proxy_set_header X-Forwarded-Proto $scheme;" in block
        assert "proxy_set_header Host $server_name;" in block
        assert "proxy_set_header X-Forwarded-Host $server_name;" in block
        assert "$host" not in block and "$http_host" not in block
    assert "$host" not in conf.replace("$hostname", ""), "redirects must not echo the client's Host"
    run = (ROOT / "deploy" / "run.sh").read_text()
    assert "PROXY_FIX_X_FOR" in run and "127.0.0.1" in run


def test_forwarded_headers_are_trusted_only_from_the_proxys_address(behind, make, caplog):
    """Another host that reaches the board process directly names no client address or host:
    X-Forwarded-For and X-Forwarded-Host count only when they come from nginx's address."""
    client = behind(PROXY_FIX_X_FOR=1, PROXY_FIX_X_HOST=1)
    caplog.set_level("INFO", logger="board.request")
    through_nginx = client("198.51.100.4")
    direct = client("198.51.100.5")
    direct.environ_base["REMOTE_ADDR"] = "10.20.0.9"  # a neighbour on the board's network
    direct.environ_base["HTTP_X_FORWARDED_HOST"] = "evil.example"
    assert through_nginx.get("/healthz").status_code == 200
    assert direct.get("/healthz").status_code == 200
    seen = [record.client for record in caplog.records if record.name == "board.request"]
    assert seen == ["198.51.100.4", "10.20.0.9"]

"""Fixtures: an app per test on a migrated database (SQLite by default, PostgreSQL when
BOARD_TEST_DATABASE_URL is set), a client, sign-in helpers, and service availability checks
that skip with a reason on a developer's machine but fail under CI=true."""
from __future__ import annotations

import os
import shutil
import socket
import uuid
from pathlib import Path
from urllib.parse import urlparse

import flask
import jinja2
import pytest
import sqlalchemy as sa

from board import create_app
from board.config import TestConfig
from board.extensions import db

CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get(
    "BOARD_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("BOARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url.replace("+psycopg", ""))
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port),
                                      timeout=1):
            return True
    except OSError:
        return False


def need_service(name: str, url: str, port: int) -> None:
    """Skip (with the reason) when a service is down; under CI=true that is a failure."""
    if _reachable(url, port):
        return
    message = f"{name} is not reachable at {url}"
    if CI:
        pytest.fail(f"{message}, and CI=true forbids skipping {name} tests")
    pytest.skip(message)


def _migrate_and_sync(app) -> None:
    from flask_migrate import upgrade

    from board.services import boards

    with app.app_context():
        upgrade()
        boards.sync(app.config["BOARDS_CONFIG"])
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def postgres_database():
    """A fresh PostgreSQL database for this test session (unique name, dropped at the end)."""
    need_service("PostgreSQL", PG_ADMIN_URL, 5432)
    name = f"board_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name})
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def _database_template(tmp_path_factory, request):
    """Migrated once per session: a SQLite file to copy per test, or a PostgreSQL database."""
    if os.environ.get("BOARD_TEST_DATABASE_URL"):
        url = request.getfixturevalue("postgres_database")
        app = create_app(TestConfig(tmp_path_factory.mktemp("pg"), url))
        _migrate_and_sync(app)
        return ("postgresql", url)
    folder = tmp_path_factory.mktemp("template")
    app = create_app(TestConfig(folder))
    _migrate_and_sync(app)
    return ("sqlite", folder / "test.db")


def _reset_postgres(app) -> None:
    from board.services import boards

    with app.app_context():
        names = [t.name for t in reversed(db.metadata.sorted_tables)]
        db.session.execute(sa.text(
            "TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
        db.session.commit()
        boards.sync(app.config["BOARDS_CONFIG"])


@pytest.fixture
def app(tmp_path, _database_template):
    kind, source = _database_template
    if kind == "sqlite":
        shutil.copy(source, tmp_path / "test.db")
        app = create_app(TestConfig(tmp_path))
    else:
        app = create_app(TestConfig(tmp_path, source))
        _reset_postgres(app)
    flask.request_started.connect(_fresh_g_per_request, app)
    app.jinja_env.bytecode_cache = _TEMPLATE_BYTECODE  # compile each template once per run
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def _postgres_template(postgres_database, tmp_path_factory):
    app = create_app(TestConfig(tmp_path_factory.mktemp("pg-only"), postgres_database))
    _migrate_and_sync(app)
    return postgres_database


@pytest.fixture
def pg_app(tmp_path, _postgres_template):
    """An app on PostgreSQL in every run, the SQLite pass included: for PostgreSQL-only features
    (the tsvector search backend). Use the factories module directly, not the `make` fixture,
    which would push a second (SQLite) app over this one."""
    app = create_app(TestConfig(tmp_path, _postgres_template))
    _reset_postgres(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(app):
    from tests import factories

    return factories


@pytest.fixture
def flask_cli(app):
    """Run a `flask` command against this app; the test's session sees what it wrote."""
    runner = app.test_cli_runner()

    def run(*args: str):
        result = runner.invoke(args=list(args))
        db.session.expire_all()
        return result

    return run


@pytest.fixture
def login(client):
    """login(user) signs the test client in through the real sign-in form."""

    def _login(user, password: str = "password123"):
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _login


@pytest.fixture
def redis_url():
    need_service("Redis", REDIS_TEST_URL, 6379)
    return REDIS_TEST_URL


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Debian's headless Chromium driven by Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        if CI:
            pytest.fail("Chromium is not installed, and CI=true forbids skipping browser tests")
        pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver)")
    return path


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates shared by the many apps of one test run (keyed by name and source)."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_BYTECODE = _MemoryBytecodeCache()


def _fresh_g_per_request(sender, **_extra) -> None:
    """Each request starts with an empty `g`, as in production.

    The `app` fixture keeps one app context open for the whole test, and Flask reuses it for every
    request, so without this `g` (Flask-Login's cached current_user, for one) would leak from one
    request (or test client) into the next."""
    flask.g.__dict__.clear()


@pytest.fixture
def no_search_indexing(app):
    """Leave search jobs queued instead of indexing after every commit (Whoosh + jieba cost
    seconds); for tests that do not look at search. Use with
    `pytestmark = pytest.mark.usefixtures("no_search_indexing")`."""
    app.config["SEARCH_SYNC"] = False
    return app

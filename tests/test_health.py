"""Health and readiness (issue 22): /healthz answers while the process is up, /readyz says 503
with the failing check's name when the database, the migrations, Redis or the search backend is
not right, and `flask doctor` prints the same checks for a person, never a password."""
from __future__ import annotations

import pytest

from board import config, create_app
from board.cli import doctor
from tests.live_server import free_port

SECRET = "s3cr3t-db-pass"


@pytest.fixture
def unreachable_app(tmp_path):
    """A board whose PostgreSQL is a closed port (the machine's own server is left alone)."""
    url = f"postgresql+psycopg://board:{SECRET}@127.0.0.1:{free_port()}/board"
    return create_app(config.TestConfig(tmp_path / "down", url))


def test_ready_when_everything_answers(client):
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    body = ready.get_json()
    assert ready.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "redis", "search"}
    assert all(check["ok"] for check in body["checks"].values())
    assert ready.headers["Cache-Control"] == "no-store"


def test_readyz_turns_503_when_the_database_is_unreachable(unreachable_app):
    client = unreachable_app.test_client()
    assert client.get("/healthz").status_code == 200  # the process itself is fine
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "fail"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["database"]["error"]  # the class of the error, for the operator
    assert body["checks"]["migrations"]["ok"] is False
    text = response.get_data(as_text=True)
    assert SECRET not in text and "127.0.0.1" not in text and "board:" not in text


def test_readyz_503_until_the_migrations_are_applied(tmp_path):
    app = create_app(config.TestConfig(tmp_path))  # an empty SQLite file: never migrated
    body = app.test_client().get("/readyz").get_json()
    assert body["status"] == "fail"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"] == {"ok": False, "ms": body["checks"]["migrations"]["ms"],
                                            "error": "LookupError"}


def test_readyz_checks_redis_when_configured(app, client):
    app.config["REDIS_URL"] = f"redis://:{SECRET}@127.0.0.1:{free_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"]["ok"] is False
    assert SECRET not in response.get_data(as_text=True)


def test_flask_doctor_prints_the_checks_and_fails_without_leaking(unreachable_app):
    with unreachable_app.app_context():
        result = unreachable_app.test_cli_runner().invoke(doctor)
    assert result.exit_code == 1
    assert "[FAIL] database" in result.output and "[FAIL] migrations" in result.output
    assert "board:***@127.0.0.1" in result.output  # where it looked, the password masked
    assert SECRET not in result.output


def test_flask_doctor_says_ready(app):
    healthy = app.test_cli_runner().invoke(doctor)
    assert healthy.exit_code == 0, healthy.output
    assert "[ok  ] database" in healthy.output and "[ok  ] search" in healthy.output
    assert healthy.output.strip().endswith("ready")


def test_rotating_the_secret_key_keeps_residents_signed_in(app, client, make, login):
    """SECRET_KEY_FALLBACKS: after the rotation the old key still verifies existing cookies."""
    resident = make.make_user("citizen", username="rotating_key")
    login(resident)
    assert client.get("/me").status_code == 200
    app.config.update(SECRET_KEY="the-new-secret-key", SECRET_KEY_FALLBACKS=["test-secret-key"])
    assert client.get("/me").status_code == 200  # the cookie signed with the old key
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get("/me").status_code in (302, 401)  # without it: sign in again

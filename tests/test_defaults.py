"""Safe defaults (issue 15 item 17): the demo accounts (admin included, published password) are
seeded only for the README's quick start or when asked, loudly; the database, the secret key and
the photos are readable by the board's user only."""
from __future__ import annotations

import io
import os
import stat
from contextlib import contextmanager

import pytest
from PIL import Image

from board import config as board_config
from board import create_app
from board.demo import DEMO_PASSWORD
from board.extensions import db
from board.models import User
from board.startup import prepare

ENV = ("SECRET_KEY", "FLASK_SECRET_KEY", "DATABASE_URL", "FLASK_SQLALCHEMY_DATABASE_URI",
       "BOARD_DEMO", "REDIS_URL")


@pytest.fixture
def fresh_instance(tmp_path, monkeypatch):
    """A brand-new instance folder, as on a first `python app.py`, with no deployment settings."""
    instance = tmp_path / "instance"
    monkeypatch.setattr(board_config, "INSTANCE", instance)
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return instance


@contextmanager
def umask(value: int):
    saved = os.umask(value)
    try:
        yield
    finally:
        os.umask(saved)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _start(quiet: bool = False):
    """What `python app.py` does before serving (app.py's prepare call), on the fresh instance."""
    config = board_config.Config()
    config.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    app = create_app(config)
    prepare(app, seed_demo=app.config["BOARD_DEMO"], announce=not quiet)
    return app


def _admin_signs_in_with_the_published_password(app) -> bool:
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.username == "admin"))
        found = admin is not None and admin.check_password(DEMO_PASSWORD)
        db.session.remove()
        db.engine.dispose()
        return found


@pytest.mark.parametrize("env,seeded", [
    ({}, True),                                                    # the README's quick start
    ({"SECRET_KEY": "deployment-secret"}, False),
    ({"FLASK_SECRET_KEY": "deployment-secret"}, False),
    ({"DATABASE_URL": "postgresql+psycopg://board@127.0.0.1/board"}, False),
    ({"DATABASE_URL": "sqlite:////srv/board/board.db"}, False),
    ({"DATABASE_URL": "postgresql+psycopg://board@127.0.0.1/board", "BOARD_DEMO": "1"}, True),
    ({"SECRET_KEY": "x", "BOARD_DEMO": "yes"}, True),
    ({"BOARD_DEMO": "0"}, False),
])
def test_demo_accounts_are_seeded_only_for_the_quick_start_or_when_asked(
        fresh_instance, monkeypatch, env, seeded):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert board_config.Config().BOARD_DEMO is seeded


def test_the_quick_start_still_ends_in_a_demo_site_and_says_so_loudly(fresh_instance, capsys):
    app = _start()
    assert _admin_signs_in_with_the_published_password(app)
    out = capsys.readouterr()
    assert "DEMO DATA SEEDED" in out.err and "ADMIN INCLUDED" in out.err
    assert DEMO_PASSWORD in out.err and "BOARD_DEMO=0" in out.err
    assert "Demo logins" in out.out  # the table of logins, as the README promises


def test_an_empty_database_with_a_secret_key_gets_no_admin_with_the_published_password(
        fresh_instance, monkeypatch, capsys):
    monkeypatch.setenv("SECRET_KEY", "a-real-deployment")
    app = _start()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 0
        db.session.remove()
        db.engine.dispose()
    assert "DEMO DATA SEEDED" not in capsys.readouterr().err


def test_database_secret_key_and_folder_are_private_even_with_a_permissive_umask(
        fresh_instance, monkeypatch):
    monkeypatch.setenv("BOARD_DEMO", "0")  # the demo is not what this test is about
    with umask(0o022):
        app = _start(quiet=True)
        with app.app_context():
            db.session.execute(db.text("SELECT 1"))  # WAL files exist while a connection is open
            assert _mode(fresh_instance) == 0o700
            assert _mode(fresh_instance / "secret_key") == 0o600
            for name in ("board.db", "board.db-wal", "board.db-shm"):
                if (fresh_instance / name).exists() or name == "board.db":
                    assert _mode(fresh_instance / name) == 0o600, name
            db.session.remove()
            db.engine.dispose()


def test_files_left_world_readable_by_an_older_version_are_tightened_at_start(
        fresh_instance, monkeypatch):
    monkeypatch.setenv("BOARD_DEMO", "0")
    fresh_instance.mkdir()
    (fresh_instance / "secret_key").write_text("an-old-secret")
    (fresh_instance / "board.db").touch()
    for name in ("secret_key", "board.db"):
        os.chmod(fresh_instance / name, 0o644)
    app = _start(quiet=True)
    assert app.config["SECRET_KEY"] == "an-old-secret"
    assert _mode(fresh_instance / "secret_key") == 0o600
    assert _mode(fresh_instance / "board.db") == 0o600


def test_uploaded_photos_are_readable_by_the_board_only(app, make, no_search_indexing):
    from werkzeug.datastructures import FileStorage

    from board.services import attachments

    author = make.make_user()
    thread = make.make_thread(author)
    png = io.BytesIO()
    Image.new("RGB", (40, 30), (1, 2, 3)).save(png, "PNG")
    with umask(0o022), app.test_request_context():
        saved, errors = attachments.attach(author, thread, None,
                                           [FileStorage(io.BytesIO(png.getvalue()), "a.png")])
    assert not errors
    photo = attachments.path_of(saved[0].filename)
    thumb = attachments.path_of(saved[0].thumb_filename)
    assert _mode(photo) == 0o600 and _mode(thumb) == 0o600
    assert _mode(photo.parent) == 0o700
    assert _mode(app.config["UPLOAD_DIR"]) == 0o700

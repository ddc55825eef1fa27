"""Several machines, no shared disk (issue 22): two board instances with their own instance
folders, on one PostgreSQL (PHOTO_STORE=database, SEARCH_BACKEND=postgres), serve the same photo
with the same headers and find the same threads; neither writes a photo or an index to its disk.
And the defaults: on PostgreSQL, search is PostgreSQL's unless SEARCH_BACKEND says otherwise."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from board import create_app
from board.config import Config
from board.config import TestConfig as BoardConfig
from board.extensions import db
from board.models import Attachment, Thread
from tests import factories

SAME_HEADERS = ("Content-Type", "Content-Length", "Cache-Control", "Content-Disposition",
                "Content-Security-Policy", "X-Content-Type-Options", "ETag", "Last-Modified",
                "Accept-Ranges")


def _machine(app) -> None:
    app.config.update(PHOTO_STORE="database", SEARCH_BACKEND="postgres")


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def _files_under(folder: str) -> list[Path]:
    return [p for p in Path(folder).rglob("*") if p.is_file()] if Path(folder).exists() else []


def test_two_instances_share_photos_and_search_through_postgresql(pg_app, tmp_path):
    machine_a = pg_app
    _machine(machine_a)
    machine_b = create_app(BoardConfig(tmp_path / "machine-b", pg_app.config[
        "SQLALCHEMY_DATABASE_URI"]))
    _machine(machine_b)
    assert machine_a.instance_path != machine_b.instance_path
    factories.make_user("citizen", username="two_machines")
    client_a, client_b = machine_a.test_client(), machine_b.test_client()
    assert client_a.post("/login", data={"username": "two_machines",
                                         "password": "password123"}).status_code == 302
    posted = client_a.post("/b/report/new", data={
        "kind": "report", "title": "世纪花园门口电动车乱停放", "body": "见照片,早高峰堵住人行道",
        "images": [(io.BytesIO(_photo()), "IMG_2041.jpg")]}, content_type="multipart/form-data")
    assert posted.status_code == 302
    thread = db.session.scalar(db.select(Thread).order_by(Thread.id.desc()))
    att = db.session.scalar(db.select(Attachment).where(Attachment.thread_id == thread.id))

    with machine_b.app_context():
        from_a, from_b = client_a.get(f"/media/{att.id}"), client_b.get(f"/media/{att.id}")
        assert from_a.status_code == from_b.status_code == 200
        assert from_b.data == from_a.data and Image.open(io.BytesIO(from_b.data)).size == (320, 240)
        for header in SAME_HEADERS:
            assert from_b.headers.get(header) == from_a.headers.get(header), header
        assert from_b.headers["Cache-Control"] == "private, max-age=86400"
        again = client_b.get(f"/media/{att.id}",
                             headers={"If-None-Match": from_b.headers["ETag"]})
        assert again.status_code == 304
        part = client_b.get(f"/media/{att.id}", headers={"Range": "bytes=0-99"})
        assert part.status_code == 206 and part.data == from_a.data[:100]
        assert client_b.get(f"/media/{att.id}/thumb").mimetype == "image/jpeg"

        found = client_b.get("/api/v1/search?q=电动车 乱停放").get_json()
        assert thread.id in [r["thread_id"] for r in found["results"]]
    for app in (machine_a, machine_b):
        assert _files_under(app.config["UPLOAD_DIR"]) == []
        assert _files_under(app.config["SEARCH_INDEX_DIR"]) == []


def test_postgresql_deployments_search_with_postgresql_by_default(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.delenv("SEARCH_BACKEND", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://board@db.internal/board")
    assert Config().SEARCH_BACKEND == "postgres"
    assert Config().PHOTO_STORE == "disk"  # a folder unless the operator chooses the database
    monkeypatch.setenv("SEARCH_BACKEND", "whoosh")
    assert Config().SEARCH_BACKEND == "whoosh"
    monkeypatch.delenv("SEARCH_BACKEND")
    monkeypatch.setenv("DATABASE_URL", "sqlite:////srv/board/board.db")
    assert Config().SEARCH_BACKEND == "whoosh"

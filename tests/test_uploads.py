"""Evidence photos: content-checked, re-encoded without EXIF/GPS, limited to 9, served safely."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from board.extensions import db
from board.models import Attachment, Thread

pytestmark = pytest.mark.usefixtures("no_search_indexing")  # search is tested elsewhere


def png_with_gps(size=(64, 48), color=(200, 30, 30)) -> bytes:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"          # Make
    exif[0x0131] = "SecretCam 1.0"       # Software
    gps = {1: "N", 2: (40.0, 39.0, 30.0), 3: "E", 4: (109.0, 50.0, 12.0)}  # Baotou
    exif[0x8825] = gps                   # GPSInfo
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif.tobytes())
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (80, 60), (10, 120, 200))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (40.0, 39.0, 30.0), 3: "E", 4: (109.0, 50.0, 12.0)}
    exif[0x0112] = 6  # rotated: the stored photo must come out upright
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _files(*items):
    return [(io.BytesIO(data), name) for data, name in items]


def test_png_with_exif_gps_comes_out_without_it(client, make, login):
    raw = png_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get(0x8825), "fixture must carry GPS"
    author = make.make_user()
    login(author)
    response = client.post("/b/report/new", data={
        "kind": "report", "title": "小区门口乱停车带照片", "body": "见照片",
        "images": _files((raw, "IMG_0001.png"))}, content_type="multipart/form-data")
    assert response.status_code == 302
    thread = db.session.scalar(db.select(Thread).order_by(Thread.id.desc()))
    att = db.session.scalar(db.select(Attachment).where(Attachment.thread_id == thread.id))
    served = client.get(f"/media/{att.id}")
    assert served.status_code == 200
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline")
    assert "IMG_0001" not in served.headers["Content-Disposition"]
    assert served.mimetype == att.content_type
    out = Image.open(io.BytesIO(served.data))
    assert not out.getexif(), "EXIF must be gone"
    assert "exif" not in out.info and b"PhoneMaker" not in served.data and b"GPS" not in served.data
    thumb = client.get(f"/media/{att.id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert not Image.open(io.BytesIO(thumb.data)).getexif()
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert f"/media/{att.id}/thumb" in page


def test_jpeg_is_re_encoded_upright_without_gps(app, make):
    from werkzeug.datastructures import FileStorage

    from board.services import attachments

    author = make.make_user()
    thread = make.make_thread(author)
    with app.test_request_context():
        saved, errors = attachments.attach(author, thread, None,
                                       [FileStorage(io.BytesIO(jpeg_with_gps()), "x.jpg")])
    assert not errors and len(saved) == 1
    data = attachments.path_of(saved[0].filename).read_bytes()
    out = Image.open(io.BytesIO(data))
    assert out.format == "JPEG" and not out.getexif()
    assert out.size == (60, 80)  # the EXIF rotation was applied before the tag was dropped


def test_a_text_file_renamed_jpg_is_rejected_and_the_post_survives(client, make, login):
    login(make.make_user())
    fake = b"<script>alert(1)</script> this is not an image"
    response = client.post("/b/report/new", data={
        "kind": "report", "title": "带了一个假图片的举报", "body": "正文要保存下来",
        "images": _files((fake, "photo.jpg"), (png_with_gps(), "ok.png"))},
        content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "带了一个假图片的举报" in page and "正文要保存下来" in page
    assert "第 1 张图片未上传" in page and "不是有效的图片" in page
    thread = db.session.scalar(db.select(Thread).order_by(Thread.id.desc()))
    assert db.session.scalar(db.select(db.func.count(Attachment.id))
                             .where(Attachment.thread_id == thread.id)) == 1


def test_ten_images_the_tenth_is_rejected(client, make, login):
    login(make.make_user())
    images = _files(*[(png_with_gps(color=(n * 20, 0, 0)), f"{n}.png") for n in range(10)])
    response = client.post("/b/report/new", data={
        "kind": "report", "title": "十张图片的举报帖子", "body": "看图", "images": images},
        content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "每帖最多 9 张图片" in page
    thread = db.session.scalar(db.select(Thread).order_by(Thread.id.desc()))
    assert db.session.scalar(db.select(db.func.count(Attachment.id))
                             .where(Attachment.thread_id == thread.id)) == 9


def test_oversized_and_bomb_images_are_rejected(app, make):
    from werkzeug.datastructures import FileStorage

    from board.services import attachments

    author = make.make_user()
    thread = make.make_thread(author)
    app.config["UPLOAD_MAX_BYTES"] = 1000
    with app.test_request_context():
        big = io.BytesIO()
        Image.effect_noise((200, 200), 100).convert("RGB").save(big, "PNG")
        _, errors = attachments.attach(author, thread, None,
                                       [FileStorage(io.BytesIO(big.getvalue()), "a.png")])
        assert errors and "超过" in errors[0]
        app.config["UPLOAD_MAX_BYTES"] = 10 * 1024 * 1024
        app.config["UPLOAD_MAX_PIXELS"] = 100
        _, errors = attachments.attach(author, thread, None,
                                       [FileStorage(io.BytesIO(png_with_gps()), "b.png")])
        assert errors and "尺寸过大" in errors[0]


def test_photos_of_a_police_only_thread_are_served_only_to_author_and_police(client, make, login,
                                                                          app):
    from werkzeug.datastructures import FileStorage

    from board.services import attachments

    author = make.make_user()
    thread = make.make_thread(author, "report", kind="report", visibility="police_only")
    with app.test_request_context():
        saved, _ = attachments.attach(author, thread, None,
                                      [FileStorage(io.BytesIO(png_with_gps()), "a.png")])
    url = f"/media/{saved[0].id}"
    assert client.get(url).status_code == 404
    assert client.get(url + "/thumb").status_code == 404
    login(make.make_user())
    assert client.get(url).status_code == 404
    login(author)
    assert client.get(url).status_code == 200
    login(make.make_user("officer"))
    response = client.get(url)
    assert response.status_code == 200 and "private" in response.headers["Cache-Control"]


def test_only_the_author_adds_photos_and_the_api_reports_rejections(client, make, login):
    author = make.make_user()
    thread = make.make_thread(author)
    login(make.make_user())
    other = client.post(f"/api/v1/threads/{thread.id}/attachments",
                        data={"images": _files((png_with_gps(), "a.png"))},
                        content_type="multipart/form-data")
    assert other.status_code == 403
    login(author)
    ok = client.post(f"/api/v1/threads/{thread.id}/attachments",
                     data={"images": _files((png_with_gps(), "a.png"),
                                            (b"GIF89a-not-really", "b.gif"))},
                     content_type="multipart/form-data")
    assert ok.status_code == 201
    body = ok.get_json()
    assert len(body["attachments"]) == 1 and "第 2 张图片未上传" in body["errors"][0]
    bad = client.post(f"/api/v1/threads/{thread.id}/attachments",
                      data={"images": _files((b"%PDF-1.4", "c.jpg"))},
                      content_type="multipart/form-data")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "upload_rejected"
    detail = client.get(f"/api/v1/threads/{thread.id}").get_json()
    assert detail["thread"]["attachments"][0]["url"].startswith("/media/")


@pytest.mark.parametrize("name", ["../../etc/passwd.png", "a\"b.png", "<svg onload=alert(1)>.png"])
def test_user_file_names_never_reach_the_disk_or_headers(client, make, login, name):
    login(make.make_user())
    client.post("/b/report/new", data={"kind": "report", "title": "文件名测试帖子", "body": "x",
                                       "images": _files((png_with_gps(), name))},
                content_type="multipart/form-data")
    att = db.session.scalar(db.select(Attachment).order_by(Attachment.id.desc()))
    assert len(att.token) == 32 and att.token.isalnum()
    served = client.get(f"/media/{att.id}")
    assert name not in served.headers["Content-Disposition"]


# --- issue 15 item 8: a small upload that decodes to gigabytes must not hold the site ----------

def blank_png(width: int, height: int) -> bytes:
    """A valid grey PNG compressed row by row: a few kB on the wire, width×height once decoded."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + width)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


@pytest.fixture
def decoded(monkeypatch):
    """The sizes of the uploaded PNGs Pillow actually decodes (ImageFile.load with tiles left)."""
    from PIL import ImageFile

    calls = []
    real = ImageFile.ImageFile.load

    def counting(self):
        if self.tile and self.format == "PNG":  # not the stored JPEG re-opened for its thumbnail
            calls.append(self.size)
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting)
    return calls


def declaring(png: bytes, width: int, height: int) -> bytes:
    """The same PNG with other dimensions written into its header (and the header's CRC)."""
    import struct
    import zlib

    ihdr = b"IHDR" + struct.pack(">II", width, height) + png[24:29]
    return png[:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr) & 0xFFFFFFFF) + png[33:]


@pytest.mark.parametrize("width,height", [(8000, 8000), (12000, 12000), (20000, 20000),
                                          (65000, 65000), (2**31 - 1, 1), (1, 2**31 - 1)])
def test_a_decompression_bomb_is_refused_from_its_header_before_decoding(
        client, make, login, decoded, width, height):
    """Small on the wire, gigabytes once decoded: refused with the reason, the post kept."""
    small = width * height <= 400_000_000
    bomb = blank_png(width, height) if small else declaring(blank_png(64, 64), width, height)
    assert len(bomb) < 500_000
    login(make.make_user())
    response = client.post("/b/report/new", data={
        "kind": "report", "title": "带一张超大图片的举报", "body": "正文照样保存",
        "images": _files((bomb, "bomb.png"))},
        content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "正文照样保存" in page
    assert "第 1 张图片未上传:图片尺寸过大" in page
    assert decoded == [], "no pixel of the bomb may be decoded"
    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0


def test_the_pixel_budget_refuses_the_nth_big_image_of_a_request_and_of_a_minute(
        client, make, login, app, decoded):
    app.config.update(UPLOAD_PIXELS_PER_REQUEST=3 * 1000 * 1000,
                      UPLOAD_PIXELS_PER_MINUTE=5 * 1000 * 1000)
    author = make.make_user()
    thread = make.make_thread(author)
    login(author)
    big = blank_png(1000, 1000)
    url = f"/api/v1/threads/{thread.id}/attachments"
    first = client.post(url, data={"images": _files(*[(big, f"{n}.png") for n in range(5)])},
                        content_type="multipart/form-data")
    assert first.status_code == 201
    body = first.get_json()
    assert len(body["attachments"]) == 3
    refused = "这次上传的图片总尺寸过大,请分几次上传或先缩小图片"
    assert body["errors"] == [f"第 {n} 张图片未上传:{refused}" for n in (4, 5)]
    second = client.post(url, data={"images": _files(*[(big, f"{n}.png") for n in range(3)])},
                         content_type="multipart/form-data")
    body = second.get_json()
    assert second.status_code == 201 and len(body["attachments"]) == 2
    assert body["errors"] == ["第 3 张图片未上传:上传图片太频繁,请一分钟后再试"]
    assert len([size for size in decoded if size == (1000, 1000)]) == 5, "refused: never decoded"
    other = make.make_user()  # the minute budget is per account
    login(other)
    mine = make.make_thread(other)
    ok = client.post(f"/api/v1/threads/{mine.id}/attachments", data={"images": _files((big, "a"))},
                     content_type="multipart/form-data")
    assert ok.status_code == 201


def test_the_photo_endpoint_answers_429_in_chinese(tmp_path, app, make):
    from board import config as board_config
    from board import create_app
    from board.services import accounts

    config = board_config.TestConfig(tmp_path / "limited")
    config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_PHOTOS = "2 per minute"
    author = make.make_user("officer")  # the police are limited here too: pixels cost the same
    thread = make.make_thread(author, "report", kind="report")
    thread_id = thread.id
    token = accounts.issue_token(author)
    strict = create_app(config)
    with strict.app_context():
        client = strict.test_client()
        statuses = []
        for _ in range(3):
            response = client.post(f"/api/v1/threads/{thread_id}/attachments",
                                   data={"images": _files((png_with_gps(), "a.png"))},
                                   headers={"Authorization": f"Bearer {token}"},
                                   content_type="multipart/form-data")
            statuses.append(response.status_code)
        assert statuses == [201, 201, 429]
        error = response.get_json()["error"]
        assert error["code"] == "rate_limited" and "上传图片太频繁" in error["message"]


def test_pixel_work_runs_on_a_worker_thread_so_the_server_keeps_serving():
    """Under gevent (python app.py) the decode runs on a native thread: a greenlet ticking every
    10 ms keeps ticking while a 7000×7000 PNG is decoded and re-encoded."""
    import subprocess
    import sys
    from pathlib import Path

    script = """
from gevent import monkey; monkey.patch_all()
import time, gevent
from board import images
from tests.test_uploads import blank_png
data = blank_png(7000, 7000)
gaps, last = [], [time.perf_counter()]
def tick():
    while True:
        gevent.sleep(0.01)
        now = time.perf_counter(); gaps.append(now - last[0]); last[0] = now
ticker = gevent.spawn(tick)
start = time.perf_counter()
images.off_loop(images.clean, data, 50_000_000, 2560)
took = time.perf_counter() - start
ticker.kill()
print(round(took, 3), round(max(gaps), 3), len(gaps))
"""
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True,
                         text=True, timeout=300, check=True).stdout.split()
    took, worst_gap, ticks = float(out[0]), float(out[1]), int(out[2])
    assert took > 0.3, "the job must be heavy enough to show a stall"
    assert worst_gap < max(0.25, took / 4), (took, worst_gap)
    assert ticks > 10

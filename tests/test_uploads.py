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

"""Sharing in WeChat (issue 21): a public thread's link card (Open Graph), in the words any reader
sees; nothing of a police-only, hidden or withdrawn thread; QR codes that decode to the page
they name; station pages and printable posters."""
from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from board.extensions import db
from board.models import Attachment, Thread, utcnow
from board.privacy import mask
from board.share import card_image

pytestmark = pytest.mark.usefixtures("no_search_indexing")

MOBILE = "13904721234"
TITLE = f"手机{MOBILE}丢了怎么挂失"
BODY = f"**昨天**在南门外丢了手机,号码 {MOBILE},\n\n请问怎么办理挂失?"
OG = re.compile(r'<meta property="og:([a-z:_]+)" content="([^"]*)">')


def og(html: str) -> dict[str, str]:
    return {name: unescape(value) for name, value in OG.findall(html)}


def decode(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode
    return found[0].text


@pytest.fixture
def threads(make):
    author = make.make_user(nickname="发帖人")
    public = make.make_thread(author, "hukou", title=TITLE, body=BODY)
    police_only = make.make_thread(author, "hukou", title=f"线索{MOBILE}仅警方",
                                   visibility="police_only")
    hidden = make.make_thread(author, "hukou", title=f"被隐藏{MOBILE}的帖子")
    hidden.hidden, hidden.hidden_reason = True, "测试隐藏"
    withdrawn = make.make_thread(author, "hukou", title="作者撤回了这个帖子")
    withdrawn.withdrawn_at = utcnow()
    db.session.commit()
    return {"author": author, "public": public, "police_only": police_only, "hidden": hidden,
            "withdrawn": withdrawn}


@pytest.mark.parametrize("who", ["anon", "author", "officer"])
def test_a_public_thread_carries_the_masked_card_whoever_looks(client, make, login, threads, who):
    if who != "anon":
        login(threads["author"] if who == "author" else make.make_user("officer"))
    thread = threads["public"]
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    card = og(html)
    assert card["title"] == f"{mask(TITLE)} - {thread.board.name}"
    assert MOBILE not in card["title"] and MOBILE not in card["description"]
    assert card["description"].startswith("昨天在南门外丢了手机,号码 139")  # no Markdown marks
    assert card["url"] == f"http://board.test/t/{thread.id}"
    assert card["image"] == f"http://board.test/t/{thread.id}/card.png"
    assert card["site_name"] == "鹿城24小时警局"
    assert (card["image:width"], card["image:height"]) == ("1200", "630")
    assert f'<meta itemprop="image" content="{card["image"]}">' in html
    metas = re.findall(r"<meta [^>]*>", html.split("</head>", 1)[0])
    assert metas and not any(MOBILE in meta for meta in metas)  # description too
    assert mask(TITLE) != TITLE
    assert f'data-share-url="http://board.test/t/{thread.id}"' in html
    if who == "anon":  # the cached page carries the very same card
        again = client.get(f"/t/{thread.id}")
        assert again.headers["X-Anon-Cache"] == "hit" and og(again.get_data(as_text=True)) == card


@pytest.mark.parametrize("who", ["author", "officer"])
@pytest.mark.parametrize("content", ["police_only", "hidden", "withdrawn"])
def test_threads_not_everyone_may_read_carry_no_card(client, make, login, threads, who, content):
    login(threads["author"] if who == "author" else make.make_user("officer"))
    thread = threads[content]
    response = client.get(f"/t/{thread.id}")
    assert response.status_code == 200  # they may read it...
    html = response.get_data(as_text=True)
    assert "og:" not in html and "itemprop" not in html and "data-share" not in html  # not shared
    for path in ("card.png", "qr.png", "qr.svg"):
        assert client.get(f"/t/{thread.id}/{path}").status_code == 404, path


def test_anonymous_readers_get_404_for_everything_of_a_private_thread(client, threads):
    for content in ("police_only", "hidden", "withdrawn"):
        thread = threads[content]
        for path in ("", "/card.png", "/qr.png", "/qr.svg"):
            status = client.get(f"/t/{thread.id}{path}").status_code
            expected = 200 if content == "withdrawn" and not path else 404
            assert status == expected, (content, path)


def test_the_card_picture_shows_the_masked_question_and_is_kept(app, client, threads):
    thread = threads["public"]
    response = client.get(f"/t/{thread.id}/card.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (1200, 630)
    assert response.data == card_image.render(thread.board.name, mask(TITLE), "鹿城24小时警局")
    assert response.data != card_image.render(thread.board.name, TITLE, "鹿城24小时警局")
    assert "public" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get(f"/t/{thread.id}/card.png", headers={"If-None-Match": etag})
    assert again.status_code == 304
    kept = list((Path(app.config["INSTANCE_PATH"]) / "share-cache").glob("card-*.png"))
    assert len(kept) == 1 and kept[0].read_bytes() == response.data


def test_the_card_uses_the_threads_first_photo(client, make, login):
    from tests.test_uploads import _files, png_with_gps

    login(make.make_user())
    client.post("/b/report/new", data={
        "kind": "report", "title": "小区门口乱停车带照片", "body": "见照片",
        "images": _files((png_with_gps(), "a.png"), (png_with_gps(color=(0, 90, 0)), "b.png"))},
        content_type="multipart/form-data")
    thread = db.session.scalar(db.select(Thread).order_by(Thread.id.desc()))
    first = db.session.scalar(db.select(Attachment).where(Attachment.thread_id == thread.id)
                              .order_by(Attachment.id))
    client.post("/logout")
    card = og(client.get(f"/t/{thread.id}").get_data(as_text=True))
    assert card["image"] == f"http://board.test/media/{first.id}"
    assert (card["image:width"], card["image:height"]) == (str(first.width), str(first.height))
    assert client.get(f"/media/{first.id}").status_code == 200  # a chat app's crawler may fetch it


def test_characters_missing_from_the_font_are_never_drawn_as_boxes():
    rare = "𠀀"  # CJK extension B: in no font here
    runs = card_image.runs(f"张{rare}三", 40)
    assert "".join(text for text, _ in runs) == f"张{card_image.MISSING}三"
    drawn = card_image.render("户政业务", f"张{rare}三的户口", "鹿城24小时警局")
    assert Image.open(io.BytesIO(drawn)).size == (1200, 630)


def test_without_any_system_font_a_rare_character_is_a_dot(monkeypatch, tmp_path):
    """A fresh machine (no fonts-noto-cjk): the vendored subset alone; 「喆」, outside it, is a
    dot, while with the system font it is drawn from there."""
    fallback = card_image._system_font(40)
    if fallback is None:
        pytest.skip("this machine has no system CJK font to compare with")
    assert [text for text, font in card_image.runs("王喆", 40)] == ["王", "喆"]
    monkeypatch.setattr(card_image, "SYSTEM_FONTS", (tmp_path / "none.ttc",))
    card_image._system_font.cache_clear()
    card_image._has_glyph.cache_clear()
    try:
        assert card_image.runs("王喆", 40) == [(f"王{card_image.MISSING}", card_image._font(40))]
    finally:
        card_image._system_font.cache_clear()
        card_image._has_glyph.cache_clear()


def test_qr_codes_decode_to_the_page_they_name(client, threads):
    thread = threads["public"]
    assert decode(client.get(f"/t/{thread.id}/qr.png").data) == f"http://board.test/t/{thread.id}"
    assert decode(client.get("/b/hukou/qr.png").data) == "http://board.test/b/hukou"
    assert decode(client.get("/station/station-nanmen/qr.png").data) == (
        "http://board.test/station/station-nanmen")
    svg = client.get("/b/hukou/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data and b"viewBox" in svg.data
    assert "private" in svg.headers["Cache-Control"]  # no BASE_URL: the request named the host
    assert client.get("/b/hukou/qr.gif").status_code == 404
    assert client.get("/b/no-such-board/qr.png").status_code == 404
    assert client.get("/station/hukou/qr.png").status_code == 404  # a unit, not a station


def test_base_url_names_the_site_in_cards_and_codes(app, client, threads):
    app.config["BASE_URL"] = "https://jingwu.example.gov.cn/"
    thread = threads["public"]
    card = og(client.get(f"/t/{thread.id}").get_data(as_text=True))
    assert card["url"] == f"https://jingwu.example.gov.cn/t/{thread.id}"
    assert card["image"] == f"https://jingwu.example.gov.cn/t/{thread.id}/card.png"
    png = client.get("/station/station-qingfu/qr.png")
    assert decode(png.data) == "https://jingwu.example.gov.cn/station/station-qingfu"
    assert "public" in png.headers["Cache-Control"]


def test_a_forged_host_never_reaches_another_readers_cached_card(app, client, threads):
    """Without BASE_URL or SERVER_NAME the card is built from the request's host: a request with
    a forged Host gets its own cache entry, never the one honest readers are served."""
    app.config["SERVER_NAME"] = None
    thread = threads["public"]
    forged = client.get(f"/t/{thread.id}", headers={"Host": "evil.example"})
    assert "evil.example" in og(forged.get_data(as_text=True))["url"]
    honest = client.get(f"/t/{thread.id}", headers={"Host": "board.test"})
    assert "evil.example" not in honest.get_data(as_text=True)
    assert og(honest.get_data(as_text=True))["url"] == f"http://board.test/t/{thread.id}"


def test_station_page_and_posters(client):
    station = client.get("/station/station-nanmen").get_data(as_text=True)
    assert "东河区南门外派出所" in station and "南门外街道" in station  # its 辖区
    assert "举报" in station  # a board it answers (boards_config.yaml)
    poster = client.get("/station/station-nanmen/poster").get_data(as_text=True)
    assert "东河区南门外派出所" in poster and "http://board.test/station/station-nanmen" in poster
    assert "/station/station-nanmen/qr.svg" in poster and "@page" not in poster  # CSS: a file
    board_poster = client.get("/b/hukou/poster").get_data(as_text=True)
    assert "http://board.test/b/hukou" in board_poster and "/b/hukou/qr.svg" in board_poster
    index = client.get("/posters").get_data(as_text=True)
    assert "/station/station-kunhe/poster" in index and "/b/hukou/poster" in index
    assert client.get("/station/no-such-station").status_code == 404
    assert client.get("/station/city-bureau/poster").status_code == 404


def test_card_text_is_escaped(client, make):
    thread = make.make_thread(title='门锁"><script>alert(1)</script>坏了',
                              body='<img src=x onerror=alert(1)> 怎么办')
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    head = html.split("</head>", 1)[0]
    assert "<script>alert" not in head and "<img src=x" not in head
    card = og(html)
    assert card["title"].startswith('门锁"><script>alert(1)</script>坏了')
    assert card["description"] == "<img src=x onerror=alert(1)> 怎么办"

"""Sharing on a phone, against the real server (issue 21): 「分享」 opens the browser's share sheet
where there is one and copies the link with 「链接已复制」 where there is none; a thread's link,
fetched as a chat app fetches it, is a card with a picture; a station's poster prints on one A4
page and its QR code, read from the rendered page, opens the station's page."""
from __future__ import annotations

import io
import re
from html import unescape

import pytest
import requests
import zxingcpp
from PIL import Image

from tests.browser import PHONE, WAIT, until
from tests.live_server import BoardServer, register, token

pytestmark = pytest.mark.browser
WECHAT_UA = ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Mobile Safari/537.36 MicroMessenger/8.0.50")
NO_SHARE_SHEET = "delete Navigator.prototype.share; delete navigator.share;"
FAKE_SHARE_SHEET = """Object.defineProperty(Navigator.prototype, 'share', {configurable: true,
  value: function (data) { window.sharedWith = data; return Promise.resolve(); }});"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    board = BoardServer(tmp_path_factory.mktemp("share")).wait_ready()
    try:
        register(board, "share_citizen", "分享人")
    except Exception:
        board.stop()
        raise
    yield board
    board.stop()


@pytest.fixture(scope="module")
def thread_url(server) -> str:
    response = requests.post(
        server.url + "/api/v1/boards/hukou/threads", timeout=10,
        json={"title": "身份证过期了怎么换领?", "body": "需要带什么材料?联系电话 13904729876",
              "kind": "question"},
        headers={"Authorization": f"Bearer {token(server, 'share_citizen')}"})
    assert response.status_code == 201, response.text
    return f"{server.url}/t/{response.json()['thread']['id']}"


def _phone(browser, server, script: str, **options):
    context = browser.new_context(base_url=server.url, **PHONE, **options)
    context.add_init_script(script)
    return context, context.new_page()


def test_without_a_share_sheet_the_link_is_copied(browser, server, thread_url):
    context, page = _phone(browser, server, NO_SHARE_SHEET,
                           permissions=["clipboard-read", "clipboard-write"])
    try:
        page.goto(thread_url)
        button = page.get_by_role("button", name="分享")
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44  # a comfortable tap
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        assert not page.locator("[data-share-link]").is_visible()  # only when copying fails
        button.tap()
        toast = page.locator("[data-share-toast]")
        toast.wait_for(state="visible", timeout=WAIT)
        assert toast.inner_text() == "链接已复制"
        assert page.evaluate("navigator.clipboard.readText()") == thread_url
    finally:
        context.close()


def test_with_a_share_sheet_the_sheet_gets_the_link(browser, server, thread_url):
    context, page = _phone(browser, server, FAKE_SHARE_SHEET)
    try:
        page.goto(thread_url)
        page.get_by_role("button", name="分享").tap()
        until(page, "window.sharedWith")
        shared = page.evaluate("window.sharedWith")
        assert shared["url"] == thread_url
        assert shared["title"].startswith("身份证过期了怎么换领?")
        assert page.locator("[data-share-toast]").inner_text() == ""  # no copying, no toast
    finally:
        context.close()


def test_a_thread_link_pasted_into_a_chat_is_a_card(server, thread_url):
    """What WeChat's fetcher does with a pasted link: read the page's Open Graph tags without
    cookies, then fetch og:image."""
    page = requests.get(thread_url, headers={"User-Agent": WECHAT_UA}, timeout=10).text
    card = {k: unescape(v) for k, v in
            re.findall(r'<meta property="og:([a-z:_]+)" content="([^"]*)">', page)}
    assert card["url"] == thread_url
    assert card["title"] == "身份证过期了怎么换领? - 户政"
    assert "13904729876" not in card["description"] and "139" in card["description"]
    picture = requests.get(card["image"], headers={"User-Agent": WECHAT_UA}, timeout=10)
    assert picture.status_code == 200 and picture.headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(picture.content)).size == (1200, 630)


def test_a_printed_station_poster_opens_the_station_page(browser, server):
    context = browser.new_context(base_url=server.url, **PHONE)
    page = context.new_page()
    try:
        page.goto("/station/station-nanmen/poster")
        qr = page.locator("img.poster-qr")
        qr.scroll_into_view_if_needed()
        until(page, "document.querySelector('img.poster-qr').complete")
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
        assert [code.text for code in found] == [f"{server.url}/station/station-nanmen"]
        page.emulate_media(media="print")
        assert not page.locator(".poster-tools").is_visible()  # the buttons are not printed
        pdf = page.pdf(format="A4", print_background=True)
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one A4 sheet
        page.emulate_media(media="screen")
        page.goto(found[0].text)
        assert page.locator("h1").inner_text() == "东河区南门外派出所"
        assert page.get_by_role("link", name=re.compile("举报")).count() >= 1
    finally:
        context.close()

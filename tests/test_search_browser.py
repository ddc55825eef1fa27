"""Search in a real phone-sized browser (issue 4): the search box, ask-before-you-post while the
title is typed, and an officer inserting a past official answer with one tap."""
from __future__ import annotations

import pytest
import requests

from tests.browser import sign_in, until
from tests.live_server import BoardServer

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "demo-pass-2026"
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    board = BoardServer(tmp_path_factory.mktemp("search-browser"), demo=True).wait_ready()
    yield board
    board.stop()



def test_search_box_and_ask_before_you_post(browser, server):
    _, page, errors = sign_in(browser, server, "zhangjie", DEMO_PASSWORD, **PHONE)
    page.fill("#search-q", "户口簿")
    page.press("#search-q", "Enter")
    page.wait_for_url(lambda url: "/search" in url)
    assert page.locator(".search-result").count() > 0
    assert page.locator(".search-result mark").first.inner_text() == "户口簿"
    page.goto("/b/hukou/new")
    assert page.locator("[data-similar-panel]").is_hidden()
    page.locator("input[name=title]").press_sequentially("户口簿丢了怎么补办", delay=40)
    until(page, "document.querySelectorAll('[data-similar-list] li').length > 0")
    panel = page.locator("[data-similar-panel]")
    assert panel.is_visible() and "这些已回答的问题可能对您有帮助" in panel.inner_text()
    assert page.locator("[data-similar-list] li").count() <= 5
    assert not errors, errors


def test_officer_inserts_a_past_answer_in_one_tap(browser, server):
    token = requests.post(server.url + "/api/v1/auth/token", timeout=10, json={
        "username": "grandpa_liu", "password": DEMO_PASSWORD}).json()["token"]
    thread = requests.post(server.url + "/api/v1/boards/hukou/threads", timeout=10, json={
        "title": "户口簿被孙子弄丢了能补办吗", "body": "户口簿找不到了,怎么补办?",
        "kind": "question"}, headers={"Authorization": f"Bearer {token}"}).json()["thread"]
    _, page, errors = sign_in(browser, server, "hukou_wang", DEMO_PASSWORD, **PHONE)
    page.goto(f"/t/{thread['id']}")
    until(page, "document.querySelectorAll('[data-answer-list] button').length > 0")
    textarea = page.locator(".reply-form textarea[name=body]")
    assert textarea.input_value() == ""
    page.locator("[data-answer-list] button").first.tap()
    assert len(textarea.input_value()) > 10
    assert not errors, errors

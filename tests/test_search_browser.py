"""Search in a real phone-sized browser (issue 4): the search box, ask-before-you-post while the
title is typed, and an officer inserting a past official answer with one tap."""
from __future__ import annotations

import time

import pytest
import requests

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



def _signed_in(browser, server, username):
    page = browser.new_context(base_url=server.url, **PHONE).new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page, errors


def _until(page, script: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({script})"):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        page.wait_for_timeout(100)


def test_search_box_and_ask_before_you_post(browser, server):
    page, errors = _signed_in(browser, server, "zhangjie")
    page.fill("#search-q", "户口簿")
    page.press("#search-q", "Enter")
    page.wait_for_url(lambda url: "/search" in url)
    assert page.locator(".search-result").count() > 0
    assert page.locator(".search-result mark").first.inner_text() == "户口簿"
    page.goto("/b/hukou/new")
    assert page.locator("[data-similar-panel]").is_hidden()
    page.locator("input[name=title]").press_sequentially("户口簿丢了怎么补办", delay=40)
    _until(page, "document.querySelectorAll('[data-similar-list] li').length > 0")
    panel = page.locator("[data-similar-panel]")
    assert panel.is_visible() and "这些已回答的问题可能对您有帮助" in panel.inner_text()
    assert page.locator("[data-similar-list] li").count() <= 5
    assert not errors, errors


def test_officer_inserts_a_past_answer_in_one_tap(browser, server):
    token = requests.post(server.url + "/api/v1/auth/token", timeout=10, json={
        "username": "grandpa_liu", "password": DEMO_PASSWORD}).json()["token"]
    thread = requests.post(server.url + "/api/v1/boards/hukou/threads", timeout=10, json={
        "title": "户口簿被孙子弄丢了能补办吗", "body": "户口簿找不到了,怎么补办?", "kind": "question"},
        headers={"Authorization": f"Bearer {token}"}).json()["thread"]
    page, errors = _signed_in(browser, server, "hukou_wang")
    page.goto(f"/t/{thread['id']}")
    _until(page, "document.querySelectorAll('[data-answer-list] button').length > 0")
    textarea = page.locator(".reply-form textarea[name=body]")
    assert textarea.input_value() == ""
    page.locator("[data-answer-list] button").first.tap()
    assert len(textarea.input_value()) > 10
    assert not errors, errors

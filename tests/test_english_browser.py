"""Issue 21, done when "a foreigner uses the exit-entry board in English": in Chromium at phone
size, against the real server with the demo data, a browser whose language is English gets the
English interface on its first visit, reads the exit-entry board and a thread, registers, asks a
question with a passport number, finds it again by that number, and its choice of language is
remembered; one tap on 中文 brings the Chinese interface back. No page scrolls sideways."""
from __future__ import annotations

import pytest

from board.demo.accounts import DEMO_PASSWORD
from tests.browser import PHONE, WAIT, sign_in
from tests.han_text import untranslated
from tests.live_server import PASSWORD, BoardServer

pytestmark = pytest.mark.browser
ENGLISH_PHONE = {**PHONE, "locale": "en-US"}
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    board = BoardServer(tmp_path_factory.mktemp("english"), demo=True).wait_ready()
    yield board
    board.stop()


def english_page(page, where: str) -> None:
    assert page.evaluate("() => document.documentElement.lang") == "en", where
    left = untranslated(page.content())
    assert not left, f"untranslated on {where}: {left}"
    assert page.evaluate(NO_SIDEWAYS), f"{where} scrolls sideways"


def test_a_foreigner_uses_the_exit_entry_board_in_english(browser, server):
    context = browser.new_context(base_url=server.url, **ENGLISH_PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto("/")
    english_page(page, "home")
    page.click("a.board-tile[href='/b/exit-entry']")
    page.wait_for_url("**/b/exit-entry")
    english_page(page, "the exit-entry board")
    assert page.locator("h1").inner_text() == "Exit & Entry"
    page.click(".thread-row a >> nth=0")
    page.wait_for_url("**/t/*")
    english_page(page, "a thread")
    assert page.locator("#progress-title").inner_text() == "Progress"

    page.goto("/register")
    english_page(page, "register")
    page.fill("input[name=username]", "jsmith")
    page.fill("input[name=nickname]", "John Smith")
    page.fill("input[name=password]", PASSWORD)
    page.check("input[name=accept_privacy]")
    page.click("main form button[type=submit]:not([name=action])")
    page.wait_for_url(lambda url: "/register" not in url)
    assert "Registered. Welcome!" in page.inner_text(".flashes")

    page.goto("/b/exit-entry/new")
    english_page(page, "the new-thread form")
    page.click("main form button[type=submit]")  # empty: told why, in English
    english_page(page, "the refused new-thread form")
    assert "Required" in page.inner_text("main")
    errors.clear()  # that page is a 400 on purpose (the form's errors), logged by the browser
    page.fill("input[name=title]", "Passport E12345678 lost, Q2 visa")
    page.fill("textarea[name=body]", "I lost my passport E12345678 with my Q2 visa. What now?")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/t/*")
    english_page(page, "my new thread")
    assert "Awaiting reply" in page.inner_text(".progress")
    mine = page.url

    page.goto("/search?q=E12345678")
    english_page(page, "search")
    assert page.locator(".search-result a").first.get_attribute("href") in mine

    page.click("[data-lang-switch] >> nth=0")  # 中文
    page.wait_for_load_state()
    assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
    assert "出入境" in page.content()
    page.goto("/b/exit-entry")  # remembered over the browser's English
    assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
    page.click("[data-lang-switch] >> nth=0")  # English again
    page.wait_for_load_state()
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert not errors, errors
    context.close()


def test_an_alert_banner_is_drawn_in_english(browser, server):
    """The banner is built by static/js/alerts.js: the level tag comes from the API in the page's
    language, the buttons from the page; the officer's title and text stay as written, marked."""
    officer_ctx, officer, _ = sign_in(browser, server, "nanmen_chen", DEMO_PASSWORD, **PHONE)
    officer.goto("/alerts/manage")
    officer.fill("input[name=title]", "警惕冒充客服退款诈骗")
    officer.fill("textarea[name=text]", "客服不会要求您共享屏幕或转账!遇到请挂断并拨打96110。")
    officer.check("input[name=level][value=urgent]")
    officer.check("input[name=target][value=all]")
    officer.click("[data-alert-form] button[type=submit]")
    officer.wait_for_url("**/alerts/manage")
    officer_ctx.close()

    context = browser.new_context(base_url=server.url, **ENGLISH_PHONE)
    page = context.new_page()
    page.goto("/")
    banner = page.locator("[data-alert-banners] .alert-banner",
                          has_text="警惕冒充客服退款诈骗")
    banner.wait_for(timeout=WAIT)
    english_page(page, "home with an alert banner")
    assert banner.locator(".alert-level-tag").inner_text() == "Urgent"
    assert banner.locator("[data-alert-ack]").inner_text() == "Got it"
    assert banner.locator(".alert-banner-foot a").inner_text() == "Details"
    banner.locator("[data-alert-ack]").click()
    assert banner.count() == 0
    context.close()

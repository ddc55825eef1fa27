"""A resident on a phone (issue 18): the form says what is left of the day's posts, they post,
fix their thread while a reader watches it change live, and a post refused by the day's limit
keeps everything they typed — on the refused page and again, from the browser's draft, when
they open the empty form later."""
from __future__ import annotations

import pytest

from tests.browser import PHONE, WAIT, sign_in, until, wait_live
from tests.live_server import BoardServer, register

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("own-posts-browser")
    board = BoardServer(instance, extra_env={
        "FLASK_RATELIMIT_ENABLED": "true",
        "FLASK_RATELIMIT_THREAD_NEW_ACCOUNT": "1 per day"}).wait_ready()
    register(board, "phone_asker", "南门老周")
    yield board
    board.stop()


def test_edit_live_and_a_refused_post_keeps_its_text_on_a_phone(browser, server):
    context, page, errors = sign_in(browser, server, "phone_asker", **PHONE)
    reader_ctx = browser.new_context(base_url=server.url, **PHONE)
    reader = reader_ctx.new_page()
    try:
        page.goto("/b/qa/new")
        assert page.locator("[data-allowance]").text_content().strip() == "今天还可以发 1 帖"
        page.fill("input[name=title]", "小区门口的路灯坏了一个月")
        page.fill("textarea[name=body]", "南门外大街12号门口的路灯不亮,晚上老人走路不方便。")
        page.click("form[data-new-thread] button[type=submit]")
        page.wait_for_url("**/t/*")
        thread_path = page.url.split(server.url, 1)[1]

        reader.goto(thread_path)  # an anonymous reader has it open
        wait_live(reader)
        reader.evaluate("window.__sameDocument = true")

        page.click(".own-actions a:has-text('编辑')")
        page.wait_for_url("**/edit")
        page.fill("input[name=title]", "南门外大街路灯坏了一个月没人修")
        page.click("main form button[type=submit]")
        page.wait_for_url(f"**{thread_path}")
        assert page.locator(".thread .edited").text_content() == "已编辑"
        assert page.locator(".thread-title").text_content() == "南门外大街路灯坏了一个月没人修"

        title = reader.locator(".thread-title", has_text="没人修")  # live, no reload
        title.wait_for(timeout=WAIT)
        assert reader.evaluate("window.__sameDocument") is True
        assert reader.locator(".thread .edited").is_visible()
        assert reader.locator(".own-actions").count() == 0  # nobody else's controls

        page.goto("/b/qa/new")
        assert "已用完" in page.locator("[data-allowance]").text_content()
        typed = "3号楼电梯这周困过两次人,物业说等配件,想问能不能请街道督促一下。"
        page.fill("input[name=title]", "3号楼电梯老是困人")
        page.fill("textarea[name=body]", typed)
        page.click("form[data-new-thread] button[type=submit]")
        page.wait_for_load_state()
        alert = page.locator("[data-allowance][role=alert]")
        assert "新注册账号第一天最多发 1 个帖子" in alert.text_content()
        assert page.input_value("input[name=title]") == "3号楼电梯老是困人"
        assert page.input_value("textarea[name=body]") == typed
        page.screenshot(path=str(server.log_path.parent / "refused-phone.png"), full_page=True)

        page.goto("/b/qa/new")  # later, the empty form: the draft comes back from the browser
        until(page, "document.querySelector('[data-draft-restored]')")
        assert page.input_value("textarea[name=body]") == typed
        assert page.input_value("input[name=title]") == "3号楼电梯老是困人"
        assert not [e for e in errors if "Content Security Policy" in e]
    finally:
        reader_ctx.close()
        context.close()

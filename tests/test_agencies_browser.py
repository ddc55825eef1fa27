"""Partner agencies (协作单位, issue 21) in Chromium at phone size: the admin registers a property
company and its account, the station officer invites it into a resident's lift-breakdown thread,
and the property manager — after choosing their own password — finds the thread in its list and
answers under the badge 「协作单位·锦绣物业」, while the thread still waits for the police."""
from __future__ import annotations

import json
import urllib.request

import pytest

from tests.browser import PHONE, WAIT, sign_in
from tests.live_server import PASSWORD, BoardServer, create_user, register, token

pytestmark = pytest.mark.browser
BADGE = "协作单位·锦绣物业"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("agencies-browser")
    board = BoardServer(instance).wait_ready()
    create_user(instance, "--role", "admin", "--username", "agency_admin", "--password",
                PASSWORD, "--real-name", "系统管理员")
    create_user(instance, "--role", "officer", "--username", "nanmen_officer", "--password",
                PASSWORD, "--real-name", "陈志强", "--badge-no", "150456",
                "--unit", "station-nanmen")
    register(board, "lift_asker", "刘大爷")
    yield board
    board.stop()


def _post_thread(server) -> int:
    request = urllib.request.Request(
        server.url + "/api/v1/boards/report/threads", method="POST",
        data=json.dumps({"kind": "help", "title": "5号楼电梯停运两天没人修",
                         "body": "老人住在12楼,下不了楼,物业电话一直打不通。"}).encode(),
        headers={"Content-Type": "application/json",
                 "Authorization": f"Bearer {token(server, 'lift_asker')}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["thread"]["id"]


def _fits_the_screen(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_property_manager_answers_an_invited_lift_thread_on_a_phone(browser, server):
    thread_id = _post_thread(server)

    admin_ctx, admin, admin_errors = sign_in(browser, server, "agency_admin", **PHONE)
    admin.goto("/admin/agencies")
    admin.fill("#agency-name", "锦绣物业")
    admin.select_option("#agency-kind", "property")
    admin.click("[data-agency-form] button[type=submit]")
    admin.wait_for_url("**/admin/agencies/*")
    admin.fill("#acc-username", "jinxiu_kefu")
    admin.fill("#acc-nickname", "锦绣客服小周")
    admin.click("[data-agency-account-form] button[type=submit]")
    admin.wait_for_selector("[data-issued-password]", timeout=WAIT)
    temporary = admin.locator("[data-issued-password] .temp-password").text_content().strip()
    assert len(temporary) == 10 and _fits_the_screen(admin)
    admin_ctx.close()

    police_ctx, police, police_errors = sign_in(browser, server, "nanmen_officer", **PHONE)
    police.goto(f"/t/{thread_id}")
    police.select_option("#agency-pick", label="锦绣物业(物业)")
    police.click("[data-invite-agency]")
    police.wait_for_selector(".flash-success", timeout=WAIT)
    assert f"已邀请{BADGE}" in police.locator("[data-timeline]").inner_text()
    assert _fits_the_screen(police)
    police_ctx.close()

    ctx, page, errors = sign_in(browser, server, "jinxiu_kefu", temporary, **PHONE)
    page.wait_for_selector("input[name=new_password]", timeout=WAIT)  # its own password first
    page.fill("input[name=current_password]", temporary)
    page.fill("input[name=new_password]", "jinxiu-own-2026")
    page.fill("input[name=confirm]", "jinxiu-own-2026")
    page.click("#password form button[type=submit]")
    page.wait_for_selector(".flash-success", timeout=WAIT)

    page.click("nav.topnav a:has-text('协作事项')")
    page.wait_for_url("**/agency")
    assert "待贵单位回复" in page.locator("[data-agency-worklist]").inner_text()
    page.click(f"[data-agency-worklist] [data-thread-id='{thread_id}'] a")
    page.wait_for_url(f"**/t/{thread_id}")
    assert page.locator("[data-thread-actions], [data-agency-invite]").count() == 0
    box = page.locator("form.reply-form textarea[name=body]")
    assert BADGE in box.get_attribute("placeholder")
    box.fill("控制板配件明天上午到,维保公司中午前修好;这两天一楼有人值守帮老人上下楼。")
    page.click("form.reply-form button[type=submit]")
    page.wait_for_url(f"**/t/{thread_id}#p*")
    reply = page.locator("li.post.agency-post").last
    assert reply.locator("[data-agency-badge]").inner_text().strip().endswith(BADGE)
    assert reply.locator(".officer-badge").count() == 0
    assert page.locator("[data-progress-status]").inner_text() == "待回复"
    assert reply.bounding_box()["width"] <= 390 and _fits_the_screen(page)

    page.goto("/agency")
    assert "贵单位已回复" in page.locator("[data-agency-worklist]").inner_text()
    ctx.close()
    assert admin_errors == police_errors == errors == []

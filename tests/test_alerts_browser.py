"""预警 (issue 21) in Chromium at phone size (390×844), against the real server with its notice
worker: a station officer publishes an anti-fraud alert to 东河区 from the alerts page; a resident
who picked 东河区 finds it on the home page and in the bell, taps 「我知道了」 and it stays gone;
a resident of another district never sees it; an anonymous reader sees an alert to everyone on
the (cached) home page and a board's alert on that board, and 「我知道了」 is remembered by the
browser; the officer's page counts who acknowledged."""
from __future__ import annotations

import pytest
import requests

from tests.browser import PHONE, WAIT, sign_in, until
from tests.live_server import PASSWORD, BoardServer, create_user, register, token

pytestmark = pytest.mark.browser

BANNER = "[data-alert-banners] .alert-banner"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("alerts-browser")
    board = BoardServer(instance, extra_env={"FLASK_NOTICE_GRACE_SECONDS": "1"}).wait_ready()
    create_user(instance, "--role", "officer", "--username", "nanmen_chen", "--password",
                PASSWORD, "--real-name", "陈志强", "--badge-no", "150456",
                "--unit", "station-nanmen")
    register(board, "donghe_zhang", "张大姐")
    register(board, "kunqu_li", "李师傅")
    yield board
    board.stop()


def _pick_district(page, name: str) -> None:
    page.goto("/me/alert-follows")
    page.check(f"label:has-text('{name}') input[name=districts]")
    page.click("[data-district-form] button[type=submit]")
    page.wait_for_url("**/me/alert-follows")


def _loaded(page) -> None:
    until(page, "document.querySelector('[data-alert-banners]').hasAttribute('data-loaded')")


def test_a_district_alert_reaches_its_residents_on_a_phone(browser, server):
    resident_ctx, resident, errors = sign_in(browser, server, "donghe_zhang", **PHONE)
    other_ctx, other, _ = sign_in(browser, server, "kunqu_li", **PHONE)
    officer_ctx, officer, _ = sign_in(browser, server, "nanmen_chen", **PHONE)
    try:
        _pick_district(resident, "东河区")
        _pick_district(other, "昆区")

        officer.goto("/alerts/manage")
        officer.fill("input[name=title]", "警惕冒充电商客服退款诈骗")
        officer.fill("textarea[name=text]", "客服不会要求您共享屏幕或转账!遇到请挂断并拨打96110。")
        officer.check("input[name=level][value=warning]")
        officer.check("input[name=target][value=district]")
        officer.select_option("select[name=district]", label="东河区")
        officer.click("[data-alert-form] button[type=submit]")
        officer.wait_for_url("**/alerts/manage")
        assert "预警已发布" in officer.locator(".flashes").text_content()

        resident.goto("/")
        banner = resident.locator(BANNER)
        banner.wait_for(timeout=WAIT)
        assert "警惕冒充电商客服退款诈骗" in banner.text_content()
        assert "alert-level-warning" in banner.get_attribute("class")
        box = banner.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # fits the phone's width
        # The notice worker fanned it out: the bell counts it, and links to the alert.
        for _ in range(50):
            resident.goto("/notifications")
            if resident.locator(".notification.kind-alert").count():
                break
            resident.wait_for_timeout(200)
        entry = resident.locator(".notification.kind-alert a.notification-link")
        assert "警惕冒充电商客服退款诈骗" in entry.text_content()
        assert "/alerts/" in entry.get_attribute("href")

        resident.goto("/")
        resident.locator(BANNER).wait_for(timeout=WAIT)
        resident.click("[data-alert-ack]")
        assert resident.locator(BANNER).count() == 0
        resident.wait_for_timeout(500)  # the acknowledgement's POST
        resident.reload()
        _loaded(resident)
        assert resident.locator(BANNER).count() == 0  # remembered for this account

        other.goto("/")
        _loaded(other)
        assert other.locator(BANNER).count() == 0  # another district's resident

        officer.goto("/alerts/manage")
        counts = officer.locator("[data-alert-row] [data-counts]").first.text_content()
        assert "送达 1 人" in counts and "已确认 1 人" in counts
        officer.screenshot(path=str(server.log_path.parent / "alerts-manage-phone.png"),
                           full_page=True)
        assert not [e for e in errors if "Content Security Policy" in e]
    finally:
        for ctx in (resident_ctx, other_ctx, officer_ctx):
            ctx.close()


def test_anonymous_readers_see_everyone_and_board_alerts_and_dismiss_them(browser, server):
    bearer = {"Authorization": f"Bearer {token(server, 'nanmen_chen')}"}
    context = browser.new_context(base_url=server.url, **PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto("/")  # cached for anonymous readers before the alert exists
        _loaded(page)
        assert page.locator(BANNER).count() == 0
        for body in ({"target": "all", "level": "urgent", "title": "紧急:暴雨橙色预警",
                      "text": "请勿前往河道、低洼地带。"},
                     {"target": "boards", "boards": ["traffic"], "level": "notice",
                      "title": "国庆期间绕行提示", "text": "阿尔丁大街部分路段封闭施工。"}):
            response = requests.post(server.url + "/api/v1/alerts", json=body, headers=bearer,
                                     timeout=10)
            assert response.status_code == 201, response.text

        page.goto("/")
        urgent = page.locator(BANNER)
        urgent.wait_for(timeout=WAIT)
        assert page.locator(BANNER).count() == 1  # the board's alert is not on the home page
        assert "暴雨橙色预警" in urgent.text_content()
        assert urgent.get_attribute("role") == "alert"
        assert "alert-level-urgent" in urgent.get_attribute("class")

        page.goto("/b/traffic")
        page.locator(BANNER).nth(1).wait_for(timeout=WAIT)
        titles = page.locator(f"{BANNER} .alert-banner-title").all_text_contents()
        assert titles == ["紧急:暴雨橙色预警", "国庆期间绕行提示"]  # the most urgent first
        page.locator(f"{BANNER}.alert-level-urgent [data-alert-ack]").click()
        page.reload()
        _loaded(page)
        titles = page.locator(f"{BANNER} .alert-banner-title").all_text_contents()
        assert titles == ["国庆期间绕行提示"]  # dismissed in this browser, the other stays
        page.screenshot(path=str(server.log_path.parent / "alerts-board-phone.png"),
                        full_page=True)
        assert not [e for e in errors if "Content Security Policy" in e]
    finally:
        context.close()

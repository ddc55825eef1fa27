"""失物招领 and 寻人 on phones (issue 21), real browsers against the real server: a station posts
a found wallet with a photo, a resident finds it through the filters and claims it privately, the
claim shows in the station's work list and nowhere else, the station answers and closes it; police
publish a missing-person appeal that tops every board and, closed as found, loses its photo on the
public page; the poster prints on one A4 page."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from tests.browser import PHONE, WAIT, sign_in, wait_live
from tests.live_server import PASSWORD, BoardServer, create_user, register

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("bulletins-browser")
    board = BoardServer(instance).wait_ready()
    for username, name, badge, unit in (("nanmen_officer", "陈志强", "150456", "station-nanmen"),
                                        ("fuqiang_officer", "李文博", "150471", "station-fuqiang")):
        create_user(instance, "--role", "officer", "--username", username, "--password", PASSWORD,
                    "--real-name", name, "--badge-no", badge, "--unit", unit)
    register(board, "wallet_owner", "丢钱包的老王")
    register(board, "neighbour", "隔壁邻居")
    yield board
    board.stop()


def _photo(tmp_path) -> str:
    path = tmp_path / "photo.png"
    raw = io.BytesIO()
    Image.new("RGB", (120, 90), (40, 80, 160)).save(raw, "PNG")
    path.write_bytes(raw.getvalue())
    return str(path)


def _state(page) -> str:
    return page.locator("[data-bulletin-panel] [data-bulletin-state]").text_content()


def _publish(page, kind: str, title: str, body: str, spot: str, photo: str) -> str:
    page.goto(f"/bulletins/new?kind={kind}")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=body]", body)
    page.fill("input[name=spot]", spot)
    page.fill("input[name=happened_at]", "2026-11-30T09:30")
    page.set_input_files("input[name=images]", photo)
    page.click("form[data-bulletin-form] button[type=submit]")
    page.wait_for_url("**/t/*")
    return page.url


def test_found_wallet_is_claimed_privately_on_phones(browser, server, tmp_path):
    station, page, errors = sign_in(browser, server, "nanmen_officer", **PHONE)
    owner_ctx, owner, owner_errors = sign_in(browser, server, "wallet_owner", **PHONE)
    other_ctx, other, _ = sign_in(browser, server, "neighbour", **PHONE)
    try:
        url = _publish(page, "lost_found", "公交站捡到黑色钱包一个",
                       "黑色皮质钱包,内有少量现金,请失主到所认领。", "南门外大街公交站",
                       _photo(tmp_path))
        assert _state(page) == "寻找中"
        assert page.locator(".thread .photos img").count() == 1

        owner.goto("/bulletins")
        owner.select_option("select[name=kind]", "lost_found")
        owner.click("form[data-bulletin-filters] button[type=submit]")
        owner.screenshot(path=str(server.log_path.parent / "bulletins-list-phone.png"),
                         full_page=True)
        owner.click("[data-bulletin-list] a:has-text('公交站捡到黑色钱包一个')")
        owner.wait_for_url(url)
        wait_live(owner)  # the live page's catch-up must leave the notice's own state alone
        owner.wait_for_timeout(500)
        assert owner.locator(".thread header .status").text_content().strip() == "寻找中"
        owner.click("[data-bulletin-answer]")
        claim = "钱包是我的,里面有一张华联超市会员卡,尾号 3721。"
        owner.fill("textarea[name=body]", claim)
        owner.click("form[data-bulletin-message-form] button[type=submit]")
        owner.locator(".flash-success").wait_for(timeout=WAIT)
        assert claim in owner.locator("[data-bulletin-messages]").text_content()
        messages_path = owner.url.split(server.url, 1)[1]

        other.goto(messages_path)  # another resident: the form, never someone else's claim
        assert claim not in other.content()
        other.goto(url)
        assert claim not in other.content()

        page.goto("/inbox")
        section = page.locator("[data-bulletin-desk]")
        assert "待跟进的认领/线索私信 1 条" in section.text_content()
        section.locator("a").click()
        page.click("[data-station-messages] a")
        page.fill("textarea[name=answer]", "会员卡尾号对得上,请带身份证来所里认领。")
        page.click("[data-answer-button]")
        page.locator("[data-message-answer]").wait_for(timeout=WAIT)
        page.goto(url)
        page.select_option("form.bulletin-close select[name=state]", "claimed")
        page.fill("form.bulletin-close input[name=note]", "失主已领回")
        page.click("[data-bulletin-close]")
        page.wait_for_load_state()
        assert _state(page) == "已认领"

        owner.goto(messages_path)
        assert "请带身份证来所里认领" in owner.locator("[data-message-answer]").text_content()
        page.screenshot(path=str(server.log_path.parent / "bulletin-phone.png"), full_page=True)
        assert not [e for e in errors + owner_errors if "Content Security Policy" in e]
    finally:
        other_ctx.close()
        owner_ctx.close()
        station.close()


def test_missing_person_appeal_tops_every_board_and_closes_as_found(browser, server, tmp_path):
    station, page, errors = sign_in(browser, server, "fuqiang_officer", **PHONE)
    reader_ctx = browser.new_context(base_url=server.url, **PHONE)
    reader = reader_ctx.new_page()
    try:
        url = _publish(page, "missing_person", "寻找走失老人:男,78岁,灰色棉袄",
                       "刘某某,身高约1.65米,说本地口音,如见到请私信派出所。", "富强路早市附近",
                       _photo(tmp_path))
        page.fill("form.bulletin-pin input[name=hours]", "24")
        page.click("[data-bulletin-pin]")
        page.wait_for_load_state()
        assert "全站置顶至" in page.locator("[data-bulletin-panel]").text_content()

        for slug in ("qa", "report", "traffic"):
            reader.goto(f"/b/{slug}")
            first = reader.locator("[data-thread-list] .thread-row").first
            assert "寻找走失老人" in first.text_content(), slug

        reader.goto(url)
        assert reader.locator(".thread .photos img").count() == 1
        poster = reader_ctx.new_page()
        poster.goto(page.locator("[data-bulletin-panel] a:has-text('打印海报')").get_attribute(
            "href"))
        assert "寻找走失老人" in poster.locator("[data-poster]").text_content()
        poster.emulate_media(media="print")
        assert not poster.locator(".poster-tools").is_visible()
        pdf = poster.pdf(format="A4", prefer_css_page_size=True)
        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1  # one A4 sheet, photo included
        poster.close()

        page.select_option("form.bulletin-close select[name=state]", "found")
        page.click("[data-bulletin-close]")
        page.wait_for_load_state()
        assert _state(page) == "已找到"
        assert page.locator(".thread .photos img").count() == 1  # the police keep it

        reader.goto(url)
        assert reader.locator("[data-bulletin-state]").first.text_content() == "已找到"
        assert reader.locator(".thread .photos img").count() == 0
        reader.goto("/b/qa")
        first = reader.locator("[data-thread-list] .thread-row").first
        assert first.count() == 0 or "寻找走失老人" not in first.text_content()
        assert not [e for e in errors if "Content Security Policy" in e]
    finally:
        reader_ctx.close()
        station.close()

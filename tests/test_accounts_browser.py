"""Issue 17 in a real browser on a phone-sized page: a resident registers with a phone (the code
read from the server's log, SMS_BACKEND=console), then, on another phone, forgets the password
and resets it by SMS from 「忘记密码」 on the sign-in page, and signs in with the new one."""
from __future__ import annotations

import re
import time

import pytest

from tests.browser import PHONE, WAIT
from tests.live_server import BoardServer

pytestmark = pytest.mark.browser
NUMBER = "13904720166"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("accounts-browser")
    # one phone asks for two codes within the minute here: the send limits are loosened
    board = BoardServer(instance, extra_env={
        "SMS_BACKEND": "console", "FLASK_SMS_CODE_PHONE_LIMITS": "5 per minute",
        "FLASK_SMS_CODE_CLIENT_LIMITS": "5 per minute"}).wait_ready()
    yield board
    board.stop()


def _code_from_log(server, template: str) -> str:
    """The code of the latest text of this kind to NUMBER, as the console backend logs it."""
    pattern = re.compile(rf"SMS to {NUMBER} \[{template}\]: .*?(?<!\d)(\d{{6}})(?!\d)")
    deadline = time.monotonic() + WAIT / 1000
    while time.monotonic() < deadline:
        found = pattern.findall(server.log_path.read_text(errors="replace"))
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no {template} text in the log: {server.log()}")


def _new_phone(browser, server):
    context = browser.new_context(base_url=server.url, **PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return context, page, errors


def _fits_the_screen(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_register_with_a_phone_then_reset_the_forgotten_password(browser, server):
    context, page, errors = _new_phone(browser, server)
    page.goto("/register")
    page.fill("input[name=username]", "lift_asker")
    page.fill("input[name=nickname]", "住在三楼的王阿姨")
    page.fill("input[name=password]", "first-pass-2026")
    page.fill("input[name=phone]", "139 0472 0166")
    page.click("button[value=send_code]")
    page.wait_for_selector(".flash-success")
    assert "139****0166" in page.inner_text(".flash-success")
    page.fill("input[name=code]", _code_from_log(server, "verify_register"))
    page.check("input[name=accept_privacy]")
    page.fill("input[name=password]", "first-pass-2026")  # a password is never sent back
    page.click("main form button.btn-primary")
    page.wait_for_url(lambda url: "/register" not in url)
    assert "注册成功" in page.inner_text(".flashes")
    context.close()

    context, page, phone_errors = _new_phone(browser, server)
    page.goto("/login")
    page.click("text=忘记密码?")
    page.wait_for_url("**/forgot-password")
    assert _fits_the_screen(page)
    page.fill("input[name=phone]", "+86 139-0472-0166")
    page.click("button[value=send_code]")
    page.wait_for_selector(".flash-success")
    resend = page.locator("button[value=send_code]")  # waits out the minute, counting down
    assert resend.is_disabled() and "重新获取" in resend.inner_text()
    code = _code_from_log(server, "verify_reset")
    page.fill("input[name=code]", code)
    page.fill("input[name=new_password]", "second-pass-2026")
    page.fill("input[name=confirm]", "second-pass-2026")
    page.click("main form button.btn-primary")
    page.wait_for_url("**/login")
    assert "密码已重置" in page.inner_text(".flashes")
    assert _fits_the_screen(page)

    page.fill("input[name=username]", "lift_asker")
    page.fill("input[name=password]", "first-pass-2026")  # the old one no longer works
    page.click("main form button[type=submit]")
    page.wait_for_selector(".field-error")
    page.fill("input[name=password]", "second-pass-2026")
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    assert "住在三楼的王阿姨" in page.inner_text(".topnav")
    context.close()
    refused = "status of 400"  # the sign-in page's answer to the old password, as intended
    assert errors == [] and [e for e in phone_errors if refused not in e] == []

"""Limits without loss (issue 18): the forms say what is left before typing, a refused post keeps
everything typed (the page shows the form again with the reason; the API answers 429 with the
limit and when it resets), and a post refused for its content costs none of the allowance."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from tests.test_ratelimits import _sign_in, limited  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("no_search_indexing")


def _allowance(html: str) -> str:
    match = re.search(r'<p class="allowance[^"]*"[^>]*data-allowance>([^<]*)</p>', html)
    return match.group(1) if match else ""


def test_the_thread_form_counts_down_and_a_refused_post_keeps_its_text(limited, make):  # noqa: F811
    _, client = limited(RATELIMIT_THREAD_NEW_ACCOUNT="2 per day")
    newcomer = make.make_user()
    _sign_in(client, newcomer)
    assert _allowance(client.get("/b/qa/new").get_data(as_text=True)) == "今天还可以发 2 帖"

    too_short = client.post("/b/qa/new", data={"kind": "question", "title": "短", "body": "问"})
    assert too_short.status_code == 400  # refused for its content: costs nothing
    assert _allowance(too_short.get_data(as_text=True)) == "今天还可以发 2 帖"
    assert client.post("/api/v1/boards/qa/threads", json={
        "kind": "question", "title": "小区门口路灯坏了找谁", "body": "晚上很黑"}).status_code == 201
    assert _allowance(client.get("/b/qa/new").get_data(as_text=True)) == "今天还可以发 1 帖"
    assert client.post("/b/qa/new", data={"kind": "question", "title": "楼道堆放杂物怎么处理",
                                          "body": "消防通道被堵"}).status_code == 302
    used_up = _allowance(client.get("/b/qa/new").get_data(as_text=True))
    assert used_up.startswith("今天的 2 帖已用完,北京时间") and used_up.endswith("后可以再发")

    typed = {"kind": "question", "title": "电动车在楼下充电被偷了电瓶",
             "body": "昨晚十点在3号楼下充电,早上电瓶不见了,监控能查吗?", "location": "南门外大街"}
    refused = client.post("/b/qa/new", data=typed)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "新注册账号第一天最多发 2 个帖子" in page and "您写的内容已保留" in page
    assert f'value="{typed["title"]}"' in page and typed["body"] in page
    assert f'value="{typed["location"]}"' in page and 'name="csrf_token"' in page

    api = client.post("/api/v1/boards/qa/threads", json=typed)
    assert api.status_code == 429
    error = api.get_json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["code"] == "rate_limited"
    assert error["fields"]["limit"] == "2 per 1 day" and error["fields"]["remaining"] == 0
    reset_at = datetime.fromisoformat(error["fields"]["reset_at"].replace("Z", "+00:00"))
    assert 0 < error["fields"]["retry_after"] <= 86400
    assert abs(int(api.headers["Retry-After"]) - error["fields"]["retry_after"]) <= 2
    assert reset_at.timestamp() > datetime.now().timestamp()
    assert "北京时间" in error["message"]


def test_the_reply_composer_keeps_its_text_and_the_police_see_no_limit(limited, make):  # noqa: F811
    _, client = limited(RATELIMIT_REPLY="2 per minute;100 per day")
    thread = make.make_thread()
    _sign_in(client, make.make_user())
    line = _allowance(client.get(f"/t/{thread.id}").get_data(as_text=True))
    assert line == "这一分钟内还可以回复 2 条,今天共还可以回复 100 条"
    for n in range(2):
        sent = client.post(f"/t/{thread.id}/reply", data={"body": f"第{n}条补充"})
        assert sent.status_code == 302
    refused = client.post(f"/t/{thread.id}/reply", data={"body": "第三条补充:门牌号是12号"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "回复太频繁" in page and "第三条补充:门牌号是12号</textarea>" in page
    assert f'data-draft="reply:{thread.id}"' in page

    client.post("/logout")
    _sign_in(client, make.make_user("officer", unit_code="hukou"))
    assert _allowance(client.get(f"/t/{thread.id}").get_data(as_text=True)) == ""

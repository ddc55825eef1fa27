"""Personal data is masked wherever the public reads; the author and the police see the original."""
from __future__ import annotations

import pytest

from board import privacy, serializers

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


VALID_ID = make_id("15020319800101123")           # a Baotou number with a valid check digit
BAD_ID = VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1")


def luhn_complete(prefix: str) -> str:
    for d in "0123456789":
        if privacy.luhn_ok(prefix + d):
            return prefix + d
    raise AssertionError


CARD = luhn_complete("622202020011223344")
BAD_CARD = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)  # one digit off: fails Luhn
ID_WITH_X = next(make_id(f"1502031980010{n:04d}") for n in range(1000)
                 if make_id(f"1502031980010{n:04d}").endswith("X"))


def test_check_digit_x_in_either_case_is_an_id():
    for number in (ID_WITH_X, ID_WITH_X.lower()):
        assert privacy.detect(f"身份证 {number} 丢了") == ["id"]
        assert number not in privacy.mask(f"身份证 {number} 丢了")


@pytest.mark.parametrize("text,kind", [
    (f"我的身份证号是{VALID_ID},被人冒用了", "id"),
    ("有事打我电话13812345678", "mobile"),
    ("电话 +86 138-1234-5678", "mobile"),
    (f"工资卡 {CARD} 被盗刷", "card"),
    (f"卡号 {CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:16]} {CARD[16:]}", "card"),
    ("车主张建军的车蒙B12345一直乱停", "plate_name"),
    ("蒙B·A1234 王小二 天天占消防通道", "plate_name"),
])
def test_detects_and_masks_personal_data(text, kind):
    assert privacy.detect(text) == [kind]
    masked = privacy.mask(text)
    assert masked != text and len(masked) == len(text)
    assert "*" in masked
    assert privacy.detect(masked) == []


def test_wrong_checksums_and_ordinary_numbers_are_left_alone():
    for text in [f"编号{BAD_ID}", "订单号 20231123123456789012", f"卡号 {BAD_CARD}",
                 "蒙B12345 乱停车(只有车牌,没有人名)", "电话 12345678901", "110 和 12345 热线",
                 "2026年11月23日 10:30"]:
        assert privacy.detect(text) == [], text
        assert privacy.mask(text) == text


def test_mask_keeps_enough_to_recognise_but_not_to_use():
    assert privacy.mask(f"身份证{VALID_ID}") == f"身份证{VALID_ID[:3]}{'*' * 11}{VALID_ID[-4:]}"
    assert privacy.mask("13812345678") == "138****5678"
    masked_card = privacy.mask(CARD)
    assert masked_card.startswith(CARD[:4]) and masked_card.endswith(CARD[-4:])
    assert CARD[4:-4] not in masked_card


def test_warning_names_what_was_found():
    found = privacy.detect(f"{VALID_ID}")
    assert privacy.warning(found) == "您的内容包含身份证号,公开显示时将被遮盖"
    assert "手机号" in privacy.warning(privacy.detect(f"{VALID_ID} 13812345678"))
    assert privacy.warning([]) == ""


def test_mask_on_sanitized_html_cannot_create_markup():
    html = f'<p>打 <a href="tel:13812345678" rel="nofollow">13812345678</a> 或看 {VALID_ID}</p>'
    masked = privacy.mask(html)
    assert masked.count("<") == html.count("<") and masked.count(">") == html.count(">")
    assert "13812345678" not in masked and VALID_ID not in masked


@pytest.fixture
def leaky(make):
    author = make.make_user(nickname="张大姐")
    thread = make.make_thread(author, "qa", title="帮我查一下13812345678",
                              body=f"身份证{VALID_ID}被冒用,电话13812345678",
                              location="蒙B12345 张建军家楼下")
    reply = make.make_post(thread, author, body=f"补充:银行卡{CARD}")
    return author, thread, reply


def test_pages_mask_for_the_public_and_show_the_author_and_police_the_original(
        client, make, login, leaky):
    author, thread, _ = leaky
    public = client.get(f"/t/{thread.id}").get_data(as_text=True)
    for secret in (VALID_ID, "13812345678", CARD):
        assert secret not in public
    assert "138****5678" in public and f"{VALID_ID[:3]}***" in public
    login(make.make_user())  # another citizen is "the public" too
    assert VALID_ID not in client.get(f"/t/{thread.id}").get_data(as_text=True)
    login(author)
    mine = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert VALID_ID in mine and CARD in mine
    login(make.make_user("officer"))
    police = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert VALID_ID in police and "13812345678" in police
    listing = client.get("/b/qa").get_data(as_text=True)
    assert "13812345678" in listing  # police read the original title in lists too


def test_lists_and_api_mask_for_the_public(client, make, login, leaky):
    author, thread, _ = leaky
    for url in ("/", "/b/qa"):
        assert "13812345678" not in client.get(url).get_data(as_text=True)
    data = client.get(f"/api/v1/threads/{thread.id}").get_json()
    dumped = str(data)
    for secret in (VALID_ID, "13812345678", CARD, "张建军"):
        assert secret not in dumped
    listed = str(client.get("/api/v1/boards/qa/threads").get_json())
    assert "13812345678" not in listed
    login(author)
    mine = client.get(f"/api/v1/threads/{thread.id}").get_json()
    assert VALID_ID in mine["thread"]["body"] and CARD in mine["posts"][0]["body"]


def test_live_payloads_are_masked(leaky):
    _, thread, reply = leaky
    for payload in (serializers.thread_to_dict(thread), serializers.post_to_dict(reply)):
        text = str(payload)
        assert VALID_ID not in text and "13812345678" not in text and CARD not in text


def test_live_emits_carry_masked_text(app, make, monkeypatch):
    from board.extensions import socketio

    sent = []
    monkeypatch.setattr(socketio, "emit",
                        lambda event, payload, **kw: sent.append((event, payload)))
    thread = make.make_thread(title="直播遮盖测试帖", body=f"身份证{VALID_ID}")
    make.make_post(thread, body="电话13812345678")
    assert sent, "posting should announce live"
    dumped = str(sent)
    assert VALID_ID not in dumped and "13812345678" not in dumped


def test_composer_check_endpoint_warns(client, make, login):
    login(make.make_user())
    response = client.post("/api/v1/privacy/check", json={"body": f"我的身份证{VALID_ID}"})
    assert response.status_code == 200
    assert response.get_json()["message"] == "您的内容包含身份证号,公开显示时将被遮盖"
    clean = client.post("/api/v1/privacy/check", json={"body": "户口怎么迁?"}).get_json()
    assert clean["found"] == []


def test_new_thread_page_loads_the_warning_script(client, make, login):
    login(make.make_user())
    page = client.get("/b/qa/new").get_data(as_text=True)
    assert "js/privacy-warning.js" in page and "data-privacy-warning" in page


def test_masking_cost_is_small_for_ordinary_text():
    """Ordinary posts (no long digit runs, no plates) skip the expensive checks entirely."""
    ordinary = "请问户口迁移需要什么材料?谢谢警官。" * 50
    assert privacy._QUICK_RE.search(ordinary) is None
    assert privacy.mask(ordinary) is ordinary


def test_search_snippets_and_titles_are_masked_for_the_public(client, make, login):
    author = make.make_user()
    make.make_thread(author, "qa", title="身份证被冒用怎么办13812345678",
                     body=f"冒用 我的身份证{VALID_ID}被人冒用办了手机卡")
    found = client.get("/api/v1/search", query_string={"q": "冒用"}).get_json()["results"]
    assert found, "the thread should be found by an ordinary word"
    dumped = str(found)
    assert VALID_ID not in dumped and "13812345678" not in dumped
    page = client.get("/search", query_string={"q": "冒用"}).get_data(as_text=True)
    assert VALID_ID not in page and "13812345678" not in page
    login(author)
    mine = str(client.get("/api/v1/search", query_string={"q": "冒用"}).get_json()["results"])
    assert "13812345678" in mine

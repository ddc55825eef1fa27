"""Search in the residents' language (issue 16): suggestions that never fail, everyday words,
compounds, wrong characters, recorded misses and admins' synonyms."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from board import demo, search
from board.extensions import db
from board.models import AuditEntry, Thread, User
from board.search import thesaurus
from tests.browser import sign_in, until
from tests.live_server import BoardServer


@pytest.fixture
def people(make):
    return {
        "citizen": make.make_user(),
        "other": make.make_user(),
        "hukou": make.make_user("officer", unit_code="hukou"),
    }


def found_ids(client, q, **params):
    response = client.get("/api/v1/search", query_string={"q": q, **params})
    assert response.status_code == 200
    return [r["thread_id"] for r in response.get_json()["results"]]


def exact_ids(client, q):
    """The threads holding every word of the query (not the closest others shown after)."""
    response = client.get("/api/v1/search", query_string={"q": q})
    return [r["thread_id"] for r in response.get_json()["results"] if not r["partial"]]


# --- officers' suggestions never fail ---------------------------------------------------------


def test_answer_suggestions_with_many_answered_matches_do_not_fail(client, login, make, people):
    """Once more answered threads match than the suggestions keep, Whoosh skips low-scoring
    blocks; a zero-boost filter term made that divide by zero (HTTP 500 for the officer)."""
    for n in range(30):
        past = make.make_thread(people["citizen"], "hukou", title=f"身份证过期换证第{n}次",
                                body="身份证到期了要换证,派出所周六办理吗" + "换证" * (n % 5))
        make.make_post(past, people["hukou"], body="身份证换证可在周六到派出所办理。")
    new = make.make_thread(people["other"], "hukou", title="孩子16岁要换身份证,周六派出所办不办",
                           body="身份证换证周六办理吗")
    login(people["hukou"])
    response = client.get(f"/api/v1/search/similar?thread={new.id}")
    assert response.status_code == 200
    assert response.get_json()["results"]


def test_suggestions_prefer_answers_from_the_questions_own_board(client, login, make, people):
    """Two past answers match the new question alike: the one on its board comes first."""
    exit_officer = make.make_user("officer", unit_code="exit-entry")
    elsewhere = make.make_thread(people["citizen"], "exit-entry", title="证件照片要求",
                                 body="办证的照片有什么要求")
    make.make_post(elsewhere, exit_officer, body="证件照片须为近期白底免冠照片。")
    same_board = make.make_thread(people["citizen"], "hukou", title="证件照片要求",
                                  body="办证的照片有什么要求")
    make.make_post(same_board, people["hukou"], body="证件照片可在户籍窗口现场拍摄。")
    new = make.make_thread(people["other"], "hukou", title="办证的照片有什么要求",
                           body="证件照片要求")
    login(people["hukou"])
    results = client.get(f"/api/v1/search/similar?thread={new.id}").get_json()["results"]
    assert [r["thread_id"] for r in results][:2] == [same_board.id, elsewhere.id]


def test_a_question_in_residents_words_finds_the_official_thread_first(client, make, people):
    """户口迁过来要回老家吗 holds 老家 and 回, which no answer repeats: the thread about 户籍迁入
    still comes first, ahead of threads that share only a common word."""
    wanted = make.make_thread(people["citizen"], "hukou", title="户籍迁入办理说明",
                              body="持准予迁入证明到迁入地派出所即可办理,无需回原籍开具迁移证。")
    make.make_thread(people["other"], "hukou", title="老家的房子漏水怎么办", body="老家房子漏水")
    make.make_thread(people["other"], "hukou", title="户口簿丢了", body="户口簿遗失补领")
    for q in ("户口迁过来要回老家吗", "把户口从老家转过来", "迁户口"):
        assert found_ids(client, q)[0] == wanted.id, q


def test_a_written_phrase_that_shrinks_to_one_character_expands_nothing():
    """人没了 → 人 once 没 (a filler) is gone: as a key it would turn every 人 into 去世."""
    th = thesaurus.Thesaurus(["去世 死亡 人没了", "私了 自行协商", "换 > 换证"])
    assert ("人",) not in th
    assert thesaurus.expand(["人", "拍"], th) == ((("人",),), (("拍",),))
    assert ("私",) in th and ("换",) in th


# --- a new user on the demo board --------------------------------------------------------------


@pytest.fixture
def demo_board(app):
    """The demo board, indexed once (seeding commits ~300 times; indexing each is not needed)."""
    app.config["SEARCH_SYNC"] = False
    demo.seed()
    search.index(app)
    app.config["SEARCH_SYNC"] = True
    return app


def top_five(client, q) -> list[dict]:
    response = client.get("/api/v1/search", query_string={"q": q})
    assert response.status_code == 200
    return response.get_json()["results"][:5]


EVERYDAY = [
    ("驾照换证", "驾驶证到期"),
    ("户口本补办", "户口簿搬家时弄丢了"),
    ("迁户口", "户口怎么迁过来"),
    ("户口迁移", "户口怎么迁过来"),
    ("电诈", "安全账户"),
    ("无犯罪证明", "无犯罪记录证明"),
    # whole questions in a resident's words: the fillers (咋办, 要带啥, 多久) are no answer's words
    ("户口本丢了咋办", "户口簿搬家时弄丢了"),
    ("补户口本要带啥", "户口簿搬家时弄丢了"),
    ("驾照快过期了要去哪换", "驾驶证到期"),
]


def test_everyday_words_find_the_answered_thread(demo_board, client):
    """One seeded board for every query (seeding is the slow part)."""
    for q, title_part in EVERYDAY:
        found = top_five(client, q)
        assert any(title_part in r["title"] and r["official_answered"] for r in found), \
            (q, [r["title"] for r in found])


def test_every_demo_thread_gets_suggestions_without_failing(demo_board, client, login):
    officer = db.session.scalars(db.select(User).where(User.username == "hukou_wang")).one()
    login(officer, demo.DEMO_PASSWORD)
    for thread_id in db.session.scalars(db.select(Thread.id)):
        assert client.get(f"/api/v1/search/similar?thread={thread_id}").status_code == 200


# --- wrong characters ----------------------------------------------------------------------


def test_a_misspelt_query_is_corrected_with_a_visible_note(client, make, people):
    rent = make.make_thread(people["citizen"], "hukou", title="出租房屋要去派出所登记吗",
                            body="房子租出去了")
    permit = make.make_thread(people["other"], "exit-entry", title="港澳通行证怎么续签",
                              body="通行证快到期")
    data = client.get("/api/v1/search", query_string={"q": "登纪"}).get_json()
    assert [r["thread_id"] for r in data["results"]] == [rent.id]
    assert data["corrected_q"] == "登记"
    assert found_ids(client, "通行正") == [permit.id]
    html = client.get("/search", query_string={"q": "出租 登纪"}).get_data(as_text=True)
    assert "已为您搜索:<strong data-user-text>出租 登记</strong>" in html
    assert "exact=1" in html  # a link to search exactly what was typed
    exact = client.get("/api/v1/search", query_string={"q": "登纪", "exact": "1"}).get_json()
    assert exact["results"] == [] and exact["corrected_q"] is None
    # A word that is found is never "corrected".
    assert client.get("/api/v1/search", query_string={"q": "登记"}).get_json()["corrected_q"] \
        is None


# --- fuzzing: any text, any parameter ------------------------------------------------------

SEARCH_KEYS = ["q", "title", "thread", "board", "kind", "status", "answered", "time", "from",
               "to", "sort", "page", "exact"]
values = st.one_of(st.text(max_size=60), st.integers(-2**40, 2**64).map(str),
                   st.sampled_from(["", "1", "0", "hukou", "newest", "7d", "登纪", "迁户口",
                                    '"户口', "驾照 换证", "\x00", "💥" * 30, "2026-13-40"]))
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(params=st.fixed_dictionaries({}, optional={k: values for k in SEARCH_KEYS}))
def test_search_endpoints_never_fail(client, make, login, people, params):
    if not db.session.scalar(db.select(Thread.id).limit(1)):
        past = make.make_thread(people["citizen"], "hukou", title="户口迁入要什么材料",
                                body="户籍迁入登记")
        make.make_post(past, people["hukou"], body="户口迁移请带户口簿。")
        login(people["hukou"])
    for url in ("/api/v1/search", "/api/v1/search/similar", "/search"):
        response = client.get(url, query_string=params)
        assert response.status_code < 500, (url, params, response.status_code)


# --- misses and admins' synonyms ----------------------------------------------------------


def test_admin_sees_the_weeks_misses_and_a_synonym_works_at_once(client, make, login, people):
    thread = make.make_thread(people["citizen"], "traffic", title="机动车行驶证丢了怎么补领",
                              body="车辆行驶证遗失")
    assert exact_ids(client, "车本本") == []
    assert exact_ids(client, "车本本") == []
    found_ids(client, "我的电话13912345678")  # personal data is masked before it is stored
    admin = make.make_user("admin")
    login(admin)
    page = client.get("/admin/search/misses").get_data(as_text=True)
    assert "车本本" in page and "添加同义词" in page
    assert "13912345678" not in page
    response = client.post("/admin/search/synonyms", data={"words": "车本本 机动车行驶证"})
    assert response.status_code == 302
    assert exact_ids(client, "车本本") == [thread.id]
    entry = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "search.synonym")).one()
    assert entry.actor_id == admin.id and "车本本" in entry.after["line"]


def test_only_admins_add_synonyms(client, login, people):
    login(people["hukou"])
    assert client.get("/admin/search/misses").status_code == 403
    assert client.post("/admin/search/synonyms", data={"words": "a b"}).status_code in (400, 403)


# --- ask before you post on a phone -----------------------------------------------------------


def test_function_words_are_not_marked_in_snippets(client, make, people):
    """带, 到 and 办 are in most sentences: marking them buried the words that matched."""
    thread = make.make_thread(people["citizen"], "hukou", title="户口簿丢了",
                              body="户口簿丢了,请带身份证到派出所户籍窗口办理补领。")
    make.make_post(thread, people["hukou"], body="请带身份证到派出所户籍窗口办理,当场补领。")
    for url, params in (("/api/v1/search", {"q": "户口簿 带 到 派出所 办"}),
                        ("/api/v1/search/similar", {"title": "户口簿丢了带什么到派出所办"})):
        results = client.get(url, query_string=params).get_json()["results"]
        snippet = next(r["snippet"] for r in results if r["thread_id"] == thread.id)
        assert "<mark>派出所</mark>" in snippet
        for light in "到带办":
            assert f"<mark>{light}</mark>" not in snippet, snippet


def test_new_thread_page_has_a_compact_similar_panel(client, login, people):
    login(people["citizen"])
    page = client.get("/b/hukou/new").get_data(as_text=True)
    assert 'data-visible="3"' in page and "data-similar-more" in page


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    board = BoardServer(tmp_path_factory.mktemp("similar-phone"), demo=True).wait_ready()
    yield board
    board.stop()


@pytest.mark.browser
def test_similar_questions_leave_the_body_field_in_sight_on_a_phone(browser, demo_server):
    """390×844: at most three one-line titles with 「已回复」 and the board, the rest behind
    「更多」; the body field starts on the first screen."""
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
             "locale": "zh-CN"}
    _, page, errors = sign_in(browser, demo_server, "zhangjie", "demo-pass-2026", **phone)
    page.goto("/b/hukou/new")
    page.locator("input[name=title]").press_sequentially("身份证过期了怎么换", delay=30)
    until(page, "document.querySelectorAll('[data-similar-list] li').length > 0")
    items = page.locator("[data-similar-list] li")
    shown = page.locator("[data-similar-list] li:visible")
    assert 1 <= shown.count() <= 3
    assert "已回复" in shown.first.inner_text()
    assert shown.first.locator(".tag-board").inner_text()
    assert page.locator("[data-similar-list] .snippet").count() == 0
    body_top = page.locator("[name=body]").bounding_box()["y"]
    assert body_top < 844, body_top
    more = page.locator("[data-similar-more]")
    assert items.count() > 3 and more.is_visible()  # the demo has five such answered threads
    more.tap()
    assert shown.count() == items.count() and more.is_hidden()
    assert not errors, errors

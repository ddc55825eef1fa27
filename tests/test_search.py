"""Search (issue 4): Chinese done right, snippets, filters, visibility, the API, the CLI."""
from __future__ import annotations

from datetime import timedelta

import pytest

from board import search
from board.extensions import db
from board.models import Anonymous, Thread, utcnow
from board.search import analyzer
from board.services import escalation, status


@pytest.fixture
def people(make):
    return {
        "citizen": make.make_user(),
        "other": make.make_user(),
        "exit": make.make_user("officer", unit_code="exit-entry"),
        "hukou": make.make_user("officer", unit_code="hukou"),
    }


def found_ids(client, q, **params):
    response = client.get("/api/v1/search", query_string={"q": q, **params})
    assert response.status_code == 200
    return [r["thread_id"] for r in response.get_json()["results"]]


# --- the analyzer ------------------------------------------------------------------------


def test_analyzer_keeps_police_vocabulary_whole_and_folds_traditional():
    words = analyzer.terms("港澳通行證、戶口簿和駕駛證被電信詐騙分子騙走了,出入境怎麼辦")
    for word in ("港澳通行证", "户口簿", "驾驶证", "电信诈骗", "出入境"):
        assert word in words
    assert analyzer.terms("蒙B12345 电话13912345678") == ["蒙b12345", "电话", "13912345678"]


def test_index_sub_words_share_the_position_of_their_word():
    tokens = analyzer.tokenize("东河区派出所", index=True)
    positions = {t.text: t.pos for t in tokens}
    assert positions["东河区"] == positions["东河"] == 0
    assert positions["派出所"] == positions["派出"] == 1
    # Queries get precise words only: the sub-words exist at index time alone.
    assert analyzer.terms("东河区派出所") == ["东河区", "派出所"]


def test_a_conjunction_inside_a_name_is_kept_between_words_it_goes():
    assert analyzer.terms("世和安小区") == ["世", "和", "安", "小区"]
    assert analyzer.terms("地址是和美嘉小区") == ["地址", "和", "美", "嘉", "小区"]
    assert analyzer.terms("户口簿和身份证都丢了") == ["户口簿", "身份证", "丢"]


def test_estate_names_that_differ_only_by_a_conjunction_are_told_apart(client, make, people):
    """Without 和, 世和安小区 and 世安小区 would be the same words and one would drown the other."""
    wanted = make.make_thread(people["citizen"], "hukou", title="世和安小区户口簿丢了",
                              body="地址是世和安小区")
    make.make_thread(people["other"], "hukou", title="世安小区户口簿丢了", body="地址是世安小区")
    assert found_ids(client, "世和安小区 户口簿") == [wanted.id]
    assert found_ids(client, '"世和安小区"') == [wanted.id]


# --- Chinese queries ---------------------------------------------------------------------


def test_two_character_words_traditional_and_simplified(client, make, people):
    trad = make.make_thread(people["citizen"], "exit-entry", title="我的護照丟了怎麼補辦",
                            body="護照在東河區派出所附近丟失")
    simp = make.make_thread(people["other"], "hukou", title="户口簿丢了怎么补办",
                            body="搬家时户口簿弄丢了")
    noise = make.make_thread(people["other"], "environment", title="工地夜间施工噪音扰民",
                             body="打桩噪音很大")
    assert found_ids(client, "护照") == [trad.id]
    assert found_ids(client, "護照") == [trad.id]
    assert found_ids(client, "户口") == [simp.id]  # a sub-word of 户口簿
    assert found_ids(client, "戶口簿") == [simp.id]  # traditional query, simplified post
    assert found_ids(client, "噪音") == [noise.id]
    assert sorted(found_ids(client, "补办")) == sorted([trad.id, simp.id])
    assert found_ids(client, "护照 补办") == [trad.id]  # several words: all must match


def test_a_thread_lacking_one_word_follows_instead_of_a_dead_end(client, make, people):
    """A citizen writes 禁毒 where the thread says 吸毒: the estate's thread is still found."""
    wanted = make.make_thread(people["citizen"], "anti-drug",
                              title="宁汇泰小区发现有人吸毒怎么举报", body="晚上楼道里有人聚集")
    make.make_thread(people["other"], "anti-drug", title="禁毒宣传进校园", body="学校想请民警讲课")
    make.make_thread(people["other"], "hukou", title="宁汇泰小区户口迁移", body="需要什么材料")
    results = client.get("/api/v1/search", query_string={"q": "宁汇泰小区 举报 禁毒"}).get_json()
    assert [(r["thread_id"], r["partial"]) for r in results["results"]] == [(wanted.id, True)]
    html = client.get("/search", query_string={"q": "宁汇泰小区 举报 禁毒"}).get_data(as_text=True)
    assert "不含全部关键词" in html and "宁汇泰小区发现有人吸毒" in html
    assert found_ids(client, '"宁汇泰小区" 禁毒') == []  # a quoted phrase is never relaxed


def test_quoted_phrase_needs_the_words_together(client, make, people):
    together = make.make_thread(people["citizen"], "qa", title="东河区派出所几点上班",
                                body="想去东河区派出所办事")
    apart = make.make_thread(people["citizen"], "qa", title="东河区哪个派出所能办护照",
                             body="住在东河区,不知道去哪个派出所")
    assert sorted(found_ids(client, "东河区 派出所")) == sorted([together.id, apart.id])
    assert found_ids(client, '"东河区派出所"') == [together.id]


def test_plate_numbers_phones_and_english_are_findable(client, make, people):
    thread = make.make_thread(people["citizen"], "traffic", title="车辆被剐蹭肇事逃逸",
                              body="肇事车牌蒙B12345,白色SUV,目击者电话13912345678")
    trad = make.make_thread(people["citizen"], "traffic", title="車牌蒙A88888違停",
                            body="長期佔用消防通道")
    assert found_ids(client, "蒙B12345") == [thread.id]
    assert found_ids(client, "b12345") == [thread.id]
    assert found_ids(client, "13912345678") == [thread.id]
    assert found_ids(client, "suv") == [thread.id]
    assert found_ids(client, "蒙A88888") == [trad.id]


# --- snippets ----------------------------------------------------------------------------


def test_snippet_comes_from_the_official_answer_highlighted_and_escaped(client, make, people):
    thread = make.make_thread(people["citizen"], "exit-entry", title="护照能加急吗",
                              body="下个月出国 <b>急用</b>")
    make.make_post(thread, people["exit"],
                   body="可以加急。<script>alert('x')</script> 请带录取通知书办理护照加急。")
    api = client.get("/api/v1/search", query_string={"q": "加急"}).get_json()
    snippet = api["results"][0]["snippet"]
    assert "<mark>加急</mark>" in snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    page = client.get("/search", query_string={"q": "<script>加急"}).get_data(as_text=True)
    assert "<script>alert" not in page
    assert "<mark>加急</mark>" in page and "民警回复" in page


def test_a_highlighted_term_cannot_inject_markup(client, make, people):
    make.make_thread(people["citizen"], "qa", title="网页显示异常 img 标签",
                     body='内容 <img src=x onerror=alert(1)> 显示 img')
    page = client.get("/search", query_string={"q": "<img src=x onerror=alert(1)>"})
    html = page.get_data(as_text=True)
    assert "<img src=x" not in html
    assert "<mark>img</mark>" in html


# --- filters, sorting, pages, empty states -----------------------------------------------


def test_filters_board_kind_answered_status_and_time(client, make, people):
    hukou_q = make.make_thread(people["citizen"], "hukou", kind="question",
                               title="居住证怎么办理", body="居住证需要什么材料")
    make.make_post(hukou_q, people["hukou"], body="带身份证和租房合同到派出所办理居住证。")
    qa_help = make.make_thread(people["citizen"], "qa", kind="help",
                               title="居住证丢了求助", body="居住证丢了")
    old = make.make_thread(people["citizen"], "qa", kind="question",
                           title="居住证过期了怎么办", body="居住证过期")
    old.created_at = utcnow() - timedelta(days=400)
    db.session.commit()
    assert sorted(found_ids(client, "居住证")) == sorted([hukou_q.id, qa_help.id, old.id])
    assert found_ids(client, "居住证", board="hukou") == [hukou_q.id]
    assert found_ids(client, "居住证", kind="help") == [qa_help.id]
    assert found_ids(client, "居住证", answered="1") == [hukou_q.id]
    assert found_ids(client, "居住证", status="answered") == [hukou_q.id]
    assert sorted(found_ids(client, "居住证", time="30d")) == sorted([hukou_q.id, qa_help.id])
    assert found_ids(client, "居住证", sort="newest")[-1] == old.id


def test_a_status_filter_finds_the_thread_after_every_move(client, make, people):
    """Escalate, dispatch, handle, resolve: after each move the status filter finds the thread
    under its new status and no longer under the old one (issue 15, item 16)."""
    officer = make.make_user("officer", unit_code="station-nanmen")  # answers the report board
    leader, dispatcher = make.make_user("leader"), make.make_user("dispatcher")
    thread = make.make_thread(people["citizen"], "report", kind="report",
                              title="夜里有人砸车窗", body="停车场连续几晚有人砸车窗")
    assert found_ids(client, "砸车窗", status="awaiting_reply") == [thread.id]
    escalation.escalate(officer, thread, "需要出警核查")
    steps = [("escalated", None),
             ("dispatched", lambda: escalation.dispatch(dispatcher, thread, "station-nanmen")),
             ("handling", lambda: status.change(leader, thread, "handling")),
             ("resolved", lambda: status.change(leader, thread, "resolved"))]
    before = "awaiting_reply"
    for to, act in steps:
        if act is not None:
            act()
        assert found_ids(client, "砸车窗", status=to) == [thread.id], to
        assert found_ids(client, "砸车窗", status=before) == [], before
        before = to


def test_pagination_returns_every_thread_once(client, make, people):
    ids = {make.make_thread(people["citizen"], "qa", title=f"无犯罪记录证明第{n}问",
                            body="开无犯罪记录证明").id for n in range(25)}
    first = client.get("/api/v1/search", query_string={"q": "无犯罪记录证明"}).get_json()
    second = client.get("/api/v1/search",
                        query_string={"q": "无犯罪记录证明", "page": 2}).get_json()
    assert first["total"] == 25 and first["pages"] == 2
    got = [r["thread_id"] for r in first["results"] + second["results"]]
    assert len(got) == 25 and set(got) == ids
    page2 = client.get("/search", query_string={"q": "无犯罪记录证明", "page": 2})
    assert "第 2 / 2 页" in page2.get_data(as_text=True)


def test_empty_and_no_hit_states_help(client, make, people):
    make.make_thread(people["citizen"], "qa", title="身份证异地换领", body="可以吗")
    empty = client.get("/search").get_data(as_text=True)
    assert "按版块浏览" in empty
    none = client.get("/search", query_string={"q": "火星 签证 加急 办理 流程"})
    html = none.get_data(as_text=True)
    assert "没有找到" in html and "少用几个词" in html and "按版块浏览" in html
    assert 'name="q"' in client.get("/").get_data(as_text=True)  # the box on every page


# --- visibility: list, snippet, similar, API ---------------------------------------------


@pytest.fixture
def secret(make, people):
    """A public answered thread, a police-only thread, and a hidden reply with a secret word."""
    public = make.make_thread(people["citizen"], "report", kind="report",
                              title="小区门口有人卖假证", body="每天早上在门口")
    station = make.make_user("officer", unit_code="station-nanmen")  # answers the report board
    make.make_post(public, station, body="已转交辖区派出所核查假证线索。")
    hidden_reply = make.make_post(public, people["other"], body="卖假证的人叫喀什噶尔")
    hidden_reply.hidden = True
    db.session.commit()
    police_only = make.make_thread(people["citizen"], "report", kind="report",
                                   title="举报假证窝点线索", body="假证窝点在鸿运宾馆",
                                   visibility="police_only")
    make.make_post(police_only, people["hukou"], body="线索已收到,正在核查假证窝点。")
    return public, police_only


def test_police_only_never_in_public_list_or_api(client, login, make, people, secret):
    public, police_only = secret
    assert found_ids(client, "假证") == [public.id]
    assert found_ids(client, "鸿运宾馆") == []
    login(people["other"])  # a signed-in citizen who is not the author
    assert found_ids(client, "假证") == [public.id]
    html = client.get("/search", query_string={"q": "假证"}).get_data(as_text=True)
    assert "举报假证窝点线索" not in html and "鸿运宾馆" not in html
    login(people["exit"])
    assert sorted(found_ids(client, "假证")) == sorted([public.id, police_only.id])


def test_hidden_reply_never_matches_or_shows_in_a_snippet(client, make, people, secret):
    public, _ = secret
    assert found_ids(client, "喀什噶尔") == []
    snippets = [r["snippet"] for r in
                client.get("/api/v1/search", query_string={"q": "假证"}).get_json()["results"]]
    assert snippets and not any("喀什噶尔" in s for s in snippets)


def test_police_only_never_in_similar_questions(client, login, make, people, secret):
    public, police_only = secret
    response = client.get("/api/v1/search/similar", query_string={"title": "假证窝点线索举报"})
    ids = [r["thread_id"] for r in response.get_json()["results"]]
    assert police_only.id not in ids
    assert public.id in ids


def test_visibility_change_updates_the_index(client, make, people):
    thread = make.make_thread(people["citizen"], "qa", title="电动车被盗怎么报警",
                              body="楼下电动车被盗")
    assert found_ids(client, "电动车") == [thread.id]
    thread.visibility = "police_only"  # any service's change goes through the flush hook
    db.session.commit()
    assert found_ids(client, "电动车") == []
    db.session.delete(thread)
    db.session.commit()
    assert search.backend().fingerprints().get(thread.id) is None


# --- similar questions and officers' answer suggestions -----------------------------------


def test_similar_shows_answered_threads_only(client, make, people):
    answered = make.make_thread(people["citizen"], "exit-entry", title="护照过期了怎么换发",
                                body="护照去年过期")
    make.make_post(answered, people["exit"], body="护照过期可直接申请换发,带身份证即可。")
    make.make_thread(people["other"], "exit-entry", title="护照过期能换发吗", body="没人回")
    data = client.get("/api/v1/search/similar",
                      query_string={"title": "護照過期了"}).get_json()
    assert [r["thread_id"] for r in data["results"]] == [answered.id]
    assert data["results"][0]["official_answered"] is True


def test_officer_gets_past_answers_to_insert(client, login, make, people):
    past = make.make_thread(people["citizen"], "hukou", title="新生儿怎么上户口",
                            body="孩子刚出生")
    make.make_post(past, people["hukou"], body="携带出生证明、父母户口簿和身份证到派出所办理。")
    new = make.make_thread(people["other"], "hukou", title="宝宝出生了如何上户口",
                           body="新生儿上户口要什么")
    url = f"/api/v1/search/similar?thread={new.id}"
    assert client.get(url).status_code == 403  # suggestions are an officers' tool
    login(people["hukou"])
    data = client.get(url).get_json()
    assert data["results"][0]["thread_id"] == past.id
    assert "出生证明" in data["results"][0]["answer"]["body"]
    page = client.get(f"/t/{new.id}").get_data(as_text=True)
    assert "data-answer-suggestions" in page


def test_officers_suggested_answers_never_come_from_police_only_or_hidden_threads(
        client, login, make, people):
    """The one-tap answer goes into a reply that at least a citizen (the asker) reads: only
    public, visible answers may be suggested, whoever asks and on whatever thread (item 14)."""
    public = make.make_thread(people["citizen"], "hukou", title="身份证丢了怎么补办",
                              body="身份证丢失")
    make.make_post(public, people["hukou"], body="身份证补办请带户口簿到户政窗口办理。")
    secret = make.make_thread(people["citizen"], "hukou", title="身份证丢了被人冒用补办",
                              body="身份证丢失被冒用", visibility="police_only")
    make.make_post(secret, people["hukou"], body="嫌疑人王某已控制,身份证补办线索移交刑侦。")
    hidden = make.make_thread(people["citizen"], "hukou", title="身份证丢了补办被拒",
                              body="身份证丢失补办")
    make.make_post(hidden, people["hukou"], body="内部核查:补办被拒因涉案身份证冻结。")
    hidden.hidden = True
    db.session.commit()
    login(people["hukou"])
    for asker in ("public", "police_only"):
        target = make.make_thread(people["other"], "hukou", title="身份证丢了如何补办",
                                  body="身份证丢失补办", visibility=asker)
        data = client.get(f"/api/v1/search/similar?thread={target.id}").get_json()
        ids = [r["thread_id"] for r in data["results"]]
        answers = " ".join(r["answer"]["body"] for r in data["results"])
        assert ids == [public.id], asker
        assert "王某" not in answers and "内部核查" not in answers, asker


def test_new_thread_form_has_the_similar_panel(client, login, people):
    login(people["citizen"])
    html = client.get("/b/hukou/new").get_data(as_text=True)
    assert "这些已回答的问题可能对您有帮助" in html and "js/search.js" in html


# --- freshness ---------------------------------------------------------------------------


def test_a_reply_is_searchable_right_after_posting(client, make, people):
    thread = make.make_thread(people["citizen"], "traffic", title="驾驶证到期换证",
                              body="下个月到期")
    assert found_ids(client, "体检") == []
    make.make_post(thread, people["hukou"], body="年满70周岁需提交身体条件证明,也就是体检。")
    assert found_ids(client, "体检") == [thread.id]


def test_search_page_without_query_and_anonymous_viewer(app, make, people):
    make.make_thread(people["citizen"], "qa", title="出入境业务周末上班吗", body="周六")
    page = search.query(Anonymous(), "出入境")
    assert page.total == 1 and page.results[0].thread.title.startswith("出入境")
    assert search.query(Anonymous(), "   ").total == 0
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 1




def test_a_hidden_thread_leaves_public_results_but_police_still_find_it(client, login, make,
                                                                         people):
    thread = make.make_thread(people["citizen"], "qa", title="出租屋消防检查怎么预约",
                              body="想预约消防检查")
    assert found_ids(client, "消防检查") == [thread.id]
    thread.hidden = True  # e.g. an officer hid it, or the word list held it
    db.session.commit()
    assert found_ids(client, "消防检查") == []
    login(people["hukou"])
    assert found_ids(client, "消防检查") == [thread.id]


def test_a_thread_its_officer_resolves_is_found_under_the_resolved_filter(client, make, people):
    """Status moves are guarded UPDATE statements, not ORM attribute changes: the index hears of
    them too, or 已解决 would miss the thread and 已答复 would still list it."""
    thread = make.make_thread(people["citizen"], "hukou", title="居住证到期怎么续签",
                              body="居住证下个月到期")
    make.make_post(thread, people["hukou"], body="带身份证到派出所续签即可。")
    assert found_ids(client, "续签", status="answered") == [thread.id]
    status.change(people["hukou"], thread, "resolved")
    assert found_ids(client, "续签", status="resolved") == [thread.id]
    assert found_ids(client, "续签", status="answered") == []

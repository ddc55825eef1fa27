"""Issue 18, the police desk: the unit's work list (tabs 待回复 / 待处置 / 督办 / 已超时, page and
API, live), who answered (领导回复 / 协助回复, 作为正式答复, credited response times), and the
deadlines in view (time left, colours, configured holiday years, start-up warning)."""
from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from board import sla, startup
from board.extensions import db
from board.models import Thread, ThreadStatus, utcnow
from board.queries import leader
from board.services import boards, escalation, posting, status, supervision
from tests.test_live import events, sio

pytestmark = pytest.mark.usefixtures("no_search_indexing")
S = ThreadStatus


def _inbox(client, tab=None):
    response = client.get("/api/v1/inbox" + (f"?tab={tab}" if tab else ""))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _ids(data) -> list[int]:
    return [t["id"] for t in data["threads"]]


# --- the station's 待处置: from dispatch to resolution --------------------------------------


def test_a_dispatched_incident_is_in_the_stations_handling_tab_until_resolved(
        app, client, make, login):
    asker = make.make_user()
    desk = make.make_user("officer", unit_code="online-desk")
    dispatcher = make.make_user("dispatcher", real_name="李晓燕")
    kunhe = make.make_user("officer", unit_code="station-kunhe", real_name="陈志强")
    other_station = make.make_user("officer", unit_code="station-nanmen")
    thread = make.make_thread(asker, "qa", kind="help", title="楼下有人持续砸车窗",
                              body="昆河小区 3 号楼下有人在砸车窗,已经砸了好几辆。",
                              location="昆区昆河小区3号楼")
    escalation.escalate(desk, thread, "现行案件,需出警", "urgent")
    station_socket = sio(app, client=login(kunhe))
    events(station_socket)  # drop the connect chatter

    escalation.dispatch(dispatcher, thread, "station-kunhe", "请带执法记录仪,注意安全")
    pushed = [d["thread"]["id"] for _, d in events(station_socket, "thread_updated")]
    assert thread.id in pushed  # the station's open page hears of it at once

    data = _inbox(client, "handling")
    assert _ids(data) == [thread.id] and data["counts"]["handling"] == 1
    row = data["threads"][0]
    assert row["incident_no"].startswith("JQ") and row["location"] == "昆区昆河小区3号楼"
    assert row["dispatch"]["urgency"] == "urgent" and row["dispatch"]["urgency_label"] == "紧急"
    assert row["dispatch"]["note"] == "请带执法记录仪,注意安全"
    assert row["dispatch"]["dispatched_by"]["real_name"] == "李晓燕"
    assert _inbox(client)["tab"] == "awaiting"  # no tab: the 待回复 list, as before

    page = client.get("/inbox?tab=handling").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert title.startswith("(1) 待处置")
    for shown in (row["incident_no"], "紧急", "昆区昆河小区3号楼", "请带执法记录仪,注意安全"):
        assert shown in page
    assert re.search(r'data-tab-count="handling"[^>]*>1<', page)

    client.post("/logout")
    login(other_station)  # another station's officers do not get it
    assert _ids(_inbox(client, "handling")) == []
    client.post("/logout")
    login(kunhe)

    status.change(kunhe, thread, S.HANDLING, "已到达现场")
    assert _ids(_inbox(client, "handling")) == [thread.id]
    status.change(kunhe, thread, S.RESOLVED, "嫌疑人已控制")
    data = _inbox(client, "handling")
    assert _ids(data) == [] and data["counts"]["handling"] == 0
    assert f'data-thread-id="{thread.id}"' not in client.get("/inbox?tab=handling").get_data(
        as_text=True)
    assert client.get("/api/v1/inbox?tab=bogus").status_code == 400


def test_supervised_and_overdue_tabs(client, make, login):
    officer = make.make_user("officer", unit_code="hukou")
    leader_user = make.make_user("leader")
    watched = make.make_thread(board_slug="hukou", title="户口迁移材料被退回三次")
    late = make.make_thread(board_slug="hukou", title="补办身份证一直没人回")
    late.sla_due_at = utcnow() - timedelta(minutes=5)
    elsewhere = make.make_thread(board_slug="traffic", title="违章处理咨询")
    elsewhere.sla_due_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    supervision.supervise(leader_user, watched, "请今日内答复群众")

    login(officer)
    assert _ids(_inbox(client, "supervised")) == [watched.id]
    assert _ids(_inbox(client, "overdue")) == [late.id]
    counts = _inbox(client)["counts"]
    assert counts == {"awaiting": 2, "handling": 0, "supervised": 1, "overdue": 1}
    assert "请今日内答复群众" in client.get("/inbox?tab=supervised").get_data(as_text=True)


# --- who answered ---------------------------------------------------------------------------


def test_a_leaders_reply_leaves_the_thread_awaiting_the_units_answer(client, make, login):
    asker = make.make_user()
    leader_user = make.make_user("leader", real_name="高振华")
    helper = make.make_user("officer", unit_code="traffic", real_name="赵磊")
    officer = make.make_user("officer", unit_code="hukou", real_name="王海峰")
    thread = make.make_thread(asker, "hukou", title="新生儿落户要带哪些材料")
    thread.created_at = utcnow() - timedelta(minutes=90)
    db.session.commit()

    led = posting.reply(leader_user, thread, "已请户政支队尽快答复您。")
    helped = posting.reply(helper, thread, "交警这边补充:车辆登记不受影响。")
    db.session.refresh(thread)
    assert thread.status == S.AWAITING_REPLY and thread.first_response_at is None
    assert not thread.has_official_reply
    assert (led.answer_role, led.formal_answer) == ("leader", False)
    assert (helped.answer_role, helped.formal_answer) == ("assist", False)

    login(officer)
    assert thread.id in _ids(_inbox(client))  # still in the unit's inbox
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "领导回复" in page and "协助回复" in page
    assert 'name="formal_answer"' not in page  # the unit's own reply is always the answer
    api_posts = client.get(f"/api/v1/threads/{thread.id}").get_json()["posts"]
    assert [(p["answer_role"], p["formal_answer"]) for p in api_posts] == [
        ("leader", False), ("assist", False)]

    response = client.post(f"/api/v1/threads/{thread.id}/posts",
                           json={"body": "您好,带出生医学证明和父母户口簿即可办理。"})
    assert response.status_code == 201
    db.session.refresh(thread)
    assert thread.status == S.ANSWERED and thread.first_responder_id == officer.id
    assert thread.id not in _ids(_inbox(client))
    client.post("/logout")

    login(make.make_user("admin"))
    figures = leader.figures(make.make_user("leader"))
    units = {row["key"]: row for row in figures["per_unit"]}
    assert units["hukou"]["answered"] == 1 and "city-bureau" not in units
    assert units["hukou"]["first_response_median"] >= 90 * 60  # from the unit's answer


def test_marked_formal_a_leaders_reply_answers_and_is_credited_to_the_leaders_unit(
        client, make, login):
    leader_user = make.make_user("leader", real_name="高振华")
    thread = make.make_thread(board_slug="hukou", title="户籍窗口电话打不通")
    login(leader_user)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert 'name="formal_answer"' in page and "作为正式答复" in page

    response = client.post(f"/t/{thread.id}/reply", data={
        "body": "已核实,户籍窗口电话今起恢复,给您添麻烦了。", "formal_answer": "y"})
    assert response.status_code == 302
    db.session.refresh(thread)
    assert thread.status == S.ANSWERED and thread.has_official_reply
    assert thread.first_response_unit_id == leader_user.unit_id
    assert "领导回复 · 正式答复" in client.get(f"/t/{thread.id}").get_data(as_text=True)
    units = {r["key"] for r in leader.figures(leader_user)["per_unit"]}
    assert units == {"city-bureau"}

    # Another unit's officer over the API; a resident's flag means nothing.
    helper = make.make_user("officer", unit_code="traffic")
    other = make.make_thread(board_slug="hukou")
    citizen = make.make_user()
    assert posting.reply(citizen, other, "我也想知道", formal=True).formal_answer is False
    client.post("/logout")
    login(helper)
    response = client.post(f"/api/v1/threads/{other.id}/posts",
                           json={"body": "这个问题交警也能答复:可以办理。", "formal_answer": True})
    assert response.get_json()["post"]["formal_answer"] is True
    db.session.refresh(other)
    assert other.status == S.ANSWERED and other.first_response_unit_id == helper.unit_id


# --- deadlines in view ----------------------------------------------------------------------


def test_the_countdown_turns_amber_then_red(make):
    thread = make.make_thread(board_slug="report", kind="report")  # 30 minutes, around the clock
    due = thread.sla_due_at
    seen = {minutes: sla.deadline(thread, due - timedelta(minutes=minutes))
            for minutes in (25, 8, 0, -65)}
    assert (seen[25].text, seen[25].level) == ("还剩 25 分钟", "ok")
    assert (seen[8].text, seen[8].level) == ("还剩 8 分钟", "soon")
    assert seen[0].level == "late" and seen[-65].text == "已超时 1 小时 5 分钟"
    assert sla.span_words(2 * 86400 + 3 * 3600) == "2 天 3 小时"
    posting.reply(make.make_user("officer", unit_code="station-nanmen"), thread, "已收到,核实中")
    assert sla.deadline(thread) is None  # answered: the clock stops


def test_inbox_and_thread_show_the_due_time_in_beijing_time(client, make, login):
    officer = make.make_user("officer", unit_code="hukou")
    thread = make.make_thread(board_slug="hukou")
    thread.sla_due_at = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)  # 14:30 in Beijing
    db.session.commit()
    login(officer)
    for page in (client.get("/inbox").get_data(as_text=True),
                 client.get(f"/t/{thread.id}").get_data(as_text=True)):
        assert "12月1日 14:30 前答复" in page and "data-deadline" in page
    client.post("/logout")
    assert "data-deadline" not in client.get(f"/t/{thread.id}").get_data(as_text=True)


@pytest.fixture
def calendar_config(app, tmp_path):
    """A boards_config.yaml with next year's holidays; the real file's calendar restored after."""
    source = open(app.config["BOARDS_CONFIG"], encoding="utf-8").read()
    path = tmp_path / "boards.yaml"
    path.write_text(source + "\ncalendar:\n  2027:\n"
                    "    holidays: [2027-01-01, \"2027-02-06..2027-02-13\"]\n"
                    "    workdays: [2027-01-02]\n", encoding="utf-8")
    yield path
    boards.configure_calendar(app.config["BOARDS_CONFIG"])


def test_next_years_holidays_from_the_configuration(app, calendar_config, caplog, monkeypatch):
    # Thursday 31 Dec 2026, 17:00 Beijing; 240 working minutes: 30 that day, then New Year's
    # Day off, then Saturday 2 January worked (调休) from 08:30: due at 12:00.
    start = datetime(2026, 12, 31, 9, 0, tzinfo=UTC)
    unconfigured = sla.due_at(start, 240, sla.WORKING)
    assert unconfigured.astimezone(sla.BEIJING) == datetime(2027, 1, 1, 12, 0, tzinfo=sla.BEIJING)
    assert sla.missing_years(date(2026, 12, 1)) == [2027]
    monkeypatch.setattr(startup.log, "disabled", False)  # alembic's fileConfig disables it
    with caplog.at_level(logging.WARNING, logger="board.startup"):
        startup._warn_missing_holidays()
    assert "2027" in caplog.text and "calendar" in caplog.text

    boards.sync(str(calendar_config))
    due = sla.due_at(start, 240, sla.WORKING).astimezone(sla.BEIJING)
    assert due == datetime(2027, 1, 2, 12, 0, tzinfo=sla.BEIJING)
    assert not sla.is_working_day(date(2027, 1, 1)) and sla.is_working_day(date(2027, 1, 2))
    assert sla.missing_years(date(2026, 12, 1)) == []

    bad = calendar_config.read_text(encoding="utf-8").replace("2027-01-02]", "下周六]")
    calendar_config.write_text(bad, encoding="utf-8")
    with pytest.raises(boards.BoardsConfigError, match=r"line \d+: calendar 2027: '下周六'"):
        boards.load(str(calendar_config))


def test_reopened_thread_and_thread_model(make):
    """The due time shown is the stored target: the same moment the overdue rule uses."""
    thread = make.make_thread(board_slug="report", kind="report")
    now = thread.sla_due_at + timedelta(seconds=1)
    assert sla.is_overdue(thread, now) and sla.deadline(thread, now).level == "late"
    stored = db.session.get(Thread, thread.id)
    assert sla.deadline(stored, now).due_at == stored.sla_due_at

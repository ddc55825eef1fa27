"""Jurisdictions and places (issue 18): boards_config.yaml's 辖区 loaded and checked, residents
pick a district, street or community when they post (page and API), the thread stores and shows
it, and the command centre is offered the station whose 辖区 holds it — preselected, with the
reason — while a thread without such a station preselects nothing."""
from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
import yaml

from board import jurisdictions, urgency
from board.config import ROOT
from board.extensions import db
from board.models import Place, Thread, Unit, UnitKind
from board.services import boards, escalation

NO_INDEXING = pytest.mark.usefixtures("no_search_indexing")  # these tests never search

CONFIG = yaml.safe_load((ROOT / "boards_config.yaml").read_text(encoding="utf-8"))


def _station_communities() -> dict[str, tuple[str, str]]:
    """Each demo station → (code, name) of the first community in its 辖区, read from the file."""
    found: dict[str, tuple[str, str]] = {}
    for district in CONFIG["places"]:
        for street in district["streets"]:
            for community in street.get("communities", []):
                station = community.get("station") or street.get("station") or district.get(
                    "station")
                found.setdefault(station, (community["code"], community["name"]))
    return found


def _post(client, make, citizen, place=None, title="小区车库有人拉车门", board="report"):
    body = {"kind": "report", "title": title, "body": "刚才看到两个人挨个拉车门,请派人看看。"}
    if place is not None:
        body["place"] = place
    return client.post(f"/api/v1/boards/{board}/threads", json=body, headers=make.bearer(citizen))


def _escalated(client, make, citizen, officer, place=None) -> int:
    response = _post(client, make, citizen, {"code": place} if place else None)
    assert response.status_code == 201, response.get_json()
    thread = db.session.get(Thread, response.get_json()["thread"]["id"])
    escalation.escalate(officer, thread, "需要派警核查", "urgent")
    return thread.id


def _selected(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select #{select_id}"
    return re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', select.group(1))


@NO_INDEXING
def test_every_demo_station_has_a_jurisdiction_and_is_suggested_from_it(app, make, client,
                                                                         login):
    stations = {u.code: u.name for u in db.session.scalars(
        db.select(Unit).where(Unit.kind == UnitKind.STATION))}
    communities = _station_communities()
    assert set(communities) == set(stations), "every demo station needs its 辖区 in the config"

    citizen, officer = make.make_user(), make.make_user("officer", unit_code="command-110")
    threads = {code: _escalated(client, make, citizen, officer, community)
               for code, (community, _name) in communities.items()}

    dispatcher = make.make_user("dispatcher")
    queue = client.get("/api/v1/command-centre/queue", headers=make.bearer(dispatcher)).get_json()
    rows = {row["id"]: row for row in queue["waiting"]}
    login(dispatcher)
    page = client.get("/command/").get_data(as_text=True)
    for station, thread_id in threads.items():
        name = communities[station][1]
        reason = f"根据发帖位置:{name}属{stations[station]}辖区"
        assert rows[thread_id]["suggested_unit"] == {
            "code": station, "name": stations[station], "reason": reason}
        assert rows[thread_id]["place"]["station"]["code"] == station
        assert _selected(page, f"unit-{thread_id}") == [station]  # preselected in the queue
        assert reason in page
        shown = client.get(f"/t/{thread_id}").get_data(as_text=True)  # and on the thread page
        assert _selected(shown, "dispatch-unit") == [station] and reason in shown

    # One action dispatches to the suggested station.
    station, thread_id = next(iter(threads.items()))
    client.post(f"/t/{thread_id}/dispatch", data={"unit": station})
    assert db.session.get(Thread, thread_id).dispatched_unit.code == station


@NO_INDEXING
def test_a_street_suggests_its_station_only_when_one_station_holds_all_of_it(app, make, client,
                                                                             login):
    citizen, officer = make.make_user(), make.make_user("officer", unit_code="command-110")
    whole = _escalated(client, make, citizen, officer, "150202001")  # 南门外街道: 南门外所
    split = _escalated(client, make, citizen, officer, "150202002")  # 和平路街道: two stations
    district = _escalated(client, make, citizen, officer, "150202")  # 东河区: two stations
    login(make.make_user("dispatcher"))
    page = client.get("/command/").get_data(as_text=True)
    assert _selected(page, f"unit-{whole}") == ["station-nanmen"]
    assert "根据发帖位置:南门外街道属东河区南门外派出所辖区" in page
    for thread_id in (split, district):
        assert _selected(page, f"unit-{thread_id}") == [""]  # nothing preselected
    assert "东河区 · 和平路街道(不在单一派出所辖区内)" in page


@NO_INDEXING
def test_without_a_place_nothing_defaults_to_the_first_unit(app, make, client, login):
    citizen, officer = make.make_user(), make.make_user("officer", unit_code="command-110")
    thread_id = _escalated(client, make, citizen, officer)
    dispatcher = make.make_user("dispatcher")
    row = client.get("/api/v1/command-centre/queue", headers=make.bearer(dispatcher)).get_json()
    assert [r["suggested_unit"] for r in row["waiting"] if r["id"] == thread_id] == [None]

    login(dispatcher)
    page = client.get("/command/").get_data(as_text=True)
    assert _selected(page, f"unit-{thread_id}") == [""]
    assert "发帖人未选择所在社区" in page
    shown = client.get(f"/t/{thread_id}").get_data(as_text=True)
    assert _selected(shown, "dispatch-unit") == [""]

    # Sent without picking: refused with the reason, the thread still waits.
    response = client.post(f"/t/{thread_id}/dispatch", data={"unit": ""}, follow_redirects=True)
    assert "请选择派往的单位" in response.get_data(as_text=True)
    assert db.session.get(Thread, thread_id).status == "escalated"


@NO_INDEXING
def test_escalation_form_shows_the_station_the_command_centre_will_be_offered(app, make, client,
                                                                              login):
    citizen = make.make_user()
    placed = _post(client, make, citizen, {"code": "150203002001"}).get_json()["thread"]["id"]
    bare = _post(client, make, citizen).get_json()["thread"]["id"]
    login(make.make_user("officer", unit_code="station-kunhe"))
    page = client.get(f"/t/{placed}").get_data(as_text=True)
    assert 'data-escalation-suggestion="station-kunhe"' in page
    assert "根据发帖位置:昆河公园社区属昆区昆河派出所辖区" in page
    page = client.get(f"/t/{bare}").get_data(as_text=True)
    assert 'data-escalation-suggestion=""' in page and "指挥中心需自行选择派往单位" in page


@NO_INDEXING
def test_the_places_api_serves_the_picker_and_is_cacheable(app, client):
    response = client.get("/api/v1/places")
    assert response.status_code == 200
    data = response.get_json()
    places = {p["code"]: p for p in data["places"]}
    assert [p["name"] for p in data["places"] if p["level"] == "district"] == [
        "东河区", "青山区", "昆区"]
    happy = places["150204002002"]
    assert happy["path"] == ["青山区", "富强路街道", "幸福社区"]
    assert happy["parent"] == "150204002" and "阳光花园" in happy["aliases"]
    assert happy["station"] == {"code": "station-fuqiang", "name": "青山区富强路派出所"}
    assert isinstance(happy["lat"], float) and isinstance(happy["lng"], float)
    assert places["150202002"]["station"] is None  # split between two stations
    assert all(p["station"] for p in data["places"] if p["level"] == "community")
    assert data["nearest_max_m"] > 0

    assert "public" in response.headers["Cache-Control"]
    again = client.get("/api/v1/places", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data()


@NO_INDEXING
def test_thread_form_stores_and_shows_the_place(app, make, client, login):
    login(make.make_user(nickname="青山老李"))
    page = client.get("/b/report/new")
    html = page.get_data(as_text=True)
    assert ('<option value="150204002002" data-user-text>富强路街道 · 幸福社区</option>'
            in html)  # the no-JS list; place names are data, not interface words
    assert "geolocation=(self)" in page.headers["Permissions-Policy"]  # 「使用我的位置」
    assert "geolocation=()" in client.get("/").headers["Permissions-Policy"]

    response = client.post("/b/report/new", data={
        "kind": "report", "title": "小区门口井盖丢了",
        "body": "幸福家园北门的井盖没了,晚上很危险。", "location": "幸福家园北门",
        "place": "150204002002"})
    assert response.status_code == 302
    thread = db.session.scalar(db.select(Thread).where(Thread.title == "小区门口井盖丢了"))
    assert db.session.get(Place, thread.place_id).name == "幸福社区"
    assert thread.location == "幸福家园北门"  # the free text stays beside it

    shown = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert 'data-thread-place="150204002002"' in shown
    assert "青山区 · 富强路街道 · 幸福社区" in shown and "青山区富强路派出所辖区" in shown
    client.get("/logout")
    anonymous = app.test_client().get(f"/t/{thread.id}").get_data(as_text=True)
    assert "青山区 · 富强路街道 · 幸福社区" in anonymous

    # An unknown code is refused with the reason; what was typed is shown again.
    login(make.make_user())
    refused = client.post("/b/report/new", data={
        "kind": "report", "title": "路灯坏了一整排", "body": "科学路这一段路灯全灭了。",
        "place": "150299999999"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "请从列表中选择所在的区、街道或社区" in text and "路灯坏了一整排" in text


@NO_INDEXING
def test_the_api_takes_and_returns_the_structured_place(app, make, client):
    citizen = make.make_user()
    response = _post(client, make, citizen, {"code": "150202001003"})
    assert response.status_code == 201
    place = response.get_json()["thread"]["place"]
    assert place["code"] == "150202001003"
    assert place["label"] == "东河区 · 南门外街道 · 巴彦塔拉社区"
    thread = client.get(f"/api/v1/threads/{response.get_json()['thread']['id']}").get_json()
    assert thread["thread"]["place"]["station"]["code"] == "station-nanmen"
    assert _post(client, make, citizen).get_json()["thread"]["place"] is None

    for bad in ({"code": "150299999999"}, {"code": "东河区"}, {"id": 3}, "150202", [1]):
        refused = _post(client, make, citizen, bad)
        assert refused.status_code == 400, bad
        assert "place" in refused.get_json()["error"]["fields"], bad


@NO_INDEXING
def test_sync_keeps_places_by_code_and_keeps_a_removed_one_for_its_threads(app, make, client,
                                                                          tmp_path):
    citizen = make.make_user()
    thread_id = _post(client, make, citizen, {"code": "150203001002"}).get_json()["thread"]["id"]
    data = yaml.safe_load((ROOT / "boards_config.yaml").read_text(encoding="utf-8"))
    streets = data["places"][2]["streets"]
    streets[0]["communities"][1]["name"] = "友谊新村社区"  # renamed
    streets[0]["communities"][1]["station"] = "station-kunhe"  # and moved to another station
    del streets[1]["communities"][2]  # 少先路社区 dropped
    path = tmp_path / "boards.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    result = boards.sync(str(path))
    assert result.places == 29
    assert boards.sync(str(path)).places == 29  # idempotent
    thread = client.get(f"/api/v1/threads/{thread_id}").get_json()["thread"]
    assert thread["place"]["name"] == "友谊新村社区"
    assert thread["place"]["station"]["code"] == "station-kunhe"
    assert client.get("/api/v1/places").get_json()["places"][-1]["name"] == "团结社区"
    gone = db.session.scalar(db.select(Place).where(Place.code == "150203002003"))
    assert gone is not None and not gone.active
    assert _post(client, make, citizen, {"code": "150203002003"}).status_code == 400
    # 阿尔丁街道 is now split between two stations: no suggestion for the street as a whole.
    street = client.get("/api/v1/places").get_json()["places"]
    assert [p["station"] for p in street if p["code"] == "150203001"] == [None]


@pytest.mark.parametrize(("change", "problem"), [
    (lambda d: d["places"][0].update(code="15020"), "6-digit 区划代码"),
    (lambda d: d["places"][0]["streets"][0].update(code="150299001"), "must start with"),
    (lambda d: d["places"][0]["streets"][0].update(station="station-nowhere"), "unknown unit"),
    (lambda d: d["places"][0]["streets"][0].update(station="command-110"), "辖区 belongs to"),
    (lambda d: d["places"][0]["streets"][0]["communities"][0].pop("lng"), "both 'lat' and 'lng'"),
    (lambda d: d["places"][0]["streets"][0]["communities"][0].update(lat=400), "degrees"),
    (lambda d: d["places"][0]["streets"][1].update(code="150202001"), "duplicate place code"),
    (lambda d: d["places"][0]["streets"][0].update(communitys=[]), "unknown key 'communitys'"),
    (lambda d: d["places"][0]["streets"][0]["communities"][0].update(aliases="x"), "aliases"),
])
def test_a_malformed_jurisdiction_stops_with_the_line_and_the_problem(tmp_path, change, problem):
    data = yaml.safe_load((ROOT / "boards_config.yaml").read_text(encoding="utf-8"))
    change(data)
    path = Path(tmp_path) / "boards.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(boards.BoardsConfigError, match=r"line \d+") as failure:
        boards.load(str(path))
    assert problem in str(failure.value)


def test_the_covering_rule():
    tree = [{"code": "1", "station": "a", "streets": [
        {"code": "11", "communities": [{"code": "111"}, {"code": "112", "station": "b"}]},
        {"code": "12", "communities": [{"code": "121"}]},
        {"code": "13", "station": "c"}]}]
    held = jurisdictions.covering_stations(tree, lambda n: n.get("streets") or n.get(
        "communities") or [])
    assert held == {"1": None, "11": None, "111": "a", "112": "b", "12": "a", "121": "a",
                    "13": "c"}
    assert jurisdictions.suggestion(None) is None


def _urgent_words(html: str) -> list[str]:
    return json.loads(unescape(re.search(r"data-urgent-words='([^']*)'", html).group(1)))


@NO_INDEXING
def test_the_form_knows_the_emergency_words_and_the_banner_after_posting_calls(app, make, client,
                                                                              login):
    login(make.make_user())
    html = client.get("/b/qa/new").get_data(as_text=True)
    assert _urgent_words(html) == list(urgency.DEFAULT_WORDS)  # the one list, not a copy in JS
    assert 'data-urgent-banner role="alert" hidden' in html and 'href="tel:110"' in html
    app.config["URGENT_WORDS"] = ["煤气泄漏"]
    assert _urgent_words(client.get("/b/qa/new").get_data(as_text=True)) == ["煤气泄漏"]

    response = client.post("/b/qa/new", data={"kind": "help", "title": "家里好像煤气泄漏了",
                                               "body": "闻到很重的煤气味,怎么办?"},
                           follow_redirects=True)
    assert '<a class="btn-call" href="tel:110">拨打 110</a>' in response.get_data(as_text=True)
    api = client.post("/api/v1/boards/qa/threads", headers=make.bearer(make.make_user()), json={
        "kind": "help", "title": "楼道里煤气泄漏了", "body": "整个楼道都是煤气味。"})
    assert api.get_json()["urgent_call"] == "tel:110"

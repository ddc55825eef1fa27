"""Issue 20: Open311 GeoReport v2 — services, requests with status, agency responsible and the
public timeline as status notes, the spec's filters, one request, and partner systems filing
requests with an API key an admin issues (stored hashed, shown once)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from board.extensions import db
from board.models import PartnerKey, Thread, utcnow
from board.services import escalation, partners
from tests import factories

pytestmark = pytest.mark.usefixtures("no_search_indexing")  # search is tested elsewhere


@pytest.fixture
def world(make):
    officer = make.make_user("officer", unit_code="station-nanmen")
    dispatcher = make.make_user("dispatcher")
    asker = make.make_user()
    fresh = make.make_thread(asker, "hukou", title="新生儿落户要带什么材料")
    road = make.make_thread(asker, "report", kind="report", title="南门路口有人飙车",
                            body="每天晚上十点以后,联系我 13812345678")
    escalation.escalate(officer, road, "需要派警到现场", "urgent")
    escalation.dispatch(dispatcher, road, "station-nanmen", "请南门所处置")
    done = make.make_thread(asker, "hukou", title="身份证补办进度")
    done.status, done.resolved_at = "resolved", utcnow()
    old = make.make_thread(asker, "hukou", title="很久以前的问题")
    old.created_at = utcnow() - timedelta(days=120)
    db.session.commit()
    return {"fresh": fresh, "road": road, "done": done, "old": old}


def _ids(response) -> set[int]:
    return {int(r["service_request_id"]) for r in response.get_json()}


def test_services_are_the_boards_that_take_requests(client):
    services = {s["service_code"]: s for s in client.get("/open311/v2/services.json").get_json()}
    assert services["hukou"]["service_name"] == "户政" and services["report"]["keywords"]
    assert all(s["type"] == "realtime" and s["metadata"] is False for s in services.values())
    assert len(services) == 12  # every board takes at least one kind owed an answer


def test_requests_with_status_agency_and_public_timeline(client, world):
    listed = client.get("/open311/v2/requests.json")
    assert listed.status_code == 200
    assert _ids(listed) == {world["fresh"].id, world["road"].id, world["done"].id}  # 90 days
    road = next(r for r in listed.get_json() if r["service_request_id"] == str(world["road"].id))
    assert road["status"] == "open" and road["service_code"] == "report"
    assert road["agency_responsible"] == factories.unit("station-nanmen").name
    assert "正在处置" in road["status_notes"] and road["status_notes"].startswith("20")
    assert "需要派警到现场" not in road["status_notes"]  # the internal reason stays internal
    assert "13812345678" not in road["description"]  # masked as any reader sees it
    assert road["requested_datetime"].endswith("+08:00")
    closed = client.get("/open311/v2/requests.json?status=closed")
    assert _ids(closed) == {world["done"].id}
    only = client.get("/open311/v2/requests.json?service_code=report&status=open")
    assert _ids(only) == {world["road"].id}
    start = (utcnow() - timedelta(days=200)).isoformat()
    end = (utcnow() - timedelta(days=100)).isoformat()
    dated = client.get("/open311/v2/requests.json", query_string={"start_date": start,
                                                                  "end_date": end})
    assert _ids(dated) == {world["old"].id}
    one = client.get(f"/open311/v2/requests/{world['road'].id}.json").get_json()
    assert len(one) == 1 and one[0]["status"] == "open"
    bad = client.get("/open311/v2/requests.json?start_date=yesterday")
    assert bad.status_code == 400 and bad.get_json()[0]["code"] == 400


def test_partner_files_a_request_with_a_key_an_admin_issued(client, login, make):
    admin = make.make_user("admin")
    login(admin)
    page = client.post("/admin/partners", data={"name": "市12345政务服务热线"})
    raw = page.get_data(as_text=True).split('class="temp-password">')[1].split("<")[0]
    assert raw.startswith("o311_")
    stored = db.session.scalar(db.select(PartnerKey))
    assert raw not in (stored.key_hash, stored.prefix) and stored.prefix == raw[:12]
    client.post("/logout")
    body = {"service_code": "traffic", "description": "解放路与建设路口红绿灯不亮,车辆很乱",
            "address_string": "解放路与建设路口", "first_name": "不存", "phone": "13900000000"}
    assert client.post("/open311/v2/requests.json", data=body).status_code == 401
    made = client.post("/open311/v2/requests.json", data={**body, "api_key": raw})
    assert made.status_code == 201
    thread = db.session.get(Thread, int(made.get_json()[0]["service_request_id"]))
    assert thread.board.slug == "traffic" and thread.location == "解放路与建设路口"
    assert thread.author.display_name == "市12345政务服务热线"
    assert "13900000000" not in thread.body and "不存" not in thread.body
    wrong = client.post("/open311/v2/requests.json", data={**body, "api_key": raw,
                                                          "service_code": "nope"})
    assert wrong.status_code == 400
    partners.revoke_key(admin, stored.id)
    assert client.post("/open311/v2/requests.json",
                       data={**body, "api_key": raw}).status_code == 401

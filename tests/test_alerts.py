"""预警 (issue 21): a unit's alert to everyone, a board's followers or one district's residents —
who sees the banner, whose bell rings, who gets a text (and when), 「我知道了」, and the counts
the unit sees. The fan-out runs in the notice worker (run here one round at a time)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from board.extensions import db
from board.models import (
    Alert,
    AlertNotice,
    AlertReceipt,
    AuditEntry,
    NoticeState,
    Notification,
    NotificationKind,
    utcnow,
)
from board.services import alert_delivery, alerts
from tests.notice_helpers import BASE_URL, Gateway, beijing
from tests.test_api_fuzz import assert_well_formed, json_values

pytestmark = pytest.mark.usefixtures("no_search_indexing")

DONGHE, KUNQU = "150202", "150203"
SCAM = {"title": "警惕冒充客服退款诈骗", "text": "客服不会要求您共享屏幕或转账,请立即挂断。",
        "level": "warning"}


def run_alert_worker(chunk: int = alert_delivery.FAN_OUT_CHUNK) -> None:
    while alert_delivery.fan_out_batch(chunk):
        pass
    while alert_delivery.deliver_batch():
        pass
    db.session.expire_all()


@pytest.fixture
def gateway(app):
    gw = Gateway()
    app.config.update(SMS_BACKEND="http", SMS_HTTP_URL=gw.url, SMS_HTTP_TOKEN="gw-token",
                      BASE_URL=BASE_URL, NOTICE_GRACE_SECONDS=30, NOTICE_RETRY_SECONDS=30,
                      NOTICE_QUIET_HOURS="22:00-07:00")
    yield gw
    gw.close()


def with_phone(user, phone):
    user.phone, user.phone_verified_at = phone, utcnow()
    db.session.commit()
    return user


@pytest.fixture
def people(make):
    officer = make.make_user("officer", username="nanmen_chen", real_name="陈志强",
                             unit_code="station-nanmen")
    donghe = with_phone(make.make_user(username="donghe_res", nickname="东河居民"), "13800000001")
    other = with_phone(make.make_user(username="kunqu_res", nickname="昆区居民"),
                       "13800000002")
    nobody = with_phone(make.make_user(username="no_district"), "13800000003")
    alerts.set_districts(donghe, [DONGHE])
    alerts.set_districts(other, [KUNQU])
    return {"officer": officer, "donghe": donghe, "other": other, "nobody": nobody}


def bell_alerts(user) -> list[Notification]:
    return list(db.session.scalars(db.select(Notification).where(
        Notification.user_id == user.id, Notification.kind == NotificationKind.ALERT)))


def active_ids(client, board: str | None = None) -> list[int]:
    url = "/api/v1/alerts/active" + (f"?board={board}" if board else "")
    return [a["id"] for a in client.get(url).get_json()["alerts"]]


def publish(client, login, officer, **body):
    login(officer)
    response = client.post("/api/v1/alerts", json={**SCAM, **body})
    assert response.status_code == 201, response.get_json()
    client.post("/logout")
    return response.get_json()


def test_a_district_alert_reaches_its_residents_and_the_unit_sees_who_read_it(
        app, client, login, people, gateway):
    with time_machine.travel(beijing(2026, 12, 2, 10, 0), tick=True) as clock:
        alert = publish(client, login, people["officer"], target="district", district=DONGHE)
        assert alert["target_label"] == "东河区居民"
        run_alert_worker()

        # Only the Donghe resident's bell rings, with a link to the alert's page.
        assert [n.detail for n in bell_alerts(people["donghe"])] == [
            "【警示】东河区南门外派出所:警惕冒充客服退款诈骗"]
        assert bell_alerts(people["other"]) == bell_alerts(people["nobody"]) == []
        login(people["donghe"])
        entry = client.get("/api/v1/me/notifications").get_json()["notifications"][0]
        assert entry["kind"] == "alert" and entry["url"] == f"/alerts/{alert['id']}"

        # The banner: for the resident of the district, not for others nor anonymous readers.
        assert active_ids(client) == [alert["id"]]
        client.post("/logout")
        assert active_ids(client) == []
        login(people["other"])
        assert active_ids(client) == []
        client.post("/logout")

        # A text after the grace period, to the resident only.
        clock.shift(31)
        run_alert_worker()
        texts = gateway.to("13800000001")
        assert len(texts) == 1 and "警惕冒充客服退款诈骗" in texts[0]["text"]
        assert f"{BASE_URL}/alerts/{alert['id']}" in texts[0]["text"]
        assert gateway.to("13800000002") == gateway.to("13800000003") == []

        # The resident sees the banner, then taps 「我知道了」: it is gone for them.
        login(people["donghe"])
        assert client.post("/api/v1/alerts/seen", json={"ids": [alert["id"]]}).status_code == 200
        assert client.post(f"/api/v1/alerts/{alert['id']}/acknowledge").status_code == 200
        assert active_ids(client) == []
        client.post("/logout")

        login(people["officer"])
        stats = client.get(f"/api/v1/alerts/{alert['id']}/stats").get_json()
        assert stats["counts"] == {"targeted": 1, "seen": 1, "acknowledged": 1}
        page = client.get("/alerts/manage").get_data(as_text=True)
        assert "送达 1 人 · 已看到 1 人 · 已确认 1 人" in page


def test_an_alert_to_everyone_shows_to_anonymous_readers_and_rings_every_bell(
        app, client, login, people, make):
    extra = [make.make_user() for _ in range(4)]
    alert = publish(client, login, people["officer"], target="all", level="urgent")
    run_alert_worker(chunk=2)  # several chunks, as a million residents would be
    assert active_ids(client) == [alert["id"]]  # anonymous, on the home page
    for user in [people["donghe"], people["other"], people["nobody"], *extra]:
        assert len(bell_alerts(user)) == 1, user.username
    assert bell_alerts(people["officer"]) == []  # not told of one's own alert
    receipts = db.session.scalar(db.select(db.func.count()).select_from(AlertReceipt))
    assert receipts == 7


def test_a_board_alert_shows_on_that_board_and_reaches_its_followers(app, client, login,
                                                                     people):
    login(people["nobody"])
    assert client.post("/api/v1/boards/traffic/alert-follow").get_json() == {"following": True}
    client.post("/logout")
    alert = publish(client, login, people["officer"], target="boards", boards=["traffic"],
                    level="notice")
    run_alert_worker()
    assert active_ids(client, "traffic") == [alert["id"]]  # anyone reading the board
    assert active_ids(client, "hukou") == active_ids(client) == []
    assert len(bell_alerts(people["nobody"])) == 1
    assert bell_alerts(people["donghe"]) == []
    login(people["nobody"])
    assert active_ids(client) == [alert["id"]]  # a follower sees it on the home page too
    assert client.get("/api/v1/me/alert-follows").get_json()["boards"] == ["traffic"]


def test_quiet_hours_hold_a_warning_but_not_an_urgent_alert(app, client, login, people,
                                                            gateway):
    with time_machine.travel(beijing(2026, 12, 2, 23, 0), tick=True) as clock:
        publish(client, login, people["officer"], target="district", district=DONGHE)
        publish(client, login, people["officer"], target="district", district=DONGHE,
                level="urgent", title="紧急:河堤决口请立即撤离")
        clock.shift(31)
        run_alert_worker()
        texts = gateway.to("13800000001")
        assert [("紧急:河堤决口请立即撤离" in t["text"]) for t in texts] == [True]
        waiting = db.session.scalars(db.select(AlertNotice).where(
            AlertNotice.state == NoticeState.PENDING)).all()
        assert [n.note for n in waiting] == ["静默时段,结束后发送"]
        clock.move_to(beijing(2026, 12, 3, 7, 1))
        run_alert_worker()
        assert len(gateway.to("13800000001")) == 2


def test_acknowledged_on_the_page_means_no_text_and_withdrawn_means_gone(
        app, client, login, people, gateway):
    with time_machine.travel(beijing(2026, 12, 2, 10, 0), tick=True) as clock:
        first = publish(client, login, people["officer"], target="district", district=DONGHE)
        second = publish(client, login, people["officer"], target="district", district=DONGHE,
                         title="第二条预警")
        run_alert_worker()
        login(people["donghe"])
        client.post(f"/api/v1/alerts/{first['id']}/acknowledge")
        client.post("/logout")
        login(people["officer"])
        withdrawn = client.post(f"/api/v1/alerts/{second['id']}/withdraw").get_json()
        assert withdrawn["withdrawn"] is True
        assert client.post(f"/api/v1/alerts/{second['id']}/withdraw").status_code == 409
        clock.shift(31)
        run_alert_worker()
        assert gateway.to("13800000001") == []
        notes = sorted(n.note for n in db.session.scalars(db.select(AlertNotice)))
        assert notes == ["已在站内看到", "预警已撤回"]
        assert active_ids(client) == []
        actions = db.session.scalars(db.select(AuditEntry.action).where(
            AuditEntry.target_type == "alert").order_by(AuditEntry.id)).all()
        assert actions == ["alert.publish", "alert.publish", "alert.withdraw"]


def test_bad_input_and_who_may_publish(app, client, login, people, make):
    assert client.post("/api/v1/alerts", json=SCAM).status_code == 401
    login(people["donghe"])
    refused = client.post("/api/v1/alerts", json={**SCAM, "target": "all"})
    assert refused.status_code == 403
    assert set(refused.get_json()["error"]) == {"code", "message", "fields"}
    client.post("/logout")
    login(people["officer"])
    response = client.post("/api/v1/alerts", json={"title": " ", "text": "x" * 501,
                                                  "level": "panic", "target": "district",
                                                  "district": "999999", "hours": 0})
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"title", "text", "level", "district",
                                                         "hours"}
    response = client.post("/api/v1/alerts", json={**SCAM, "target": "boards", "boards": []})
    assert response.get_json()["error"]["fields"] == {"boards": "请选择要显示预警的版块"}
    client.post("/logout")
    # An officer of another unit neither withdraws nor reads the counts; a leader does both.
    alert = publish(client, login, people["officer"], target="all")
    login(make.make_user("officer", unit_code="traffic"))
    assert client.get(f"/api/v1/alerts/{alert['id']}/stats").status_code == 403
    assert client.post(f"/api/v1/alerts/{alert['id']}/withdraw").status_code == 403
    client.post("/logout")
    login(make.make_user("leader"))
    assert client.get(f"/api/v1/alerts/{alert['id']}/stats").status_code == 200


def test_the_pages_publish_reshow_bad_input_and_choose_districts(app, client, login, people):
    login(people["officer"])
    response = client.post("/alerts/manage", data={"title": "反诈提醒", "text": "", "level":
                                                   "warning", "target": "district",
                                                   "district": DONGHE, "hours": "24"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "请填写内容" in page and 'value="反诈提醒"' in page
    response = client.post("/alerts/manage", data={**SCAM, "target": "district",
                                                   "district": DONGHE, "hours": "24"})
    assert response.status_code == 302
    client.post("/logout")

    login(people["nobody"])
    assert client.post("/me/alert-follows", data={"districts": [DONGHE]}).status_code == 302
    assert 'value="150202" checked' in client.get("/me/alert-follows").get_data(as_text=True)
    assert client.post("/me/alert-follows", data={"districts": ["nowhere"]}).status_code == 400
    client.post("/b/traffic/alert-follow", data={})
    assert "已订阅本版预警" in client.get("/b/traffic").get_data(as_text=True)
    alert_id = db.session.scalar(db.select(db.func.max(Alert.id)))
    detail = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "警惕冒充客服退款诈骗" in detail and "我知道了" in detail
    client.post(f"/alerts/{alert_id}/acknowledge")
    assert "您已确认收到" in client.get(f"/alerts/{alert_id}").get_data(as_text=True)


def test_a_scheduled_alert_waits_for_its_start(app, client, login, people):
    later = utcnow() + timedelta(hours=2)
    alerts.publish_alert(people["officer"], title="周末演练提示", level="notice", target="all",
                         text="周六上午消防演练,请勿惊慌。", starts_at=later)
    run_alert_worker()
    assert bell_alerts(people["donghe"]) == [] and active_ids(client) == []
    with time_machine.travel(later + timedelta(minutes=1)):
        run_alert_worker()
        assert len(bell_alerts(people["donghe"])) == 1
        assert len(active_ids(client)) == 1


def test_the_demo_warns_donghe_residents_and_the_station_sees_the_count(app, client, login):
    from board import demo
    from board.models import User

    app.config["SEARCH_SYNC"] = False
    assert demo.seed() is True
    run_alert_worker()
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    def titles(user):
        return sorted(db.session.get(Alert, n.alert_id).title for n in bell_alerts(user))

    appeal = db.session.scalar(db.select(Alert.title).where(Alert.target == "all"))
    assert appeal.startswith("寻人启事:")  # the demo's appeal pinned on every board, to all
    district = db.session.scalar(db.select(Alert.title).where(Alert.target == "district"))
    assert titles(users["zhangjie"]) == sorted([district, appeal])
    assert titles(users["laowang"]) == [appeal]  # has not picked a district
    login(users["nanmen_chen"], demo.DEMO_PASSWORD)
    alert = client.get("/api/v1/alerts").get_json()["alerts"][0]
    assert alert["target_label"] == "东河区居民" and alert["counts"]["targeted"] == 2


def test_anonymous_readers_cannot_acknowledge_or_follow(app, client, people):
    alert = alerts.publish_alert(people["officer"], target="all", **SCAM)
    assert client.post(f"/api/v1/alerts/{alert.id}/acknowledge").status_code == 401
    assert client.post("/api/v1/boards/traffic/alert-follow").status_code == 401
    assert client.post("/api/v1/alerts/seen", json={"ids": [alert.id]}).status_code == 401
    assert client.get("/alerts/manage").status_code == 302


def test_read_before_the_fan_out_came_counts_once_and_rings_no_bell(app, client, login, people):
    """A resident who saw an everyone-alert's banner (and one who acknowledged it) before the
    worker reached them: each is counted once as reached; only the one who has not tapped
    「我知道了」 gets a bell entry."""
    alert = alerts.publish_alert(people["officer"], target="all", **SCAM)
    alerts.mark_seen(people["donghe"], [alert])
    alerts.acknowledge(people["other"], alert)
    run_alert_worker()
    assert len(bell_alerts(people["donghe"])) == 1
    assert bell_alerts(people["other"]) == []
    login(people["officer"])
    counts = client.get(f"/api/v1/alerts/{alert.id}/stats").get_json()["counts"]
    assert counts == {"targeted": 3, "seen": 2, "acknowledged": 1}


ALERT_KEYS = ["title", "text", "level", "target", "boards", "district", "hours", "starts_at",
              "ids", "districts"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.one_of(st.fixed_dictionaries({}, optional={k: json_values for k in ALERT_KEYS}),
                      json_values))
def test_alert_endpoints_never_500_whatever_arrives(client, login, people, body):
    login(people["officer"])
    for method, url in (("post", "/api/v1/alerts"), ("post", "/api/v1/alerts/seen"),
                        ("put", "/api/v1/me/alert-follows/districts")):
        response = getattr(client, method)(url, data=json.dumps(body),
                                           content_type="application/json")
        assert_well_formed(response, url)
    for board in ("\x00", "💥" * 40, "traffic", "-1"):
        assert_well_formed(client.get("/api/v1/alerts/active", query_string={"board": board}),
                           "active")

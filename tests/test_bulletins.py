"""失物招领 and 寻人 (issue 21), end to end in the API and the pages: a station posts a found
wallet and a resident claims it privately (the claim reaches the station's police only); police
publish a missing-person appeal that tops every board and is closed as found, its photos taken
down; a resident's appeal waits for the station's approval; lists filter and archive."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from board.extensions import db
from board.models import Bulletin, Notification, Thread, utcnow
from board.services import attachments, bulletins

pytestmark = pytest.mark.usefixtures("no_search_indexing")

HAPPENED = "2026-11-30T09:30:00+08:00"


def _png() -> FileStorage:
    raw = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 200)).save(raw, "PNG")
    return FileStorage(io.BytesIO(raw.getvalue()), "photo.png")


@pytest.fixture
def cast(make):
    return {
        "station": make.make_user("officer", unit_code="station-nanmen", real_name="陈志强"),
        "fuqiang": make.make_user("officer", unit_code="station-fuqiang", real_name="李文博"),
        "other": make.make_user("officer", unit_code="hukou"),
        "owner": make.make_user(nickname="失主老王"),
        "stranger": make.make_user(nickname="路人"),
    }


def _as(client, login, user=None):
    client.post("/logout")
    if user is not None:
        login(user)


def _row(html: str, thread_id: int) -> str:
    """One thread's row in a list page."""
    start = html.index(f'data-thread-id="{thread_id}"')
    return html[start:html.index("</li>", start)]


def _publish(client, **fields):
    body = {"kind": "lost_found", "title": "南门外大街公交站捡到黑色钱包",
            "body": "黑色皮质钱包,内有现金和银行卡,请失主到所认领。", "spot": "南门外大街公交站",
            "happened_at": HAPPENED, "place": "150202001001"} | fields
    return client.post("/api/v1/bulletins", json=body)


def test_a_station_posts_a_found_wallet_and_a_resident_claims_it_privately(client, login, cast):
    _as(client, login, cast["station"])
    response = _publish(client)
    assert response.status_code == 201, response.get_json()
    wallet = response.get_json()["bulletin"]
    assert wallet["state"] == "searching" and wallet["unit"]["code"] == "station-nanmen"
    assert wallet["thread"]["board"] == "hometown" and wallet["thread"]["kind"] == "lost_found"

    _as(client, login)  # anyone finds it in the list and on its page
    listed = client.get("/api/v1/bulletins?kind=lost_found").get_json()["bulletins"]
    assert [b["id"] for b in listed] == [wallet["id"]]
    page = client.get(f"/t/{wallet['thread']['id']}").get_data(as_text=True)
    assert "寻找中" in page and "东河区南门外派出所" in page and "打印海报" in page
    board_row = _row(client.get("/b/hometown").get_data(as_text=True), wallet["thread"]["id"])
    assert 'data-notice-state="searching">寻找中<' in board_row
    assert "status-answered" not in board_row  # not the thread's generic 已回复
    assert 'data-notice-state="searching" data-progress-status>寻找中<' in page  # progress too

    _as(client, login, cast["owner"])
    claim = "钱包是我的,里面有一张华联超市会员卡,尾号 3721。"
    response = client.post(f"/api/v1/bulletins/{wallet['id']}/messages", json={"body": claim})
    assert response.status_code == 201

    # The claim reaches the station's police, and nobody else: not another resident, not another
    # unit's officer, not the public page.
    for user, expected in ((cast["stranger"], []), (cast["other"], [])):
        _as(client, login, user)
        got = client.get(f"/api/v1/bulletins/{wallet['id']}/messages").get_json()["messages"]
        assert got == expected
        assert claim not in client.get(f"/bulletins/{wallet['id']}/messages").get_data(
            as_text=True)
    _as(client, login)
    assert claim not in client.get(f"/t/{wallet['thread']['id']}").get_data(as_text=True)
    assert client.get(f"/api/v1/bulletins/{wallet['id']}/messages").status_code == 401
    told = db.session.scalars(db.select(Notification.user_id).where(
        Notification.status == "bulletin_message")).all()
    assert told == [cast["station"].id]

    _as(client, login, cast["station"])
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "待跟进的认领/线索私信 1 条" in inbox
    messages = client.get(f"/api/v1/bulletins/{wallet['id']}/messages").get_json()["messages"]
    assert [m["body"] for m in messages] == [claim]
    response = client.post(f"/api/v1/bulletins/messages/{messages[0]['id']}/answer",
                           json={"answer": "会员卡尾号对得上,请带身份证来所里认领。"})
    assert response.status_code == 200
    closed = client.post(f"/api/v1/bulletins/{wallet['id']}/close",
                         json={"state": "claimed", "note": "失主已领回"})
    assert closed.status_code == 200 and closed.get_json()["bulletin"]["state"] == "claimed"
    again = client.post(f"/api/v1/bulletins/{wallet['id']}/close", json={"state": "withdrawn"})
    assert again.status_code == 409

    _as(client, login, cast["owner"])  # the owner reads the station's answer, privately
    mine = client.get(f"/bulletins/{wallet['id']}/messages").get_data(as_text=True)
    assert "请带身份证来所里认领" in mine
    refused = client.post(f"/api/v1/bulletins/{wallet['id']}/messages", json={"body": "还在吗?"})
    assert refused.status_code == 403  # closed: no more claims
    _as(client, login)
    page = client.get(f"/t/{wallet['thread']['id']}").get_data(as_text=True)
    assert "已认领" in page and "启事状态" in page and "失主已领回" in page  # on the timeline
    board_row = _row(client.get("/b/hometown").get_data(as_text=True), wallet["thread"]["id"])
    assert 'data-notice-state="claimed">已认领<' in board_row  # its state in the list too
    assert client.get("/api/v1/bulletins").get_json()["bulletins"] == []  # open ones only
    assert len(client.get("/api/v1/bulletins?state=claimed").get_json()["bulletins"]) == 1


def test_only_the_station_follows_up_and_the_police_cannot_claim(client, login, cast):
    _as(client, login, cast["station"])
    wallet = _publish(client).get_json()["bulletin"]
    assert client.post(f"/api/v1/bulletins/{wallet['id']}/messages",
                       json={"body": "民警自己不能认领"}).status_code == 403
    _as(client, login, cast["other"])  # another unit's officer: not theirs to close
    assert client.post(f"/api/v1/bulletins/{wallet['id']}/close",
                       json={"state": "claimed"}).status_code == 403
    _as(client, login, cast["owner"])
    assert client.post(f"/api/v1/bulletins/{wallet['id']}/close",
                       json={"state": "claimed"}).status_code == 403
    message = client.post(f"/api/v1/bulletins/{wallet['id']}/messages",
                          json={"body": "可能是我的"}).get_json()["message"]
    _as(client, login, cast["stranger"])  # a resident cannot answer someone else's claim
    assert client.post(f"/api/v1/bulletins/messages/{message['id']}/answer",
                       json={"answer": "冒充民警"}).status_code == 404


def test_police_appeal_tops_every_board_and_is_closed_as_found(app, client, login, cast, make):
    _as(client, login, cast["fuqiang"])
    response = _publish(client, kind="missing_person", title="寻找走失老人:男,78岁",
                        body="穿灰色棉袄,说本地口音,如见到请私信派出所。", spot="富强路早市附近",
                        place="150204002001")
    appeal = response.get_json()["bulletin"]
    assert appeal["unit"]["code"] == "station-fuqiang" and appeal["approved"]
    thread = db.session.get(Thread, appeal["thread"]["id"])
    saved, errors = attachments.attach(cast["fuqiang"], thread, None, [_png()])
    assert saved and not errors
    photo = saved[0].id
    older = make.make_thread(board_slug="qa", title="身份证丢了怎么补办")

    pinned = client.post(f"/api/v1/bulletins/{appeal['id']}/pin", json={"hours": 24})
    assert pinned.status_code == 200
    assert pinned.get_json()["bulletin"]["pinned_everywhere_until"]
    _as(client, login)
    # The pin also went out as a 警示 alert to everyone: anonymous readers get its banner.
    banners = client.get("/api/v1/alerts/active").get_json()["alerts"]
    assert [(a["title"], a["level"]) for a in banners] == [
        ("寻人启事:寻找走失老人:男,78岁", "warning")]
    assert f"/media/{photo}" in client.get(f"/t/{thread.id}").get_data(as_text=True)
    for slug in ("qa", "report", "hukou", "hometown"):
        rows = client.get(f"/api/v1/boards/{slug}/threads").get_json()["threads"]
        assert rows[0]["id"] == thread.id, slug
    board_page = client.get("/b/qa").get_data(as_text=True)
    assert board_page.index("寻找走失老人") < board_page.index(older.title)
    assert client.get(f"/media/{photo}").status_code == 200

    _as(client, login, cast["fuqiang"])
    closed = client.post(f"/api/v1/bulletins/{appeal['id']}/close",
                         json={"state": "found", "note": "已平安回家"})
    assert closed.get_json()["bulletin"]["state"] == "found"
    assert client.get(f"/media/{photo}").status_code == 200  # the police keep the photos
    _as(client, login)
    assert client.get(f"/media/{photo}").status_code == 404  # off public view
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "已找到" in page and f"/media/{photo}" not in page and "照片已撤下" in page
    assert f"/t/{thread.id}/card.png" in page  # the link card shows the drawn card, not the photo
    assert client.get(f"/api/v1/threads/{thread.id}").get_json()["thread"]["attachments"] == []
    assert f"/media/{photo}" not in client.get(
        f"/bulletins/{appeal['id']}/poster").get_data(as_text=True)
    for slug in ("qa", "hometown"):  # no longer atop any board
        rows = client.get(f"/api/v1/boards/{slug}/threads").get_json()["threads"]
        assert not rows or rows[0]["id"] != thread.id or slug == "hometown" and len(rows) == 1


def test_pinned_everywhere_ends_on_time(client, login, cast, make):
    _as(client, login, cast["fuqiang"])
    appeal = _publish(client, kind="missing_person", title="寻找走失儿童:女,6岁",
                      body="红色外套,扎两个辫子。", spot="幸福社区门口").get_json()["bulletin"]
    client.post(f"/api/v1/bulletins/{appeal['id']}/pin", json={"hours": 2})
    other = make.make_thread(board_slug="qa", title="户口本丢了怎么办")
    row = db.session.get(Bulletin, appeal["id"])
    row.pinned_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    _as(client, login)
    rows = client.get("/api/v1/boards/qa/threads").get_json()["threads"]
    assert [r["id"] for r in rows] == [other.id]
    assert bulletins.unpin_expired() == 1
    assert db.session.get(Thread, appeal["thread"]["id"]).pinned is False


def test_a_residents_appeal_waits_for_the_stations_approval(client, login, cast):
    _as(client, login, cast["owner"])
    response = _publish(client, kind="missing_person", title="寻找我的父亲:男,80岁",
                        body="早上出门买菜未归,穿蓝色外套。", spot="南门外社区",
                        place="150202001001")
    appeal = response.get_json()["bulletin"]
    assert response.status_code == 201 and not appeal["approved"]
    thread_id = appeal["thread"]["id"]
    assert client.get(f"/t/{thread_id}").status_code == 200  # its author sees it, and why
    _as(client, login)
    assert client.get(f"/t/{thread_id}").status_code == 404
    assert client.get("/api/v1/bulletins").get_json()["bulletins"] == []

    _as(client, login, cast["other"])  # the review queue lists it for the police
    reasons = [r["thread_id"] for r in client.get("/api/v1/review").get_json()["reports"]]
    assert thread_id in reasons
    assert client.post(f"/api/v1/bulletins/{appeal['id']}/approve").status_code == 403
    assert client.post(f"/api/v1/bulletins/{appeal['id']}/pin",
                       json={"hours": 3}).status_code == 403

    _as(client, login, cast["station"])
    assert "待审核寻人启事 1 条" in client.get("/inbox").get_data(as_text=True)
    assert "寻找我的父亲" in client.get("/bulletins/desk").get_data(as_text=True)
    assert "寻人启事,待审核" in client.get("/review").get_data(as_text=True)
    approved = client.post(f"/api/v1/bulletins/{appeal['id']}/approve")
    assert approved.status_code == 200 and approved.get_json()["bulletin"]["approved"]
    assert db.session.get(Bulletin, appeal["id"]).approved_by_id == cast["station"].id
    _as(client, login)
    assert client.get(f"/t/{thread_id}").status_code == 200
    assert [b["id"] for b in client.get("/api/v1/bulletins").get_json()["bulletins"]] == [
        appeal["id"]]
    _as(client, login, cast["owner"])  # the family may withdraw it when he is home
    withdrawn = client.post(f"/api/v1/bulletins/{appeal['id']}/close", json={"state": "withdrawn"})
    assert withdrawn.get_json()["bulletin"]["state"] == "withdrawn"


def test_filters_archive_and_bad_input(client, login, cast):
    _as(client, login, cast["station"])
    wallet = _publish(client).get_json()["bulletin"]
    _as(client, login, cast["fuqiang"])
    appeal = _publish(client, kind="missing_person", title="寻找走失老人:女,75岁",
                      body="白发,拄拐杖。", spot="科学路社区", place="150204002003",
                      happened_at="2026-11-20T08:00:00+08:00").get_json()["bulletin"]
    _as(client, login)

    def ids(query):
        response = client.get("/api/v1/bulletins" + query)
        assert response.status_code == 200, response.get_json()
        return [b["id"] for b in response.get_json()["bulletins"]]

    assert ids("?kind=missing_person") == [appeal["id"]]
    assert ids("?district=150202") == [wallet["id"]]  # 东河区
    assert ids("?district=150204") == [appeal["id"]]  # 青山区
    assert ids("?since=2026-11-25") == [wallet["id"]]
    assert ids("?until=2026-11-20") == [appeal["id"]]
    assert ids("?state=found") == []
    for bad in ("?kind=gossip", "?district=999999", "?state=lost", "?since=yesterday",
                "?page=0"):
        response = client.get("/api/v1/bulletins" + bad)
        assert response.status_code == 400, bad
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    assert client.get("/bulletins?kind=gossip").status_code == 400  # the page says why too
    page = client.get("/bulletins?district=150204").get_data(as_text=True)
    assert "寻找走失老人" in page and "黑色钱包" not in page

    row = db.session.get(Bulletin, wallet["id"])  # expired: archived, its page stays
    row.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    assert wallet["id"] not in ids("")
    assert ids("?archived=1") == [wallet["id"]]
    assert client.get(f"/t/{wallet['thread']['id']}").status_code == 200

    _as(client, login, cast["owner"])
    for fields, field in (({"spot": ""}, "spot"), ({"happened_at": "2026-11-30 09:30"},
                                                   "happened_at"),
                          ({"kind": "question"}, "kind"), ({"days": 0}, "days"),
                          ({"title": "钱"}, "title"), ({"place": "", "unit": "hukou"}, "unit")):
        response = _publish(client, **fields)
        assert response.status_code == 400, fields
        assert field in response.get_json()["error"]["fields"], (fields, response.get_json())


def test_the_generic_forms_do_not_post_bulletin_kinds(client, login, cast):
    _as(client, login, cast["owner"])
    form = client.get("/b/hometown/new").get_data(as_text=True)
    assert 'value="lost_found"' not in form and 'value="missing_person"' not in form
    response = client.post("/api/v1/boards/hometown/threads", json={
        "kind": "lost_found", "title": "捡到钥匙一串", "body": "在小区门口捡到。"})
    assert response.status_code == 400 and "kind" in response.get_json()["error"]["fields"]


def test_the_publish_form_and_the_printable_poster(client, login, cast):
    _as(client, login, cast["station"])
    form = client.get("/bulletins/new?kind=lost_found")
    assert form.status_code == 200 and "负责的派出所" in form.get_data(as_text=True)
    response = client.post("/bulletins/new", data={
        "kind": "lost_found", "title": "捡到学生证一张", "body": "姓名已遮挡,请本人到所认领。",
        "spot": "东河桥", "happened_at": "2026-11-30T10:00", "unit": "station-nanmen",
        "place": "", "days": "15", "images": _png()}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    bulletin = db.session.scalar(db.select(Bulletin))
    assert bulletin.happened_at.isoformat().startswith("2026-11-30T02:00")  # Beijing 10:00
    assert (bulletin.expires_at - bulletin.created_at).days == 15
    bad = client.post("/bulletins/new", data={"kind": "lost_found", "title": "捡到学生证一张",
                                              "body": "请认领", "spot": "", "unit": "",
                                              "happened_at": ""})
    assert bad.status_code == 400 and "捡到学生证一张" in bad.get_data(as_text=True)

    _as(client, login)
    poster = client.get(f"/bulletins/{bulletin.id}/poster").get_data(as_text=True)
    assert "失物招领" in poster and "捡到学生证一张" in poster and "东河区南门外派出所" in poster
    assert "bulletins.css" in poster and "/media/" in poster
    assert client.get("/bulletins/999999/poster").status_code == 404


def test_a_refused_claim_keeps_its_words_and_says_why(client, login, cast):
    _as(client, login, cast["station"])
    wallet = _publish(client).get_json()["bulletin"]
    _as(client, login, cast["owner"])
    page = client.get(f"/bulletins/{wallet['id']}/messages").get_data(as_text=True)
    assert "只有您和东河区南门外派出所的民警能看到" in page
    refused = client.post(f"/bulletins/{wallet['id']}/messages", data={"body": "是"})
    assert refused.status_code == 400
    assert "说明需为 2–1000 字" in refused.get_data(as_text=True)
    assert client.get(f"/api/v1/bulletins/{wallet['id']}/messages").get_json()["messages"] == []


def test_the_expire_command_unpins_appeals_whose_time_is_over(client, login, cast, flask_cli):
    _as(client, login, cast["fuqiang"])
    appeal = _publish(client, kind="missing_person", title="寻找走失少年:男,15岁",
                      body="蓝色校服。", spot="科学路").get_json()["bulletin"]
    client.post(f"/api/v1/bulletins/{appeal['id']}/pin", json={"hours": 1})
    assert "unpinned 0" in flask_cli("bulletins", "expire").output
    row = db.session.get(Bulletin, appeal["id"])
    row.pinned_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "unpinned 1" in flask_cli("bulletins", "expire").output
    assert db.session.get(Thread, appeal["thread"]["id"]).pinned is False

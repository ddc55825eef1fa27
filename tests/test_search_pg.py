"""The PostgreSQL search backend (issue 4): tsvector + GIN over the board analyzer's tokens."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from board import search
from board.extensions import db
from board.models import Anonymous

from tests import factories as make

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(pg_app):
    pg_app.config["SEARCH_BACKEND"] = "postgres"
    return pg_app


def ids(q, viewer=None, **filters):
    return sorted(r.thread.id for r in search.query(viewer or Anonymous(), q, **filters).results)


def test_postgres_backend_finds_chinese_phrases_plates_and_respects_visibility(pg_app):
    citizen, officer = make.make_user(), make.make_user("officer", unit_code="exit-entry")
    trad = make.make_thread(citizen, "exit-entry", title="我的護照丟了怎麼補辦",
                            body="在東河區派出所附近丟的,車牌蒙B12345")
    make.make_post(trad, officer, body="护照遗失可到出入境接待大厅补办。")
    apart = make.make_thread(citizen, "qa", title="东河区哪个派出所能办护照", body="住在东河区")
    secret = make.make_thread(citizen, "report", kind="report", title="护照贩卖窝点",
                              body="有人收购护照", visibility="police_only")
    assert db.session.scalar(db.text(
        "SELECT count(*) FROM thread WHERE search_vector IS NOT NULL")) == 3
    assert ids("护照") == sorted([trad.id, apart.id])
    assert ids("護照 补办") == [trad.id]
    assert ids('"东河区派出所"') == [trad.id]
    assert ids("蒙B12345") == [trad.id]
    assert ids("护照", answered=True) == [trad.id]
    assert ids("护照", officer) == sorted([trad.id, apart.id, secret.id])
    lacking_one = search.query(Anonymous(), "东河区 派出所 护照 加急").results  # none has 加急
    assert sorted((r.thread.id, r.partial) for r in lacking_one) == [(trad.id, True), (apart.id, True)]
    similar = search.similar(Anonymous(), "护照丢了补办")
    assert [r.thread.id for r in similar] == [trad.id]
    assert "<mark>" in str(search.query(Anonymous(), "补办").results[0].snippet)


def test_postgres_reindex_and_verify(pg_app):
    thread = make.make_thread(make.make_user(), "qa", title="无犯罪记录证明怎么开", body="出国用")
    db.session.execute(db.text("UPDATE thread SET search_vector = NULL, search_fp = NULL"))
    db.session.commit()
    assert ids("无犯罪记录证明") == []
    report = CliRunner().invoke(pg_app.cli, ["search", "verify"], catch_exceptions=False)
    assert "1 missing from the index" in report.output
    assert ids("无犯罪记录证明") == [thread.id]
    result = CliRunner().invoke(pg_app.cli, ["search", "reindex"], catch_exceptions=False)
    assert "indexed 1 threads with the postgres backend" in result.output

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
    partial = sorted((r.thread.id, r.partial) for r in lacking_one)
    assert partial == [(trad.id, True), (apart.id, True)]
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


def test_walking_the_newest_threads_finds_what_the_index_finds(pg_app, monkeypatch):
    """Common words walk the newest threads by date instead of fetching every match: same
    threads, same filters, same order; and when the walk comes up short, the index answers."""
    from sqlalchemy import event

    from board.search import backend, postgres_index
    from board.search.types import SearchRequest

    citizen = make.make_user()
    for i in range(6):
        make.make_thread(citizen, "traffic" if i % 2 else "qa", title=f"驾驶证换证第{i}次",
                         body="驾驶证到期换证", visibility="police_only" if i == 3 else "public")
    make.make_thread(citizen, "qa", title="护照换证", body="护照到期")
    monkeypatch.setattr(postgres_index, "RANK_WINDOW", 3)
    index = backend()
    requests = [SearchRequest(terms=("驾驶证", "换证")),
                SearchRequest(terms=("驾驶证", "换证"), police=True, sort="newest"),
                SearchRequest(terms=("驾驶证", "换证"), board="traffic", limit=2, offset=1),
                SearchRequest(terms=("护照", "换证"))]  # one match: the walk falls short
    planned = [index.search(r) for r in requests]
    monkeypatch.setattr(postgres_index.PostgresIndex, "_walk", lambda self, conn, req: 100)
    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute",
                 lambda conn, cursor, sql, *args: statements.append(sql))
    walked = []
    for r in requests:
        statements.clear()
        walked.append((index.search(r), ["LIMIT %(scan)s" in sql for sql in statements]))
    for before, (after, _walks) in zip(planned, walked, strict=True):
        assert [i for i, _ in after.items] == [i for i, _ in before.items]
        assert after.total == before.total
    assert [walks for _, walks in walked] == [[True], [True], [True, False], [True, False]]
    assert [len(h.items) for h in planned] == [3, 3, 1, 1]


def test_only_several_common_words_walk(monkeypatch):
    """The walk is for queries whose every word is common; a rare word or one word is planned."""
    from board.search.postgres_index import PostgresIndex
    from board.search.types import SearchRequest

    shares = {"驾驶证": 0.10, "换证": 0.09, "护照": 0.15, "世": 0.0001}
    monkeypatch.setattr(PostgresIndex, "_stats", lambda self, conn: (1_000_000, shares))
    index = PostgresIndex(lambda: None)
    assert index._walk(None, SearchRequest(terms=("驾驶证", "换证"))) == 22_222
    assert index._walk(None, SearchRequest(terms=("驾驶证", "世"))) == 0
    assert index._walk(None, SearchRequest(terms=("驾驶证", "小区"))) == 0  # not in the stats
    assert index._walk(None, SearchRequest(terms=("护照",))) == 0
    relaxed = SearchRequest(terms=("护照", "换证", "世"), any_terms=True, at_least=2)
    assert index._walk(None, relaxed) == int(2 * 1000 / ((0.15 + 0.09 + 0.0001) / 2))

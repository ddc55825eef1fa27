"""The dashboard's and open data's per-day pre-aggregate (issue 20's speed target): the same
figures from stored days as from the rows (counts exact, medians from half-octave histograms at
their known resolution), and a change to an old thread never read from an outdated sum."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from board.extensions import db
from board.models import DailyStat, DailyStatDay, DailyStatMonth
from board.queries import leader as dashboard
from board.queries import open_data
from board.services import daily_stats, status
from board.stats import bucket_of, bucket_value
from tests.test_dashboard_periods import NOW, _bj, _figures, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("no_search_indexing")

DAYS = {date(2026, 9, 20) + timedelta(days=n) for n in range(11)}  # 9/20 … 9/30 (today)
COUNTS = ("threads", "answered", "within_target", "overdue", "resolved", "dispatches",
          "ratings", "satisfaction", "satisfied_share", "answered_share",
          "within_target_share")


def _counts(figures: dict) -> dict:
    return {k: figures[k] for k in COUNTS}


def _stale() -> set[date]:
    return set(db.session.scalars(db.select(DailyStatDay.day).where(DailyStatDay.stale)))


def test_stored_days_give_the_rows_figures(app, world):  # noqa: F811
    live = _figures(world)
    months_live = open_data.monthly(now=NOW, cached=False)
    assert live["summary"]["first_response_median"] == 1200  # exact: 10, 20 and 60 minutes
    assert daily_stats.rebuild(DAYS, now=NOW) == 10  # today (9/30) is never stored
    assert db.session.scalar(db.select(db.func.count()).select_from(DailyStat)) > 0
    built = _figures(world)
    for name in ("summary", "summary_previous"):
        assert _counts(built[name]) == _counts(live[name])
    assert [_counts(b) for b in built["trend"]["buckets"]] == \
        [_counts(b) for b in live["trend"]["buckets"]]
    for name in ("by_status", "satisfaction", "satisfaction_units", "busiest_boards"):
        assert built[name] == live[name], name
    assert [o["count"] for o in built["satisfaction_officers"]] == \
        [o["count"] for o in live["satisfaction_officers"]]
    assert [(u["key"], u["answered"], u["resolved"]) for u in built["per_unit"]] == \
        [(u["key"], u["answered"], u["resolved"]) for u in live["per_unit"]]
    # medians and p90s now come from the histograms: the bucket's middle, within ±19%
    assert built["summary"]["first_response_median"] == bucket_value(bucket_of(1200)) == 1218
    assert built["summary"]["first_response_p90"] == bucket_value(bucket_of(3600)) == 3444
    assert built["resolution_note"]
    months_built = open_data.monthly(now=NOW, cached=False)
    for before, after in zip(months_live["overall"], months_built["overall"], strict=True):
        assert {k: v for k, v in before.items() if k != "first_response_median"} == \
               {k: v for k, v in after.items() if k != "first_response_median"}
        if before["first_response_median"]:
            assert abs(after["first_response_median"] / before["first_response_median"] - 1) \
                < 0.19


def test_a_change_to_an_old_thread_is_never_read_from_an_outdated_sum(app, world):  # noqa: F811
    daily_stats.rebuild(DAYS, now=NOW)
    assert _stale() == set()
    assert open_data.monthly(now=NOW, cached=False)["overall"][-1]["ratings"] == 4
    t1, t2 = world["t"][1], world["t"][2]
    t1.hidden = True  # posted 9/28, rated 9/29: both days count it
    db.session.commit()
    assert _stale() == {date(2026, 9, 28), date(2026, 9, 29)}
    public = open_data.monthly(now=NOW, cached=False)["overall"][-1]
    assert public["ratings"] == 3  # t1's rating (a stored day's) no longer counts
    figures = _figures(world)  # the period's stored days are stale: computed, exact again
    assert figures["summary"]["first_response_median"] == 1200
    # a guarded status UPDATE statement (no ORM object) marks its day too
    daily_stats.refresh(now=NOW)
    assert _stale() == set()
    resolved_before = {s["status"]: s["count"] for s in _figures(world)["by_status"]}["resolved"]
    status.move(t2, "answered", "resolved", resolved_at=_bj(9, 30, 9))
    db.session.commit()
    assert _stale() == {date(2026, 9, 28), date(2026, 9, 29)}  # posted; rated
    after = {s["status"]: s["count"] for s in _figures(world)["by_status"]}
    assert after["resolved"] == resolved_before + 1
    assert daily_stats.refresh(now=NOW) == 2 and _stale() == set()
    assert {s["status"]: s["count"] for s in _figures(world)["by_status"]} == after


def test_a_day_with_an_answer_still_due_stays_computed(app, world):  # noqa: F811
    later = NOW + timedelta(hours=1)  # t5 (9/30 11:50, 30 minutes) is overdue by then …
    assert daily_stats.rebuild({date(2026, 9, 30)}, now=later) == 0  # … but 9/30 is today
    tomorrow = NOW + timedelta(days=1)
    t4 = world["t"][4]
    t4.sla_due_at = tomorrow + timedelta(hours=2)  # due after the build: still moving
    db.session.commit()
    assert daily_stats.rebuild({date(2026, 9, 30)}, now=tomorrow) == 0
    assert _stale() == {date(2026, 9, 30)}


def test_flask_stats_rebuild_and_refresh(app, world):  # noqa: F811
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stats", "rebuild", "--since", "2026-09-20"])
    assert result.exit_code == 0, result.output
    built = db.session.scalar(db.select(db.func.count()).select_from(DailyStatDay))
    assert built >= 11 and "day(s) stored" in result.output
    assert db.session.get(DailyStatDay, date(2026, 9, 19)) is None  # before --since
    world["t"][3].hidden = True
    db.session.commit()
    assert _stale() == {date(2026, 9, 29), date(2026, 9, 30)}  # posted and dispatched; rated
    result = runner.invoke(args=["stats", "refresh"])
    assert result.exit_code == 0 and result.output.startswith("2 day(s)"), result.output
    assert _stale() == set()


def test_a_whole_fresh_month_is_read_from_its_roll_up(app, world):  # noqa: F811
    """September built whole (read on 5 October): the open data and the dashboard's period
    read its one row per key from daily_stat_month; a change to one of its days sends the
    month back to its days until the rebuild rolls it up again."""
    later = NOW + timedelta(days=5)
    september = {date(2026, 9, 1) + timedelta(days=n) for n in range(30)}
    period = dashboard.parse_period({"start": "2026-09-01", "end": "2026-10-05"}, later)

    def figures():
        months = open_data.monthly(now=later, cached=False)
        sep = next(m for m in months["overall"] if m["month"] == "2026-09")
        board = dashboard.figures(world["leader"], now=later, period=period)
        return sep, _counts(board["summary"]), board["satisfaction_units"]

    live = figures()
    assert daily_stats.rebuild(september, now=later) == 30
    rolled = db.session.scalars(db.select(DailyStatMonth).where(
        DailyStatMonth.month == 202609, DailyStatMonth.scope == "board")).all()
    assert sum(r.threads for r in rolled) == live[0]["threads"] == 7
    built = figures()
    assert built[0]["ratings"] == live[0]["ratings"] and built[1] == live[1]
    assert built[2] == live[2]
    next(r for r in rolled if r.public).threads += 100  # what is read: a tampered row shows …
    db.session.commit()
    assert figures()[0]["threads"] == 107
    world["t"][0].hidden = True  # … until a change to one of its days (9/26) …
    db.session.commit()
    assert figures()[0]["threads"] == 6  # … sends the month back to its days, from the rows
    daily_stats.refresh(now=later)
    assert _stale() == set()
    assert figures()[0]["threads"] == 6  # rolled up again from its days
    assert sum(r.threads for r in db.session.scalars(db.select(DailyStatMonth).where(
        DailyStatMonth.month == 202609, DailyStatMonth.scope == "board",
        DailyStatMonth.public.is_(True)))) == 6


def test_a_supervised_open_thread_is_stored_and_counted(app, world):  # noqa: F811
    """The "supervised" scope's name (10 letters) fits its column on PostgreSQL too."""
    thread = next(t for t in world["t"] if t.status not in ("resolved", "closed"))
    thread.supervised = True
    db.session.commit()
    assert _figures(world)["supervised_open"] == 1
    daily_stats.rebuild(DAYS, now=NOW)
    assert db.session.scalar(db.select(db.func.count()).select_from(DailyStat).where(
        DailyStat.scope == "supervised")) == 1
    assert _figures(world)["supervised_open"] == 1

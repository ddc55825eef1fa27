"""The leaders' dashboard figures: status counts, overdue now, response and resolution times,
open escalations, satisfaction, busiest boards — each with the filter that lists its threads.

Times are computed over threads opened in the last N days, with one query per figure group
(no per-row queries); medians and p90s are taken in Python over that bounded window.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func

from board import permissions, sla
from board.errors import PermissionDenied, ValidationFailed
from board.extensions import db
from board.models import Board, Rating, Thread, ThreadStatus, Unit, User, Visibility, utcnow

S = ThreadStatus
PERIODS = (7, 30)
OPEN_ESCALATION = (S.ESCALATED, S.DISPATCHED, S.HANDLING)


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0–100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@dataclass
class TimeRow:
    key: str  # board slug or unit code
    name: str
    first_response: list[float] = field(default_factory=list)
    resolution: list[float] = field(default_factory=list)

    def figures(self) -> dict:
        return {"key": self.key, "name": self.name,
                "answered": len(self.first_response), "resolved": len(self.resolution),
                "first_response_median": median(self.first_response),
                "first_response_p90": percentile(self.first_response, 90),
                "resolution_median": median(self.resolution),
                "resolution_p90": percentile(self.resolution, 90)}


def parse_days(raw) -> int:
    try:
        days = int(raw or 7)
    except (TypeError, ValueError):
        days = 0
    if days not in PERIODS:
        raise ValidationFailed(fields={"days": "统计周期只能是 7 或 30 天"})
    return days


def figures(viewer, days: int = 7, now: datetime | None = None) -> dict:
    """Everything the dashboard shows, as plain data (the API returns it as JSON)."""
    if not permissions.can(viewer, "dashboard.view"):
        raise PermissionDenied()
    now = now or utcnow()
    since = now - timedelta(days=days)
    by_status = dict(db.session.execute(
        db.select(Thread.status, func.count()).group_by(Thread.status)).all())
    overdue_now = db.session.scalar(db.select(func.count()).select_from(Thread).where(
        sla.overdue_clause(Thread, now))) or 0
    return {
        "days": days,
        "generated_at": now.isoformat(),
        "by_status": [{"status": s.value, "label": s.label, "count": by_status.get(s.value, 0)}
                      for s in ThreadStatus],
        "unanswered_now": by_status.get(S.AWAITING_REPLY, 0),
        "overdue_now": overdue_now,
        "escalations_open": by_status.get(S.ESCALATED, 0),
        "dispatches_open": by_status.get(S.DISPATCHED, 0) + by_status.get(S.HANDLING, 0),
        "supervised_open": db.session.scalar(db.select(func.count()).select_from(Thread).where(
            Thread.supervised.is_(True), Thread.status.not_in([S.RESOLVED, S.CLOSED]))) or 0,
        **_times(since),
        "satisfaction": _satisfaction(since),
        "busiest_boards": _busiest(since),
    }


def _times(since: datetime) -> dict:
    """Median and p90 first-response and resolution seconds per board and per unit."""
    responder = db.aliased(User)
    rows = db.session.execute(
        db.select(Thread.created_at, Thread.first_response_at, Thread.resolved_at,
                  Board.slug, Board.name, responder.unit_id, Thread.dispatched_unit_id)
        .join(Board, Board.id == Thread.board_id)
        .outerjoin(responder, responder.id == Thread.first_responder_id)
        .where(Thread.created_at >= since, Thread.kind != "publicity")).all()
    units = {u.id: u for u in db.session.scalars(db.select(Unit))}
    boards: dict[str, TimeRow] = {}
    per_unit: dict[str, TimeRow] = {}
    for created, first, resolved, slug, name, responder_unit, dispatched_unit in rows:
        board_row = boards.setdefault(slug, TimeRow(slug, name))
        if first is not None and responder_unit in units:
            unit = units[responder_unit]
            per_unit.setdefault(unit.code, TimeRow(unit.code, unit.name)).first_response.append(
                (first - created).total_seconds())
        if first is not None:
            board_row.first_response.append((first - created).total_seconds())
        if resolved is not None:
            board_row.resolution.append((resolved - created).total_seconds())
            unit = units.get(dispatched_unit or responder_unit)
            if unit is not None:
                per_unit.setdefault(unit.code, TimeRow(unit.code, unit.name)).resolution.append(
                    (resolved - created).total_seconds())
    return {"per_board": [r.figures() for r in sorted(boards.values(), key=lambda r: r.key)],
            "per_unit": [r.figures() for r in sorted(per_unit.values(), key=lambda r: r.key)]}


def _satisfaction(since: datetime) -> dict:
    rows = db.session.execute(db.select(Rating.score, func.count())
                              .where(Rating.created_at >= since).group_by(Rating.score)).all()
    counts = {score: n for score, n in rows}
    total = sum(counts.values())
    average = round(sum(s * n for s, n in counts.items()) / total, 2) if total else None
    return {"count": total, "average": average,
            "distribution": [{"score": s, "count": counts.get(s, 0)} for s in range(1, 6)]}


def _busiest(since: datetime, limit: int = 5) -> list[dict]:
    rows = db.session.execute(
        db.select(Board.slug, Board.name, func.count(Thread.id).label("n"))
        .join(Thread, Thread.board_id == Board.id)
        .where(Thread.created_at >= since)
        .group_by(Board.slug, Board.name).order_by(func.count(Thread.id).desc(), Board.slug)
        .limit(limit)).all()
    return [{"slug": slug, "name": name, "count": n} for slug, name, n in rows]


# --- the threads behind a number ------------------------------------------------------------

FILTERS = ("status", "board", "unit", "overdue", "supervised", "rated", "days")


def threads_behind(viewer, args: dict, now: datetime | None = None, limit: int = 200) -> list:
    """The threads a dashboard number counts, from the same filters the number used."""
    if not permissions.can(viewer, "dashboard.view"):
        raise PermissionDenied()
    now = now or utcnow()
    stmt = db.select(Thread).order_by(Thread.created_at.desc(), Thread.id.desc()).limit(limit)
    if args.get("status") == "open_dispatch":
        stmt = stmt.where(Thread.status.in_([S.DISPATCHED, S.HANDLING]))
    elif args.get("status") in set(ThreadStatus):
        stmt = stmt.where(Thread.status == args["status"])
    if args.get("board"):
        stmt = stmt.join(Board, Board.id == Thread.board_id).where(Board.slug == args["board"])
    if args.get("unit"):
        unit_id = db.session.scalar(db.select(Unit.id).where(Unit.code == args["unit"]))
        if unit_id is None:
            return []
        responder = db.aliased(User)
        stmt = stmt.outerjoin(responder, responder.id == Thread.first_responder_id).where(
            (Thread.dispatched_unit_id == unit_id) | (responder.unit_id == unit_id))
    if args.get("overdue"):
        stmt = stmt.where(sla.overdue_clause(Thread, now))
    if args.get("supervised"):
        stmt = stmt.where(Thread.supervised.is_(True))
    if args.get("rated"):
        stmt = stmt.join(Rating, Rating.thread_id == Thread.id)
        if str(args["rated"]).isdigit() and 1 <= int(args["rated"]) <= 5:
            stmt = stmt.where(Rating.score == int(args["rated"]))
    if args.get("days") and str(args["days"]).isdigit():
        stmt = stmt.where(Thread.created_at >= now - timedelta(days=int(args["days"])))
    if not permissions.can(viewer, "police_only.view"):
        stmt = stmt.where(Thread.visibility == Visibility.PUBLIC)
    return list(db.session.scalars(stmt))


def to_csv(data: dict) -> str:
    """One sheet a spreadsheet opens: headline figures, then the per-board and per-unit times."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["统计周期(天)", data["days"], "生成时间", data["generated_at"]])
    writer.writerow([])
    writer.writerow(["指标", "数值"])
    for item in data["by_status"]:
        writer.writerow([f"状态:{item['label']}", item["count"]])
    for key, label in (("unanswered_now", "当前待回复"), ("overdue_now", "当前超时"),
                       ("escalations_open", "待派警"), ("dispatches_open", "处置中(已派警)"),
                       ("supervised_open", "督办未结")):
        writer.writerow([label, data[key]])
    sat = data["satisfaction"]
    writer.writerow(["满意度评价数", sat["count"]])
    writer.writerow(["平均满意度", sat["average"] if sat["average"] is not None else ""])
    for title, rows in (("版块", data["per_board"]), ("单位", data["per_unit"])):
        writer.writerow([])
        writer.writerow([title, "代码", "已回复", "首次回复中位数(秒)", "首次回复P90(秒)",
                         "已办结", "办结中位数(秒)", "办结P90(秒)"])
        for r in rows:
            writer.writerow([r["name"], r["key"], r["answered"], _num(r["first_response_median"]),
                             _num(r["first_response_p90"]), r["resolved"],
                             _num(r["resolution_median"]), _num(r["resolution_p90"])])
    writer.writerow([])
    writer.writerow(["最忙版块", "帖子数"])
    for b in data["busiest_boards"]:
        writer.writerow([b["name"], b["count"]])
    return "\ufeff" + out.getvalue()  # a BOM so Excel reads the Chinese as UTF-8


def _num(value) -> str:
    return "" if value is None else str(int(round(value)))

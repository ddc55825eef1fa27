"""Trend charts as geometry for server-rendered SVG (templates/leader/_charts.html draws it):
no chart library, no script, nothing fetched from elsewhere, so the dashboard and the open-data
page draw the same on an offline intranet and on a phone.

A chart is a few series over the same buckets; a missing value (no thread answered that day)
breaks the line rather than pretending a zero. Values are formatted by the caller's `fmt`
(durations, percentages, stars) for the axis and the hover titles.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

WIDTH, HEIGHT = 360, 190
LEFT, RIGHT, TOP, BOTTOM = 52, 8, 10, 26


@dataclass
class Series:
    label: str
    values: list[float | None]
    cls: str = "s1"


def _nice_max(value: float) -> float:
    """A round top for the axis: 1, 2, 2.5 or 5 × a power of ten at or above `value`."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _count_max(value: float) -> int:
    """A top for counts that splits into four whole steps: 4, 8, 20, 40, 80, 200…"""
    top = 4
    while top < value:
        top = top * 5 // 2 if str(top)[0] == "8" else top * 2
    return top


TIME_TOPS = (60, 240, 600, 1200, 1800, 3600, 7200, 4 * 3600, 8 * 3600, 12 * 3600, 86400,
             2 * 86400, 4 * 86400, 8 * 86400, 20 * 86400, 40 * 86400)


def _time_max(seconds: float) -> float:
    """A top for durations whose quarters read well: 1小时 → 15分 steps, 1天 → 6时."""
    return next((top for top in TIME_TOPS if seconds <= top), _nice_max(seconds))


def line_chart(title: str, labels: list[str], series: list[Series],
               fmt: Callable[[float], str] = lambda v: f"{v:g}", top: float | None = None,
               ticks: int = 4, counts: bool = False, axis_fmt: Callable | None = None) -> dict:
    """The chart's geometry: axis ticks, one or more polylines per series, a dot per value."""
    values = [v for s in series for v in s.values if v is not None]
    peak = max(values, default=0)
    top = top or (_count_max(peak) if counts else _nice_max(peak))
    axis_fmt = axis_fmt or fmt
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(labels), 1)
    step = inner_w / max(n - 1, 1)

    def x(i: int) -> float:
        return round(LEFT + (i * step if n > 1 else inner_w / 2), 1)

    def y(v: float) -> float:
        return round(TOP + inner_h - min(v, top) / top * inner_h, 1)

    drawn = []
    for s in series:
        lines, current, dots = [], [], []
        for i, v in enumerate(s.values):
            if v is None:
                if current:
                    lines.append(current)
                current = []
                continue
            current.append(f"{x(i)},{y(v)}")
            dots.append({"x": x(i), "y": y(v), "title": f"{labels[i]} {s.label}:{fmt(v)}"})
        if current:
            lines.append(current)
        drawn.append({"label": s.label, "cls": s.cls, "lines": [" ".join(p) for p in lines],
                      "dots": dots if len(dots) <= 62 else []})
    every = max(1, math.ceil(n / 7))  # at most about seven dates under the axis
    return {"title": title, "width": WIDTH, "height": HEIGHT, "left": LEFT,
            "right": WIDTH - RIGHT, "bottom": TOP + inner_h, "top": TOP,
            "yticks": [{"y": y(top * k / ticks), "label": axis_fmt(top * k / ticks)}
                       for k in range(ticks + 1)],
            "xticks": [{"x": x(i), "label": labels[i]} for i in range(0, len(labels), every)],
            "series": drawn, "empty": not values}


def _percent(v: float) -> str:
    return f"{v * 100:.0f}%"


def _stars(v: float) -> str:
    return f"{v:.1f}"


def _short_time(seconds: float) -> str:
    """An axis label short enough for a phone: 45秒, 18分, 2.5时, 3天."""
    if seconds < 60:
        return f"{seconds:.0f}秒"
    if seconds < 3600:
        return f"{seconds / 60:.0f}分"
    if seconds < 86400:
        return f"{seconds / 3600:.3g}时"
    return f"{seconds / 86400:.3g}天"


def trend_charts(buckets: list[dict], duration: Callable[[float], str]) -> list[dict]:
    """The dashboard's five trend charts from its trend buckets (queries/leader.py)."""
    labels = [b["label"] for b in buckets]

    def column(key: str) -> list:
        return [b[key] for b in buckets]

    return [
        line_chart("新帖与派警", labels, [Series("新帖", column("threads"), "s1"),
                                     Series("派警", column("dispatches"), "s2")], counts=True),
        line_chart("首次回复用时", labels, [Series("中位数", column("first_response_median"), "s1"),
                                      Series("P90", column("first_response_p90"), "s2")],
                   fmt=lambda v: duration(v) or "0秒", axis_fmt=_short_time,
                   top=_time_max(max((b["first_response_p90"] or 0 for b in buckets),
                                     default=0))),
        line_chart("时限内回复率", labels, [Series("时限内", column("within_target_share"), "s3")],
                   fmt=_percent, top=1),
        line_chart("超时帖数", labels, [Series("超时", column("overdue"), "s4")], counts=True),
        line_chart("群众满意度(平均星级)", labels, [Series("满意度", column("satisfaction"), "s5")],
                   fmt=_stars, top=5, ticks=5),
    ]


def open_data_charts(months: list[dict], duration: Callable[[float], str]) -> list[dict]:
    """The open-data page's month-by-month charts (queries/open_data.py's overall row)."""
    labels = [f"{int(m['month'][5:])}月" for m in months]

    def column(key: str) -> list:
        return [m[key] for m in months]

    return [
        line_chart("每月帖子与派警", labels, [Series("帖子", column("threads"), "s1"),
                                       Series("派警", column("dispatches"), "s2")], counts=True),
        line_chart("首次回复用时(中位数)", labels,
                   [Series("中位数", column("first_response_median"), "s1")],
                   fmt=lambda v: duration(v) or "0秒", axis_fmt=_short_time,
                   top=_time_max(max((v or 0 for v in column("first_response_median")),
                                     default=0))),
        line_chart("回复率与时限内回复率", labels,
                   [Series("已回复", column("answered_share"), "s1"),
                    Series("时限内", column("within_target_share"), "s3")],
                   fmt=_percent, top=1),
        line_chart("群众满意度(平均星级)", labels,
                   [Series("满意度", column("satisfaction"), "s5")], fmt=_stars, top=5, ticks=5),
    ]

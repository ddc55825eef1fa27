"""Reporting periods in Beijing days: the dashboard's presets (近7天, 上季度…) and date ranges,
the period before each one (for the comparison beside every figure), and the buckets of a
trend (days, or weeks beginning on Monday for longer periods).

A period is whole Beijing calendar days, `first` to `last` inclusive; `start`/`end` are the
UTC instants the queries compare stored times with. No database here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from board.errors import ValidationFailed
from board.sla import BEIJING

MAX_DAYS = 732  # two years: a longer range is a data export, not a dashboard
DAILY_UP_TO = 62  # a trend of up to two months is drawn day by day, longer ones week by week

PRESETS = {  # key: label, in the order the dashboard offers them
    "7d": "近7天", "30d": "近30天", "month": "本月", "last_month": "上月",
    "quarter": "本季度", "last_quarter": "上季度", "year": "今年", "365d": "近一年",
}
LEGACY_DAYS = {7: "7d", 30: "30d"}  # ?days=7 / ?days=30 from before periods


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive
    key: str  # a preset key, or "range"
    label: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        return beijing_midnight(self.first)

    @property
    def end(self) -> datetime:
        return beijing_midnight(self.last + timedelta(days=1))

    def previous(self) -> Period:
        """The period just before, as long as this one (上月 for 本月 is the whole last month)."""
        if self.key in ("month", "last_month"):
            last = self.first - timedelta(days=1)
            return Period(last.replace(day=1), last, "range", _range_label(last.replace(day=1),
                                                                           last))
        if self.key in ("quarter", "last_quarter"):
            last = self.first - timedelta(days=1)
            first = _quarter_start(last)
            return Period(first, last, "range", _range_label(first, last))
        last = self.first - timedelta(days=1)
        first = last - timedelta(days=self.days - 1)
        return Period(first, last, "range", _range_label(first, last))

    def buckets(self) -> list[tuple[date, date]]:
        """The trend's buckets as (first day, last day): days, or Monday-based weeks."""
        if self.days <= DAILY_UP_TO:
            return [(d, d) for d in _days(self.first, self.last)]
        out, cursor = [], self.first
        while cursor <= self.last:
            week_end = min(cursor + timedelta(days=6 - cursor.weekday()), self.last)
            out.append((cursor, week_end))
            cursor = week_end + timedelta(days=1)
        return out

    def label_range(self) -> str:
        return _range_label(self.first, self.last)

    @property
    def granularity(self) -> str:
        return "day" if self.days <= DAILY_UP_TO else "week"

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "first": self.first.isoformat(),
                "last": self.last.isoformat(), "days": self.days}


def beijing_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=BEIJING).astimezone(UTC)


def beijing_day(moment: datetime) -> date:
    if moment.tzinfo is None:  # SQLite returns naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING).date()


def today(now: datetime) -> date:
    return beijing_day(now)


def _days(first: date, last: date):
    for n in range((last - first).days + 1):
        yield first + timedelta(days=n)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _range_label(first: date, last: date) -> str:
    if first == last:
        return f"{first.year}年{first.month}月{first.day}日"
    return f"{first.year}年{first.month}月{first.day}日至{last.year}年{last.month}月{last.day}日"


def preset(key: str, now: datetime) -> Period:
    day = today(now)
    label = PRESETS[key]
    if key.endswith("d"):
        n = int(key[:-1])
        return Period(day - timedelta(days=n - 1), day, key, label)
    if key == "month":
        return Period(day.replace(day=1), day, key, label)
    if key == "last_month":
        last = day.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last, key, label)
    if key == "quarter":
        return Period(_quarter_start(day), day, key, label)
    if key == "last_quarter":
        last = _quarter_start(day) - timedelta(days=1)
        return Period(_quarter_start(last), last, key, label)
    return Period(date(day.year, 1, 1), day, key, label)  # year


def _parse_date(raw, name: str) -> date:
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationFailed(fields={name: "日期格式应为 2026-09-01"}) from None


def parse(args, now: datetime) -> Period:
    """The period a request asks for: `period=<preset>`, or `start`/`end` dates (Beijing,
    inclusive), or the old `days=7|30`; nothing: 近7天. Anything else is a 400 naming the field."""
    start, end = args.get("start"), args.get("end")
    if start or end:
        first = _parse_date(start or end, "start")
        last = _parse_date(end or start, "end")
        if last < first:
            raise ValidationFailed(fields={"end": "结束日期不能早于开始日期"})
        if (last - first).days + 1 > MAX_DAYS:
            raise ValidationFailed(fields={"end": f"时间范围最长 {MAX_DAYS} 天"})
        if first > today(now):
            raise ValidationFailed(fields={"start": "开始日期不能晚于今天"})
        return Period(first, last, "range", _range_label(first, last))
    key = args.get("period")
    if not key and args.get("days"):
        try:
            key = LEGACY_DAYS[int(args["days"])]
        except (TypeError, ValueError, KeyError):
            raise ValidationFailed(fields={"days": "统计周期只能是 7 或 30 天"}) from None
    key = key or "7d"
    if key not in PRESETS:
        raise ValidationFailed(fields={"period": "统计周期无效"})
    return preset(key, now)


def query_args(period: Period) -> dict:
    """The URL arguments that ask for this period again (links, exports, drill-downs)."""
    if period.key == "range":
        return {"start": period.first.isoformat(), "end": period.last.isoformat()}
    return {"period": period.key}

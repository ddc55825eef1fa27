"""Median and nearest-rank percentile over a bounded list of seconds, and one board's or unit's
response and resolution times summarised with them, for the leaders' figures.

Taken in Python rather than SQL so SQLite and PostgreSQL give the same numbers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0–100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); None for none."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def share(part: int, whole: int) -> float | None:
    """part / whole rounded to 3 places (0.875); None when there is nothing to share."""
    return round(part / whole, 3) if whole else None


# --- histograms: the pre-aggregate's times (models/daily_stat.py) --------------------------

BUCKETS = 48  # bucket 0: under 1 s; bucket i: [2^((i-1)/2), 2^(i/2)) s; the last one: 97 days+
RESOLUTION_NOTE = ("用时的中位数与 P90 按对数分档统计(每档约 1.41 倍),误差在 ±19% 以内;"
                   "当天和刚有变动的日子按实际用时计算。")


def bucket_of(seconds: float) -> int:
    if seconds < 1:
        return 0
    return min(BUCKETS - 1, 1 + int(math.floor(2 * math.log2(seconds))))


def bucket_value(index: int) -> float:
    """A bucket's representative: its geometric middle, within a factor 2^(1/4) (±19%) of any
    time in it."""
    return 0.5 if index == 0 else round(2 ** ((index - 0.5) / 2))


class Times:
    """Durations as a histogram, and also exactly while every one came from rows (`values`
    is None once a pre-aggregated histogram was added): exact figures when they can be. The
    histogram is made on first use (thousands of empty ones are summed per page)."""

    __slots__ = ("hist", "values")

    def __init__(self):
        self.hist: list[int] | None = None
        self.values: list[float] | None = []

    @property
    def count(self) -> int:
        return sum(self.hist) if self.hist else 0

    def record(self, seconds: float) -> None:
        if self.hist is None:
            self.hist = [0] * BUCKETS
        self.hist[bucket_of(seconds)] += 1
        if self.values is not None:
            self.values.append(seconds)

    def add_hist(self, counts: list[int]) -> None:
        if not any(counts):
            return
        self.values = None
        if self.hist is None:
            self.hist = list(counts)
        else:
            self.hist = [a + b for a, b in zip(self.hist, counts, strict=True)]

    def include(self, other: Times) -> None:
        if other.hist is not None:
            self.hist = list(other.hist) if self.hist is None else [
                a + b for a, b in zip(self.hist, other.hist, strict=True)]
        if other.values is None:
            self.values = None
        elif self.values is not None:
            self.values.extend(other.values)

    def _rank(self, rank: int) -> float:
        seen = 0
        for i, n in enumerate(self.hist or ()):
            seen += n
            if seen >= rank:
                return bucket_value(i)
        return bucket_value(BUCKETS - 1)

    def median(self) -> float | None:
        if self.values is not None:
            return median(self.values)
        n = self.count
        if not n:
            return None
        if n % 2:
            return self._rank(n // 2 + 1)
        return (self._rank(n // 2) + self._rank(n // 2 + 1)) / 2

    def percentile(self, p: float) -> float | None:
        if self.values is not None:
            return percentile(self.values, p)
        n = self.count
        return self._rank(max(1, math.ceil(p / 100 * n))) if n else None


@dataclass
class Figures:
    """One day's (or period's, bucket's, board's, unit's …) figures in the pre-aggregate's
    shape: counts, five score counts and two time histograms; adds up and merges."""

    threads: int = 0
    asked: int = 0
    within: int = 0
    missed: int = 0
    resolved: int = 0
    dispatches: int = 0
    scores: list[int] = field(default_factory=lambda: [0] * 5)  # how many 1★ … 5★
    first: Times = field(default_factory=Times)
    resolution: Times = field(default_factory=Times)

    def add_thread(self, created, first, due, resolved, needs_answer: bool, now,
                   resolution: bool = True) -> None:
        self.threads += 1
        if not needs_answer:
            return
        self.asked += 1
        if first is not None:
            self.first.record((first - created).total_seconds())
        if resolved is not None:
            self.resolved += 1
            if resolution:
                self.resolution.record((resolved - created).total_seconds())
        if due is not None:
            if first is not None and first <= due:
                self.within += 1
            elif first is not None or due <= now:
                self.missed += 1

    def include(self, other: Figures) -> None:
        for name in ("threads", "asked", "within", "missed", "resolved", "dispatches"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.scores = [a + b for a, b in zip(self.scores, other.scores, strict=True)]
        self.first.include(other.first)
        self.resolution.include(other.resolution)

    @property
    def ratings(self) -> int:
        return sum(self.scores)

    def _mean(self) -> float | None:
        n = self.ratings
        return round(sum((i + 1) * c for i, c in enumerate(self.scores)) / n, 2) if n else None

    def figures(self) -> dict:
        """The period/trend figures (the shape Tally.figures had)."""
        answered = self.first.count
        return {"threads": self.threads, "answered": answered,
                "answered_share": share(answered, self.asked),
                "first_response_median": self.first.median(),
                "first_response_p90": self.first.percentile(90),
                "within_target": self.within, "overdue": self.missed,
                "within_target_share": share(self.within, self.within + self.missed),
                "resolved": self.resolved, "dispatches": self.dispatches,
                "ratings": self.ratings, "satisfaction": self._mean(),
                "satisfied_share": share(self.scores[3] + self.scores[4], self.ratings)}

    def times(self, key: str, name: str) -> dict:
        """A board's or unit's response and resolution times (the shape TimeRow.figures had)."""
        return {"key": key, "name": name,
                "answered": self.first.count, "resolved": self.resolution.count,
                "first_response_median": self.first.median(),
                "first_response_p90": self.first.percentile(90),
                "resolution_median": self.resolution.median(),
                "resolution_p90": self.resolution.percentile(90)}

    def satisfaction(self, key: str, name: str, detail: str = "") -> dict:
        """A unit's or officer's ratings (the shape Ratings.figures had)."""
        return {"key": key, "name": name, "detail": detail, "count": self.ratings,
                "average": self._mean(),
                "satisfied_share": share(self.scores[3] + self.scores[4], self.ratings),
                "low": self.scores[0] + self.scores[1]}

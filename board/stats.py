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


@dataclass
class TimeRow:
    """The seconds to first response and to resolution of one board's or unit's threads."""

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


def share(part: int, whole: int) -> float | None:
    """part / whole rounded to 3 places (0.875); None when there is nothing to share."""
    return round(part / whole, 3) if whole else None


def mean(values: list[float], places: int = 2) -> float | None:
    return round(sum(values) / len(values), places) if values else None


@dataclass
class Tally:
    """One period's or one trend bucket's figures, added up thread by thread.

    `within`/`missed` count the threads with a first-response target whose outcome is known:
    answered by the target, or answered late / still unanswered past it. A thread still inside
    its time is in neither, so the share is not dragged down by questions asked an hour ago."""

    threads: int = 0
    asked: int = 0  # threads owed an answer (not notices)
    first_response: list[float] = field(default_factory=list)
    within: int = 0
    missed: int = 0
    resolved: int = 0
    dispatches: int = 0
    scores: list[int] = field(default_factory=list)

    def add_thread(self, created, first, due, resolved, needs_answer: bool, now) -> None:
        self.threads += 1
        if not needs_answer:
            return
        self.asked += 1
        if first is not None:
            self.first_response.append((first - created).total_seconds())
        if resolved is not None:
            self.resolved += 1
        if due is not None:
            if first is not None and first <= due:
                self.within += 1
            elif first is not None or due <= now:
                self.missed += 1

    def figures(self) -> dict:
        return {"threads": self.threads, "answered": len(self.first_response),
                "answered_share": share(len(self.first_response), self.asked),
                "first_response_median": median(self.first_response),
                "first_response_p90": percentile(self.first_response, 90),
                "within_target": self.within, "overdue": self.missed,
                "within_target_share": share(self.within, self.within + self.missed),
                "resolved": self.resolved, "dispatches": self.dispatches,
                "ratings": len(self.scores), "satisfaction": mean(self.scores),
                "satisfied_share": share(sum(1 for s in self.scores if s >= 4),
                                         len(self.scores))}


@dataclass
class Ratings:
    """One unit's or officer's ratings: count, mean and the share of 4–5 stars."""

    key: str
    name: str
    detail: str = ""
    scores: list[int] = field(default_factory=list)

    def figures(self) -> dict:
        return {"key": self.key, "name": self.name, "detail": self.detail,
                "count": len(self.scores), "average": mean(self.scores),
                "satisfied_share": share(sum(1 for s in self.scores if s >= 4),
                                         len(self.scores)),
                "low": sum(1 for s in self.scores if s <= 2)}

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

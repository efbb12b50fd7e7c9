"""The spread of scores from a histogram of whole points: count, quartiles, extremes and bands.

The database counts the scores per whole point (0–100) with a GROUP BY; everything here is worked
out from those at most 101 counts, never from the rows. Quartiles interpolate between the two
nearest ranks (the common "type 7" definition, as in spreadsheets' QUARTILE.INC), so the median of
10, 20, 30 and 40 is 25.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Bands of ten points for the histogram tables: 0–9, 10–19, …, 80–89, and 90–100.
BAND_WIDTH = 10
BANDS = tuple((low, low + BAND_WIDTH - 1 if low < 90 else 100) for low in range(0, 100, 10))


@dataclass(frozen=True)
class Spread:
    """Five figures and a count that describe one dimension's scores."""

    count: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float


def quantile(counts: Mapping[int, int], p: float) -> float:
    """The p-quantile (0..1) of the values counted, interpolating between the nearest ranks."""
    total = sum(counts.values())
    if total == 0:
        raise ValueError("no values")
    position = p * (total - 1)
    below = int(position)
    fraction = position - below
    lower = _value_at(counts, below)
    if fraction == 0:
        return float(lower)
    upper = _value_at(counts, below + 1)
    return lower + (upper - lower) * fraction


def _value_at(counts: Mapping[int, int], rank: int) -> int:
    """The value at a 0-based rank of the sorted values."""
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if rank < seen:
            return value
    raise IndexError(rank)


def spread(counts: Mapping[int, int]) -> Spread | None:
    """The spread of the counted values, or None when there are none."""
    present = {value: n for value, n in counts.items() if n > 0}
    if not present:
        return None
    return Spread(
        count=sum(present.values()),
        minimum=float(min(present)),
        q1=quantile(present, 0.25),
        median=quantile(present, 0.5),
        q3=quantile(present, 0.75),
        maximum=float(max(present)),
    )


def bands(counts: Mapping[int, int]) -> list[int]:
    """How many values fall in each band of BANDS."""
    return [sum(n for v, n in counts.items() if low <= v <= high) for low, high in BANDS]


def without(counts: Mapping[int, int], own: Mapping[int, int]) -> dict[int, int]:
    """The counts less someone's own values (a respondent compared with the others)."""
    return {value: n - own.get(value, 0) for value, n in counts.items() if n - own.get(value, 0)}

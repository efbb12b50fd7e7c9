"""The portfolio in figures: sendings per month, role and level, score spreads, frequent findings.

Every figure is an aggregate the database computes (GROUP BY on indexed tables); no row of a
sending is loaded. Withdrawn sendings are not counted. The figures, and the charts drawn from them
per language, are kept in memory under a stamp of the `sending` table (how many rows, the latest
change, the month): a repeat view costs two index lookups, and any change draws anew.

Scores are counted per whole point (0–100), so quartiles and extremes are exact to the point.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from sqlalchemy import case, func, literal_column, select

from app.core.spread import Spread, spread, without
from app.extensions import db
from app.models import Sending, SendingFlag, SendingScore

# Months begin at midnight where the fund and its respondents are (Denmark and Sweden alike).
LOCAL = ZoneInfo("Europe/Copenhagen")
MONTHS = 12
# Fewer than this many other assessments of a role, and a respondent sees no comparison.
MINIMUM_OTHERS = 5
COUNTED = Sending.status != "withdrawn"


@dataclass
class Figures:
    """The portfolio's aggregates, before any language is applied."""

    months: list[date]  # the first day of each of the last MONTHS months, oldest first
    per_month: dict[tuple[int, str], int]  # (month index, role) -> sendings
    per_level: dict[tuple[str, str | None], int]  # (role, overall level) -> sendings
    scores: dict[tuple[str, str], dict[int, int]]  # (role, dimension) -> {whole point: count}
    findings: dict[tuple[str, str], list[tuple[str, int]]]  # (role, kind) -> [(code, count)]
    drawn: dict[str, Any] = field(default_factory=dict)  # per language: charts drawn once

    def per_role(self) -> dict[str, int]:
        """Counted sendings per role, all time."""
        totals: dict[str, int] = {}
        for (role, _level), n in self.per_level.items():
            totals[role] = totals.get(role, 0) + n
        return totals

    def spread(self, role: str, dimension: str) -> Spread | None:
        return spread(self.scores.get((role, dimension), {}))


def month_starts(now: datetime, count: int = MONTHS) -> list[datetime]:
    """The first moment of each of the last `count` months (this one last), in local time."""
    local = now.astimezone(LOCAL)
    year, month = local.year, local.month
    starts = []
    for _ in range(count):
        starts.append(datetime(year, month, 1, tzinfo=LOCAL))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(starts))


def stamp(now: datetime) -> tuple:
    """What the figures depend on: rows, the latest change, and the month it is."""
    count = db.session.scalar(select(func.count()).select_from(Sending))
    latest = db.session.scalar(select(func.max(Sending.updated_at)))
    local = now.astimezone(LOCAL)
    return (count, str(latest), local.year, local.month)


def compute(now: datetime) -> Figures:
    """Four GROUP BY queries on indexes; none returns more rows than roles × levels, months or
    points."""
    starts = month_starts(now)
    # The month of a sending as its index among the starts: portable, and local time is kept.
    month = case(
        *[
            (Sending.sent_at >= start.astimezone(UTC), index)
            for index, start in reversed(list(enumerate(starts)))
        ],
        else_=-1,
    )
    per_month = db.session.execute(
        select(month, Sending.role, func.count())
        .where(COUNTED, Sending.sent_at >= starts[0].astimezone(UTC))
        .group_by(month, Sending.role)
    ).all()
    per_level = db.session.execute(
        select(Sending.role, Sending.overall_level, func.count())
        .where(COUNTED)
        .group_by(Sending.role, Sending.overall_level)
    ).all()
    # The role, whether it counts and the whole point are copied onto the rows, so these two
    # are answered from one covering index each, without a join (ix_sending_*_portfolio).
    scores = db.session.execute(
        select(SendingScore.role, SendingScore.dimension, SendingScore.point, func.count())
        .where(SendingScore.counted.is_(True), SendingScore.point.is_not(None))
        .group_by(SendingScore.role, SendingScore.dimension, SendingScore.point)
    ).all()
    found = func.count().label("found")
    findings = db.session.execute(
        select(SendingFlag.role, SendingFlag.kind, SendingFlag.code, found)
        .where(SendingFlag.counted.is_(True))
        .group_by(SendingFlag.role, SendingFlag.kind, SendingFlag.code)
        .order_by(literal_column("found").desc(), SendingFlag.code)
    ).all()
    figures = Figures(
        months=[s.date() for s in starts],
        per_month={(int(m), role): n for m, role, n in per_month if m >= 0},
        per_level={(role, level): n for role, level, n in per_level},
        scores={},
        findings={},
    )
    for role, dimension, value, n in scores:
        figures.scores.setdefault((role, dimension), {})[int(value)] = n
    for role, kind, code, n in findings:
        figures.findings.setdefault((role, kind), []).append((code, n))
    return figures


_lock = threading.Lock()


def figures(now: datetime | None = None) -> Figures:
    """The figures, computed once per stamp and kept in memory (per worker process)."""
    now = now or datetime.now(UTC)
    key = stamp(now)
    kept = _store(current_app)
    if kept.get("key") == key:
        return kept["figures"]
    fresh = compute(now)
    with _lock:
        kept.clear()
        kept.update(key=key, figures=fresh)
    return fresh


def _store(app: Flask) -> dict:
    return app.extensions.setdefault("dashboard_figures", {})


def forget_figures(app: Flask) -> None:
    """Drop the kept figures (for tests that change rows behind the stamp's back)."""
    _store(app).clear()


@dataclass(frozen=True)
class Benchmark:
    """How the other sent assessments of a role score, per dimension (None: too few)."""

    others: int
    spreads: dict[str, Spread | None]

    @property
    def enough(self) -> bool:
        return self.others >= MINIMUM_OTHERS


def benchmark(role: str, assessment_id: int) -> Benchmark:
    """The others of the same role: the portfolio's figures less this assessment's own scores.

    Only medians and quartiles are shown to a respondent, and only with at least MINIMUM_OTHERS
    others behind them (per dimension too), so no single other respondent can be read off.
    """
    kept = figures()
    own = db.session.execute(
        select(Sending.status, SendingScore.dimension, SendingScore.point)
        .join(SendingScore, SendingScore.sending_id == Sending.id, isouter=True)
        .where(Sending.assessment_id == assessment_id, Sending.role == role, COUNTED)
    ).all()
    own_points = {dimension: value for _s, dimension, value in own if value is not None}
    others = kept.per_role().get(role, 0) - (1 if own else 0)
    spreads: dict[str, Spread | None] = {}
    for (r, dimension), counts in kept.scores.items():
        if r != role:
            continue
        rest = without(counts, {own_points[dimension]: 1} if dimension in own_points else {})
        found = spread(rest)
        spreads[dimension] = found if found and found.count >= MINIMUM_OTHERS else None
    return Benchmark(others, spreads)

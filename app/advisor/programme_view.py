"""A programme's page as the advisor reads it: parties, the overlaid radars, gaps and changes.

Presentation only: the parties, shared dimensions and changes come from app/core/programme.py,
the disagreements from app/core/compare.py; this turns them into rows and sentences in one language.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from app.assessment import service
from app.assessment.report import format_score
from app.core import charts
from app.core.compare import Disagreement, disagreements
from app.core.programme import (
    AUTHORITY,
    OVERALL,
    Party,
    Step,
    other_dimensions,
    pairs,
    parties,
    scores,
    shared_dimensions,
    steps,
)
from app.core.questionnaire import Question
from app.models import Programme
from app.review import programmes as service_programmes

CHART_ID = "programme-radar"
# Overlays kept per worker (tens of kB each), the least recently shown dropped first.
OVERLAYS_KEPT = 64


def role_label(role: str) -> str:
    """The party's role in the page's language."""
    return _("Municipality or region") if role == AUTHORITY else _("Supplier")


@dataclass(frozen=True)
class PartyView:
    """A party as named on the page and in the chart's legend."""

    party: Party
    role: str
    name: str
    link: str

    @property
    def label(self) -> str:
        return f"{self.role}: {self.name}"


@dataclass(frozen=True)
class Gap:
    """One disagreement with the questions it was asked as, for showing the answers' labels."""

    item: Disagreement
    authority_question: Question
    supplier_question: Question


def dimension_titles(found: list[Party], lang: str) -> dict[str, str]:
    """Each dimension's title as its frozen result names it; the overall score by its name."""
    titles: dict[str, str] = {OVERALL: _("Overall score")}
    for party in found:
        for entry in party.entries:
            labels = (entry.result.get("labels") or {}).get("dimensions") or {}
            for key, names in labels.items():
                titles.setdefault(key, names.get(lang) or key)
    return titles


def chart_description(views: list[PartyView], rows: list[tuple[str, list[Any]]]) -> str:
    """The chart's numbers in sentences, for screen readers (the table has them too)."""
    parts = []
    for index, view in enumerate(views):
        numbers = "; ".join(f"{title}: {format_score(values[index])}" for title, values in rows)
        parts.append(f"{view.label}: {numbers}.")
    return " ".join([_("Scores from 0 to 100 per dimension."), *parts])


def overlay_svg(views: list[PartyView], rows: list[tuple[str, list[Any]]]) -> str:
    """The latest radar of every party on one chart, as inline SVG."""
    labels = tuple(title for title, _values in rows)
    series = tuple(
        (view.label, tuple(values[i] for _title, values in rows)) for i, view in enumerate(views)
    )
    title = _("The parties' latest scores on one chart")
    return drawn_overlay(labels, series, title, chart_description(views, rows))


@functools.lru_cache(maxsize=OVERLAYS_KEPT)
def drawn_overlay(labels: tuple, series: tuple, title: str, description: str) -> str:
    """The overlay for these numbers and words, drawn once per worker: a programme's page is read
    far more often than its parties send new results, and a drawing took 410-480 ms here."""
    figure = charts.radar_overlay_figure(
        list(labels), [(label, list(values)) for label, values in series], None
    )
    return charts.figure_svg(figure, title, description, CHART_ID)


def gaps(authority: Party, supplier: Party) -> list[Gap]:
    """Shared questions the two parties' latest assessments answered far apart."""
    known = service.questionnaires()
    ours, theirs = known[authority.role], known[supplier.role]
    found = disagreements(ours, authority.latest.answers, theirs, supplier.latest.answers)
    return [Gap(d, ours.questions[d.question], theirs.questions[d.question]) for d in found]


def page_view(programme: Programme, lang: str) -> dict[str, Any]:
    """Everything the programme's page shows."""
    found = parties(service_programmes.entries(service_programmes.sendings_of(programme)))
    titles = dimension_titles(found, lang)
    views = [
        PartyView(
            party,
            role_label(party.role),
            party.organisation,
            url_for(".assessment", sending_id=party.latest.sending_id),
        )
        for party in found
    ]
    latest = [party.latest.result for party in found]
    rows = [
        (titles.get(d, d), [scores(result).get(d) for result in latest])
        for d in shared_dimensions(latest)
    ]
    apart = [
        (view, titles.get(d, d), scores(view.party.latest.result).get(d))
        for view, ids in zip(views, other_dimensions(latest), strict=True)
        for d in ids
    ]
    by_party = {id(view.party): view for view in views}
    comparisons = [(by_party[id(a)], by_party[id(s)], gaps(a, s)) for a, s in pairs(found)]
    timelines: list[tuple[PartyView, list[Step]]] = [(v, steps(v.party)) for v in views]
    return {
        "parties": views,
        "rows": rows,
        "apart": apart,
        "chart": overlay_svg(views, rows) if views and rows else None,
        "comparisons": comparisons,
        "timelines": timelines,
        "titles": titles,
        "questionnaires": service.questionnaires(),
    }

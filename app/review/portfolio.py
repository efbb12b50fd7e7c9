"""The dashboard and the respondents' comparison as pages show them: names, tables and charts.

The figures come from app/review/dashboard.py; here they get the names of the page's language
(from the questionnaires) and their charts, drawn once per language and figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _

from app.assessment import service
from app.core import charts
from app.core.dashboard_charts import month_bars, spread_boxes
from app.core.questionnaire import Questionnaire
from app.core.spread import BANDS, Spread, bands
from app.review.dashboard import Benchmark, Figures, figures

ROLES = ("kommune", "leverandoer")
TOP = 10
# Respondents' comparison charts kept per figures (each is drawn for one secret link).
MAX_KEPT = 500


def role_names() -> dict[str, str]:
    """The two roles as the list names them."""
    return {"kommune": _("Municipality or region"), "leverandoer": _("Supplier")}


def finding_name(questionnaire: Questionnaire, kind: str, code: str, lang: str) -> str:
    """A warning's or a requirement's words in the page's language, from the questionnaire."""
    if kind == "requirement":
        found = next((r for r in questionnaire.requirements if r.id == code), None)
        return found.text[lang] if found else code
    flag = next((f for f in questionnaire.flags if f.id == code), None)
    if flag is not None:
        return flag.message[lang]
    if code.startswith("many_unknown_"):
        dimension = code.removeprefix("many_unknown_")
        titles = {d.id: d.title[lang] for d in questionnaire.dimensions}
        if dimension in titles:
            return _("Many “don't know” answers about %(dimension)s", dimension=titles[dimension])
    return code


@dataclass(frozen=True)
class DimensionSpread:
    """One row of a role's spread table and its histogram table."""

    id: str
    title: str
    spread: Spread | None
    bands: list[int]


def band_labels() -> list[str]:
    """The histogram's bands as column headings: 0–9, 10–19, …, 90–100."""
    return [f"{low}–{high}" for low, high in BANDS]


def spread_description(rows: list[DimensionSpread]) -> str:
    """The box plot's numbers in a sentence, for screen readers (the table has them too)."""
    parts = [
        _(
            "%(dimension)s: median %(median)s, quartiles %(q1)s and %(q3)s",
            dimension=row.title,
            median=points(row.spread.median),
            q1=points(row.spread.q1),
            q3=points(row.spread.q3),
        )
        for row in rows
        if row.spread is not None
    ]
    return "; ".join(parts) + "." if parts else _("No scores yet.")


def points(value: float) -> str:
    """A score figure as shown: whole, or with one decimal when it falls between two points."""
    return format_decimal(round(value, 1), "0.#")


def dashboard_view(lang: str) -> dict[str, Any]:
    """Everything the dashboard shows, in one language."""
    kept = figures()
    questionnaires = service.questionnaires()
    names = role_names()
    levels = [(lv.id, lv.title[lang]) for lv in questionnaires["kommune"].levels]
    per_role = kept.per_role()
    months = [
        (
            format_date(start, "MMMM yyyy"),
            {role: kept.per_month.get((i, role), 0) for role in ROLES},
        )
        for i, start in enumerate(kept.months)
    ]
    level_rows = [
        (name, {role: kept.per_level.get((role, level), 0) for role in ROLES})
        for level, name in levels
    ]
    unlevelled = {role: kept.per_level.get((role, None), 0) for role in ROLES}
    if sum(unlevelled.values()):  # a result without an overall level (too few answers)
        level_rows.append((_("No overall level"), unlevelled))
    sections = []
    for role in ROLES:
        questionnaire = questionnaires[role]
        rows = [
            DimensionSpread(
                d.id,
                d.title[lang],
                kept.spread(role, d.id),
                bands(kept.scores.get((role, d.id), {})),
            )
            for d in questionnaire.dimensions
        ]
        found = {
            kind: [
                (finding_name(questionnaire, kind, code, lang), n)
                for code, n in kept.findings.get((role, kind), [])[:TOP]
            ]
            for kind in ("flag", "requirement")
        }
        sections.append(
            {
                "role": role,
                "name": names[role],
                "count": per_role.get(role, 0),
                "rows": rows,
                "flags": found["flag"],
                "requirements": found["requirement"],
            }
        )
    drawn = _charts(kept, lang, months, sections)
    return {
        "total": sum(per_role.values()),
        "roles": [(role, names[role]) for role in ROLES],
        "per_role": per_role,
        "months": months,
        "levels": level_rows,
        "sections": sections,
        "month_chart": drawn["months"],
        "spread_charts": drawn["spreads"],
        "band_labels": band_labels(),
    }


def _charts(kept: Figures, lang: str, months: list, sections: list[dict]) -> dict[str, Any]:
    """The charts of these figures in this language: drawn on the first view, then kept."""
    if lang in kept.drawn:
        return kept.drawn[lang]
    names = role_names()
    month_chart = charts.figure_svg(
        month_bars(
            [label for label, _counts in months],
            [(names[role], [counts[role] for _l, counts in months]) for role in ROLES],
            _("Sent assessments"),
        ),
        _("Sent assessments per month"),
        "; ".join(f"{label}: {sum(counts.values())}" for label, counts in months) + ".",
        "months-chart",
    )
    spreads = {}
    for section in sections:
        rows = section["rows"]
        spreads[section["role"]] = charts.figure_svg(
            spread_boxes([r.title for r in rows], [r.spread for r in rows], _("Score (0–100)")),
            _("Spread of the scores per dimension: %(role)s", role=section["name"]),
            spread_description(rows),
            f"spread-{section['role']}",
        )
    drawn = {"months": month_chart, "spreads": spreads}
    kept.drawn[lang] = drawn
    return drawn


def benchmark_view(assessment: Any, found: Benchmark, lang: str) -> dict[str, Any]:
    """A respondent's own scores beside the others' medians and quartiles (when enough)."""
    questionnaire = service.questionnaire_of(assessment)
    own = {d["id"]: d.get("score") for d in (assessment.result or {}).get("dimensions", [])}
    rows = [
        {
            "title": d.title[lang],
            "own": own.get(d.id),
            "spread": found.spreads.get(d.id) if found.enough else None,
        }
        for d in questionnaire.dimensions
    ]
    chart = None
    key = ("benchmark", lang, assessment.id)
    kept = figures()
    if key in kept.drawn:
        chart = kept.drawn[key]
    elif found.enough and any(r["spread"] for r in rows):
        description = "; ".join(
            _(
                "%(dimension)s: yours %(own)s, others' median %(median)s",
                dimension=r["title"],
                own="–" if r["own"] is None else points(r["own"]),
                median=points(r["spread"].median),
            )
            for r in rows
            if r["spread"]
        )
        chart = charts.figure_svg(
            spread_boxes(
                [r["title"] for r in rows],
                [r["spread"] for r in rows],
                _("Score (0–100)"),
                whiskers=False,
                own=[r["own"] for r in rows],
                own_label=_("Your score"),
            ),
            _("Your scores beside the others'"),
            description + ".",
            "benchmark-chart",
        )
        if len(kept.drawn) < MAX_KEPT:
            kept.drawn[key] = chart
    return {"rows": rows, "chart": chart, "others": found.others, "enough": found.enough}

"""The result as the reader sees it: a view in one language, the radar chart (and its bars for a
phone) and the PDF."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from flask_babel import format_decimal
from flask_babel import gettext as _

from app.assessment import service
from app.core import charts
from app.core.scorebars import ScoreBar, score_bars_svg
from app.core.scoring import is_shown
from app.core.simulator import MONEY_FIELDS, Scenario, scenario_from_dict, simulate
from app.extensions import db
from app.models import Assessment
from app.simulator.forms import SimulatorForm
from app.simulator.presenter import figure_labels, sentences
from app.urls import public_root

# The radar as printed, in inches (16 × 11.2 cm): drawn at this size, so that its labels print
# at their nominal 8 and 9 pt, and placed unscaled. The heading above it names the programme.
PRINT_RADAR = (6.3, 4.4)
SCREEN_RADAR = (7.5, 7.5)  # the radar on the result page, in inches


@dataclass(frozen=True)
class DimensionRow:
    """One row of the scores table (and one spoke of the radar)."""

    id: str
    title: str
    score: float | None
    level: str | None
    answered: int
    unknown: int
    previous: float | None
    steps: list[str]
    status: str = "scored"
    capped: bool = False
    uncapped_level: str | None = None

    @property
    def change(self) -> float | None:
        """Points up or down since the previous assessment."""
        if self.score is None or self.previous is None:
            return None
        return round(self.score - self.previous, 1)


def result_view(assessment: Assessment, lang: str) -> dict[str, Any]:
    """The stored result, in one language, with the previous submitted result beside it."""
    result = assessment.result or {}
    names = result["labels"]
    previous = assessment.previous
    before: dict[str, float | None] = {}
    if previous is not None and previous.submitted and previous.result:
        before = {d["id"]: d["score"] for d in previous.result["dimensions"]}
    level_title = {k: v[lang] for k, v in names["levels"].items()}
    rows = [
        DimensionRow(
            d["id"],
            names["dimensions"][d["id"]][lang],
            d["score"],
            level_title.get(d["level"]) if d["level"] else None,
            d["answered"],
            d["unknown"],
            before.get(d["id"]),
            names["dimension_steps"].get(d["id"], []),
            d.get("status", "scored"),
            d.get("capped", False),
            level_title.get(d.get("uncapped_level") or ""),
        )
        for d in result["dimensions"]
    ]
    by_id = {row.id: row for row in rows}
    overall_previous = previous.result.get("overall") if before and previous else None
    return {
        "title": names["title"][lang],
        "rows": rows,
        "overall": result["overall"],
        "overall_previous": overall_previous,
        "overall_level": level_title.get(result["overall_level"])
        if result["overall_level"]
        else None,
        "overall_level_description": names["level_descriptions"]
        .get(result["overall_level"], {})
        .get(lang),
        "levels": [
            (level_title[i], names["level_descriptions"][i][lang]) for i in names["level_order"]
        ],
        "uncapped_level": level_title.get(result.get("uncapped_level") or ""),
        "gate": result.get("gate") or {},
        "headline": [by_id[key] for key in result.get("headline", ()) if key in by_id],
        "actions": [action_view(a, lang, by_id) for a in result.get("actions", [])],
        "advice": grouped([action_view(a, lang, by_id) for a in result.get("advice", [])]),
        "flags_by_severity": flags_by_severity(result["flags"], lang),
        "flags": [{**f, "text": f["message"][lang]} for f in result["flags"]],
        "requirements": sorted(
            (
                {**r, "label": r["text"][lang]}
                for r in result["requirements"]
                if r.get("applicable", True)
            ),
            key=lambda r: r["met"],
        ),
        "requirements_met": result.get(
            "requirements_met", sum(1 for r in result["requirements"] if r["met"])
        ),
        "requirements_total": result.get("requirements_total", len(result["requirements"])),
        # Results stored before advice came from the answers kept one text per dimension.
        "old_recommendations": [
            {**a, "label": a["text"][lang]}
            for a in result.get("recommendations", [])
            if a.get("source", "").startswith("dimension:")
        ],
        "has_previous": bool(before),
        "previous_token": previous.token if previous is not None else None,
    }


SEVERITIES = ("high", "medium", "low")


def flags_by_severity(flags: list[dict], lang: str) -> list[tuple[str, list[dict]]]:
    """The warnings in groups, highest severity first; empty groups left out."""
    listed = [{**f, "text": f["message"][lang]} for f in flags]
    groups = [(sev, [f for f in listed if f["severity"] == sev]) for sev in SEVERITIES]
    return [(sev, items) for sev, items in groups if items]


def grouped(items: list[dict]) -> list[tuple[str, list[dict]]]:
    """Advice by dimension, in the order the dimensions first appear."""
    groups: dict[str, list[dict]] = {}
    for item in items:
        groups.setdefault(item["dimension_title"], []).append(item)
    return list(groups.items())


def action_view(action: dict, lang: str, rows: dict[str, DimensionRow]) -> dict[str, Any]:
    """One action as the reader sees it: the question it answers, the step, and the links."""
    question = action.get("question_text") or {}
    row = rows.get(action["dimension"])
    return {
        **action,
        "label": action["text"][lang],
        "question_label": question.get(lang),
        "dimension_title": row.title if row else "",
    }


def _radar_input(view: dict[str, Any], assessment: Assessment, for_print: bool = False) -> tuple:
    """What the radar shows: labels, scores, previous scores, title and size (inches)."""
    rows = [r for r in view["rows"]]
    scores = [r.score or 0 for r in rows]
    previous = [r.previous or 0 for r in rows] if view["has_previous"] else None
    labels = [r.title for r in rows]
    if for_print:
        return labels, scores, previous, None, PRINT_RADAR
    title = f"{assessment.organisation} – {assessment.programme}"
    return labels, scores, previous, title, SCREEN_RADAR


def _radar(view: dict[str, Any], assessment: Assessment, for_print: bool = False):  # type: ignore[no-untyped-def]
    return charts.radar_figure(*_radar_input(view, assessment, for_print))


def radar_svg(view: dict[str, Any], assessment: Assessment, for_print: bool = False) -> str:
    """The radar as inline SVG, drawn onto the kept frame of its questionnaire and language."""
    title = _("Readiness per dimension: %(programme)s", programme=assessment.programme)
    return charts.radar_svg(
        *_radar_input(view, assessment, for_print), title, chart_description(view), "radar"
    )


def chart_description(view: dict[str, Any]) -> str:
    """The radar's numbers in one sentence, for screen readers (the table has them too)."""
    parts = [f"{r.title}: {format_score(r.score)}" for r in view["rows"]]
    return _("Scores from 0 to 100 per dimension.") + " " + "; ".join(parts) + "."


def format_score(score: float | None) -> str:
    """A score as shown to people: a whole number, or a dash when there is none."""
    return "–" if score is None else f"{score:.0f}"


def drawing_prefix(assessment: Assessment) -> str:
    """Where a kept version's drawings are stored ("v1-"), apart from the live assessment's."""
    return getattr(assessment, "drawing_prefix", "")


def chart_svg(
    assessment: Assessment, lang: str, view: dict[str, Any], for_print: bool = False
) -> str:
    """The radar as inline SVG (for the screen, or at its printed size), drawn once per language."""

    def draw() -> bytes:
        return radar_svg(view, assessment, for_print).encode()

    name = f"radar-print-{lang}.svg" if for_print else f"radar-{lang}.svg"
    return service.rendered(assessment, drawing_prefix(assessment) + name, draw).decode()


def bars_svg(assessment: Assessment, lang: str, view: dict[str, Any]) -> str:
    """The scores as bars for a phone, drawn once per result and language, like the radar."""

    def draw() -> bytes:
        rows = [ScoreBar(r.title, r.score, format_score(r.score), r.previous) for r in view["rows"]]
        title = _("Readiness per dimension: %(programme)s", programme=assessment.programme)
        return score_bars_svg(
            rows, title=title, description=chart_description(view), element_id="score-bars"
        ).encode()

    name = drawing_prefix(assessment) + f"bars-{lang}.svg"
    return service.rendered(assessment, name, draw).decode()


def chart_png(assessment: Assessment, lang: str, view: dict[str, Any]) -> bytes:
    """The radar as PNG, drawn once per result and language."""
    return service.rendered(
        assessment,
        drawing_prefix(assessment) + f"radar-{lang}.png",
        lambda: charts.figure_png(_radar(view, assessment)),
    )


def render_result(
    assessment: Assessment, lang: str, template: str, for_print: bool = False, **extra: Any
) -> str:
    """A page of the result (the result page, the printable page, the PDF's HTML).

    On screen the radar has bars beside it for a phone; printed, the radar stands alone."""
    view = result_view(assessment, lang)
    chart = chart_svg(assessment, lang, view, for_print)
    bars = None if for_print else bars_svg(assessment, lang, view)
    return render_template(
        template, assessment=assessment, view=view, chart=chart, bars=bars, **extra
    )


def report_html(assessment: Assessment, lang: str, for_pdf: bool) -> str:
    """The printable report: the result, the answers with their notes, and the saved scenario."""
    questionnaire = service.questionnaire_of(assessment)
    return render_result(
        assessment,
        lang,
        "views/assessment/report.html",
        for_print=True,
        for_pdf=for_pdf,
        questionnaire=questionnaire,
        same_version=assessment.questionnaire_version == questionnaire.version,
        is_shown=lambda q: is_shown(q, assessment.answers, questionnaire),
        scenario=scenario_report(assessment.scenario) if assessment.scenario else None,
    )


def scenario_report(saved: dict) -> dict[str, Any]:
    """A saved payment-model scenario: its inputs, and its outcome as the simulator shows it."""
    scenario = scenario_from_dict(saved)
    outcome = simulate(scenario)
    return {
        "inputs": scenario_inputs(scenario),
        "outcome": outcome,
        "sentences": sentences(scenario, outcome),
        "labels": figure_labels(),
    }


def scenario_inputs(s: Scenario) -> list[tuple[str, str, bool]]:
    """The scenario's inputs as the simulator's form names them, each with its unit.

    Each row is (label, value, whether the value is a number).
    """
    form = SimulatorForm()
    labels = figure_labels()
    kroner = _("kr.")

    def figure(name: str, value: float, percent: bool = False) -> tuple[str, str, bool]:
        shown = format_decimal(value * 100 if percent else value, format="#,##0.#")
        unit = "%" if percent else (kroner if name in MONEY_FIELDS else "")
        if name in ("horizon_years", "years"):
            unit = _("years")
        return form[name].label.text, f"{shown} {unit}".strip(), True

    rows = [figure("participants", s.participants)]
    if s.participants_per_year and s.years:
        rows += [figure("participants_per_year", s.participants_per_year), figure("years", s.years)]
    rows += [
        figure("success_rate", s.success_rate, percent=True),
        figure("baseline_rate", s.baseline_rate, percent=True),
        figure("target_rate", s.target_rate, percent=True),
        figure("dropout_rate", s.dropout_rate, percent=True),
        figure("cost_per_participant", s.cost_per_participant),
        (form.investor.label.text, investor_names()[s.investor], False),
        (form.payment_rule.label.text, labels[s.payment_rule], False),
    ]
    if s.payment_rule == "per_success" and not s.payment_goals:
        rows.append(figure("payment_per_success", s.payment_per_success))
    elif s.payment_rule != "per_success":
        rows.append(figure("payment_if_met", s.payment_if_met))
    if s.payment_cap is not None:
        rows.append(figure("payment_cap", s.payment_cap))
    if s.minimum_repayment:
        rows.append(figure("minimum_repayment", s.minimum_repayment))
    if s.savings_municipality or s.savings_region or s.savings_state:
        rows += [
            figure("savings_municipality", s.savings_municipality),
            figure("savings_region", s.savings_region),
            figure("savings_state", s.savings_state),
            figure("horizon_years", s.horizon_years),
            figure("discount_rate", s.discount_rate, percent=True),
        ]
    return rows


def investor_names() -> dict[str, str]:
    """Who invests, as the simulator's form names the choices."""
    return {option.data: option.label.text for option in SimulatorForm().investor}


# Stand-ins for the page counters inside the translated sentence (private-use characters).
PAGE, PAGES = "\ue000", "\ue001"


def page_numbers_css() -> str:
    """Every page's number in its bottom margin, as a whole sentence in the page's language."""
    sentence = _("Page %(page)s of %(pages)s", page=PAGE, pages=PAGES)
    parts = []
    for piece in re.split(f"([{PAGE}{PAGES}])", sentence):
        if piece == PAGE:
            parts.append("counter(page)")
        elif piece == PAGES:
            parts.append("counter(pages)")
        elif piece:
            parts.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "@page { @bottom-right { content: " + " ".join(parts) + "; } }"


def report_pdf(assessment: Assessment, lang: str) -> bytes:
    """The printable report as a tagged PDF/UA (WeasyPrint), made once per result and language."""

    def draw() -> bytes:
        from weasyprint import CSS, HTML

        html = report_html(assessment, lang, for_pdf=True)
        stylesheets = [
            CSS(filename=str(Path(current_app.static_folder or "") / "css" / "report.css")),
            CSS(string=page_numbers_css()),
        ]
        # Links in the PDF lead back to the toolbox, so they are absolute, on the public address
        # (never the request's Host header: the PDF is stored and handed to everyone).
        return HTML(string=html, base_url=public_root()).write_pdf(
            stylesheets=stylesheets, pdf_variant="pdf/ua-1", pdf_tags=True
        )

    content = service.rendered(assessment, f"report-{lang}.pdf", draw)
    db.session.commit()
    return content

"""The result as the reader sees it: a view in one language, the radar chart and the PDF."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app, render_template, request
from flask_babel import gettext as _

from app.assessment import service
from app.core import charts
from app.extensions import db
from app.models import Assessment


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
        )
        for d in result["dimensions"]
    ]
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
        "flags": [{**f, "text": f["message"][lang]} for f in result["flags"]],
        "requirements": [{**r, "label": r["text"][lang]} for r in result["requirements"]],
        "recommendations": [{**a, "label": a["text"][lang]} for a in result["recommendations"]],
        "has_previous": bool(before),
        "previous_token": previous.token if previous is not None else None,
    }


def _radar(view: dict[str, Any], assessment: Assessment):  # type: ignore[no-untyped-def]
    rows = [r for r in view["rows"]]
    scores = [r.score or 0 for r in rows]
    previous = [r.previous or 0 for r in rows] if view["has_previous"] else None
    title = f"{assessment.organisation} – {assessment.programme}"
    return charts.radar_figure([r.title for r in rows], scores, previous, title)


def chart_description(view: dict[str, Any]) -> str:
    """The radar's numbers in one sentence, for screen readers (the table has them too)."""
    parts = [f"{r.title}: {format_score(r.score)}" for r in view["rows"]]
    return _("Scores from 0 to 100 per dimension.") + " " + "; ".join(parts) + "."


def format_score(score: float | None) -> str:
    """A score as shown to people: a whole number, or a dash when there is none."""
    return "–" if score is None else f"{score:.0f}"


def chart_svg(assessment: Assessment, lang: str, view: dict[str, Any]) -> str:
    """The radar as inline SVG, drawn once per result and language."""

    def draw() -> bytes:
        figure = _radar(view, assessment)
        title = _("Readiness per dimension: %(programme)s", programme=assessment.programme)
        return charts.figure_svg(figure, title, chart_description(view), "radar").encode()

    return service.rendered(assessment, f"radar-{lang}.svg", draw).decode()


def chart_png(assessment: Assessment, lang: str, view: dict[str, Any]) -> bytes:
    """The radar as PNG, drawn once per result and language."""
    return service.rendered(
        assessment, f"radar-{lang}.png", lambda: charts.figure_png(_radar(view, assessment))
    )


def render_result(
    assessment: Assessment, lang: str, template: str, chart_size: str | None = None, **extra: Any
) -> str:
    """A page of the result (the result page, the printable page, the PDF's HTML)."""
    view = result_view(assessment, lang)
    chart = chart_svg(assessment, lang, view)
    if chart_size:
        chart = charts.sized(chart, chart_size, chart_size)
    return render_template(template, assessment=assessment, view=view, chart=chart, **extra)


def report_pdf(assessment: Assessment, lang: str) -> bytes:
    """The printable report as PDF (WeasyPrint), made once per result and language."""

    def draw() -> bytes:
        from weasyprint import CSS, HTML

        html = render_result(
            assessment, lang, "views/assessment/report.html", chart_size="12cm", for_pdf=True
        )
        stylesheet = CSS(filename=str(Path(current_app.static_folder or "") / "css" / "report.css"))
        # Links in the PDF lead back to the toolbox on this site, so they must be absolute.
        return HTML(string=html, base_url=request.url_root).write_pdf(stylesheets=[stylesheet])

    content = service.rendered(assessment, f"report-{lang}.pdf", draw)
    db.session.commit()
    return content

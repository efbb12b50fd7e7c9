"""The payment-model simulator page, its spreadsheet, and saving a scenario with an assessment."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from app.assessment import service
from app.core.simulator import scenario_from_dict, sensitivity, simulate
from app.i18n import localized_route
from app.simulator.compare import (
    back_to_comparison,
    carried_comparison,
    changes,
    comparison_url,
    error_lines,
    present_comparison,
    read_scenarios,
    summary,
)
from app.simulator.inputs import (
    defaults,
    formdata_from_answers,
    formdata_from_scenario,
    read_form,
    typed_pairs,
)
from app.simulator.presenter import figure_labels, present
from app.simulator.workbook import scenario_workbook

bp = Blueprint("simulator", __name__)


def linked_assessment():  # type: ignore[no-untyped-def]
    """The draft assessment named by ?assessment=<token>, if any (the unknown-link page if bad)."""
    token = request.args.get("assessment")
    return service.find(token) if token else None


def formdata_for(assessment):  # type: ignore[no-untyped-def]
    """What the form shows: the query, else the assessment's scenario or answers, else defaults."""
    given = request.args.copy()
    given.pop("assessment", None)
    if given:
        return given
    if assessment is not None:
        if assessment.scenario:
            return formdata_from_scenario(assessment.scenario)
        return formdata_from_answers(service.questionnaire_of(assessment), assessment.answers)
    return defaults()


@localized_route(bp, "/{simulator}", methods=["GET"])
def page():
    """Inputs, plain-language results, two charts with their tables, and sensitivity."""
    assessment = linked_assessment()
    form, clean, has_errors = read_form(formdata_for(assessment), g.lang)
    carried = carried_comparison(request.args)
    context: dict = {"form": form, "assessment": assessment, "clean": clean, "carried": carried}
    if not has_errors:
        context.update(present(scenario_from_dict(clean), g.lang), labels=figure_labels())
        # The scenario twice, to change one of them.
        context["compare_url"] = comparison_url([typed_pairs(form)] * 2, anchor="scenario-b")
        if carried:
            letter, others = carried
            context["back_url"] = back_to_comparison(letter, others, typed_pairs(form))
    return render_template("views/simulator.html", **context), (400 if has_errors else 200)


@localized_route(bp, "/{simulator}/{compare}", methods=["GET"])
def compare():
    """Two or three scenarios side by side: key figures, payments on one chart, links back."""
    compared, refused = read_scenarios(request.args, g.lang)
    context: dict = {
        "compared": compared,
        "errors": error_lines(compared),
        "links": changes(compared),
        "summaries": [summary(item.scenario) if item.scenario else "" for item in compared],
    }
    if not refused:
        context.update(present_comparison(compared))
    return render_template("views/simulator_compare.html", **context), (400 if refused else 200)


@localized_route(bp, "/{simulator}.xlsx", methods=["GET"])
def spreadsheet():
    """The scenario the page shows (from an assessment too) as a workbook that calculates."""
    _form, clean, has_errors = read_form(formdata_for(linked_assessment()), g.lang)
    if has_errors:
        abort(400)
    scenario = scenario_from_dict(clean)
    data = scenario_workbook(scenario, simulate(scenario), sensitivity(scenario), g.lang)
    return send_file(
        BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=_("payment-model-simulator") + ".xlsx",
    )


@bp.after_request
def keep_linked_assessments_private(response):  # type: ignore[no-untyped-def]
    """A simulator page opened from an assessment carries its secret link."""
    if request.args.get("assessment") or request.method == "POST":
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@localized_route(bp, "/{assessment}/<string(length=43):token>/{scenario}", methods=["POST"])
def save_scenario(token: str):
    """Keep the scenario with a draft assessment; its figures feed the payment-model warnings."""
    assessment = service.find(token)
    if assessment.submitted:
        abort(404)
    _form, clean, has_errors = read_form(request.form, g.lang)
    if has_errors:
        abort(400)
    service.save_scenario(assessment, clean)
    flash(_("The scenario is saved with your assessment."), "success")
    return redirect(url_for("assessment.answers", token=token) + "#scenario")

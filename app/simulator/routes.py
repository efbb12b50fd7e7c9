"""The payment-model simulator page, its spreadsheet, and saving a scenario with an assessment."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from app.assessment import service
from app.core.sheets import build_scenario_workbook
from app.core.simulator import scenario_from_dict, simulate
from app.i18n import localized_route
from app.simulator.inputs import defaults, formdata_from_answers, formdata_from_scenario, read_form
from app.simulator.presenter import present

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
    context: dict = {"form": form, "assessment": assessment, "clean": clean}
    if not has_errors:
        context.update(present(scenario_from_dict(clean), g.lang), labels=sheet_labels())
    return render_template("views/simulator.html", **context), (400 if has_errors else 200)


@localized_route(bp, "/{simulator}.xlsx", methods=["GET"])
def spreadsheet():
    """The scenario, its results and its rate card as a spreadsheet in the page's language."""
    _form, clean, has_errors = read_form(formdata_for(None), g.lang)
    if has_errors:
        abort(400)
    scenario = scenario_from_dict(clean)
    outcome = simulate(scenario)
    labels = sheet_labels()
    per_success = scenario.payment_rule == "per_success"
    payment = scenario.payment_per_success if per_success else scenario.payment_if_met
    rows = [
        (labels["participants"], scenario.participants),
        (labels["success_rate"], scenario.success_rate),
        (labels["target_rate"], scenario.target_rate),
        (labels["dropout_rate"], scenario.dropout_rate),
        (labels["cost_per_participant"], scenario.cost_per_participant),
        (labels["payment_rule"], labels[scenario.payment_rule]),
        (labels["payment"], payment),
        (labels["probability_target_met"], outcome.probability_target_met),
        (labels["expected_successes"], outcome.expected_successes),
        (labels["expected_payment"], outcome.expected_payment),
        (labels["payment_p10"], outcome.payment_p10),
        (labels["payment_p90"], outcome.payment_p90),
        (labels["investment"], outcome.investment),
        (labels["break_even"], or_dash(outcome.break_even_success_rate)),
        (labels["participants_needed"], or_dash(outcome.participants_needed)),
    ]  # fmt: skip
    data = build_scenario_workbook(labels, rows, list(outcome.rate_card))
    return send_file(
        BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"{_('payment-model-scenario')}.xlsx",
    )


def or_dash(value: float | None) -> float | str:
    """A figure, or a dash where there is none."""
    return "–" if value is None else value


def sheet_labels() -> dict[str, str]:
    """Headings and row names of the spreadsheet, in the page's language."""
    return {
        "sheet": _("Scenario"),
        "card_sheet": _("Rate card"),
        "title": _("Payment-model scenario"),
        "input": _("Figure"),
        "value": _("Value"),
        "participants": _("Number of participants"),
        "success_rate": _("Expected success rate"),
        "target_rate": _("Contracted target rate"),
        "dropout_rate": _("Drop-out"),
        "cost_per_participant": _("Cost per participant"),
        "payment_rule": _("Payment rule"),
        "per_success": _("A payment for each participant who reaches the goal"),
        "threshold": _("One payment if the target rate is reached"),
        "payment": _("Payment"),
        "probability_target_met": _("Probability that the target is met"),
        "expected_successes": _("Expected successes"),
        "expected_payment": _("Expected payment"),
        "payment_p10": _("Payment, 10th percentile"),
        "payment_p90": _("Payment, 90th percentile"),
        "investment": _("Investment"),
        "break_even": _("Investor's break-even success rate"),
        "participants_needed": _("Participants needed for a chance of 80 %"),
        "goal": _("Payment goal"),
        "goal_payment": _("Payment per success"),
        "data_source": _("Data source"),
        "goal_rate": _("Expected success rate"),
        "goal_expected": _("Expected payment"),
        "chance_pct": _("Chance of meeting the target (%)"),
        "probability_pct": _("Probability (%)"),
    }


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

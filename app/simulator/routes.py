"""The payment-model simulator page, its spreadsheet, and saving a scenario with an assessment."""

from __future__ import annotations

import functools
from io import BytesIO

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from app.assessment import service
from app.core import charts
from app.core.simulator import (
    CRITICAL_MASS,
    MAX_PARTICIPANTS,
    Outcome,
    Scenario,
    participants_needed,
    probability_curve,
    scenario_from_dict,
    sensitivity,
    simulate,
)
from app.i18n import localized_route
from app.simulator.inputs import defaults, formdata_from_answers, formdata_from_scenario, read_form
from app.simulator.workbook import scenario_workbook

bp = Blueprint("simulator", __name__)
CURVE_POINTS = 400


def linked_assessment():  # type: ignore[no-untyped-def]
    """The draft assessment named by ?assessment=<token>, if any (404 for a bad token)."""
    token = request.args.get("assessment")
    if not token:
        return None
    if len(token) != 43:
        abort(404)
    return service.find(token)


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
    form, clean, has_errors = read_form(formdata_for(assessment))
    context: dict = {"form": form, "assessment": assessment, "clean": clean}
    if not has_errors:
        scenario = scenario_from_dict(clean)
        outcome = simulate(scenario)
        context.update(
            scenario=scenario,
            outcome=outcome,
            sentences=sentences(scenario, outcome),
            sensitivity=sensitivity(scenario),
            charts=drawn_charts(scenario, g.lang),
            distribution=shown_distribution(scenario, outcome),
            curve=curve_points(scenario),
            critical_mass=CRITICAL_MASS,
            labels=sheet_labels(),
        )
    return render_template("views/simulator.html", **context), (400 if has_errors else 200)


@localized_route(bp, "/{simulator}.xlsx", methods=["GET"])
def spreadsheet():
    """The scenario the page shows (from an assessment too) as a workbook that calculates."""
    _form, clean, has_errors = read_form(formdata_for(linked_assessment()))
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


def money(value: float) -> str:
    """An amount in whole kroner, written the local way."""
    return format_decimal(round(value), format="#,##0") + " " + _("kr.")


def percent(value: float) -> str:
    """A share as a percentage with at most one decimal, written the local way."""
    return format_percent(value, format="#,##0.# %")


def sentences(s: Scenario, o: Outcome) -> dict[str, str]:
    """The results in whole translated sentences."""
    told = {
        "chance": _(
            "With %(participants)s participants, of whom %(completers)s complete, there is a "
            "%(chance)s chance that at least %(needed)s reach the payment goal, as the target of "
            "%(target)s requires.",
            participants=format_decimal(s.participants),
            completers=format_decimal(o.completers),
            chance=percent(o.probability_target_met),
            needed=format_decimal(o.target_successes),
            target=percent(s.target_rate),
        ),
        "payment": _(
            "The expected payment is %(expected)s. In nine cases of ten it is at least %(p10)s, "
            "and in nine cases of ten at most %(p90)s.",
            expected=money(o.expected_payment),
            p10=money(o.payment_p10),
            p90=money(o.payment_p90),
        ),
    }
    if o.participants_needed is not None:
        told["needed"] = _(
            "From %(needed)s participants on, the chance of meeting the target stays at 80 %% or "
            "more, for every larger group up to 10,000.",
            needed=format_decimal(o.participants_needed),
        )
    else:
        told["needed"] = _(
            "No number of participants up to 10,000 keeps the chance of meeting the target at "
            "80 %: the expected success rate, after drop-out, is too close to the target "
            "or below it."
        )
    if s.participants < CRITICAL_MASS:
        told["critical"] = _(
            "With fewer than %(mass)s participants, results are hard to measure and payments swing "
            "widely. The first Danish programmes recommend at least %(mass)s persons or families.",
            mass=CRITICAL_MASS,
        )
    if o.participants_needed is not None and s.participants < o.participants_needed:
        told["short"] = _(
            "Your group is %(short)s participants short of the %(needed)s needed for an "
            "80 %% chance.",
            short=format_decimal(o.participants_needed - s.participants),
            needed=format_decimal(o.participants_needed),
        )
    if s.payment_rule == "per_success" and s.cost_per_participant > 0:
        if o.break_even_success_rate is not None:
            told["break_even"] = _(
                "The investor gets the investment of %(investment)s back if at least %(rate)s of "
                "those who start reach the goal.",
                investment=money(o.investment),
                rate=percent(o.break_even_success_rate),
            )
        else:
            told["break_even"] = _(
                "The payment per success is lower than the cost per participant, so the investor "
                "cannot get the investment of %(investment)s back.",
                investment=money(o.investment),
            )
    if o.npv_municipality is not None:
        told["npv"] = _(
            "Over %(years)s years the net present value is %(municipality)s for the municipality "
            "and %(public)s for the public sector as a whole; %(share)s of the gains land outside "
            "the municipality.",
            years=s.horizon_years,
            municipality=money(o.npv_municipality),
            public=money(o.npv_public_sector or 0),
            share=percent(o.share_of_gains_outside_municipality or 0),
        )
    return told


def shown_distribution(s: Scenario, o: Outcome) -> list[tuple[float, float]]:
    """The payments worth showing: every one with at least 0.05 % probability."""
    if s.payment_rule == "threshold":
        return [(0.0, 1 - o.probability_target_met), (s.payment_if_met, o.probability_target_met)]
    return [(j * s.payment_per_success, p) for j, p in o.distribution if p >= 0.0005]


def curve_points(s: Scenario) -> list[tuple[int, float]]:
    """The chance of meeting the target for group sizes near the scenario's (at most 400 points)."""
    needed = simulate_needed(s)
    top = min(MAX_PARTICIPANTS, max(60, 2 * s.participants, int((needed or 0) * 1.25)))
    curve = probability_curve(s.success_rate, s.target_rate, s.dropout_rate, top)
    step = max(1, top // CURVE_POINTS)
    ns = sorted(
        {*range(1, top + 1, step), s.participants, CRITICAL_MASS, top} & set(range(1, top + 1))
    )
    return [(n, curve[n]) for n in ns]


def simulate_needed(s: Scenario) -> int | None:
    """Participants needed for a lasting chance of 80 percent."""
    return participants_needed(s.success_rate, s.target_rate, s.dropout_rate)


@functools.lru_cache(maxsize=64)  # about 200 KB a scenario
def _drawn(scenario: Scenario, lang: str) -> tuple[str, str]:
    """Both charts for a scenario in one language, drawn once and kept (the inputs decide all)."""
    outcome = simulate(scenario)
    payments = shown_distribution(scenario, outcome)
    dist = charts.payment_distribution_figure(
        payments,
        _("Payment (kr.)"),
        _("Probability (%)"),
        _("How likely is each payment?"),
        number=lambda value: format_decimal(round(value), format="#,##0"),
    )
    dist_svg = charts.figure_svg(
        dist,
        _("How likely is each payment?"),
        _("Bars show the probability of each possible payment. The table below has the numbers."),
        "chart-payments",
    )
    points = curve_points(scenario)
    labels = {
        "curve": _("Chance of meeting the target"),
        "line_80": _("Chance of 80 %"),
        "critical": _("Critical mass: %(mass)s", mass=CRITICAL_MASS),
        "current": _("Your group"),
        "x": _("Number of participants"),
        "y": _("Chance of meeting the target (%)"),
        "title": _("The chance of meeting the target, by group size"),
    }
    curve = charts.probability_curve_figure(
        [n for n, _p in points],
        [p for _n, p in points],
        scenario.participants,
        CRITICAL_MASS,
        labels,
    )
    curve_svg = charts.figure_svg(
        curve,
        labels["title"],
        _(
            "The line zig-zags because successes come in whole persons. "
            "The table below has the numbers."
        ),
        "chart-curve",
    )
    return dist_svg, curve_svg


def drawn_charts(scenario: Scenario, lang: str) -> tuple[str, str]:
    """The two charts' SVG, from the cache when the same scenario was drawn before."""
    return _drawn(scenario, lang)


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
    _form, clean, has_errors = read_form(request.form)
    if has_errors:
        abort(400)
    service.save_scenario(assessment, clean)
    flash(_("The scenario is saved with your assessment."), "success")
    return redirect(url_for("assessment.answers", token=token) + "#scenario")

"""What the simulator page shows for a scenario: sentences, tables and charts in one language.

Everything here is worked out once per request from one simulation; the charts are kept per
scenario and language, so a repeat view draws nothing.
"""

from __future__ import annotations

import functools
import math
import threading
from collections import OrderedDict
from typing import Any, NamedTuple

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from app.core import svgchart
from app.core.simulator import (
    CRITICAL_MASS,
    MAX_PARTICIPANTS,
    CashFlowYear,
    Outcome,
    Scenario,
    completers,
    exact,
    probability_curve,
    sensitivity,
    simulate,
    smaller_group_ahead,
    target_count,
    zigzag_step,
)

CURVE_POINTS = 400
CHART_CACHE_SIZE = 256  # about 60 KB of SVG a scenario and language


class Chart(NamedTuple):
    """A chart drawn for the page's full width, and narrow for a phone (svgchart.NARROW)."""

    wide: str
    narrow: str


_charts: OrderedDict[tuple[Scenario, str], tuple[Chart, Chart, Chart]] = OrderedDict()
_charts_lock = threading.Lock()


def figure_labels() -> dict[str, str]:
    """Names of figures the simulator page and the PDF's scenario show, in the page's language."""
    return {
        "per_success": _("A payment for each participant who reaches the goal"),
        "threshold": _("One payment if the target rate is reached"),
        "participants_needed": _("Participants needed for a chance of 80 %"),
        "chance_pct": _("Chance of meeting the target (%)"),
        "probability_pct": _("Probability (%)"),
        "investor_loss": _("Chance that the investor gets back less than was paid in"),
        "baseline_successes": _("Successes expected anyway (baseline)"),
    }


def present(scenario: Scenario, lang: str) -> dict[str, Any]:
    """The page's results for a checked scenario."""
    outcome = simulate(scenario)
    distribution = shown_distribution(scenario, outcome)
    curve = chance_curve(scenario, outcome.participants_needed)
    points = curve_points(scenario, curve)
    rows = sensitivity(scenario)
    told = sentences(scenario, outcome)
    told.update(zigzag_sentences(scenario, outcome, curve, rows))
    told.update(cash_flow_sentences(scenario, outcome))
    return {
        "scenario": scenario,
        "outcome": outcome,
        "sentences": told,
        "sensitivity": rows,
        "charts": drawn_charts(scenario, lang, distribution, points, outcome.cash_flow),
        "distribution": distribution,
        "curve": points,
        "cash_flow": cash_flow_table(scenario, outcome.cash_flow),
        "critical_mass": CRITICAL_MASS,
    }


def money(value: float) -> str:
    """An amount in whole kroner, written the local way."""
    return format_decimal(round(value), format="#,##0") + " " + _("kr.")


def percent(value: float) -> str:
    """A share as a percentage with at most one decimal, written the local way."""
    return format_percent(value, format="#,##0.# %")


def sentences(s: Scenario, o: Outcome) -> dict[str, str]:
    """The results in whole translated sentences: the payment band and the investor's risk first."""
    told = {
        "band": _(
            "In eight cases of ten the total payment lies between %(p10)s and %(p90)s. "
            "The expected payment is %(expected)s.",
            p10=money(o.payment_p10),
            p90=money(o.payment_p90),
            expected=money(o.expected_payment),
        ),
    }
    if o.probability_investor_loss is not None:
        told["loss"] = _(
            "The chance that the investor gets back less than the %(investment)s paid in is "
            "%(loss)s.",
            investment=money(o.investment),
            loss=percent(o.probability_investor_loss),
        )
    else:
        told["loss"] = _(
            "The municipality invests itself, so no outcome payments flow: the payments above "
            "show what the payment model would pay, as a yardstick."
        )
    told["chance"] = _(
        "With %(participants)s participants, of whom %(completers)s complete, there is a "
        "%(chance)s chance that at least %(needed)s reach the payment goal, as the target of "
        "%(target)s requires.",
        participants=format_decimal(s.participants),
        completers=format_decimal(o.completers),
        chance=percent(o.probability_target_met),
        needed=format_decimal(o.target_successes),
        target=percent(s.target_rate),
    )
    told["zigzag"] = _(
        "This chance zig-zags with the group size, because the target is counted in whole "
        "persons: one participant more can raise the number needed by one and lower the chance."
    )
    if s.payment_rule == "per_success":
        told["zigzag"] += " " + _(
            "A contract paid per success pays for every success, so for it the payment band and "
            "the investor's chance of loss say more."
        )
    if s.baseline_rate:
        told["baseline"] = _(
            "Of the %(participants)s who start, %(baseline)s would reach the goal anyway. The "
            "contract pays only for successes beyond them, and the savings count %(extra)s extra "
            "successes.",
            participants=format_decimal(s.participants),
            baseline=format_decimal(o.baseline_successes),
            extra=format_decimal(round(o.extra_successes, 1)),
        )
    if o.rate_card:
        told["goals"] = _(
            "The payment adds up all %(count)s payment goals, each above its own baseline. The "
            "goals are assumed to move together: where few reach one goal, few reach the others. "
            "That is the cautious choice; it does not change the expected payment.",
            count=len(o.rate_card),
        )
        if s.payment_per_success:
            told["goals"] += " " + _("The payment goals replace the single payment per success.")
    if s.payment_cap is not None and s.minimum_repayment:
        told["cap"] = _(
            "The figures include the payment cap and the minimum repayment: over the whole "
            "contract at most %(cap)s and at least %(floor)s is paid.",
            cap=money(s.payment_cap),
            floor=money(s.minimum_repayment),
        )
    elif s.payment_cap is not None:
        told["cap"] = _(
            "The figures include the payment cap: over the whole contract at most %(cap)s is paid.",
            cap=money(s.payment_cap),
        )
    elif s.minimum_repayment:
        told["cap"] = _(
            "The figures include the minimum repayment: over the whole contract at least "
            "%(floor)s is paid.",
            floor=money(s.minimum_repayment),
        )
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
    if (
        s.payment_rule == "per_success"
        and s.cost_per_participant > 0
        and not o.rate_card
        and s.investor != "municipality"
    ):
        if o.break_even_success_rate is not None:
            told["break_even"] = _(
                "The investor gets the investment of %(investment)s back if at least %(rate)s of "
                "those who start reach the goal.",
                investment=money(o.investment),
                rate=percent(o.break_even_success_rate),
            )
        else:
            told["break_even"] = _(
                "Even if everyone who starts reaches the goal, the payments do not give the "
                "investor the investment of %(investment)s back.",
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
        told["npv"] += " " + investor_sentence(s.investor)
    return told


def investor_sentence(investor: str) -> str:
    """What the kind of investor does to the net present values."""
    if investor == "private":
        return _(
            "A private investor's outcome payments leave the public sector, so both net present "
            "values count the payments."
        )
    if investor == "municipality":
        return _(
            "The municipality invests itself, so both net present values count the cost of the "
            "intervention."
        )
    return _(
        "A public fund's outcome payments are a transfer inside the public sector, so the public "
        "sector as a whole counts the cost of the intervention, not the payments."
    )


def zigzag_sentences(
    s: Scenario, o: Outcome, curve: list[float], rows: list[dict]
) -> dict[str, str]:
    """The zig-zag with the scenario's own numbers: a step where one participant more lowers the
    chance, where the chance heads over larger groups, and, when the sensitivity rows shown give
    a smaller group the better chance, why."""
    told = {}
    step = zigzag_step(curve, s.participants)
    if step is not None:
        told["zigzag_example"] = _(
            "For example, %(before)s participants, of whom %(completers)s complete, need "
            "%(needed)s successes, and the chance is %(chance)s. With %(after)s participants, "
            "%(completers_after)s complete, but %(needed_after)s successes are needed, and the "
            "chance falls to %(chance_after)s.",
            before=format_decimal(step),
            completers=format_decimal(completers(step, s.dropout_rate)),
            needed=format_decimal(target_count(step, s.target_rate)),
            chance=percent(curve[step]),
            after=format_decimal(step + 1),
            completers_after=format_decimal(completers(step + 1, s.dropout_rate)),
            needed_after=format_decimal(target_count(step + 1, s.target_rate)),
            chance_after=percent(curve[step + 1]),
        )
    rate = exact(s.success_rate) * (1 - exact(s.dropout_rate))
    if 0 < s.target_rate < 1 and 0 < s.success_rate < 1:
        if rate > exact(s.target_rate):
            told["trend"] = _(
                "Over larger groups the chance still rises towards certainty: %(rate)s of those "
                "who start are expected to reach the goal, more than the target of %(target)s.",
                rate=percent(float(rate)),
                target=percent(s.target_rate),
            )
        else:
            told["trend"] = _(
                "Over larger groups the chance does not rise towards certainty: %(rate)s of those "
                "who start are expected to reach the goal, no more than the target of %(target)s. "
                "A small group can be lucky; a large one ends close to the expected rate.",
                rate=percent(float(rate)),
                target=percent(s.target_rate),
            )
    ahead = smaller_group_ahead(s, o.probability_target_met, rows)
    if ahead is not None:
        told["sensitivity_note"] = _(
            "Here fewer participants give the better chance: %(small_chance)s with %(small)s "
            "against %(large_chance)s with %(large)s.",
            small_chance=percent(ahead.small_chance),
            small=format_decimal(ahead.small),
            large_chance=percent(ahead.large_chance),
            large=format_decimal(ahead.large),
        )
        if ahead.below_target:
            told["sensitivity_note"] += " " + _(
                "Only %(rate)s of those who start are expected to reach the goal, no more than "
                "the target of %(target)s: a small group may reach the target by luck, while a "
                "large one ends close to the expected rate. Here more participants make the "
                "target harder to meet.",
                rate=percent(float(ahead.expected_rate)),
                target=percent(s.target_rate),
            )
        else:
            small_m, small_k = ahead.counts(s, ahead.small)
            large_m, large_k = ahead.counts(s, ahead.large)
            told["sensitivity_note"] += " " + _(
                "That is the zig-zag of whole persons, not a rule: %(small)s participants need "
                "%(small_needed)s successes among the %(small_completers)s who complete, "
                "%(large)s need %(large_needed)s among %(large_completers)s, and the chance jumps "
                "up and down between such group sizes while it rises over larger groups.",
                small=format_decimal(ahead.small),
                small_needed=format_decimal(small_k),
                small_completers=format_decimal(small_m),
                large=format_decimal(ahead.large),
                large_needed=format_decimal(large_k),
                large_completers=format_decimal(large_m),
            )
    return told


def cash_flow_sentences(s: Scenario, o: Outcome) -> dict[str, str]:
    """What the cash flow's columns count, in the page's language."""
    if s.payment_rule == "threshold":
        about = _(
            "Year 0 is the year the first cohort starts. Each cohort's cost falls in the year it "
            "starts, the payment for meeting the target a year after the last cohort starts, and "
            "the savings in the years they last, from the year after a cohort starts. All amounts "
            "are expected values."
        )
    else:
        about = _(
            "Year 0 is the year the first cohort starts. Each cohort's cost falls in the year it "
            "starts, each payment goal is paid in the year it is measured, and the savings fall "
            "in the years they last, from the year after a cohort starts. All amounts are "
            "expected values."
        )
    told = {"cash_flow": about}
    if s.discount_rate:
        told["cash_flow"] += " " + _(
            "The second table counts each amount at today's value, with a discount rate of "
            "%(rate)s a year; its totals are the present values behind the net present values.",
            rate=percent(s.discount_rate),
        )
    settled = next((row for row in o.cash_flow if round(row.settlement)), None)
    if settled is not None:
        both = s.payment_cap is not None and bool(s.minimum_repayment)
        amount, year = money(abs(settled.settlement)), settled.year
        if settled.settlement < 0 and both:
            told["cash_flow_settlement"] = _(
                "Together the payment cap and the minimum repayment lower the expected payments "
                "by %(amount)s, settled in year %(year)s, the last year payments fall.",
                amount=amount,
                year=year,
            )
        elif settled.settlement < 0:
            told["cash_flow_settlement"] = _(
                "The payment cap lowers the expected payments by %(amount)s, settled in year "
                "%(year)s, the last year payments fall.",
                amount=amount,
                year=year,
            )
        elif both:
            told["cash_flow_settlement"] = _(
                "Together the payment cap and the minimum repayment raise the expected payments "
                "by %(amount)s, settled in year %(year)s, the last year payments fall.",
                amount=amount,
                year=year,
            )
        else:
            told["cash_flow_settlement"] = _(
                "The minimum repayment raises the expected payments by %(amount)s, settled in "
                "year %(year)s, the last year payments fall.",
                amount=amount,
                year=year,
            )
    if s.investor == "municipality":
        told["cash_flow_yardstick"] = _(
            "The municipality invests itself, so no outcome payments flow: the column of payments "
            "shows what the payment model would pay, as a yardstick."
        )
    return told


def cash_flow_columns(s: Scenario, rows: tuple[CashFlowYear, ...]) -> list[tuple[str, str]]:
    """The cash flow's columns: (amount, heading)."""
    columns = [("cost", _("Investment (cost)")), ("payments", _("Expected payments"))]
    if any(round(row.settlement) for row in rows):
        columns.append(("settlement", _("Of which the cap or floor")))
    if s.savings_municipality + s.savings_region + s.savings_state > 0:
        columns += [
            ("savings_municipality", _("Savings, municipality")),
            ("savings_all", _("Savings, all sectors")),
        ]
    return columns


def cash_flow_table(s: Scenario, rows: tuple[CashFlowYear, ...]) -> dict[str, Any]:
    """The cash flow as headings and two tables of one row a year with totals: the amounts
    nominal, and (when the scenario discounts) at today's value."""
    columns = cash_flow_columns(s, rows)

    def table(today: bool) -> dict[str, Any]:
        body = [
            (row.year, [row.present(name) if today else getattr(row, name) for name, _h in columns])
            for row in rows
        ]
        totals = [math.fsum(values) for values in zip(*(a for _y, a in body), strict=True)]
        return {"rows": body, "totals": totals}

    return {
        "headings": [heading for _n, heading in columns],
        "nominal": table(today=False),
        "today": table(today=True) if s.discount_rate else None,
    }


def shown_distribution(s: Scenario, o: Outcome) -> list[tuple[float, float]]:
    """The total payments worth showing: every one with at least 0.05 % probability."""
    if s.payment_rule == "threshold":
        return list(o.distribution)
    return [(value, p) for value, p in o.distribution if p >= 0.0005]


def chance_curve(s: Scenario, needed: int | None) -> list[float]:
    """The chance of meeting the target for every group size the chart shows (index: size)."""
    top = min(MAX_PARTICIPANTS, max(60, 2 * s.participants, int((needed or 0) * 1.25)))
    return probability_curve(s.success_rate, s.target_rate, s.dropout_rate, top)


def curve_points(s: Scenario, curve: list[float]) -> list[tuple[int, float]]:
    """The chance of meeting the target for group sizes near the scenario's (at most 400 points)."""
    top = len(curve) - 1
    step = max(1, top // CURVE_POINTS)
    ns = sorted(
        {*range(1, top + 1, step), s.participants, CRITICAL_MASS, top} & set(range(1, top + 1))
    )
    return [(n, curve[n]) for n in ns]


def drawn_charts(
    scenario: Scenario,
    lang: str,
    distribution: list[tuple[float, float]],
    points: list[tuple[int, float]],
    cash_flow: tuple[CashFlowYear, ...] = (),
) -> tuple[Chart, Chart, Chart]:
    """The charts' SVG, wide and narrow, kept per scenario and language (the inputs decide
    everything drawn): the payments, the chance by group size and the cash flow."""
    key = (scenario, lang)
    with _charts_lock:
        if key in _charts:
            _charts.move_to_end(key)
            return _charts[key]
    wide, narrow = (
        (*_draw(scenario, distribution, points, narrow), cash_flow_svg(scenario, cash_flow, narrow))
        for narrow in (False, True)
    )
    drawn = (Chart(wide[0], narrow[0]), Chart(wide[1], narrow[1]), Chart(wide[2], narrow[2]))
    with _charts_lock:
        _charts[key] = drawn
        while len(_charts) > CHART_CACHE_SIZE:
            _charts.popitem(last=False)
    return drawn


def _draw(
    scenario: Scenario,
    distribution: list[tuple[float, float]],
    points: list[tuple[int, float]],
    narrow: bool = False,
) -> tuple[str, str]:
    """The payment distribution and the chance by group size, in the current language."""
    whole = functools.partial(format_decimal, format="#,##0")
    suffix = "-narrow" if narrow else ""
    dist_svg = svgchart.bar_chart_svg(
        [(value, 100 * p) for value, p in distribution],
        title=_("How likely is each payment?"),
        description=_(
            "Bars show the probability of each possible payment. The table below has the numbers."
        ),
        x_label=_("Payment (kr.)"),
        y_label=_("Probability (%)"),
        element_id="chart-payments" + suffix,
        x_format=lambda value: whole(round(value)),
        y_format=lambda value: format_decimal(value, format="0.#"),
        narrow=narrow,
    )
    chances = dict(points)
    labels = svgchart.LineLabels(
        title=_("The chance of meeting the target, by group size"),
        description=_(
            "The line zig-zags because successes come in whole persons. "
            "The table below has the numbers."
        ),
        x=_("Number of participants"),
        y=_("Chance of meeting the target (%)"),
        curve=_("Chance of meeting the target"),
        level=_("Chance of 80 %"),
        mark=_("Critical mass: %(mass)s", mass=CRITICAL_MASS),
        current=_("Your group"),
    )
    current = scenario.participants
    curve_svg = svgchart.line_chart_svg(
        [(n, 100 * p) for n, p in points],
        level=80,
        mark=CRITICAL_MASS,
        current=(current, 100 * chances[current]) if current in chances else None,
        labels=labels,
        element_id="chart-curve" + suffix,
        x_format=lambda value: whole(round(value)),
        narrow=narrow,
    )
    return dist_svg, curve_svg


def cash_flow_svg(s: Scenario, rows: tuple[CashFlowYear, ...], narrow: bool = False) -> str:
    """The nominal cost, expected payments and savings by year, as bars side by side."""
    if not rows:
        return ""
    whole = functools.partial(format_decimal, format="#,##0")
    series = [
        svgchart.Series(_("Investment"), [row.cost for row in rows], svgchart.GREY),
        svgchart.Series(_("Payments"), [row.payments for row in rows], svgchart.BLUE),
    ]
    if s.savings_municipality + s.savings_region + s.savings_state > 0:
        series.append(
            svgchart.Series(_("Savings"), [row.savings_all for row in rows], svgchart.GREEN)
        )
    return svgchart.grouped_bar_chart_svg(
        [row.year for row in rows],
        series,
        title=_("Expected amounts by year"),
        description=_(
            "For each year, bars for the investment, the expected payments and, where given, the "
            "savings of all sectors, in that order, without discounting. The table below has the "
            "numbers."
        ),
        x_label=_("Year"),
        y_label=_("Amount (kr.)"),
        element_id="chart-cash-flow-narrow" if narrow else "chart-cash-flow",
        y_format=lambda value: whole(round(value)),
        narrow=narrow,
    )

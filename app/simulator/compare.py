"""Two or three simulator scenarios side by side, read from one query string.

Each scenario's inputs carry its letter: a-participants=25&b-participants=50 compares a group of 25
with one of 50. The names after the letter are the simulator's own, so a scenario's part of the
query, without its letter, is its simulator page, and the comparison's URL is as shareable as a
simulator page's. A scenario is checked exactly as the simulator checks it (the same form, with a
prefix), so its errors read the same and nothing typed is lost.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.core import svgchart
from app.core.simulator import Outcome, Scenario, scenario_from_dict, simulate
from app.simulator.forms import DEFAULTS, SimulatorForm
from app.simulator.inputs import read_form, typed_pairs
from app.simulator.presenter import Chart, figure_labels, money, percent

LETTERS = ("a", "b", "c")
SLOT = "slot"  # on a simulator page opened from a comparison: the letter the scenario has there
FEWEST = 2
TABLE_ROWS = 400  # the most rows of payments the table under the chart shows
CHART_POINTS = 800  # the most steps a line of the chart draws
TAIL = 0.0005  # the chance left out at either end of a scenario's payments


@dataclass
class Compared:
    """One scenario of a comparison: its letter, its form, and its outcome when its inputs hold."""

    letter: str
    form: SimulatorForm
    pairs: list[tuple[str, str]]
    scenario: Scenario | None = None
    outcome: Outcome | None = None

    @property
    def name(self) -> str:
        return _("Scenario %(letter)s", letter=self.letter.upper())

    others: list[tuple[str, str]] | None = None

    @property
    def simulator_url(self) -> str:
        """The scenario on its own simulator page, carrying the comparison it came from (the other
        scenarios' inputs with their letters, and this one's letter as `slot`), so that the page
        can lead back to the comparison with the scenario as changed there."""
        carried = dict(self.others or [], **{SLOT: self.letter})
        return url_for("simulator.page", **dict(self.pairs), **carried, _anchor="result")


def given_scenarios(args: MultiDict) -> list[MultiDict]:
    """Each scenario's inputs without its letter, in the letters' order (a letter left out is
    skipped). Without any, the simulator's example against a group twice its size; a scenario
    alone is compared with a copy of itself, to change."""
    found = []
    for letter in LETTERS:
        mark = letter + "-"
        data = MultiDict(
            [(name[len(mark) :], value) for name, value in args.items(multi=True)
             if name.startswith(mark)]
        )  # fmt: skip
        if data:
            found.append(data)
    if not found:
        found = [MultiDict(DEFAULTS), MultiDict({**DEFAULTS, "participants": "50"})]
    while len(found) < FEWEST:
        found.append(found[-1].copy())
    return found


def read_scenarios(args: MultiDict, lang: str) -> tuple[list[Compared], bool]:
    """Each scenario's form and, when every one holds, its outcome; and whether any was refused."""
    compared, refused = [], False
    for letter, data in zip(LETTERS, given_scenarios(args), strict=False):
        keyed = MultiDict([(f"{letter}-{name}", value) for name, value in data.items(multi=True)])
        form, clean, has_errors = read_form(keyed, lang, prefix=letter)
        item = Compared(letter, form, typed_pairs(form))
        if has_errors:
            refused = True
        else:
            item.scenario = scenario_from_dict(clean)
        compared.append(item)
    for item in compared:
        item.others = [
            (f"{other.letter}-{name}", value)
            for other in compared
            if other is not item
            for name, value in other.pairs
        ]
    if not refused:
        for item in compared:
            item.outcome = simulate(item.scenario)  # type: ignore[arg-type]
    return compared, refused


def carried_comparison(args: MultiDict) -> tuple[str, list[tuple[str, str]]] | None:
    """On a simulator page opened from a comparison: the scenario's letter there and the other
    scenarios' inputs (with their letters), or None when the page was not opened from one."""
    letter = args.get(SLOT, "")
    if letter not in LETTERS:
        return None
    others = [
        (name, value)
        for name, value in args.items(multi=True)
        if name[:2] in {f"{other}-" for other in LETTERS if other != letter}
    ]
    return (letter, others) if others else None


def back_to_comparison(
    letter: str, others: list[tuple[str, str]], own: list[tuple[str, str]]
) -> str:
    """The comparison the simulator page came from, with this page's scenario in its place."""
    given = MultiDict([*others, *((f"{letter}-{name}", value) for name, value in own)])
    scenarios = [
        [(name[2:], value) for name, value in given.items(multi=True) if name.startswith(f"{x}-")]
        for x in LETTERS
    ]
    return comparison_url([pairs for pairs in scenarios if pairs], anchor=f"scenario-{letter}")


def comparison_url(scenarios: list[list[tuple[str, str]]], anchor: str | None = None) -> str:
    """The comparison of these scenarios (each as its simulator query's names and texts)."""
    query = {
        f"{letter}-{name}": value
        for letter, pairs in zip(LETTERS, scenarios, strict=False)
        for name, value in pairs
    }
    return url_for("simulator.compare", **query, _anchor=anchor)


def changes(compared: list[Compared]) -> dict[str, Any]:
    """Links that add a scenario (a copy of the last) or take one out, keeping what is typed."""
    pairs = [item.pairs for item in compared]
    links: dict[str, Any] = {"remove": []}
    if len(compared) < len(LETTERS):
        links["add"] = comparison_url([*pairs, pairs[-1]], anchor=f"scenario-{LETTERS[len(pairs)]}")
    if len(compared) > FEWEST:
        links["remove"] = [
            (item.name, comparison_url(pairs[:i] + pairs[i + 1 :]))
            for i, item in enumerate(compared)
        ]
    return links


def summary(s: Scenario) -> str:
    """A scenario in a few words, for the line that opens its inputs."""
    return _(
        "%(participants)s participants, expected success rate %(success)s, target %(target)s",
        participants=format_decimal(s.participants),
        success=percent(s.success_rate),
        target=percent(s.target_rate),
    )


def present_comparison(compared: list[Compared]) -> dict[str, Any]:
    """The tables, the chart and its numbers for scenarios whose inputs all hold."""
    scenarios = [item.scenario for item in compared]
    outcomes = [item.outcome for item in compared]
    return {
        "inputs": input_rows(scenarios),  # type: ignore[arg-type]
        "figures": figure_rows(outcomes),  # type: ignore[arg-type]
        "chart": Chart(payments_chart(compared), payments_chart(compared, narrow=True)),
        "table": payments_table(compared),
        "same": len({item.scenario for item in compared}) == 1,
    }


def input_rows(scenarios: list[Scenario]) -> list[tuple[str, list[str]]]:
    """The inputs that differ most often between scenarios, one row each."""
    labels = figure_labels()
    investors = {"public_fund": _("A public fund"), "private": _("A private investor"),
                 "municipality": _("The municipality itself")}  # fmt: skip
    dash = "–"

    def payment(s: Scenario, rule: str) -> str:
        if s.payment_rule != rule:
            return dash
        if rule == "threshold":
            return money(s.payment_if_met)
        if s.payment_goals:
            return _("%(count)s payment goals", count=len(s.payment_goals))
        return money(s.payment_per_success)

    return [
        (_("Number of participants"), [format_decimal(s.participants) for s in scenarios]),
        (_("Expected success rate"), [percent(s.success_rate) for s in scenarios]),
        (_("Contracted target rate"), [percent(s.target_rate) for s in scenarios]),
        (_("Drop-out"), [percent(s.dropout_rate) for s in scenarios]),
        (_("Cost of the intervention per participant"),
         [money(s.cost_per_participant) for s in scenarios]),
        (_("Who invests?"), [investors[s.investor] for s in scenarios]),
        (_("Payment rule"), [labels[s.payment_rule] for s in scenarios]),
        (_("Payment per success"), [payment(s, "per_success") for s in scenarios]),
        (_("Payment if the target is met"), [payment(s, "threshold") for s in scenarios]),
    ]  # fmt: skip


def figure_rows(outcomes: list[Outcome]) -> list[tuple[str, list[str]]]:
    """The simulator's key figures, one row each, and the net present values where any has them."""
    labels = figure_labels()
    dash = "–"

    def share(value: float | None) -> str:
        return dash if value is None else percent(value)

    rows = [
        (_("Expected payment"), [money(o.expected_payment) for o in outcomes]),
        (_("Payment, 10th percentile"), [money(o.payment_p10) for o in outcomes]),
        (_("Payment, 90th percentile"), [money(o.payment_p90) for o in outcomes]),
        (_("Investment"), [money(o.investment) for o in outcomes]),
        (labels["investor_loss"], [share(o.probability_investor_loss) for o in outcomes]),
        (_("Probability that the target is met"),
         [percent(o.probability_target_met) for o in outcomes]),
        (_("Investor's break-even success rate"),
         [share(o.break_even_success_rate) for o in outcomes]),
        (labels["participants_needed"],
         [dash if o.participants_needed is None else format_decimal(o.participants_needed)
          for o in outcomes]),
    ]  # fmt: skip
    if any(o.npv_municipality is not None for o in outcomes):
        rows += [
            (_("Net present value for the municipality"),
             [dash if o.npv_municipality is None else money(o.npv_municipality) for o in outcomes]),
            (_("Net present value for the public sector"),
             [dash if o.npv_public_sector is None else money(o.npv_public_sector)
              for o in outcomes]),
        ]  # fmt: skip
    return rows


def cumulative(o: Outcome) -> tuple[list[float], list[float]]:
    """The payments between the extreme tails (0.05 % of the chance cut off at either end) and the
    chance that the total is at most each, thinned evenly to at most CHART_POINTS."""
    values, chances, running = [], [], 0.0
    for value, p in o.distribution:
        before, running = running, running + p
        if running >= TAIL and before <= 1 - TAIL:
            values.append(value)
            chances.append(min(1.0, running))
    if len(values) > CHART_POINTS:
        every = (len(values) - 1) / (CHART_POINTS - 1)
        keep = [round(i * every) for i in range(CHART_POINTS)]
        values, chances = [values[i] for i in keep], [chances[i] for i in keep]
    return values, chances


def payments_chart(compared: list[Compared], narrow: bool = False) -> str:
    """The scenarios' payments as cumulative steps on one chart (narrow: for a phone)."""
    whole = functools.partial(format_decimal, format="#,##0")
    lines = []
    for i, item in enumerate(compared):
        values, chances = cumulative(item.outcome)  # type: ignore[arg-type]
        series = svgchart.Series(
            item.name, values, svgchart.SERIES_COLOURS[i], svgchart.SERIES_DASHES[i]
        )
        lines.append((series, [100 * c for c in chances]))
    return svgchart.step_lines_svg(
        lines,
        title=_("The chance that the total payment is at most an amount"),
        description=_(
            "One line for each scenario, each drawn differently. The height of a line at an amount "
            "is the chance that the total payment is at most that amount, so a line further to "
            "the right pays more. The table below has the numbers."
        ),
        x_label=_("Payment (kr.)"),
        y_label=_("Chance (%)"),
        element_id="chart-compare-narrow" if narrow else "chart-compare",
        x_format=lambda value: whole(round(value)),
        narrow=narrow,
    )


def payments_table(compared: list[Compared]) -> list[tuple[float, list[float]]]:
    """For every payment shown on the chart, each scenario's chance of a total at most that large
    (evenly thinned to at most TABLE_ROWS rows, the first and the last kept)."""
    steps = [cumulative(item.outcome) for item in compared]  # type: ignore[arg-type]
    amounts = sorted({value for values, _chances in steps for value in values})
    if len(amounts) > TABLE_ROWS:
        every = (len(amounts) - 1) / (TABLE_ROWS - 1)
        amounts = [amounts[round(i * every)] for i in range(TABLE_ROWS)]

    def at_most(values: list[float], chances: list[float], amount: float) -> float:
        i = bisect.bisect_right(values, amount)
        return chances[i - 1] if i else 0.0

    return [(amount, [at_most(v, c, amount) for v, c in steps]) for amount in amounts]


def error_lines(compared: list[Compared]) -> list[tuple[str, str]]:
    """Every refused input as (anchor, text naming its scenario and field), for the summary."""
    lines = []
    for item in compared:
        for field in item.form:
            if field.errors:
                anchor = field.id + ("-0" if field.type == "RadioField" else "")
                text = _(
                    "%(scenario)s, the field “%(field)s”: %(message)s",
                    scenario=item.name,
                    field=field.label.text,
                    message=field.errors[0],
                )
                lines.append((anchor, text))
    return lines

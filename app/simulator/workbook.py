"""The simulator's workbook: the rows, labels and formulas that show the scenario the page shows.

Figures that are plain arithmetic of other cells are formulas, so the workbook calculates when a
person changes an input; what comes from the binomial model (probabilities, percentiles, the
number of completers and the successes needed, participants needed) stays a value.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.sheets import Cell, Formula, Sheet, write_workbook
from app.core.simulator import Outcome, Scenario

DASH = "–"


def workbook_labels() -> dict[str, str]:
    """Sheet names, headings and row names in the page's language."""
    return {
        "scenario_sheet": _("Scenario"),
        "card_sheet": _("Rate card"),
        "sensitivity_sheet": _("Sensitivity"),
        "title": _("Payment-model scenario"),
        "about": _(
            "Probabilities and percentiles come from the simulator's exact model and stay as "
            "values; the other figures are formulas over the inputs."
        ),
        "inputs": _("Inputs"),
        "value": _("Value"),
        "participants": _("Number of participants"),
        "success_rate": _("Expected success rate"),
        "target_rate": _("Contracted target rate"),
        "dropout_rate": _("Drop-out"),
        "cost_per_participant": _("Cost per participant"),
        "payment_rule": _("Payment rule"),
        "per_success": _("A payment for each participant who reaches the goal"),
        "threshold": _("One payment if the target rate is reached"),
        "payment_per_success": _("Payment per success"),
        "payment_if_met": _("Payment if the target is met"),
        "key_figures": _("Key figures"),
        "completers": _("Participants who complete"),
        "target_successes": _("Successes needed to meet the target"),
        "probability_target_met": _("Probability that the target is met"),
        "expected_successes": _("Expected successes"),
        "expected_payment": _("Expected payment"),
        "payment_p10": _("Payment, 10th percentile"),
        "payment_p90": _("Payment, 90th percentile"),
        "investment": _("Investment"),
        "break_even": _("Investor's break-even success rate"),
        "participants_needed": _("Participants needed for a chance of 80 %"),
        "savings": _("Savings and net present value"),
        "horizon_years": _("Years the savings last"),
        "discount_rate": _("Discount rate"),
        "factor": _("Present value of 1 kr. a year over those years"),
        "sector": _("Sector"),
        "saving": _("Yearly saving per success"),
        "saving_value": _("Present value of the savings"),
        "municipality": _("Municipality"),
        "region": _("Region"),
        "state": _("State"),
        "npv_municipality": _("Net present value for the municipality"),
        "npv_public_sector": _("Net present value for the public sector"),
        "share_outside": _("Share of the gains outside the municipality"),
        "goal": _("Payment goal"),
        "data_source": _("Data source"),
        "total": _("Total"),
        "input": _("Input"),
        "new_value": _("New value"),
        "chance": _("Chance of meeting the target"),
        "as_entered": _("As entered"),
    }


def scenario_workbook(
    scenario: Scenario, outcome: Outcome, sensitivity: list[dict], lang: str
) -> bytes:
    """The scenario, its results, its rate card and its sensitivity as an XLSX file."""
    labels = workbook_labels()
    sheets = [
        scenario_sheet(scenario, outcome, labels),
        rate_card_sheet(outcome, labels),
        sensitivity_sheet(sensitivity, labels),
    ]
    return write_workbook(sheets, lang)


def scenario_sheet(s: Scenario, o: Outcome, labels: dict[str, str]) -> Sheet:
    """Inputs, key figures, and savings with net present values when savings are given."""
    sheet = Sheet(labels["scenario_sheet"], widths=(52, 22, 26))
    sheet.add(Cell(labels["title"], style="title"))
    sheet.add(Cell(labels["about"], style="note"))
    sheet.add()
    sheet.add(Cell(labels["inputs"], style="heading"), Cell(labels["value"], style="heading"))
    per_success = s.payment_rule == "per_success"

    def row(label: str, value: object, kind: str | None = None, name: str | None = None) -> None:
        sheet.add(Cell(labels[label]), Cell(value, format=kind, name=name))

    row("participants", s.participants, "integer", "participants")
    row("success_rate", s.success_rate, "percent", "success")
    row("target_rate", s.target_rate, "percent", "target")
    row("dropout_rate", s.dropout_rate, "percent", "dropout")
    row("cost_per_participant", s.cost_per_participant, "kroner", "cost")
    sheet.add(Cell(labels["payment_rule"]), Cell(labels[s.payment_rule]))
    if per_success:
        row("payment_per_success", s.payment_per_success, "kroner", "payment")
    else:
        row("payment_if_met", s.payment_if_met, "kroner", "payment")
    sheet.add()
    sheet.add(Cell(labels["key_figures"], style="heading"), Cell(labels["value"], style="heading"))
    row("completers", o.completers, "integer", "completers")
    row("target_successes", o.target_successes, "integer")
    row("probability_target_met", o.probability_target_met, "percent", "probability")
    row("expected_successes", Formula("{completers}*{success}"), "number", "successes")
    expected = "{successes}*{payment}" if per_success else "{probability}*{payment}"
    row("expected_payment", Formula(expected), "kroner", "expected_payment")
    row("payment_p10", o.payment_p10, "kroner")
    row("payment_p90", o.payment_p90, "kroner")
    row("investment", Formula("{participants}*{cost}"), "kroner")
    break_even: object = DASH
    if per_success:  # the cost per participant as a share of the payment, when it is at most 1
        ratio = "{cost}/{payment}"
        break_even = Formula(f'IF({{payment}}>0,IF({ratio}<=1,{ratio},"{DASH}"),"{DASH}")')
    row("break_even", break_even, "percent")
    needed = DASH if o.participants_needed is None else o.participants_needed
    row("participants_needed", needed, "integer")
    if o.npv_municipality is not None:
        savings_rows(sheet, s, labels)
    return sheet


def savings_rows(sheet: Sheet, s: Scenario, labels: dict[str, str]) -> None:
    """Savings per sector, their present values, and the net present values."""
    sheet.add()
    sheet.add(Cell(labels["savings"], style="heading"), Cell(labels["value"], style="heading"))
    sheet.add(Cell(labels["horizon_years"]), Cell(s.horizon_years, "integer", "years"))
    sheet.add(Cell(labels["discount_rate"]), Cell(s.discount_rate, "percent", "discount"))
    factor = Formula("IF({discount}=0,{years},(1-(1+{discount})^(-{years}))/{discount})")
    sheet.add(Cell(labels["factor"]), Cell(factor, "factor", "factor"))
    sheet.add(
        Cell(labels["sector"], style="heading"),
        Cell(labels["saving"], style="heading"),
        Cell(labels["saving_value"], style="heading"),
    )
    sectors = [
        ("municipality", s.savings_municipality),
        ("region", s.savings_region),
        ("state", s.savings_state),
    ]
    for sector, saving in sectors:
        sheet.add(
            Cell(labels[sector]),
            Cell(saving, "kroner", f"saving_{sector}"),
            Cell(
                Formula(f"{{successes}}*{{saving_{sector}}}*{{factor}}"),
                "kroner",
                f"value_{sector}",
            ),
        )
    sheet.add(
        Cell(labels["npv_municipality"]),
        Cell(Formula("{value_municipality}-{expected_payment}"), "kroner"),
    )
    sheet.add(
        Cell(labels["npv_public_sector"]),
        Cell(
            Formula("{value_municipality}+{value_region}+{value_state}-{expected_payment}"),
            "kroner",
        ),
    )
    share = Formula(
        "({saving_region}+{saving_state})/({saving_municipality}+{saving_region}+{saving_state})"
    )
    sheet.add(Cell(labels["share_outside"]), Cell(share, "percent"))


def rate_card_sheet(o: Outcome, labels: dict[str, str]) -> Sheet:
    """The rate card; each goal's expected payment is completers × success rate × payment."""
    sheet = Sheet(labels["card_sheet"], widths=(40, 22, 30, 22, 22), freeze_below=1)
    headings = ["goal", "payment_per_success", "data_source", "success_rate", "expected_payment"]
    sheet.add(*(Cell(labels[key], style="heading") for key in headings))
    for goal in o.rate_card:
        r = sheet.next_row
        sheet.add(
            Cell(goal["goal"], style="wrap"),
            Cell(goal["payment"], "kroner"),
            Cell(goal["data_source"], style="wrap"),
            Cell(goal["success_rate"], "percent"),
            Cell(Formula(f"{{completers}}*D{r}*B{r}"), "kroner"),
        )
    if o.rate_card:
        last = sheet.next_row - 1
        sheet.add()
        total = Formula(f"SUM(E2:E{last})")
        sheet.add(
            Cell(labels["total"], style="total"),
            None,
            None,
            None,
            Cell(total, "kroner", style="total"),
        )
    return sheet


def sensitivity_sheet(rows: list[dict], labels: dict[str, str]) -> Sheet:
    """What happens to the chance and the expected payment when one input moves."""
    sheet = Sheet(labels["sensitivity_sheet"], widths=(40, 16, 28, 22), freeze_below=1)
    headings = ["input", "new_value", "chance", "expected_payment"]
    sheet.add(*(Cell(labels[key], style="heading") for key in headings))
    sheet.add(
        Cell(labels["as_entered"]),
        Cell(DASH),
        Cell(Formula("{probability}"), "percent"),
        Cell(Formula("{expected_payment}"), "kroner"),
    )
    for row in rows:
        sheet.add(
            Cell(labels[row["input"]]),
            Cell(row["value"], "integer" if row["input"] == "participants" else "percent"),
            Cell(row["probability_target_met"], "percent"),
            Cell(row["expected_payment"], "kroner"),
        )
    return sheet

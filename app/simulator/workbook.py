"""The simulator's workbook: the rows, labels and formulas that show the scenario the page shows.

Figures that are plain arithmetic of other cells are formulas, so the workbook calculates when a
person changes an input; what comes from the binomial model (probabilities, percentiles, the
number of completers, the successes needed and expected anyway, participants needed) stays a
value. So does every figure a baseline, several payment goals, a cap or a floor turn into more
than arithmetic (the expected payment then is E[max(0, X − B)] summed over the goals, and capped),
and the present values of payments and cost, which depend on cohorts and measurement lags.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.sheets import Cell, Formula, Sheet, column_letter, write_workbook
from app.core.simulator import Outcome, Scenario, cohort_factor, cohorts
from app.simulator.presenter import cash_flow_columns, figure_labels

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
        "participants_per_year": _("Participants per year"),
        "years": _("Years of recruitment"),
        "baseline_rate": _("Baseline: the share who would reach the goal anyway"),
        "investor_choice": _("Who invests in the intervention?"),
        "public_fund": _("A public fund"),
        "private": _("A private investor"),
        "municipality_invests": _("The municipality itself"),
        "payment_cap": _("Payment cap for the whole contract"),
        "minimum_repayment": _("Minimum repayment"),
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
        "extra_successes": _("Extra successes over the baseline"),
        "cohort_factor": _("Discount for the years the cohorts start"),
        "present_value_payments": _("Present value of the expected payments"),
        "present_value_cost": _("Present value of the intervention's cost"),
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
        "goal_baseline": _("Baseline"),
        "lag": _("Measured and paid after (years)"),
        "total": _("Total"),
        "input": _("Input"),
        "new_value": _("New value"),
        "chance": _("Chance of meeting the target"),
        "as_entered": _("As entered"),
        "cash_flow_sheet": _("Cash flow"),
        "cash_flow_title": _("Cash flow by year"),
        "cash_flow_about": _(
            "Year 0 is the year the first cohort starts. The amounts are the model's expected "
            "values; an amount's value today is the amount times the year's discount factor, "
            "1/(1 + discount rate)^year."
        ),
        "year": _("Year"),
        "discount_factor": _("Discount factor"),
        **{key: figure_labels()[key] for key in ("investor_loss", "baseline_successes")},
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
        cash_flow_sheet(scenario, outcome, labels),
    ]
    return write_workbook(sheets, lang)


def simple_payment(s: Scenario) -> bool:
    """Whether the expected payment is plain arithmetic of the inputs (a formula in the sheet)."""
    plain = s.payment_cap is None and not s.minimum_repayment
    if s.payment_rule == "threshold":
        return plain
    return plain and not s.payment_goals and not s.baseline_rate


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
    if s.participants_per_year and s.years:
        row("participants_per_year", s.participants_per_year, "integer", "per_year")
        row("years", s.years, "integer")
    row("success_rate", s.success_rate, "percent", "success")
    row("baseline_rate", s.baseline_rate, "percent", "baseline")
    row("target_rate", s.target_rate, "percent", "target")
    row("dropout_rate", s.dropout_rate, "percent", "dropout")
    row("cost_per_participant", s.cost_per_participant, "kroner", "cost")
    investor = "municipality_invests" if s.investor == "municipality" else s.investor
    sheet.add(Cell(labels["investor_choice"]), Cell(labels[investor]))
    sheet.add(Cell(labels["payment_rule"]), Cell(labels[s.payment_rule]))
    if per_success and not s.payment_goals:
        row("payment_per_success", s.payment_per_success, "kroner", "payment")
    elif not per_success:
        row("payment_if_met", s.payment_if_met, "kroner", "payment")
    if s.payment_cap is not None:
        row("payment_cap", s.payment_cap, "kroner")
    if s.minimum_repayment:
        row("minimum_repayment", s.minimum_repayment, "kroner")
    sheet.add()
    sheet.add(Cell(labels["key_figures"], style="heading"), Cell(labels["value"], style="heading"))
    row("completers", o.completers, "integer", "completers")
    row("target_successes", o.target_successes, "integer")
    row("baseline_successes", o.baseline_successes, "integer", "baseline_count")
    row("probability_target_met", o.probability_target_met, "percent", "probability")
    row("expected_successes", Formula("{completers}*{success}"), "number", "successes")
    expected: object = o.expected_payment
    if simple_payment(s):
        expected = Formula("{successes}*{payment}" if per_success else "{probability}*{payment}")
    row("expected_payment", expected, "kroner", "expected_payment")
    row("payment_p10", o.payment_p10, "kroner")
    row("payment_p90", o.payment_p90, "kroner")
    loss = DASH if o.probability_investor_loss is None else o.probability_investor_loss
    row("investor_loss", loss, "percent")
    row("investment", Formula("{participants}*{cost}"), "kroner", "investment")
    break_even: object = DASH if o.break_even_success_rate is None else o.break_even_success_rate
    if per_success and not s.payment_goals and s.payment_cap is None:
        # The cost per participant as a share of the payment, over the successes expected
        # anyway, when it is at most 1.
        ratio = "({cost}/{payment}+{baseline_count}/{participants})"
        break_even = Formula(f'IF({{payment}}>0,IF({ratio}<=1,{ratio},"{DASH}"),"{DASH}")')
    row("break_even", break_even, "percent")
    needed = DASH if o.participants_needed is None else o.participants_needed
    row("participants_needed", needed, "integer")
    if o.npv_municipality is not None:
        savings_rows(sheet, s, o, labels)
    return sheet


def savings_rows(sheet: Sheet, s: Scenario, o: Outcome, labels: dict[str, str]) -> None:
    """Savings per sector, their present values, and the net present values by investor."""
    sheet.add()
    sheet.add(Cell(labels["savings"], style="heading"), Cell(labels["value"], style="heading"))
    sheet.add(Cell(labels["horizon_years"]), Cell(s.horizon_years, "integer", "years"))
    sheet.add(Cell(labels["discount_rate"]), Cell(s.discount_rate, "percent", "discount"))
    factor = Formula("IF({discount}=0,{years},(1-(1+{discount})^(-{years}))/{discount})")
    sheet.add(Cell(labels["factor"]), Cell(factor, "factor", "factor"))
    sheet.add(Cell(labels["cohort_factor"]), Cell(cohort_factor(s, 0), "factor", "cohort"))
    extra = Formula("{completers}*{success}-{participants}*{baseline}")
    sheet.add(Cell(labels["extra_successes"]), Cell(extra, "number", "extra"))
    sheet.add(
        Cell(labels["present_value_payments"]),
        Cell(o.present_value_payments, "kroner", "pv_payments"),
    )
    sheet.add(Cell(labels["present_value_cost"]), Cell(o.present_value_cost, "kroner", "pv_cost"))
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
                Formula(f"{{extra}}*{{saving_{sector}}}*{{factor}}*{{cohort}}"),
                "kroner",
                f"value_{sector}",
            ),
        )
    # What each side pays, by who invests (see app/core/simulator.py).
    municipality_pays = "{pv_cost}" if s.investor == "municipality" else "{pv_payments}"
    public_pays = "{pv_payments}" if s.investor == "private" else "{pv_cost}"
    sheet.add(
        Cell(labels["npv_municipality"]),
        Cell(Formula(f"{{value_municipality}}-{municipality_pays}"), "kroner"),
    )
    sheet.add(
        Cell(labels["npv_public_sector"]),
        Cell(
            Formula(f"{{value_municipality}}+{{value_region}}+{{value_state}}-{public_pays}"),
            "kroner",
        ),
    )
    share = Formula(
        "({saving_region}+{saving_state})/({saving_municipality}+{saving_region}+{saving_state})"
    )
    sheet.add(Cell(labels["share_outside"]), Cell(share, "percent"))


def rate_card_sheet(o: Outcome, labels: dict[str, str]) -> Sheet:
    """The payment goals; without a baseline a goal's expected payment is completers × success
    rate × payment, a formula; with one it is the model's value."""
    sheet = Sheet(labels["card_sheet"], widths=(40, 22, 30, 22, 16, 22, 22), freeze_below=1)
    headings = ["goal", "payment_per_success", "data_source", "success_rate", "goal_baseline",
                "lag", "expected_payment"]  # fmt: skip
    sheet.add(*(Cell(labels[key], style="heading") for key in headings))
    for goal in o.rate_card:
        r = sheet.next_row
        expected: object = goal["expected_payment"]
        if not goal["baseline_rate"]:
            expected = Formula(f"{{completers}}*D{r}*B{r}")
        sheet.add(
            Cell(goal["goal"], style="wrap"),
            Cell(goal["payment"], "kroner"),
            Cell(goal["data_source"], style="wrap"),
            Cell(goal["success_rate"], "percent"),
            Cell(goal["baseline_rate"], "percent"),
            Cell(goal["lag_years"], "integer"),
            Cell(expected, "kroner"),
        )
    if o.rate_card:
        last = sheet.next_row - 1
        sheet.add()
        total = Formula(f"SUM(G2:G{last})")
        sheet.add(
            Cell(labels["total"], style="total"),
            *([None] * 5),
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


def cash_flow_sheet(s: Scenario, o: Outcome, labels: dict[str, str]) -> Sheet:
    """The expected amounts by year: the cohorts' cost as formulas of the inputs, the payments and
    savings as the model's values, and their values today as formulas of the discount rate."""
    columns = [(name, heading) for name, heading in cash_flow_columns(s, o.cash_flow)]
    sheet = Sheet(labels["cash_flow_sheet"], widths=(10, 16, *([22] * (2 * len(columns)))))
    sheet.add(Cell(labels["cash_flow_title"], style="title"))
    sheet.add(Cell(labels["cash_flow_about"], style="note"))
    sheet.add()
    rate: object = s.discount_rate
    if o.npv_municipality is not None:
        rate = Formula("{discount}")  # the one on the scenario sheet, which the savings use too
    sheet.add(Cell(labels["discount_rate"]), Cell(rate, "percent", "flow_discount"))
    sheet.add()
    today = [_today(heading) for _name, heading in columns]
    headings = [labels["year"], labels["discount_factor"], *(h for _n, h in columns), *today]
    sheet.add(*(Cell(heading, style="heading") for heading in headings))
    first = sheet.next_row
    one_cohort = "{participants}" if len(cohorts(s)) == 1 else "{per_year}"
    for row in o.cash_flow:
        r = sheet.next_row
        amounts: list[Cell] = []
        for name, _heading in columns:
            value: object = getattr(row, name)
            if name == "cost" and row.cost:
                value = Formula(f"{one_cohort}*{{cost}}")
            amounts.append(Cell(value, "kroner"))
        discounted = [
            Cell(Formula(f"{column_letter(3 + i)}{r}*B{r}"), "kroner") for i in range(len(columns))
        ]
        sheet.add(
            Cell(row.year, "integer"),
            Cell(Formula(f"1/(1+{{flow_discount}})^A{r}"), "factor"),
            *amounts,
            *discounted,
        )
    last = sheet.next_row - 1
    sheet.add(
        Cell(labels["total"], style="total"),
        None,
        *(
            Cell(Formula(f"SUM({column_letter(c)}{first}:{column_letter(c)}{last})"), "kroner",
                 style="total")
            for c in range(3, 3 + 2 * len(columns))
        ),
    )  # fmt: skip
    return sheet


def _today(heading: str) -> str:
    return _("%(amount)s, today's value", amount=heading)

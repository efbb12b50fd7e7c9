"""The cash flow by year: the model's own timing laid out year by year, adding up to the totals the
simulator already reports (the investment, the expected payment, and the present values of the cost,
the payments and the savings), for one cohort and several, lags, a threshold, a cap and a floor."""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.simulator import PaymentGoal, Scenario, simulate

GOALS = (
    PaymentGoal("Bolig", 100, "Register", success_rate=0.5),
    PaymentGoal("Job", 40, "eIndkomst", success_rate=0.25, lag_years=2),
)


def approx(value: F | float) -> object:
    return pytest.approx(float(value), rel=1e-12, abs=1e-9)


def near(value: float) -> object:
    """Equal to a thousandth of a krone (a cap of 0 leaves sums of rounding errors, not zero)."""
    return pytest.approx(value, rel=1e-9, abs=1e-3)


def column(outcome, name: str, discounted: bool = False) -> list[float]:  # type: ignore[no-untyped-def]
    return [row.present(name) if discounted else getattr(row, name) for row in outcome.cash_flow]


def savings_values(s: Scenario, outcome) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """S_m and S, the present values of the savings, read back from the reported NPVs."""
    pays = {"municipality": outcome.present_value_cost}.get(s.investor)
    s_m = outcome.npv_municipality + (outcome.present_value_payments if pays is None else pays)
    public = {"private": outcome.present_value_payments}.get(s.investor)
    s_all = outcome.npv_public_sector + (outcome.present_value_cost if public is None else public)
    return s_m, s_all


def test_two_cohorts_by_hand():
    # One participant a year for two years, r = 25 %, cost 60 each, 100 per success at p = 1/2
    # (50 expected per cohort, a year after it starts), 80 a year saved per extra success for
    # two years from the year after a cohort starts (½ extra success per cohort).
    s = Scenario(
        participants=2, participants_per_year=1, years=2, success_rate=0.5, target_rate=0.5,
        payment_per_success=100, cost_per_participant=60, savings_municipality=80,
        savings_state=20, horizon_years=2, discount_rate=0.25,
    )  # fmt: skip
    rows = simulate(s).cash_flow
    assert [row.year for row in rows] == [0, 1, 2, 3]
    assert [row.cost for row in rows] == [60, 60, 0, 0]
    assert [row.payments for row in rows] == [0, 50, 50, 0]
    assert [row.savings_municipality for row in rows] == [0, 40, 80, 40]
    assert [row.savings_all for row in rows] == [0, 50, 100, 50]
    assert [row.discount for row in rows] == [approx(F(4, 5) ** y) for y in range(4)]
    assert rows[2].present("payments") == approx(50 * F(16, 25))


def test_a_threshold_payment_falls_a_year_after_the_last_cohort_starts():
    s = Scenario(
        participants=3, participants_per_year=1, years=3, success_rate=0.5, target_rate=0.5,
        payment_rule="threshold", payment_if_met=100, cost_per_participant=10,
    )  # fmt: skip
    outcome = simulate(s)
    # Met when X ≥ ceil(1.5) = 2 of 3: 1/2; paid in year 2 + 1.
    assert column(outcome, "payments") == [0, 0, 0, approx(50)]
    assert column(outcome, "cost") == [10, 10, 10, 0]


def test_the_cap_is_settled_in_the_last_year_payments_fall():
    # Two goals for two participants: Bolig 100 expected in year 1, Job 20 in year 2; the cap of
    # 200 cuts 12.5 (E = 107.5), settled in year 2.
    outcome = simulate(
        Scenario(participants=2, success_rate=0.5, target_rate=0.5, payment_goals=GOALS,
                 payment_cap=200)
    )  # fmt: skip
    assert column(outcome, "payments") == [0, approx(100), approx(20 - 12.5)]
    assert column(outcome, "settlement") == [0, 0, approx(-12.5)]
    assert math.fsum(column(outcome, "payments")) == approx(outcome.expected_payment)


SCENARIOS = {
    "one cohort": Scenario(
        participants=25,
        success_rate=0.6,
        target_rate=0.5,
        dropout_rate=0.1,
        cost_per_participant=40_000,
        payment_per_success=90_000,
        savings_municipality=50_000,
        horizon_years=5,
        discount_rate=0.035,
    ),
    "several cohorts, a baseline and a private investor": Scenario(
        participants=30,
        participants_per_year=10,
        years=3,
        success_rate=0.6,
        baseline_rate=0.15,
        target_rate=0.5,
        cost_per_participant=40_000,
        payment_per_success=90_000,
        savings_municipality=50_000,
        savings_region=5_000,
        savings_state=10_000,
        horizon_years=7,
        discount_rate=0.04,
        investor="private",
    ),
    "goals with lags, a cap and a floor": Scenario(
        participants=40,
        participants_per_year=20,
        years=2,
        success_rate=0.6,
        target_rate=0.5,
        cost_per_participant=30_000,
        payment_cap=1_500_000,
        minimum_repayment=400_000,
        payment_goals=(
            PaymentGoal("Bolig", 40_000, success_rate=0.5, baseline_rate=0.1, lag_years=2),
            PaymentGoal("Job", 30_000, success_rate=0.4, lag_years=5),
            PaymentGoal("Skole", 10_000, success_rate=0.7, lag_years=0),
        ),
        savings_municipality=30_000,
        savings_state=20_000,
        horizon_years=3,
        discount_rate=0.05,
    ),
    "a floor that is almost always paid": Scenario(
        participants=12,
        success_rate=0.3,
        target_rate=0.5,
        cost_per_participant=50_000,
        payment_per_success=60_000,
        minimum_repayment=500_000,
        savings_municipality=20_000,
        horizon_years=2,
        discount_rate=0.1,
        investor="municipality",
    ),
    "a threshold over four cohorts": Scenario(
        participants=100,
        participants_per_year=25,
        years=4,
        success_rate=0.55,
        target_rate=0.5,
        dropout_rate=0.05,
        cost_per_participant=25_000,
        payment_rule="threshold",
        payment_if_met=3_000_000,
        payment_cap=2_000_000,
        savings_municipality=40_000,
        horizon_years=10,
        discount_rate=0.03,
    ),
    "heavy drop-out, so the savings are below zero": Scenario(
        participants=50,
        success_rate=0.4,
        baseline_rate=0.3,
        target_rate=0.35,
        dropout_rate=0.5,
        cost_per_participant=10_000,
        payment_per_success=20_000,
        savings_municipality=10_000,
        horizon_years=4,
        discount_rate=0.02,
    ),
    "no discounting and no savings": Scenario(
        participants=10_000,
        success_rate=0.6,
        target_rate=0.5,
        cost_per_participant=40_000,
        payment_per_success=90_000,
    ),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_years_add_up_to_the_totals_the_simulator_reports(name):
    s = SCENARIOS[name]
    outcome = simulate(s)
    rows = outcome.cash_flow
    assert [row.year for row in rows] == list(range(len(rows)))
    assert math.fsum(column(outcome, "cost")) == approx(s.participants * s.cost_per_participant)
    assert math.fsum(column(outcome, "cost")) == approx(outcome.investment)
    assert math.fsum(column(outcome, "payments")) == approx(outcome.expected_payment)
    assert math.fsum(column(outcome, "cost", True)) == approx(outcome.present_value_cost)
    assert math.fsum(column(outcome, "payments", True)) == approx(outcome.present_value_payments)
    settled = math.fsum(column(outcome, "settlement"))
    assert sum(1 for value in column(outcome, "settlement") if value) <= 1
    if s.payment_cap is None and not s.minimum_repayment:
        assert settled == 0
    if outcome.npv_municipality is None:
        assert not any(column(outcome, "savings_all"))
        return
    s_m, s_all = savings_values(s, outcome)
    assert math.fsum(column(outcome, "savings_municipality", True)) == approx(s_m)
    assert math.fsum(column(outcome, "savings_all", True)) == approx(s_all)
    # Nominal savings: the extra successes times the yearly savings for every year they last.
    total = s.savings_municipality + s.savings_region + s.savings_state
    assert math.fsum(column(outcome, "savings_all")) == approx(
        outcome.extra_successes * total * s.horizon_years
    )


def test_undiscounted_the_present_values_are_the_nominal_sums():
    s = replace(SCENARIOS["goals with lags, a cap and a floor"], discount_rate=0.0)
    outcome = simulate(s)
    assert all(row.discount == 1 for row in outcome.cash_flow)
    assert outcome.present_value_payments == approx(outcome.expected_payment)


def test_the_last_year_is_the_last_with_an_amount():
    s = SCENARIOS["goals with lags, a cap and a floor"]
    rows = simulate(s).cash_flow
    # Second cohort (year 1) + the longest lag (5) for payments; year 1 + 3 years of savings.
    assert rows[-1].year == 6
    assert rows[-1].payments != 0


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 30),
    cohorts=st.sampled_from([None, 1, 2, 3]),
    rule=st.sampled_from(["per_success", "threshold"]),
    lags=st.lists(st.integers(0, 4), max_size=2),
    cap=st.sampled_from([None, 0, 50_000, 200_000]),
    floor=st.sampled_from([0, 10_000, 40_000]),
    rate=st.sampled_from([0.0, 0.035, 0.2]),
    investor=st.sampled_from(["public_fund", "private", "municipality"]),
)
def test_the_years_always_add_up(n, cohorts, rule, lags, cap, floor, rate, investor):
    if cap is not None and floor > cap:
        floor = 0
    per_year = None if cohorts is None else max(1, n // cohorts)
    goals = tuple(
        PaymentGoal(f"g{i}", 10_000 * (i + 1), success_rate=0.5, lag_years=lag)
        for i, lag in enumerate(lags)
    )
    s = Scenario(
        participants=n if cohorts is None else per_year * cohorts, participants_per_year=per_year,
        years=cohorts, success_rate=0.6, target_rate=0.5, dropout_rate=0.1,
        cost_per_participant=7_000, payment_rule=rule, payment_per_success=20_000,
        payment_if_met=100_000, payment_goals=goals if rule == "per_success" else (),
        payment_cap=cap, minimum_repayment=floor, savings_municipality=5_000, savings_state=1_000,
        horizon_years=3, discount_rate=rate, investor=investor,
    )  # fmt: skip
    outcome = simulate(s)
    assert math.fsum(column(outcome, "cost")) == approx(outcome.investment)
    assert math.fsum(column(outcome, "payments")) == near(outcome.expected_payment)
    assert math.fsum(column(outcome, "payments", True)) == near(outcome.present_value_payments)
    assert math.fsum(column(outcome, "cost", True)) == near(outcome.present_value_cost)
    s_m, s_all = savings_values(s, outcome)
    assert math.fsum(column(outcome, "savings_municipality", True)) == near(s_m)
    assert math.fsum(column(outcome, "savings_all", True)) == near(s_all)

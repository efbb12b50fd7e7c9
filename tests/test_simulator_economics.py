"""The simulator's economics against cases worked out by hand: baseline, several payment goals,
cap and floor, each kind of investor, cohorts and discounting, and the facts the flags read.

Every case is small enough (n = 2 or 3, p = 1/2 or 1/4) to enumerate on paper; the expected figures
are written as the fractions that enumeration gives."""

from __future__ import annotations

import math
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.questionnaire import SIMULATION_FACTS
from app.core.questionnaire_loader import load_questionnaires
from app.core.scoring import score_assessment
from app.core.simulator import (
    PaymentGoal,
    Scenario,
    check_inputs,
    scenario_facts,
    scenario_from_dict,
    simulate,
)

ROOT = Path(__file__).resolve().parent.parent


def approx(value: F) -> object:
    return pytest.approx(float(value), rel=1e-12, abs=1e-9)


def shown(outcome) -> list[tuple[float, float]]:  # type: ignore[no-untyped-def]
    return [(value, round(p, 12)) for value, p in outcome.distribution if p > 1e-15]


# --- one goal: n = 2, p = 1/2 -----------------------------------------------------------------

TWO = Scenario(
    participants=2, success_rate=0.5, target_rate=0.5, payment_per_success=100,
    cost_per_participant=60,
)  # fmt: skip


def test_two_participants_at_one_half_pay_0_100_or_200():
    # X ~ Bin(2, 1/2): 0, 1, 2 successes with 1/4, 1/2, 1/4.
    outcome = simulate(TWO)
    assert shown(outcome) == [(0, 0.25), (100, 0.5), (200, 0.25)]
    assert outcome.expected_payment == 100
    assert (outcome.payment_p10, outcome.payment_p90) == (0, 200)
    # The investor puts in 2 × 60 = 120 and gets less back unless both succeed: 3/4.
    assert outcome.investment == 120
    assert outcome.probability_investor_loss == approx(F(3, 4))


def test_a_baseline_is_never_paid_for_and_savings_count_only_the_extra_successes():
    # n = 3, p = 1/2, baseline 30 %: B = ceil(0.9) = 1 success is expected anyway.
    # X = 0..3 with 1/8, 3/8, 3/8, 1/8; paid successes max(0, X − 1) = 0, 0, 1, 2.
    s = Scenario(
        participants=3, success_rate=0.5, target_rate=0.5, baseline_rate=0.3,
        payment_per_success=100, savings_municipality=10, horizon_years=1, investor="private",
    )  # fmt: skip
    outcome = simulate(s)
    assert outcome.baseline_successes == 1
    assert shown(outcome) == [(0, 0.5), (100, 0.375), (200, 0.125)]
    assert outcome.expected_payment == approx(F(100) * (F(3, 8) + 2 * F(1, 8)))  # 62.5
    # Extra successes over the baseline: 3 · 1/2 − 3 · 0.3 = 0.6, each saving 10 in one year.
    assert outcome.extra_successes == approx(F(6, 10))
    assert outcome.npv_municipality == approx(F(6, 10) * 10 - F(125, 2))
    # Break-even: payments cover a cost of 25 when (X − 1) · 100 ≥ 75, a share of 1/4 + 1/3.
    dear = simulate(Scenario(**{**s.__dict__, "cost_per_participant": 25}))
    assert dear.break_even_success_rate == approx(F(1, 4) + F(1, 3))


def test_the_programme_that_worked_raises_no_low_probability_flag():
    # A per-success contract whose target equals the expected rate: the chance of "meeting the
    # target" is under one half, but the contract pays for every success, so it is no fact.
    worked = Scenario(
        participants=20, success_rate=0.5, target_rate=0.5, dropout_rate=0.1,
        payment_per_success=1000, cost_per_participant=400,
    )  # fmt: skip
    # 18 complete; P(X ≥ 10) for Bin(18, 1/2) is 0.407.
    assert simulate(worked).probability_target_met == pytest.approx(0.4073, abs=1e-4)
    facts = scenario_facts(worked)
    assert "probability_target_met" not in facts
    assert set(facts) <= set(SIMULATION_FACTS)
    questionnaire = load_questionnaires(ROOT / "questionnaires")["kommune"]
    flags = {f.id for f in score_assessment(questionnaire, {}, facts).flags}
    assert "pm_sim_low_probability" not in flags
    # The same figures as a threshold contract do raise it: all or nothing at 41 %.
    threshold = Scenario(**{**worked.__dict__, "payment_rule": "threshold", "payment_if_met": 1})
    facts = scenario_facts(threshold)
    assert facts["probability_target_met"] < 0.5
    flags = {f.id for f in score_assessment(questionnaire, {}, facts).flags}
    assert "pm_sim_low_probability" in flags


def test_the_investors_chance_of_loss_is_a_fact():
    facts = scenario_facts(TWO)
    assert facts["probability_investor_loss"] == approx(F(3, 4))
    assert "probability_investor_loss" in SIMULATION_FACTS
    own = scenario_facts(Scenario(**{**TWO.__dict__, "investor": "municipality"}))
    assert own["probability_investor_loss"] is None
    # A saved scenario where the investor more likely than not gets back less raises a warning.
    questionnaire = load_questionnaires(ROOT / "questionnaires")["kommune"]
    assert "pm_sim_investor_loss" in {
        f.id for f in score_assessment(questionnaire, {}, facts).flags
    }
    assert "pm_sim_investor_loss" not in {
        f.id for f in score_assessment(questionnaire, {}, own).flags
    }


# --- several goals that move together ----------------------------------------------------------

GOALS = (
    PaymentGoal("Bolig", 100, "Register", success_rate=0.5),
    PaymentGoal("Job", 40, "eIndkomst", success_rate=0.25, lag_years=2),
)


def two_goals(**changes) -> Scenario:  # type: ignore[no-untyped-def]
    return Scenario(
        participants=2, success_rate=0.5, target_rate=0.5, payment_goals=GOALS, **changes
    )


def test_two_goals_are_summed_at_the_same_quantile():
    # Bolig: 0, 100, 200 with cumulative 4/16, 12/16, 1. Job: Bin(2, 1/4) × 40: 0, 40, 80 with
    # cumulative 9/16, 15/16, 1. Between the merged cuts 4, 9, 12, 15, 16 (sixteenths) the total is
    # 0, 100, 140, 240, 280.
    outcome = simulate(two_goals())
    assert shown(outcome) == [
        (0, 4 / 16), (100, 5 / 16), (140, 3 / 16), (240, 3 / 16), (280, 1 / 16)
    ]  # fmt: skip
    assert outcome.expected_payment == approx(F(1920, 16))  # = 100 + 2 · 1/4 · 40 = 120
    assert [row["expected_payment"] for row in outcome.rate_card] == [100, 20]
    assert sum(row["expected_payment"] for row in outcome.rate_card) == outcome.expected_payment
    # The percentiles are the sums of the goals' own: 0 + 0 and 200 + 40.
    assert (outcome.payment_p10, outcome.payment_p90) == (0, 240)


def test_the_rate_card_replaces_the_single_payment_per_success():
    with_single = simulate(two_goals(payment_per_success=1_000_000))
    assert with_single.expected_payment == approx(F(120))


def test_a_cap_and_a_floor_apply_to_the_total():
    # Cap 200: 240 and 280 become 200. E = (4·0 + 5·100 + 3·140 + 4·200) / 16 = 107.5.
    capped = simulate(two_goals(payment_cap=200))
    assert shown(capped) == [(0, 4 / 16), (100, 5 / 16), (140, 3 / 16), (200, 4 / 16)]
    assert capped.expected_payment == approx(F(1720, 16))
    # Floor 120 as well: 0 and 100 become 120. E = (9·120 + 3·140 + 4·200) / 16 = 143.75.
    both = simulate(two_goals(payment_cap=200, minimum_repayment=120, cost_per_participant=70))
    assert shown(both) == [(120, 9 / 16), (140, 3 / 16), (200, 4 / 16)]
    assert both.expected_payment == approx(F(2300, 16))
    assert (both.payment_p10, both.payment_p90) == (120, 200)
    # The investor put in 2 × 70 = 140 and gets less back only when 120 is paid: 9/16.
    assert both.probability_investor_loss == approx(F(9, 16))


def test_the_amount_a_cap_cuts_is_settled_in_the_last_payment_year():
    # r = 25 %, so a krone in year y counts (4/5)^y. Bolig is paid in year 1, Job in year 2, and
    # the cap's cut of 120 − 107.5 = 12.5 in year 2.
    d = F(4, 5)
    outcome = simulate(two_goals(payment_cap=200, discount_rate=0.25))
    assert outcome.present_value_payments == approx(100 * d + 20 * d**2 - F(25, 2) * d**2)


# --- who invests ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("investor", "municipality", "public_sector", "loss"),
    [
        # n = 2, p = 1/2, one cohort, r = 25 %: cost 120 in year 0; payments 100 expected in
        # year 1, worth 80; savings 1 extra success × 80 (municipality) + 20 (region) in year 1,
        # worth 64 and 80.
        ("public_fund", F(64) - 80, F(80) - 120, F(3, 4)),
        ("private", F(64) - 80, F(80) - 80, F(3, 4)),
        ("municipality", F(64) - 120, F(80) - 120, None),
    ],
)
def test_each_investor_gets_the_net_present_values_worked_out_by_hand(
    investor, municipality, public_sector, loss
):
    outcome = simulate(
        Scenario(
            **{**TWO.__dict__, "investor": investor, "savings_municipality": 80,
               "savings_region": 20, "horizon_years": 1, "discount_rate": 0.25}
        )
    )  # fmt: skip
    assert outcome.present_value_cost == 120 and outcome.present_value_payments == approx(F(80))
    assert outcome.npv_municipality == approx(municipality)
    assert outcome.npv_public_sector == approx(public_sector)
    assert outcome.probability_investor_loss == (None if loss is None else approx(loss))


def test_cohorts_spread_cost_payments_and_savings_over_the_years():
    # One participant a year for two years, r = 25 %. Cost 60 in years 0 and 1: 60 + 48 = 108.
    # Paid successes fall a year after each cohort starts: 100 · ½(4/5 + 16/25) = 72.
    # Savings, one year each from the year after the cohort starts: 80 · ½(4/5 + 16/25) = 57.6.
    s = Scenario(
        participants=2, participants_per_year=1, years=2, success_rate=0.5, target_rate=0.5,
        payment_per_success=100, cost_per_participant=60, savings_municipality=80,
        horizon_years=1, discount_rate=0.25, investor="public_fund",
    )  # fmt: skip
    outcome = simulate(s)
    assert outcome.present_value_cost == approx(F(108))
    assert outcome.present_value_payments == approx(F(72))
    assert outcome.npv_municipality == approx(F(288, 5) - 72)
    assert outcome.npv_public_sector == approx(F(288, 5) - 108)


def test_a_goal_measured_later_is_discounted_longer():
    late = Scenario(
        participants=2, success_rate=0.5, target_rate=0.5, discount_rate=0.25,
        payment_goals=(PaymentGoal("Job", 100, success_rate=0.5, lag_years=3),),
    )  # fmt: skip
    assert simulate(late).present_value_payments == approx(100 * F(4, 5) ** 3)


def test_a_threshold_payment_falls_a_year_after_the_last_cohort():
    s = Scenario(
        participants=2, participants_per_year=1, years=2, success_rate=0.5, target_rate=0.5,
        payment_rule="threshold", payment_if_met=100, discount_rate=0.25,
    )  # fmt: skip
    # Met when X ≥ 1: 3/4. Paid in year 2.
    assert simulate(s).present_value_payments == approx(F(3, 4) * 100 * F(16, 25))


# --- stored scenarios and checked inputs -------------------------------------------------------


def test_an_older_stored_scenario_still_loads_and_its_rate_card_counts():
    old = {
        "participants": 20, "success_rate": 0.5, "target_rate": 0.4, "payment_rule": "per_success",
        "payment_per_success": 90000,
        "rate_card": [
            {"goal": "Bolig", "payment": 40000, "data_source": "R", "success_rate": 0.5},
            {"goal": "Job", "payment": 20000, "data_source": "", "success_rate": 0.25},
        ],
    }  # fmt: skip
    scenario = scenario_from_dict(old)
    assert scenario.investor == "public_fund" and scenario.baseline_rate == 0
    assert [g.lag_years for g in scenario.payment_goals] == [1, 1]
    assert simulate(scenario).expected_payment == 20 * 0.5 * 40000 + 20 * 0.25 * 20000


BASE = {
    "participants": 25, "success_rate": 0.6, "target_rate": 0.5, "payment_rule": "per_success",
    "payment_per_success": 1000,
}  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"baseline_rate": 0.7}, "baseline_rate", "above_success_rate"),
        ({"payment_rule": "threshold", "payment_if_met": 1, "baseline_rate": 0.5},
         "target_rate", "not_above_baseline"),
        ({"participants_per_year": 5}, "years", "needed_together"),
        ({"years": 3}, "participants_per_year", "needed_together"),
        ({"participants_per_year": 5, "years": 3}, "participants", "participants_mismatch"),
        ({"participants_per_year": 5000, "years": 3}, "participants_per_year",
         "too_many_participants"),
        ({"payment_cap": 100, "minimum_repayment": 200}, "minimum_repayment", "floor_above_cap"),
        ({"investor": "bank"}, "investor", "invalid_choice"),
        ({"payment_rule": "threshold", "payment_if_met": 1,
          "payment_goals": [{"name": "a", "payment": 1, "success_rate": 0.5}]},
         "payment_goals", "goals_need_per_success"),
        ({"payment_goals": [{"name": "a", "payment": 1, "success_rate": 0.3,
                             "baseline_rate": 0.4}]},
         "payment_goals.0.baseline_rate", "above_success_rate"),
        ({"payment_goals": [{"name": "a", "payment": 1, "success_rate": 0.3, "lag_years": 2.5}]},
         "payment_goals.0.lag_years", "not_whole"),
        ({"payment_goals": [{"name": "a", "payment": 1, "success_rate": 0.3}],
          "rate_card": [{"goal": "a", "payment": 1, "success_rate": 0.3}]},
         "rate_card", "both_given"),
    ],
)  # fmt: skip
def test_inputs_that_do_not_fit_together_are_refused_at_the_field(changes, field, code):
    _clean, errors = check_inputs({**BASE, **changes})
    assert errors[field].code == code


def test_recruitment_per_year_gives_the_participants():
    clean, errors = check_inputs({**BASE, "participants": None, "participants_per_year": 5,
                                  "years": 3})  # fmt: skip
    assert not errors and clean["participants"] == 15
    clean, errors = check_inputs({**BASE, "participants": 15, "participants_per_year": 5,
                                  "years": 3})  # fmt: skip
    assert not errors and clean["participants"] == 15


def test_goals_make_the_single_payment_optional():
    body = {**BASE, "payment_goals": [{"name": "a", "payment": 1, "success_rate": 0.3}]}
    del body["payment_per_success"]
    clean, errors = check_inputs(body)
    assert not errors
    assert clean["payment_goals"] == [
        {"goal": "a", "payment": 1, "data_source": "", "success_rate": 0.3, "baseline_rate": 0.0,
         "lag_years": 1}
    ]  # fmt: skip
    assert scenario_from_dict(clean).payment_goals[0].goal == "a"


def test_three_goals_for_a_large_group_keep_the_whole_probability_and_the_mean():
    goals = tuple(
        PaymentGoal(f"g{i}", 10_000 * (i + 1), success_rate=rate, baseline_rate=rate / 4)
        for i, rate in enumerate((0.6, 0.45, 0.3))
    )
    s = Scenario(participants=10_000, success_rate=0.6, target_rate=0.5, payment_goals=goals,
                 cost_per_participant=15_000)  # fmt: skip
    outcome = simulate(s)
    assert math.fsum(p for _, p in outcome.distribution) == pytest.approx(1, abs=1e-12)
    mean = math.fsum(v * p for v, p in outcome.distribution)
    assert mean == pytest.approx(outcome.expected_payment, rel=1e-9)
    assert outcome.payment_p10 < outcome.expected_payment < outcome.payment_p90


# --- the merge against exact rational enumeration ----------------------------------------------


def exact_goal_cdf(m: int, n: int, p: F, b: F, price: int) -> list[tuple[int, F]]:
    """A goal's payments and cumulative probabilities, in exact fractions."""
    base = math.ceil(b * n)
    steps: list[tuple[int, F]] = []
    total = F(0)
    for j in range(m + 1):
        total += math.comb(m, j) * p**j * (1 - p) ** (m - j)
        value = price * max(0, j - base)
        if steps and steps[-1][0] == value:
            steps[-1] = (value, total)
        else:
            steps.append((value, total))
    return [(v, c) for v, c in steps]


def exact_comonotone(goals: list[list[tuple[int, F]]]) -> dict[int, F]:
    """P(total = s) when every goal is at the same quantile, by cutting [0, 1] exactly."""
    cuts = sorted({c for steps in goals for _, c in steps if c > 0})
    out: dict[int, F] = {}
    previous = F(0)
    for cut in cuts:
        total = sum(next(v for v, c in steps if c >= cut) for steps in goals)
        out[total] = out.get(total, F(0)) + cut - previous
        previous = cut
    return out


RATES = st.sampled_from([F(0), F(1, 10), F(1, 4), F(1, 2), F(3, 4), F(1)])


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 8),
    goals=st.lists(
        st.tuples(RATES, st.sampled_from([F(0), F(1, 10), F(1, 4)]), st.integers(0, 5)),
        min_size=1, max_size=3,
    ),
)  # fmt: skip
def test_the_total_of_goals_that_move_together_matches_exact_enumeration(n, goals):
    goals = [(p, min(b, p), 10 * price) for p, b, price in goals]
    s = Scenario(
        participants=n, success_rate=0.5, target_rate=0.5,
        payment_goals=tuple(
            PaymentGoal(f"g{i}", price, success_rate=float(p), baseline_rate=float(b))
            for i, (p, b, price) in enumerate(goals)
        ),
    )  # fmt: skip
    outcome = simulate(s)
    exact = exact_comonotone([exact_goal_cdf(n, n, p, b, price) for p, b, price in goals])
    got = {}
    for value, probability in outcome.distribution:
        got[value] = got.get(value, 0.0) + probability
    for value, probability in exact.items():
        assert got.get(value, 0.0) == pytest.approx(float(probability), abs=1e-12), value
    assert all(value in exact or p < 1e-12 for value, p in got.items())
    mean = sum(v * q for v, q in exact.items())
    assert outcome.expected_payment == pytest.approx(float(mean), abs=1e-9)

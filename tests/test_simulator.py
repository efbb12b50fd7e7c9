"""The payment-model simulator against hand-checked cases, edge cases, limits and enumeration."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.simulator import (
    RateCardRow,
    Scenario,
    completers,
    participants_needed,
    probability_curve,
    sensitivity,
    simulate,
    smaller_group_ahead,
    target_count,
    zigzag_step,
)


def exact_tail(m: int, k: int, p: Fraction) -> Fraction:
    """P(X ≥ k) in exact rational arithmetic."""
    return sum(
        (Fraction(math.comb(m, j)) * p**j * (1 - p) ** (m - j) for j in range(max(k, 0), m + 1)),
        Fraction(0),
    )


def test_the_hand_checked_case_25_participants_60_percent_target_50_percent():
    outcome = simulate(Scenario(participants=25, success_rate=0.6, target_rate=0.5))
    assert outcome.target_successes == 13
    assert round(outcome.probability_target_met, 3) == 0.846
    assert outcome.expected_successes == pytest.approx(15.0)
    assert outcome.participants_needed == 16


def test_nine_of_fifteen_families():
    # The Aarhus lesson: 9 families instead of 15, each succeeding with 60 %, target 50 %.
    nine = simulate(Scenario(participants=9, success_rate=0.6, target_rate=0.5))
    fifteen = simulate(Scenario(participants=15, success_rate=0.6, target_rate=0.5))
    assert nine.probability_target_met == pytest.approx(float(exact_tail(9, 5, Fraction(3, 5))))
    assert nine.probability_target_met < fifteen.probability_target_met


@pytest.mark.parametrize(
    ("n", "p", "t", "d"),
    [
        (1, 0.5, 0.5, 0),
        (7, 0.3, 0.3, 0),
        (10, 0.3, 0.3, 0.1),
        (40, 0.45, 0.4, 0.25),
        (13, 0.9, 0.7, 0),
    ],
)
def test_probability_matches_exact_rational_enumeration(n, p, t, d):
    outcome = simulate(Scenario(participants=n, success_rate=p, target_rate=t, dropout_rate=d))
    m = math.floor(n * (1 - Fraction(str(d))))
    k = math.ceil(Fraction(str(t)) * n)
    assert (outcome.completers, outcome.target_successes) == (m, k)
    assert outcome.probability_target_met == pytest.approx(
        float(exact_tail(m, k, Fraction(str(p)))), abs=1e-12
    )


def test_decimal_rates_are_read_as_typed():
    # 0.3 · 10 is 3.0000000000000004 in floating point; the target is still 3 successes.
    assert target_count(10, 0.3) == 3
    assert completers(10, 0.1) == 9


@pytest.mark.parametrize(
    ("p", "t", "expected"),
    [(0.0, 0.5, 0.0), (1.0, 0.5, 1.0), (0.4, 0.0, 1.0), (1.0, 1.0, 1.0), (0.0, 0.0, 1.0)],
)
def test_edge_rates(p, t, expected):
    assert (
        simulate(Scenario(participants=12, success_rate=p, target_rate=t)).probability_target_met
        == expected
    )


def test_a_single_participant():
    outcome = simulate(
        Scenario(participants=1, success_rate=0.7, target_rate=0.5, payment_per_success=100)
    )
    assert outcome.probability_target_met == pytest.approx(0.7)
    assert (outcome.payment_p10, outcome.payment_p90) == (0, 100)
    assert outcome.expected_payment == pytest.approx(70)


def test_everyone_dropping_out_means_nothing_is_met_or_paid():
    outcome = simulate(
        Scenario(
            participants=10,
            success_rate=0.9,
            target_rate=0.1,
            dropout_rate=1.0,
            payment_per_success=5,
        )
    )
    assert outcome.completers == 0 and outcome.probability_target_met == 0
    assert outcome.expected_payment == 0


def test_the_probability_zigzags_but_tends_to_one_above_the_target_and_zero_below():
    up = probability_curve(0.6, 0.5, 0.0, 2000)
    down = probability_curve(0.4, 0.5, 0.0, 2000)
    assert any(b < a for a, b in itertools.pairwise(up[1:60]))  # the zig-zag
    assert up[2000] > 0.9999 and down[2000] < 1e-12
    assert up[400] > up[100] > up[25] and down[400] < down[100] < down[25]


def test_the_zig_zag_step_nearest_the_group_is_where_one_more_success_is_needed():
    # p = 60 %, t = 50 %, no drop-out: 24 participants need 12 successes, 25 need 13, and the
    # chance falls; 25 and 26 both need 13, so the 26th raises it.
    curve = probability_curve(0.6, 0.5, 0.0, 60)
    assert zigzag_step(curve, 25) == 24
    assert target_count(25, 0.5) == target_count(24, 0.5) + 1
    assert round(curve[25] * 100, 1) < round(curve[24] * 100, 1)
    # From 26 the step down nearest is the step out of the group: 26 to 27 needs 14.
    assert curve[26] > curve[25] and zigzag_step(curve, 26) == 26
    # Every step it finds is one where the successes needed go up.
    for around in range(1, 59):
        found = zigzag_step(curve, around)
        assert found is not None
        assert target_count(found + 1, 0.5) > target_count(found, 0.5)


@pytest.mark.parametrize(("p", "t"), [(1.0, 0.5), (0.0, 0.5), (0.6, 0.0)])
def test_a_chance_that_never_moves_has_no_zig_zag_step(p, t):
    assert zigzag_step(probability_curve(p, t, 0.0, 60), 25) is None


def shown_rows(s: Scenario) -> tuple[float, list[dict]]:
    return simulate(s).probability_target_met, sensitivity(s)


def test_the_note_on_a_smaller_group_follows_the_numbers_shown():
    # The simulator's example: 25 participants, 60 %, target 50 %, drop-out 10 %: 62.4 % with 25
    # against 63.3 % with 12 (half the group), since 12 need 6 of 10 and 25 need 13 of 22.
    example = Scenario(participants=25, success_rate=0.6, target_rate=0.5, dropout_rate=0.1)
    chance, rows = shown_rows(example)
    ahead = smaller_group_ahead(example, chance, rows)
    assert ahead is not None and not ahead.below_target
    assert (ahead.small, ahead.large) == (12, 25)
    assert round(ahead.small_chance * 100, 1) == 63.3 and round(ahead.large_chance * 100, 1) == 62.4
    assert ahead.counts(example, 12) == (10, 6) and ahead.counts(example, 25) == (22, 13)
    assert ahead.expected_rate == Fraction(54, 100)
    # 24 participants: 63.3 % with 12, 69.1 % with 24, 73.2 % with 36; no note.
    smaller = Scenario(participants=24, success_rate=0.6, target_rate=0.5, dropout_rate=0.1)
    chance, rows = shown_rows(smaller)
    assert smaller_group_ahead(smaller, chance, rows) is None


def test_below_the_target_a_smaller_group_is_ahead_because_it_can_be_lucky():
    # 40 % of 90 % is 36 % of those who start, below the target of 50 %: 4.3 % with 40, 13.5 %
    # with 20, 1.5 % with 60.
    s = Scenario(participants=40, success_rate=0.4, target_rate=0.5, dropout_rate=0.1)
    chance, rows = shown_rows(s)
    ahead = smaller_group_ahead(s, chance, rows)
    assert ahead is not None and ahead.below_target
    assert (ahead.small, ahead.large) == (20, 40)
    assert ahead.expected_rate == Fraction(36, 100)


def test_a_difference_the_page_would_not_show_gives_no_note():
    s = Scenario(participants=25, success_rate=0.6, target_rate=0.5, dropout_rate=0.1)
    chance, rows = shown_rows(s)
    for row in rows:
        if row["input"] == "participants":
            row["probability_target_met"] = chance + 0.0001 if row["value"] < 25 else chance
    assert round(chance * 100, 1) == round((chance + 0.0001) * 100, 1)
    assert smaller_group_ahead(s, chance, rows) is None


def test_the_walk_agrees_with_direct_sums_everywhere():
    curve = probability_curve(0.55, 0.45, 0.15, 300)
    for n in range(1, 301):
        m, k = completers(n, 0.15), target_count(n, 0.45)
        direct = simulate(
            Scenario(participants=n, success_rate=0.55, target_rate=0.45, dropout_rate=0.15)
        )
        assert curve[n] == pytest.approx(direct.probability_target_met, abs=1e-9), (n, m, k)


def test_participants_needed_is_the_first_n_from_which_80_percent_always_holds():
    needed = participants_needed(0.6, 0.5, 0.0)
    curve = probability_curve(0.6, 0.5, 0.0, 10_000)
    assert curve[needed - 1] < 0.8
    assert all(value >= 0.8 for value in curve[needed:])


@pytest.mark.parametrize(
    ("p", "t", "d"), [(0.5, 0.5, 0), (0.4, 0.5, 0), (0.55, 0.5, 0.1), (0.5004, 0.5, 0)]
)
def test_participants_needed_is_none_when_never_reached(p, t, d):
    assert participants_needed(p, t, d) is None


def test_percentiles_match_brute_force_enumeration():
    scenario = Scenario(
        participants=30, success_rate=0.35, target_rate=0.3, payment_per_success=1000
    )
    outcome = simulate(scenario)
    p = Fraction(35, 100)
    cumulative, p10, p90 = Fraction(0), None, None
    for j in range(31):
        cumulative += Fraction(math.comb(30, j)) * p**j * (1 - p) ** (30 - j)
        if p10 is None and cumulative >= Fraction(1, 10):
            p10 = j * 1000
        if p90 is None and cumulative >= Fraction(9, 10):
            p90 = j * 1000
    assert (outcome.payment_p10, outcome.payment_p90) == (p10, p90)


def test_a_threshold_payment_is_all_or_nothing():
    outcome = simulate(
        Scenario(
            participants=25,
            success_rate=0.6,
            target_rate=0.5,
            payment_rule="threshold",
            payment_if_met=1_000_000,
        )
    )
    met = float(exact_tail(25, 13, Fraction(3, 5)))
    assert outcome.expected_payment == pytest.approx(met * 1_000_000, rel=1e-12)
    assert (outcome.payment_p10, outcome.payment_p90) == (0, 1_000_000)


def test_investment_and_break_even():
    outcome = simulate(
        Scenario(
            participants=20,
            success_rate=0.5,
            target_rate=0.4,
            cost_per_participant=30_000,
            payment_per_success=60_000,
        )
    )
    assert outcome.investment == 600_000
    assert outcome.break_even_success_rate == pytest.approx(0.5)
    dear = simulate(
        Scenario(
            participants=20,
            success_rate=0.5,
            target_rate=0.4,
            cost_per_participant=90_000,
            payment_per_success=60_000,
        )
    )
    assert dear.break_even_success_rate is None


def test_savings_give_npv_for_the_municipality_and_the_public_sector():
    outcome = simulate(
        Scenario(
            participants=10, success_rate=0.5, target_rate=0.4, payment_per_success=100,
            savings_municipality=60, savings_region=30, savings_state=10,
            horizon_years=2, discount_rate=0.0, investor="private",
        )
    )  # fmt: skip
    # 5 expected successes, each saving 60 + 30 + 10 a year for two years; payments of 500 to a
    # private investor leave the public sector.
    assert outcome.npv_municipality == pytest.approx(5 * 60 * 2 - 500)
    assert outcome.npv_public_sector == pytest.approx(5 * 100 * 2 - 500)
    assert outcome.share_of_gains_outside_municipality == pytest.approx(0.4)


def test_a_rate_card_gives_expected_payment_per_goal():
    card = (
        RateCardRow("Stabil bolig", 40_000, "Boligregister", 0.5),
        RateCardRow("Job", 20_000, "eIndkomst", 0.25),
    )
    outcome = simulate(
        Scenario(participants=20, success_rate=0.5, target_rate=0.4, payment_goals=card)
    )
    assert [row["expected_payment"] for row in outcome.rate_card] == [400_000, 100_000]


def test_sensitivity_moves_each_input():
    rows = sensitivity(
        Scenario(participants=25, success_rate=0.6, target_rate=0.5, payment_per_success=1)
    )
    by_input = {(r["input"], r["value"]): r["probability_target_met"] for r in rows}
    base = simulate(
        Scenario(participants=25, success_rate=0.6, target_rate=0.5)
    ).probability_target_met
    assert by_input[("success_rate", 0.5)] < base < by_input[("success_rate", 0.7)]
    assert by_input[("dropout_rate", 0.1)] < base


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 60),
    p=st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 1.0]),
    t=st.sampled_from([0.0, 0.2, 0.5, 0.8, 1.0]),
)
def test_probability_is_a_probability_and_matches_enumeration(n, p, t):
    outcome = simulate(Scenario(participants=n, success_rate=p, target_rate=t))
    assert 0 <= outcome.probability_target_met <= 1
    exact = exact_tail(n, math.ceil(Fraction(str(t)) * n), Fraction(str(p)))
    assert outcome.probability_target_met == pytest.approx(float(exact), abs=1e-9)

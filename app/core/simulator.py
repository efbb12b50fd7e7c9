"""The payment-model simulator: what the group, the baseline, the rate card and time do to payments.

The model, in the order a finance officer would check it:

**Successes.** Of n participants, m = floor(n · (1 − drop-out)) complete (a drop-out never reaches a
payment goal). The successes on a goal with expected success rate p are X ~ Binomial(m, p). The
target is met when X ≥ ceil(t · n): the contracted rate is counted on everyone who started.

**Baseline (counterfactual).** A goal's baseline b is the share of those who start who would reach
it anyway. The contract pays only above it: for B = ceil(b · n) successes, rounded up to whole
persons so that nothing expected anyway is paid for, a goal pays its price for max(0, X − B)
successes. Savings count only the extra successes over the baseline, E[X] − b · n = m·p − n·b (with
heavy drop-out this can be below zero: the model then says the intervention does harm). A threshold
contract (one payment if the target is met) needs a target above the baseline.

**The rate card.** With payment goals (each its own success rate, price, baseline and measurement
lag) the total payment is the sum over the goals; the goals replace the single payment per success.
The dependence assumption: the goals move together. In a group where few reach one goal, few
reach the others: every goal sits at the same quantile of its own distribution (comonotone counts).
The goals' ups and downs then add up instead of partly cancelling out, which is the cautious choice
for the one who carries the risk; the expected payment is the same under any assumption. It also
keeps the arithmetic exact and fast: the total is a nondecreasing function of one uniform number,
so its distribution follows from merging the goals' cumulative probabilities (no convolution, no
sampling), and its percentiles are the sums of the goals' percentiles.

**Cap and floor.** A payment cap limits the total paid over the contract; a minimum repayment, where
agreed, is paid even when results fall short. Both apply to the distribution of the total, so the
percentiles, the expected payment and the investor's chance of loss include them.

**Who invests, and the net present values.** The investment is n × cost per participant. P is the
present value of the expected outcome payments (after cap and floor), C of the intervention's cost,
S_m of the municipality's savings and S of all sectors' savings (on extra successes only):

    investor        npv_municipality   npv_public_sector   probability_investor_loss
    public_fund     S_m − P            S − C               P(total paid < investment)
    private         S_m − P            S − P               P(total paid < investment)
    municipality    S_m − C            S − C               none (no outcome payments flow)

A public fund's outcome payments are a transfer inside the public sector, so the public sector as a
whole pays the cost of the intervention; a private investor's payments leave it. When the
municipality invests itself, the payment figures show what the payment model would pay, as a
yardstick, but no outcome payments flow. The net present values are given when savings are.

**Time.** Recruitment runs in cohorts: participants_per_year for `years` years (cohort c starts in
year c = 0, 1, …); without them, one cohort starts in year 0. Each cohort's cost falls when it
starts. A goal measured `lag_years` after a cohort starts (default 1) is paid then; paid successes
are spread over the cohorts in proportion to their size. A threshold payment falls one year after
the last cohort starts. The amount a cap cuts or a floor adds is settled in the last year payments
fall. Savings of a cohort run for horizon_years years from the year after it starts. Everything is
discounted at discount_rate: an amount in year y counts 1/(1 + r)^y. The investor's chance of loss
compares nominal amounts, as a contract does. cash_flow lays the same timing out year by year: its
years add up to the investment and the expected payment, and discounted to C, P, S_m and S.

Every figure comes from the exact binomial distribution in floating point; probabilities below
1e-20 (far below the rounding of the totals) are left out of a goal's distribution.
"""

from __future__ import annotations

import bisect
import functools
import math
from dataclasses import dataclass, field, replace
from fractions import Fraction

# Inputs are refused the same way as answers: a code and the limit that was broken.
from app.core.numbers import InputError, NumberError, number_from, plain

MAX_PARTICIPANTS = 10_000
NEEDED_PROBABILITY = 0.8
CRITICAL_MASS = 25
RULES = ("per_success", "threshold")
INVESTORS = ("public_fund", "private", "municipality")
DEFAULT_INVESTOR = "public_fund"
DEFAULT_LAG_YEARS = 1
NEGLIGIBLE = 1e-20  # probabilities left out of a goal's distribution
VISIBLE_DROP = 0.001  # a tenth of a percentage point: the page shows chances to one decimal


@dataclass(frozen=True)
class PaymentGoal:
    """One payment goal of a rate card: its price per success above the baseline, and when."""

    goal: str
    payment: float
    data_source: str = ""
    success_rate: float = 0.0
    baseline_rate: float = 0.0
    lag_years: int = DEFAULT_LAG_YEARS


RateCardRow = PaymentGoal  # the older name: rate-card rows are payment goals


@dataclass(frozen=True)
class Scenario:
    """The inputs of one simulation."""

    participants: int
    success_rate: float
    target_rate: float
    dropout_rate: float = 0.0
    cost_per_participant: float = 0.0
    payment_rule: str = "per_success"
    payment_per_success: float = 0.0
    payment_if_met: float = 0.0
    payment_goals: tuple[PaymentGoal, ...] = ()
    savings_municipality: float = 0.0
    savings_region: float = 0.0
    savings_state: float = 0.0
    horizon_years: int = 5
    discount_rate: float = 0.0
    baseline_rate: float = 0.0
    investor: str = DEFAULT_INVESTOR
    participants_per_year: int | None = None
    years: int | None = None
    payment_cap: float | None = None
    minimum_repayment: float | None = None


@dataclass(frozen=True)
class Outcome:
    """The outputs of one simulation."""

    completers: int
    target_successes: int
    expected_successes: float
    probability_target_met: float
    expected_payment: float
    payment_p10: float
    payment_p90: float
    investment: float
    break_even_success_rate: float | None
    participants_needed: int | None
    rate_card: tuple[dict, ...] = ()
    npv_municipality: float | None = None
    npv_public_sector: float | None = None
    share_of_gains_outside_municipality: float | None = None
    probability_investor_loss: float | None = None
    baseline_successes: int = 0
    extra_successes: float = 0.0
    present_value_payments: float = 0.0
    present_value_cost: float = 0.0
    distribution: tuple[tuple[float, float], ...] = field(default=(), repr=False)
    cash_flow: tuple[CashFlowYear, ...] = field(default=(), repr=False)


def exact(rate: float) -> Fraction:
    """A rate as the decimal a person typed (0.3 is 3/10, not 0.2999…)."""
    return Fraction(str(rate))


def completers(n: int, dropout: float) -> int:
    """How many of n participants complete: floor(n · (1 − drop-out))."""
    return math.floor(n * (1 - exact(dropout)))


def target_count(n: int, target: float) -> int:
    """Successes needed to meet the contracted rate t on n participants: ceil(t · n)."""
    return math.ceil(exact(target) * n)


baseline_count = target_count  # ceil(b · n): the successes expected anyway, never paid for


@functools.cache
def log_factorials(up_to: int = MAX_PARTICIPANTS) -> tuple[float, ...]:
    """log(j!) for j = 0..up_to, computed once."""
    return tuple(math.lgamma(j + 1) for j in range(up_to + 1))


def _pmf_function(p: float):  # type: ignore[no-untyped-def]
    """P(X = j) for X ~ Binomial(m, p) as a fast function of (m, j), through logarithms."""
    if p <= 0:
        return lambda m, j: 1.0 if j == 0 else 0.0
    if p >= 1:
        return lambda m, j: 1.0 if j == m else 0.0
    log_p, log_q, exp = math.log(p), math.log1p(-p), math.exp

    def pmf(m: int, j: int) -> float:
        if j < 0 or j > m:
            return 0.0
        lf = log_factorials() if m <= MAX_PARTICIPANTS else log_factorials(m)
        return exp(lf[m] - lf[j] - lf[m - j] + j * log_p + (m - j) * log_q)

    return pmf


def pmf(m: int, j: int, p: float) -> float:
    """P(X = j) for X ~ Binomial(m, p)."""
    return _pmf_function(p)(m, j)


def distribution(m: int, p: float) -> list[float]:
    """P(X = j) for j = 0..m."""
    f = _pmf_function(p)
    return [f(m, j) for j in range(m + 1)]


def support(m: int, p: float) -> list[tuple[int, float]]:
    """(j, P(X = j)) for every j whose probability is not negligible, ascending."""
    f = _pmf_function(p)
    mode = min(m, math.floor((m + 1) * p))
    low = mode
    while low > 0 and f(m, low - 1) > NEGLIGIBLE:
        low -= 1
    high = mode
    while high < m and f(m, high + 1) > NEGLIGIBLE:
        high += 1
    return [(j, f(m, j)) for j in range(low, high + 1)]


def tail(m: int, k: int, p: float) -> float:
    """P(X ≥ k), summed from the smaller side for accuracy."""
    if k <= 0:
        return 1.0
    if k > m:
        return 0.0
    f = _pmf_function(p)
    if k > m * p:
        return min(1.0, math.fsum(f(m, j) for j in range(k, m + 1)))
    return max(0.0, 1.0 - math.fsum(f(m, j) for j in range(k)))


def probability_curve(
    success: float, target: float, dropout: float, up_to: int = MAX_PARTICIPANTS
) -> list[float]:
    """P(target met) for n = 1..up_to (index 0 unused), walking n upwards with exact updates.

    From n to n + 1 the completers m and the needed successes k each grow by 0 or 1, and
    P(X_{m+1} ≥ k) = P(X_m ≥ k) + p · P(X_m = k − 1),  P(X_m ≥ k + 1) = P(X_m ≥ k) − P(X_m = k).
    """
    f = _pmf_function(success)
    keep = 1 - exact(dropout)
    keep_num, keep_den = keep.numerator, keep.denominator
    t = exact(target)
    t_num, t_den = t.numerator, t.denominator
    curve = [0.0] * (up_to + 1)
    m = k = 0
    probability = 1.0  # P(X_0 ≥ 0)
    for n in range(1, up_to + 1):
        new_m = n * keep_num // keep_den
        new_k = -(-n * t_num // t_den)
        while m < new_m:
            probability += success * f(m, k - 1)
            m += 1
        while k < new_k:
            probability -= f(m, k)
            k += 1
        curve[n] = 0.0 if probability < 0 else (1.0 if probability > 1 else probability)
    return curve


def participants_needed(success: float, target: float, dropout: float) -> int | None:
    """The smallest n from which on P(target met) ≥ 80 % for every n up to 10,000, if any."""
    if success <= target or success * (1 - float(dropout)) <= target:
        # Completers succeed at p(1 − d) of those who started; at or below t the chance at
        # n = 10,000 is about one half at best, never 80 %.
        return None
    up_to = hoeffding_horizon(success, target, dropout)
    curve = probability_curve(success, target, dropout, up_to)
    if up_to == MAX_PARTICIPANTS and curve[MAX_PARTICIPANTS] < NEEDED_PROBABILITY:
        return None
    last_short = max((n for n in range(1, up_to + 1) if curve[n] < NEEDED_PROBABILITY), default=0)
    return last_short + 1 if last_short < MAX_PARTICIPANTS else None


def shown_chance(probability: float) -> float:
    """A chance as the page shows it: a percentage with one decimal."""
    return round(probability * 100, 1)


def zigzag_step(curve: list[float], around: int) -> int | None:
    """The group size n nearest to `around` from which one participant more lowers the chance by a
    tenth of a percentage point or more (so that the page's one decimal shows it), from a
    probability_curve; None if it never does.

    The chance can fall only when the successes needed, ceil(t · n), go up by one: more completers
    alone raise it. Of two steps as near, the lower comes first, so the step into the group itself
    (from around − 1) comes before the step out of it. One pass over the curve without rounding:
    a walk outwards with rounding took 18 ms at n = 10,000, where no visible step is near.
    """
    drops = [n for n in range(1, len(curve) - 1) if curve[n] - curve[n + 1] >= VISIBLE_DROP]
    if not drops:
        return None
    i = bisect.bisect_left(drops, around)
    below = drops[i - 1] if i > 0 else None
    above = drops[i] if i < len(drops) else None
    if below is None or (above is not None and above - around < around - 1 - below):
        return above
    return below


@dataclass(frozen=True)
class SmallerGroupAhead:
    """Two group sizes of the sensitivity rows where the smaller has the better chance."""

    small: int
    small_chance: float
    large: int
    large_chance: float
    expected_rate: Fraction  # the share of those who start expected to reach the goal
    below_target: bool  # expected_rate ≤ t: the chance falls with the group size on the whole

    def counts(self, s: Scenario, n: int) -> tuple[int, int]:
        """Who complete and the successes needed, for n participants."""
        return completers(n, s.dropout_rate), target_count(n, s.target_rate)


def smaller_group_ahead(s: Scenario, chance: float, rows: list[dict]) -> SmallerGroupAhead | None:
    """Whether the sensitivity rows give fewer participants a higher chance of meeting the target
    than more (the scenario's own size and chance against each row that changes the group size),
    compared as the page shows the chances; the first such pair, or None.

    When p · (1 − d) is above t, that is the zig-zag of whole persons (the chance tends to one);
    at or below it, a larger group is simply less likely to be lucky (the chance tends to zero).
    """
    expected_rate = exact(s.success_rate) * (1 - exact(s.dropout_rate))
    for row in rows:
        if row["input"] != "participants":
            continue
        pair = sorted(
            [(s.participants, chance), (row["value"], row["probability_target_met"])]
        )  # fmt: skip
        (small, small_chance), (large, large_chance) = pair
        if small < large and shown_chance(small_chance) > shown_chance(large_chance):
            return SmallerGroupAhead(
                small, small_chance, large, large_chance, expected_rate,
                expected_rate <= exact(s.target_rate),
            )  # fmt: skip
    return None


def hoeffding_horizon(success: float, target: float, dropout: float) -> int:
    """An n beyond which P(target met) ≥ 80 % is certain, so the exact walk can stop there.

    Hoeffding: P(X < k) ≤ exp(−2m(p − k/m)²) when k/m < p. With m ≥ n(1 − d) − 1 and
    k ≤ tn + 1, the gap p − k/m only widens as n grows, so once the bound is below 20 % it stays.
    """
    keep = 1 - float(dropout)
    for n in range(1, MAX_PARTICIPANTS + 1):
        m = n * keep - 1
        if m <= 0:
            continue
        gap = success - (target * n + 1) / m
        if gap > 0 and math.exp(-2 * m * gap * gap) < 1 - NEEDED_PROBABILITY:
            return n
    return MAX_PARTICIPANTS


def quantile(values: list[tuple[float, float]], q: float) -> float:
    """The smallest value whose cumulative probability reaches q (values sorted ascending)."""
    total = 0.0
    for value, probability in values:
        total += probability
        if total >= q - 1e-12:
            return value
    return values[-1][0]


def present_value_factor(years: int, rate: float) -> float:
    """The value today of 1 a year, received at the end of each of the years."""
    return sum(1 / (1 + rate) ** year for year in range(1, years + 1))


# --- the contract: goals, cohorts, cap and floor ------------------------------------------------


def goals_of(s: Scenario) -> tuple[PaymentGoal, ...]:
    """The goals paid per success: the rate card, else the single payment; none for a threshold."""
    if s.payment_rule != "per_success":
        return ()
    if s.payment_goals:
        return s.payment_goals
    return (PaymentGoal("", s.payment_per_success, "", s.success_rate, s.baseline_rate),)


def cohorts(s: Scenario) -> tuple[int, ...]:
    """The size of each year's cohort (one cohort of everyone without recruitment per year)."""
    if s.participants_per_year and s.years:
        return (s.participants_per_year,) * s.years
    return (s.participants,)


def discount(rate: float, year: int) -> float:
    """What 1 kr. in the year counts today."""
    return 1 / (1 + rate) ** year


def cohort_factor(s: Scenario, lag: int) -> float:
    """Σ_c w_c / (1 + r)^(c + lag): an amount spread over the cohorts by size, lag years on."""
    sizes = cohorts(s)
    total = sum(sizes)
    return sum(size / total * discount(s.discount_rate, c + lag) for c, size in enumerate(sizes))


def goal_payments(m: int, n: int, goal: PaymentGoal) -> tuple[list[tuple[float, float]], float]:
    """A goal's payments (value, probability), ascending, and its expected payment.

    The expected number of paid successes is E[max(0, X − B)] = m·p − B + E[max(0, B − X)], so
    without a baseline it is exactly m·p.
    """
    b = baseline_count(n, goal.baseline_rate)
    points = support(m, goal.success_rate)
    paid = m * goal.success_rate
    if b:
        paid = max(0.0, paid - b + math.fsum((b - j) * q for j, q in points if j < b))
    steps: list[tuple[float, float]] = []
    for j, q in points:
        value = goal.payment * max(0, j - b)
        if steps and steps[-1][0] == value:
            steps[-1] = (value, steps[-1][1] + q)
        else:
            steps.append((value, q))
    return steps, goal.payment * paid


def comonotone_total(goals: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """The distribution of the sum when every goal sits at the same quantile (goals move together).

    Each goal is a step function of one uniform number U; the sum is constant between the merged
    cumulative probabilities, so each stretch of U is one value of the total.
    """
    if len(goals) == 1:
        return goals[0]
    cumulative = []
    for steps in goals:
        running, total = [], 0.0
        for value, probability in steps:
            total += probability
            running.append((value, min(total, 1.0)))
        running[-1] = (running[-1][0], 1.0)  # the rounding of the sum must not leave a gap
        cumulative.append(running)
    cuts = sorted({c for steps in cumulative for _, c in steps})
    pointers = [0] * len(cumulative)
    out: list[tuple[float, float]] = []
    previous = 0.0
    for cut in cuts:
        total = 0.0
        for g, steps in enumerate(cumulative):
            i = pointers[g]
            while steps[i][1] < cut:
                i += 1
            pointers[g] = i
            total += steps[i][0]
        if out and out[-1][0] == total:
            out[-1] = (total, out[-1][1] + cut - previous)
        else:
            out.append((total, cut - previous))
        previous = cut
    return out


def settle(pairs: list[tuple[float, float]], s: Scenario) -> list[tuple[float, float]]:
    """The totals after the cap and the minimum repayment, equal values merged, ascending."""
    low = s.minimum_repayment or 0.0
    high = math.inf if s.payment_cap is None else s.payment_cap
    out: list[tuple[float, float]] = []
    for value, probability in pairs:
        value = min(high, max(low, value))
        if out and out[-1][0] == value:
            out[-1] = (value, out[-1][1] + probability)
        else:
            out.append((value, probability))
    return out


@dataclass(frozen=True)
class Payments:
    """The contract's payments: distribution after cap and floor, expectations and present value.

    `by_year` holds the expected payments before the cap and the floor, by the year they fall in;
    `settlement` is what the cap cuts (below zero) or the floor adds, settled in `settlement_year`.
    """

    distribution: list[tuple[float, float]]
    expected: float
    per_goal: tuple[float, ...]
    present_value: float
    by_year: tuple[tuple[int, float], ...] = ()
    settlement: float = 0.0
    settlement_year: int = 0


def payments(s: Scenario) -> Payments:
    """The whole contract's payments for a scenario."""
    n = s.participants
    m = completers(n, s.dropout_rate)
    r = s.discount_rate
    last_cohort = len(cohorts(s)) - 1
    by_year: dict[int, float] = {}
    if s.payment_rule == "threshold":
        met = tail(m, target_count(n, s.target_rate), s.success_rate)
        raw = [(0.0, 1 - met), (s.payment_if_met, met)]
        before, per_goal = met * s.payment_if_met, ()
        present = before * discount(r, last_cohort + DEFAULT_LAG_YEARS)
        last_year = last_cohort + DEFAULT_LAG_YEARS
        by_year[last_year] = before
    else:
        goals = goals_of(s)
        computed = [goal_payments(m, n, goal) for goal in goals]
        raw = comonotone_total([steps for steps, _ in computed])
        per_goal = tuple(expected for _, expected in computed)
        before = math.fsum(per_goal)
        present = math.fsum(
            e * cohort_factor(s, goal.lag_years) for e, goal in zip(per_goal, goals, strict=True)
        )
        last_year = last_cohort + max(goal.lag_years for goal in goals)
        sizes = cohorts(s)
        for e, goal in zip(per_goal, goals, strict=True):
            for c, size in enumerate(sizes):
                year = c + goal.lag_years
                by_year[year] = by_year.get(year, 0.0) + e * size / sum(sizes)
    settled = settle(raw, s)
    change = 0.0
    if s.payment_cap is not None or s.minimum_repayment:
        change = math.fsum(
            (min(s.payment_cap if s.payment_cap is not None else math.inf,
                 max(s.minimum_repayment or 0.0, v)) - v) * q
            for v, q in raw
        )  # fmt: skip
    expected = before + change
    present += change * discount(r, last_year)
    return Payments(
        settled, expected, per_goal, present, tuple(sorted(by_year.items())), change, last_year
    )


@dataclass(frozen=True)
class CashFlowYear:
    """One year's expected amounts, nominal (see cash_flow); `discount` turns them into today's."""

    year: int
    cost: float
    payments: float  # the cap's cut or the floor's addition included
    settlement: float  # of which the cap or the floor
    savings_municipality: float
    savings_all: float  # every sector's, the municipality's included
    discount: float

    def present(self, name: str) -> float:
        """An amount of the year as it counts today."""
        return float(getattr(self, name)) * self.discount


def cash_flow(s: Scenario, paid: Payments, extra: float) -> tuple[CashFlowYear, ...]:
    """The expected amounts by year, from year 0 (the first cohort starts) to the last that has one.

    The timing is the model's (see the module's docstring): a cohort's cost in the year it starts;
    a goal's payments, spread over the cohorts by size, lag_years later (a threshold payment one
    year after the last cohort starts); the cap's cut or the floor's addition in the last year
    payments fall; a cohort's share of the extra successes saves every year for horizon_years years
    from the year after it starts. The nominal amounts add up to the investment and the expected
    payment; discounted, to the present values of the cost, the payments and the savings.
    """
    sizes = cohorts(s)
    total = sum(sizes)
    cost = {c: size * s.cost_per_participant for c, size in enumerate(sizes)}
    payments_in = dict(paid.by_year)
    payments_in[paid.settlement_year] = payments_in.get(paid.settlement_year, 0.0) + paid.settlement
    savings = s.savings_municipality + s.savings_region + s.savings_state
    saved: dict[int, float] = {}  # extra successes saving in the year
    if savings > 0:
        for c, size in enumerate(sizes):
            for year in range(c + 1, c + s.horizon_years + 1):
                saved[year] = saved.get(year, 0.0) + extra * size / total
    last = max([*cost, *payments_in, *saved])
    return tuple(
        CashFlowYear(
            year=year,
            cost=cost.get(year, 0.0),
            payments=payments_in.get(year, 0.0),
            settlement=paid.settlement if year == paid.settlement_year else 0.0,
            savings_municipality=saved.get(year, 0.0) * s.savings_municipality,
            savings_all=saved.get(year, 0.0) * savings,
            discount=discount(s.discount_rate, year),
        )
        for year in range(last + 1)
    )


def probability_below(pairs: list[tuple[float, float]], amount: float) -> float:
    """P(total < amount), with a thousandth of a krone's leeway for floating point."""
    return min(1.0, math.fsum(q for v, q in pairs if v < amount - 1e-3))


def break_even_rate(s: Scenario) -> float | None:
    """The share of those who start who must succeed for one goal's payments to cover the cost."""
    if s.payment_rule != "per_success" or s.payment_goals or s.payment_per_success <= 0:
        return None
    investment = s.participants * s.cost_per_participant
    if s.payment_cap is not None and s.payment_cap < investment:
        return None
    b = baseline_count(s.participants, s.baseline_rate)
    rate = s.cost_per_participant / s.payment_per_success + b / s.participants
    return rate if rate <= 1 else None


def simulate(s: Scenario) -> Outcome:
    """Every output for one scenario."""
    n = s.participants
    m = completers(n, s.dropout_rate)
    k = target_count(n, s.target_rate)
    met = tail(m, k, s.success_rate)
    expected = m * s.success_rate
    paid = payments(s)
    investment = n * s.cost_per_participant
    card = tuple(
        {
            "goal": goal.goal,
            "payment": goal.payment,
            "data_source": goal.data_source,
            "success_rate": goal.success_rate,
            "baseline_rate": goal.baseline_rate,
            "lag_years": goal.lag_years,
            "baseline_successes": baseline_count(n, goal.baseline_rate),
            "expected_successes": m * goal.success_rate,
            "expected_payment": expected_payment,
        }
        for goal, expected_payment in zip(s.payment_goals, paid.per_goal, strict=False)
        if s.payment_rule == "per_success"
    )
    extra = expected - n * float(exact(s.baseline_rate))
    cost_value = s.cost_per_participant * sum(
        size * discount(s.discount_rate, c) for c, size in enumerate(cohorts(s))
    )
    npv_m = npv_p = share = None
    savings = s.savings_municipality + s.savings_region + s.savings_state
    if savings > 0:
        factor = cohort_factor(s, 0) * present_value_factor(s.horizon_years, s.discount_rate)
        value_m, value_all = extra * s.savings_municipality * factor, extra * savings * factor
        if s.investor == "municipality":
            npv_m, npv_p = value_m - cost_value, value_all - cost_value
        elif s.investor == "private":
            npv_m, npv_p = value_m - paid.present_value, value_all - paid.present_value
        else:
            npv_m, npv_p = value_m - paid.present_value, value_all - cost_value
        share = (s.savings_region + s.savings_state) / savings
    loss = None
    if s.investor != "municipality":
        loss = probability_below(paid.distribution, investment)
    return Outcome(
        completers=m,
        target_successes=k,
        expected_successes=expected,
        probability_target_met=met,
        expected_payment=paid.expected,
        payment_p10=quantile(paid.distribution, 0.1),
        payment_p90=quantile(paid.distribution, 0.9),
        investment=investment,
        break_even_success_rate=break_even_rate(s),
        participants_needed=participants_needed(s.success_rate, s.target_rate, s.dropout_rate),
        rate_card=card,
        npv_municipality=npv_m,
        npv_public_sector=npv_p,
        share_of_gains_outside_municipality=share,
        probability_investor_loss=loss,
        baseline_successes=baseline_count(n, s.baseline_rate),
        extra_successes=extra,
        present_value_payments=paid.present_value,
        present_value_cost=cost_value,
        distribution=tuple(paid.distribution),
        cash_flow=cash_flow(s, paid, extra),
    )


def with_participants(s: Scenario, value: int) -> Scenario:
    """The scenario with another group size (recruitment per year scaled when given)."""
    if s.participants_per_year and s.years:
        per_year = max(1, min(MAX_PARTICIPANTS // s.years, round(value / s.years)))
        return replace(s, participants_per_year=per_year, participants=per_year * s.years)
    return replace(s, participants=value)


def with_success_rates(s: Scenario, change: float) -> Scenario:
    """The scenario with the success rate, and every payment goal's, moved by the same points."""

    def moved(rate: float) -> float:
        return min(1.0, max(0.0, round(rate + change, 4)))

    goals = tuple(replace(g, success_rate=moved(g.success_rate)) for g in s.payment_goals)
    return replace(s, success_rate=moved(s.success_rate), payment_goals=goals)


def sensitivity(s: Scenario) -> list[dict]:
    """How the chance of meeting the target and the expected payment move with p, n and drop-out.

    Moving the success rate moves every payment goal's rate by the same points.
    """
    rows = []
    for name, change in [
        ("success_rate", -0.1),
        ("success_rate", +0.1),
        ("participants", 0.5),
        ("participants", 1.5),
        ("dropout_rate", +0.1),
    ]:
        if name == "participants":
            varied = with_participants(
                s, max(1, min(MAX_PARTICIPANTS, round(s.participants * change)))
            )
        elif name == "success_rate":
            varied = with_success_rates(s, change)
        else:
            varied = replace(s, dropout_rate=min(1.0, max(0.0, round(s.dropout_rate + change, 4))))
        value = getattr(varied, name)
        if value == getattr(s, name):
            continue
        m = completers(varied.participants, varied.dropout_rate)
        k = target_count(varied.participants, varied.target_rate)
        rows.append(
            {"input": name, "value": value,
             "probability_target_met": tail(m, k, varied.success_rate),
             "expected_payment": payments(varied).expected}
        )  # fmt: skip
    return rows


def scenario_from_dict(data: dict) -> Scenario:
    """A scenario from stored or checked plain data (see check_inputs); older stored scenarios
    name the payment goals `rate_card` and lack the newer inputs, which then take their defaults."""
    rows = data.get("payment_goals") or data.get("rate_card") or ()
    goals = tuple(PaymentGoal(**row) for row in rows)
    fields = {k: v for k, v in data.items() if k not in ("rate_card", "payment_goals")}
    if "participants" not in fields and fields.get("participants_per_year") and fields.get("years"):
        fields["participants"] = fields["participants_per_year"] * fields["years"]
    return Scenario(**fields, payment_goals=goals)


def scenario_facts(scenario: Scenario) -> dict[str, float | None]:
    """The figures an assessment's rules can read from a saved scenario.

    The chance of meeting the target is a fact only for a threshold contract: a contract paid per
    success pays for every success, and its risk is the investor's chance of loss.
    """
    outcome = simulate(scenario)
    needed = outcome.participants_needed
    facts: dict[str, float | None] = {
        "participants": scenario.participants,
        "participants_short": None if needed is None else needed - scenario.participants,
        "probability_investor_loss": outcome.probability_investor_loss,
    }
    if scenario.payment_rule == "threshold":
        facts["probability_target_met"] = outcome.probability_target_met
    return facts


# --- checking inputs (the web form and the JSON API share these rules) ---------------------------

MONEY_MAX = 1e9
MAX_LAG_YEARS = 20
NUMBER_FIELDS = {
    # name: (minimum, maximum, whole number?)
    "participants": (1, MAX_PARTICIPANTS, True),
    "participants_per_year": (1, MAX_PARTICIPANTS, True),
    "years": (1, 20, True),
    "success_rate": (0, 1, False),
    "baseline_rate": (0, 1, False),
    "target_rate": (0, 1, False),
    "dropout_rate": (0, 1, False),
    "cost_per_participant": (0, MONEY_MAX, False),
    "payment_per_success": (0, MONEY_MAX, False),
    "payment_if_met": (0, MONEY_MAX, False),
    "payment_cap": (0, MONEY_MAX, False),
    "minimum_repayment": (0, MONEY_MAX, False),
    "savings_municipality": (0, MONEY_MAX, False),
    "savings_region": (0, MONEY_MAX, False),
    "savings_state": (0, MONEY_MAX, False),
    "horizon_years": (1, 50, True),
    "discount_rate": (0, 1, False),
    "lag_years": (0, MAX_LAG_YEARS, True),  # a payment goal's, not the scenario's
}
SCENARIO_NUMBERS = tuple(name for name in NUMBER_FIELDS if name != "lag_years")
CHOICES = {"payment_rule": RULES, "investor": INVESTORS}
GOAL_LISTS = ("payment_goals", "rate_card")  # rate_card is the older name
REQUIRED = ("success_rate", "target_rate", "payment_rule")
MAX_RATE_CARD = 10
MAX_TEXT = 200


MONEY_FIELDS = frozenset(
    {"cost_per_participant", "payment_per_success", "payment_if_met", "savings_municipality",
     "savings_region", "savings_state", "payment_cap", "minimum_repayment"}
)  # fmt: skip


def check_number(
    name: str, raw: object, lang: str = "da"
) -> tuple[float | int | None, InputError | None]:
    """One numeric input within its limits (text is read the way the language writes numbers)."""
    low, high, whole = NUMBER_FIELDS[name]
    try:
        value = number_from(raw, lang, "money" if name in MONEY_FIELDS else "plain").value
    except NumberError as refused:
        return None, refused.error
    if whole and value != value.to_integral_value():
        return None, InputError("not_whole")
    if value < low:
        return None, InputError("too_small", low)
    if value > high:
        return None, InputError("too_large", high)
    checked = plain(value)
    return (int(checked) if whole else float(checked)), None


def check_goal(row: dict, where: str, key: str, lang: str) -> tuple[dict | None, dict]:
    """One payment goal (`name` in payment_goals, `goal` in the older rate_card)."""
    errors: dict[str, InputError] = {}
    name, source = row.get(key, ""), row.get("data_source", "")
    if not isinstance(name, str) or not name.strip():
        errors[f"{where}.{key}"] = InputError("required")
    elif len(name) > MAX_TEXT:
        errors[f"{where}.{key}"] = InputError("too_long", MAX_TEXT)
    if not isinstance(source, str) or len(source) > MAX_TEXT:
        errors[f"{where}.data_source"] = InputError("too_long", MAX_TEXT)
    payment, error = check_number("payment_per_success", row.get("payment"), lang)
    if error:
        errors[f"{where}.payment"] = error
    rate, error = check_number("success_rate", row.get("success_rate"), lang)
    if error:
        errors[f"{where}.success_rate"] = error
    baseline: float | int | None = 0.0
    if row.get("baseline_rate") not in (None, ""):
        baseline, error = check_number("baseline_rate", row.get("baseline_rate"), lang)
        if error:
            errors[f"{where}.baseline_rate"] = error
        elif rate is not None and baseline is not None and baseline > rate:
            errors[f"{where}.baseline_rate"] = InputError("above_success_rate")
    lag: float | int | None = DEFAULT_LAG_YEARS
    if row.get("lag_years") not in (None, ""):
        lag, error = check_number("lag_years", row.get("lag_years"), lang)
        if error:
            errors[f"{where}.lag_years"] = error
    if errors:
        return None, errors
    return (
        {"goal": name.strip(), "payment": payment, "data_source": source.strip(),
         "success_rate": rate, "baseline_rate": baseline, "lag_years": lag},
        errors,
    )  # fmt: skip


def check_goals(raw: dict, lang: str) -> tuple[list[dict], dict[str, InputError]]:
    """The payment goals, from payment_goals or the older rate_card, with errors per field."""
    given = [key for key in GOAL_LISTS if raw.get(key) not in (None, [])]
    if len(given) > 1:
        return [], {"rate_card": InputError("both_given")}
    if not given:
        return [], {}
    key = given[0]
    card = raw[key]
    if not isinstance(card, list) or len(card) > MAX_RATE_CARD:
        code = "too_many" if isinstance(card, list) else "wrong_type"
        return [], {key: InputError(code, MAX_RATE_CARD)}
    rows, errors = [], {}
    for i, row in enumerate(card):
        where = f"{key}.{i}"
        if not isinstance(row, dict):
            errors[where] = InputError("wrong_type")
            continue
        goal, refused = check_goal(row, where, "name" if key == "payment_goals" else "goal", lang)
        errors.update(refused)
        if goal:
            rows.append(goal)
    return rows, errors


def check_inputs(raw: dict, lang: str = "da") -> tuple[dict, dict[str, InputError]]:
    """Plain, checked scenario data, or errors per field (goal fields as payment_goals.N.field)."""
    clean: dict = {}
    errors: dict[str, InputError] = {}
    for name in raw:
        if name not in SCENARIO_NUMBERS and name not in CHOICES and name not in GOAL_LISTS:
            errors[name] = InputError("unknown_field")
    for name in SCENARIO_NUMBERS:
        value = raw.get(name)
        if value is None or value == "":
            continue
        checked, error = check_number(name, value, lang)
        if error:
            errors[name] = error
        else:
            clean[name] = checked
    for name, allowed in CHOICES.items():
        choice = raw.get(name)
        if choice is not None and not isinstance(choice, str):  # a list or an object from JSON
            errors[name] = InputError("wrong_type")
        elif choice is not None and choice not in allowed:
            errors[name] = InputError("invalid_choice")
        elif choice is not None:
            clean[name] = choice
    check_recruitment(clean, errors)
    for name in REQUIRED:
        if name not in clean and name not in errors:
            errors[name] = InputError("required")
    goals, refused = check_goals(raw, lang)
    errors.update(refused)
    rule = clean.get("payment_rule", "")
    if goals and rule == "threshold":
        errors["payment_goals"] = InputError("goals_need_per_success")
    elif goals:
        clean["payment_goals"] = goals
    money = {"per_success": "payment_per_success", "threshold": "payment_if_met"}.get(rule)
    given_goals = goals or any(key.startswith(GOAL_LISTS) for key in refused)
    if money and money not in clean and money not in errors and not given_goals:
        errors[money] = InputError("required")
    check_baseline(clean, errors)
    cap, floor = clean.get("payment_cap"), clean.get("minimum_repayment")
    if cap is not None and floor is not None and floor > cap:
        errors["minimum_repayment"] = InputError("floor_above_cap")
    return clean, errors


def check_recruitment(clean: dict, errors: dict[str, InputError]) -> None:
    """Participants per year and years come together; their product is the participants."""
    per_year, years = clean.get("participants_per_year"), clean.get("years")
    if (per_year is None) != (years is None):
        missing = "years" if years is None else "participants_per_year"
        if missing not in errors:
            errors[missing] = InputError("needed_together")
    elif per_year is not None and years is not None:
        total = per_year * years
        if total > MAX_PARTICIPANTS:
            errors["participants_per_year"] = InputError("too_many_participants", MAX_PARTICIPANTS)
        elif "participants" in clean and clean["participants"] != total:
            errors["participants"] = InputError("participants_mismatch", total)
        else:
            clean["participants"] = total
    if "participants" not in clean and not {"participants", "participants_per_year", "years"} & set(
        errors
    ):
        errors["participants"] = InputError("required")


def check_baseline(clean: dict, errors: dict[str, InputError]) -> None:
    """The baseline lies at or under the success rate, and under a threshold contract's target."""
    baseline = clean.get("baseline_rate")
    if not baseline or "baseline_rate" in errors:
        return
    if "success_rate" in clean and baseline > clean["success_rate"]:
        errors["baseline_rate"] = InputError("above_success_rate")
    elif (
        clean.get("payment_rule") == "threshold"
        and "target_rate" in clean
        and clean["target_rate"] <= baseline
    ):
        errors["target_rate"] = InputError("not_above_baseline")


def cash_flow_json(outcome: Outcome) -> list[dict]:
    """The expected amounts by year as plain data: nominal, with the year's discount factor."""
    return [
        {
            "year": row.year,
            "cost": row.cost,
            "payments": row.payments,
            "settlement": row.settlement,
            "savings_municipality": row.savings_municipality,
            "savings_all": row.savings_all,
            "discount_factor": row.discount,
        }
        for row in outcome.cash_flow
    ]


def outcome_json(outcome: Outcome) -> dict:
    """The outputs as plain data (the API's answer and the stored summary)."""
    return {
        "completers": outcome.completers,
        "target_successes": outcome.target_successes,
        "expected_successes": outcome.expected_successes,
        "probability_target_met": outcome.probability_target_met,
        "expected_payment": outcome.expected_payment,
        "payment_p10": outcome.payment_p10,
        "payment_p90": outcome.payment_p90,
        "investment": outcome.investment,
        "break_even_success_rate": outcome.break_even_success_rate,
        "participants_needed": outcome.participants_needed,
        "rate_card": list(outcome.rate_card),
        "npv_municipality": outcome.npv_municipality,
        "npv_public_sector": outcome.npv_public_sector,
        "share_of_gains_outside_municipality": outcome.share_of_gains_outside_municipality,
        "probability_investor_loss": outcome.probability_investor_loss,
        "baseline_successes": outcome.baseline_successes,
        "extra_successes": outcome.extra_successes,
        "present_value_payments": outcome.present_value_payments,
        "present_value_cost": outcome.present_value_cost,
    }

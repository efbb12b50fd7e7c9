"""The payment-model simulator: what the number of participants does to outcome payments.

Successes X ~ Binomial(m, p), where m = floor(n · (1 − drop-out)) participants complete (a drop-out
never reaches a payment goal) and the target is met when X ≥ ceil(t · n): the contracted rate is
counted on everyone who started. Every figure is computed from the exact distribution (no sampling),
in floating point.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from fractions import Fraction

# Inputs are refused the same way as answers: a code and the limit that was broken.
from app.core.numbers import InputError, NumberError, number_from, plain

MAX_PARTICIPANTS = 10_000
NEEDED_PROBABILITY = 0.8
CRITICAL_MASS = 25
RULES = ("per_success", "threshold")


@dataclass(frozen=True)
class RateCardRow:
    """One payment goal of a rate card: payment per success, data source, expected success rate."""

    goal: str
    payment: float
    data_source: str
    success_rate: float


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
    rate_card: tuple[RateCardRow, ...] = ()
    savings_municipality: float = 0.0
    savings_region: float = 0.0
    savings_state: float = 0.0
    horizon_years: int = 5
    discount_rate: float = 0.0


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
    distribution: tuple[tuple[int, float], ...] = field(default=(), repr=False)


def exact(rate: float) -> Fraction:
    """A rate as the decimal a person typed (0.3 is 3/10, not 0.2999…)."""
    return Fraction(str(rate))


def completers(n: int, dropout: float) -> int:
    """How many of n participants complete: floor(n · (1 − drop-out))."""
    return math.floor(n * (1 - exact(dropout)))


def target_count(n: int, target: float) -> int:
    """Successes needed to meet the contracted rate t on n participants: ceil(t · n)."""
    return math.ceil(exact(target) * n)


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


def simulate(s: Scenario) -> Outcome:
    """Every output for one scenario."""
    m = completers(s.participants, s.dropout_rate)
    k = target_count(s.participants, s.target_rate)
    probs = distribution(m, s.success_rate)
    met = tail(m, k, s.success_rate)
    expected = m * s.success_rate
    if s.payment_rule == "per_success":
        payments = [(j * s.payment_per_success, probs[j]) for j in range(m + 1)]
        expected_payment = expected * s.payment_per_success
        break_even = None
        if s.payment_per_success > 0:
            ratio = s.cost_per_participant / s.payment_per_success
            break_even = ratio if ratio <= 1 else None
    else:
        payments = [(0.0, 1 - met), (s.payment_if_met, met)]
        expected_payment = met * s.payment_if_met
        break_even = None
    payments.sort()
    card = tuple(
        {
            "goal": row.goal,
            "payment": row.payment,
            "data_source": row.data_source,
            "success_rate": row.success_rate,
            "expected_successes": m * row.success_rate,
            "expected_payment": m * row.success_rate * row.payment,
        }
        for row in s.rate_card
    )
    npv_m = npv_p = share = None
    savings = s.savings_municipality + s.savings_region + s.savings_state
    if savings > 0:
        factor = present_value_factor(s.horizon_years, s.discount_rate)
        npv_m = expected * s.savings_municipality * factor - expected_payment
        npv_p = expected * savings * factor - expected_payment
        share = (s.savings_region + s.savings_state) / savings
    return Outcome(
        completers=m,
        target_successes=k,
        expected_successes=expected,
        probability_target_met=met,
        expected_payment=expected_payment,
        payment_p10=quantile(payments, 0.1),
        payment_p90=quantile(payments, 0.9),
        investment=s.participants * s.cost_per_participant,
        break_even_success_rate=break_even,
        participants_needed=participants_needed(s.success_rate, s.target_rate, s.dropout_rate),
        rate_card=card,
        npv_municipality=npv_m,
        npv_public_sector=npv_p,
        share_of_gains_outside_municipality=share,
        distribution=tuple(enumerate(probs)),
    )


def sensitivity(s: Scenario) -> list[dict]:
    """How the chance of meeting the target and the expected payment move with p, n and drop-out."""
    from dataclasses import replace

    variants = [
        ("success_rate", -0.1),
        ("success_rate", +0.1),
        ("participants", 0.5),
        ("participants", 1.5),
        ("dropout_rate", +0.1),
    ]
    rows = []
    for name, change in variants:
        if name == "participants":
            value = max(1, min(MAX_PARTICIPANTS, round(s.participants * change)))
        else:
            value = min(1.0, max(0.0, round(getattr(s, name) + change, 4)))
        if value == getattr(s, name):
            continue
        varied = replace(s, **{name: value})
        m = completers(varied.participants, varied.dropout_rate)
        k = target_count(varied.participants, varied.target_rate)
        met = tail(m, k, varied.success_rate)
        expected_payment = (
            m * varied.success_rate * varied.payment_per_success
            if varied.payment_rule == "per_success"
            else met * varied.payment_if_met
        )
        rows.append(
            {"input": name, "value": value, "probability_target_met": met,
             "expected_payment": expected_payment}
        )  # fmt: skip
    return rows


def scenario_from_dict(data: dict) -> Scenario:
    """A scenario from stored or checked plain data (see app/simulator/inputs.py)."""
    card = tuple(RateCardRow(**row) for row in data.get("rate_card", ()))
    fields = {k: v for k, v in data.items() if k != "rate_card"}
    return Scenario(**fields, rate_card=card)


def scenario_facts(scenario: Scenario) -> dict[str, float | None]:
    """The figures an assessment's rules can read from a saved scenario."""
    m = completers(scenario.participants, scenario.dropout_rate)
    k = target_count(scenario.participants, scenario.target_rate)
    needed = participants_needed(scenario.success_rate, scenario.target_rate, scenario.dropout_rate)
    return {
        "probability_target_met": tail(m, k, scenario.success_rate),
        "participants": scenario.participants,
        "participants_short": None if needed is None else needed - scenario.participants,
    }


# --- checking inputs (the web form and the JSON API share these rules) ---------------------------

MONEY_MAX = 1e9
NUMBER_FIELDS = {
    # name: (minimum, maximum, whole number?)
    "participants": (1, MAX_PARTICIPANTS, True),
    "success_rate": (0, 1, False),
    "target_rate": (0, 1, False),
    "dropout_rate": (0, 1, False),
    "cost_per_participant": (0, MONEY_MAX, False),
    "payment_per_success": (0, MONEY_MAX, False),
    "payment_if_met": (0, MONEY_MAX, False),
    "savings_municipality": (0, MONEY_MAX, False),
    "savings_region": (0, MONEY_MAX, False),
    "savings_state": (0, MONEY_MAX, False),
    "horizon_years": (1, 50, True),
    "discount_rate": (0, 1, False),
}
REQUIRED = ("participants", "success_rate", "target_rate", "payment_rule")
MAX_RATE_CARD = 10
MAX_TEXT = 200


MONEY_FIELDS = frozenset(
    {"cost_per_participant", "payment_per_success", "payment_if_met", "savings_municipality",
     "savings_region", "savings_state"}
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


def check_inputs(raw: dict, lang: str = "da") -> tuple[dict, dict[str, InputError]]:
    """Plain, checked scenario data, or errors per field (rate-card fields as rate_card.N.field)."""
    clean: dict = {}
    errors: dict[str, InputError] = {}
    for name in raw:
        if name not in NUMBER_FIELDS and name not in ("payment_rule", "rate_card"):
            errors[name] = InputError("unknown_field")
    for name in NUMBER_FIELDS:
        value = raw.get(name)
        if value is None or value == "":
            continue
        checked, error = check_number(name, value, lang)
        if error:
            errors[name] = error
        else:
            clean[name] = checked
    rule = raw.get("payment_rule")
    if rule is not None and not isinstance(rule, str):  # a list or an object from JSON
        errors["payment_rule"] = InputError("wrong_type")
    elif rule is not None and rule not in RULES:
        errors["payment_rule"] = InputError("invalid_choice")
    elif rule is not None:
        clean["payment_rule"] = rule
    for name in REQUIRED:
        if name not in clean and name not in errors:
            errors[name] = InputError("required")
    money = {"per_success": "payment_per_success", "threshold": "payment_if_met"}.get(
        clean.get("payment_rule", "")
    )
    if money and money not in clean and money not in errors:
        errors[money] = InputError("required")
    card = raw.get("rate_card") or []
    if not isinstance(card, list) or len(card) > MAX_RATE_CARD:
        errors["rate_card"] = InputError(
            "too_many" if isinstance(card, list) else "wrong_type", MAX_RATE_CARD
        )
        card = []
    rows = []
    for i, row in enumerate(card):
        where = f"rate_card.{i}"
        if not isinstance(row, dict):
            errors[where] = InputError("wrong_type")
            continue
        goal, source = row.get("goal", ""), row.get("data_source", "")
        if not isinstance(goal, str) or not goal.strip():
            errors[f"{where}.goal"] = InputError("required")
        elif len(goal) > MAX_TEXT:
            errors[f"{where}.goal"] = InputError("too_long", MAX_TEXT)
        if not isinstance(source, str) or len(source) > MAX_TEXT:
            errors[f"{where}.data_source"] = InputError("too_long", MAX_TEXT)
        payment, error = check_number("payment_per_success", row.get("payment"), lang)
        if error:
            errors[f"{where}.payment"] = error
        rate, error = check_number("success_rate", row.get("success_rate"), lang)
        if error:
            errors[f"{where}.success_rate"] = error
        if not any(key.startswith(where) for key in errors):
            rows.append(
                {"goal": goal.strip(), "payment": payment, "data_source": source.strip(),
                 "success_rate": rate}
            )  # fmt: skip
    if rows:
        clean["rate_card"] = rows
    return clean, errors


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
    }

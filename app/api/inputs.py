"""The JSON types the simulator's inputs must have; the rules on their values are check_inputs'.

The web form sends every value as text, so the core accepts numbers written as text. In JSON a
number is a number: the API refuses text, true/false, lists and objects where it expects one.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.api.errors import Errors, problem
from app.core.simulator import GOAL_LISTS, MAX_RATE_CARD, SCENARIO_NUMBERS, InputError
from app.messages import error_text

# A payment goal's fields: `name` in payment_goals, `goal` in the older rate_card.
GOAL_TEXTS = {"payment_goals": ("name", "data_source"), "rate_card": ("goal", "data_source")}
GOAL_NUMBERS = ("payment", "success_rate", "baseline_rate", "lag_years")


def is_number(value: Any) -> bool:
    """A JSON number (true and false are not numbers, though Python counts them as ints)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def number_expected() -> dict[str, str]:
    return problem(
        "wrong_type",
        _("Send a number here (a JSON number, not text, true/false, a list or an object)."),
    )


def text_expected() -> dict[str, str]:
    return problem("wrong_type", _("Send text here (a JSON string)."))


def goals_expected(key: str) -> dict[str, str]:
    if key == "payment_goals":
        return problem(
            "wrong_type",
            _(
                "Send the payment goals as a list of objects, each with name, payment and "
                "success_rate, and if you like baseline_rate, lag_years and data_source."
            ),
        )
    return problem(
        "wrong_type",
        _(
            "Send the rate card as a list of objects, each with goal, payment, data_source "
            "and success_rate."
        ),
    )


def simulation_type_errors(body: dict[str, Any]) -> Errors:
    """Fields whose JSON type is wrong, each with a message saying what to send."""
    errors: Errors = {}
    for name in SCENARIO_NUMBERS:
        value = body.get(name)
        if value is not None and not is_number(value):
            errors[name] = [number_expected()]
    rule = body.get("payment_rule")
    if rule is not None and not isinstance(rule, str):
        errors["payment_rule"] = [
            problem("wrong_type", _("Send per_success or threshold, as text."))
        ]
    investor = body.get("investor")
    if investor is not None and not isinstance(investor, str):
        errors["investor"] = [
            problem("wrong_type", _("Send public_fund, private or municipality, as text."))
        ]
    for key in GOAL_LISTS:
        card = body.get(key)
        if card is not None and not isinstance(card, list):
            errors[key] = [goals_expected(key)]
        elif card and len(card) <= MAX_RATE_CARD:
            for i, row in enumerate(card):
                errors.update(goal_type_errors(key, f"{key}.{i}", row))
    return errors


def goal_type_errors(key: str, where: str, row: Any) -> Errors:
    """One payment goal: an object of texts and numbers, and nothing else."""
    if not isinstance(row, dict):
        return {where: [goals_expected(key)]}
    texts = GOAL_TEXTS[key]
    errors: Errors = {}
    for name, value in row.items():
        if name in texts and not isinstance(value, str):
            errors[f"{where}.{name}"] = [text_expected()]
        elif name in GOAL_NUMBERS and value is not None and not is_number(value):
            errors[f"{where}.{name}"] = [number_expected()]
        elif name not in texts + GOAL_NUMBERS:
            errors[f"{where}.{name}"] = [
                problem("unknown_field", error_text(InputError("unknown_field")))
            ]
    return errors

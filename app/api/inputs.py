"""The JSON types the simulator's inputs must have; the rules on their values are check_inputs'.

The web form sends every value as text, so the core accepts numbers written as text. In JSON a
number is a number: the API refuses text, true/false, lists and objects where it expects one.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.api.errors import Errors, problem
from app.core.simulator import MAX_RATE_CARD, NUMBER_FIELDS, InputError
from app.messages import error_text

RATE_CARD_TEXTS = ("goal", "data_source")
RATE_CARD_NUMBERS = ("payment", "success_rate")


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


def rate_card_expected() -> dict[str, str]:
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
    for name in NUMBER_FIELDS:
        value = body.get(name)
        if value is not None and not is_number(value):
            errors[name] = [number_expected()]
    rule = body.get("payment_rule")
    if rule is not None and not isinstance(rule, str):
        errors["payment_rule"] = [
            problem("wrong_type", _("Send per_success or threshold, as text."))
        ]
    card = body.get("rate_card")
    if card is not None and not isinstance(card, list):
        errors["rate_card"] = [rate_card_expected()]
    elif card and len(card) <= MAX_RATE_CARD:
        for i, row in enumerate(card):
            errors.update(rate_card_row_type_errors(f"rate_card.{i}", row))
    return errors


def rate_card_row_type_errors(where: str, row: Any) -> Errors:
    """One rate-card row: an object of two texts and two numbers, and nothing else."""
    if not isinstance(row, dict):
        return {where: [rate_card_expected()]}
    errors: Errors = {}
    for key, value in row.items():
        if key in RATE_CARD_TEXTS and not isinstance(value, str):
            errors[f"{where}.{key}"] = [text_expected()]
        elif key in RATE_CARD_NUMBERS and value is not None and not is_number(value):
            errors[f"{where}.{key}"] = [number_expected()]
        elif key not in RATE_CARD_TEXTS + RATE_CARD_NUMBERS:
            errors[f"{where}.{key}"] = [
                problem("unknown_field", error_text(InputError("unknown_field")))
            ]
    return errors

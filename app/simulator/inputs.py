"""From the simulator form to checked scenario data and back; prefilled from an assessment."""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal
from werkzeug.datastructures import MultiDict

from app.core.answers import parse_number
from app.core.simulator import NUMBER_FIELDS, check_inputs
from app.messages import error_text
from app.simulator.forms import DEFAULTS, PERCENT_FIELDS, RATE_CARD_ROWS, SimulatorForm

# Answers whose `quantity` the simulator can read, and the form field each one fills.
QUANTITY_FIELDS = {
    "target_group_size": "participants",
    "success_rate_percent": "success_rate",
    "dropout_rate_percent": "dropout_rate",
    "cost_per_participant": "cost_per_participant",
    "payment_per_success": "payment_per_success",
}


def _as_rate(text: str) -> Any:
    """A percentage as typed becomes a rate; text that is no number is passed on to be refused."""
    value = parse_number(text)
    return text if value is None else value / 100


def read_form(formdata: MultiDict) -> tuple[SimulatorForm, dict, bool]:
    """The form, the checked scenario data, and whether there were errors (set on the fields)."""
    form = SimulatorForm(formdata)
    raw: dict[str, Any] = {}
    for name in NUMBER_FIELDS:
        text = (form[name].data or "").strip()
        if text:
            raw[name] = _as_rate(text) if name in PERCENT_FIELDS else text
    if form.payment_rule.data:
        raw["payment_rule"] = form.payment_rule.data
    card = []
    for row in range(1, RATE_CARD_ROWS + 1):
        values = [
            (form[f"{key}_{row}"].data or "").strip()
            for key in ("goal", "goal_payment", "goal_source", "goal_rate")
        ]
        if any(values):
            card.append(
                {"goal": values[0], "payment": values[1], "data_source": values[2],
                 "success_rate": _as_rate(values[3]) if values[3] else ""}
            )  # fmt: skip
    if card:
        raw["rate_card"] = card
    clean, errors = check_inputs(raw)
    card_fields = {"goal": "goal", "payment": "goal_payment", "data_source": "goal_source",
                   "success_rate": "goal_rate"}  # fmt: skip
    for key, error in errors.items():
        scale = 100 if key in PERCENT_FIELDS or key.endswith("success_rate") else 1
        if key.startswith("rate_card."):
            _, index, part = [*key.split("."), ""][:3]
            field = form[f"{card_fields.get(part, 'goal')}_{int(index) + 1}"]
        elif key in form:
            field = form[key]
        else:
            continue
        field.errors = [*field.errors, error_text(error, scale)]
    return form, clean, bool(errors)


def defaults() -> MultiDict:
    """The example the page opens with."""
    return MultiDict(DEFAULTS)


def formdata_from_scenario(scenario: dict) -> MultiDict:
    """A saved scenario as form input again (rates as percentages)."""
    data = MultiDict()
    for name, value in scenario.items():
        if name == "rate_card":
            for i, row in enumerate(value, start=1):
                data[f"goal_{i}"] = row["goal"]
                data[f"goal_payment_{i}"] = _plain(row["payment"])
                data[f"goal_source_{i}"] = row["data_source"]
                data[f"goal_rate_{i}"] = _plain(row["success_rate"] * 100)
        elif name in PERCENT_FIELDS:
            data[name] = _plain(value * 100)
        else:
            data[name] = str(value) if name == "payment_rule" else _plain(value)
    return data


def formdata_from_answers(questionnaire, answers: dict) -> MultiDict:  # type: ignore[no-untyped-def]
    """Start from the defaults and fill in what the assessment's answers say."""
    data = defaults()
    for question in questionnaire.questions.values():
        field = QUANTITY_FIELDS.get(question.quantity or "")
        value = answers.get(question.id)
        if field and isinstance(value, int | float) and not isinstance(value, bool):
            data[field] = _plain(value)
    return data


def _plain(value: float) -> str:
    """A number written the local way without grouping, so it reads back the same."""
    return format_decimal(value, format="0.####")

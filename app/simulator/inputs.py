"""From the simulator form to checked scenario data and back; prefilled from an assessment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import format_decimal
from werkzeug.datastructures import MultiDict

from app.core.answers import check_typed_number
from app.core.numbers import InputError, plain
from app.core.simulator import MONEY_FIELDS, NUMBER_FIELDS, SCENARIO_NUMBERS, check_inputs
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


def _typed(name: str, text: str, lang: str) -> tuple[float | int | None, InputError | None]:
    """A typed figure as the model takes it (a percentage becomes a rate from 0 to 1)."""
    percent = name in PERCENT_FIELDS or name.startswith(("goal_rate", "goal_baseline"))
    kind = "percent" if percent else ("money" if name in MONEY_FIELDS else "plain")
    value, error = check_typed_number(text, lang, kind)
    if error or value is None:
        return None, error
    return plain(value / 100 if percent else value), None


def read_form(formdata: MultiDict, lang: str, prefix: str = "") -> tuple[SimulatorForm, dict, bool]:
    """The form, the checked scenario data, and whether there were errors (set on the fields).

    With a prefix ("b" reads b-participants and so on) the form is one scenario of several.
    """
    form = SimulatorForm(formdata, prefix=prefix)
    raw: dict[str, Any] = {}
    refused: dict[str, InputError] = {}

    def read(name: str, form_name: str) -> Any:
        text = (form[form_name].data or "").strip()
        if not text:
            return ""
        value, error = _typed(name if name in NUMBER_FIELDS else form_name, text, lang)
        if error:
            refused[form_name] = error
        return value

    for name in SCENARIO_NUMBERS:
        value = read(name, name)
        if value is not None and value != "":
            raw[name] = value
    for name in ("payment_rule", "investor"):
        if form[name].data:
            raw[name] = form[name].data
    card = []
    for row in range(1, RATE_CARD_ROWS + 1):
        texts = {
            key: (form[f"{field}_{row}"].data or "").strip() for key, field in CARD_FIELDS.items()
        }
        if any(texts.values()):
            card.append(
                {"name": texts["name"], "data_source": texts["data_source"],
                 "payment": read("payment_per_success", f"goal_payment_{row}"),
                 "success_rate": read("goal_rate", f"goal_rate_{row}"),
                 "baseline_rate": read("goal_baseline", f"goal_baseline_{row}"),
                 "lag_years": read("lag_years", f"goal_lag_{row}")}
            )  # fmt: skip
    if card:
        raw["payment_goals"] = card
    clean, errors = check_inputs(raw, lang)
    for key, error in errors.items():
        scale = (
            100 if key in PERCENT_FIELDS or key.endswith(("success_rate", "baseline_rate")) else 1
        )
        if key.startswith("payment_goals."):
            _, index, part = [*key.split("."), ""][:3]
            name = f"{CARD_FIELDS.get(part, 'goal')}_{int(index) + 1}"
        elif key == "payment_goals":
            name = "goal_1"
        else:
            name = key
        if name in form and name not in refused:
            form[name].errors = [*form[name].errors, error_text(error, scale)]
    for name, error in refused.items():
        form[name].errors = [error_text(error)]
    return form, clean, bool(errors or refused)


# Rate-card keys in the model and the form fields that hold them.
CARD_FIELDS = {"name": "goal", "payment": "goal_payment", "data_source": "goal_source",
               "success_rate": "goal_rate", "baseline_rate": "goal_baseline",
               "lag_years": "goal_lag"}  # fmt: skip


def typed_pairs(form: SimulatorForm) -> list[tuple[str, str]]:
    """What the form holds, as (field name without a prefix, text) for each field not left empty:
    the query string of the scenario, as the simulator reads it."""
    return [(field.short_name, field.data) for field in form if isinstance(field.data, str)
            and field.data.strip()]  # fmt: skip


def defaults() -> MultiDict:
    """The example the page opens with."""
    return MultiDict(DEFAULTS)


def formdata_from_scenario(scenario: dict) -> MultiDict:
    """A saved scenario as form input again (rates as percentages; older ones name the payment
    goals rate_card)."""
    data = MultiDict()
    for name, value in scenario.items():
        if name in ("payment_goals", "rate_card"):
            for i, row in enumerate(value, start=1):
                data[f"goal_{i}"] = row["goal"]
                data[f"goal_payment_{i}"] = _plain(row["payment"])
                data[f"goal_source_{i}"] = row.get("data_source", "")
                data[f"goal_rate_{i}"] = _percent(row["success_rate"])
                if row.get("baseline_rate"):
                    data[f"goal_baseline_{i}"] = _percent(row["baseline_rate"])
                data[f"goal_lag_{i}"] = _plain(row.get("lag_years", 1))
        elif value is None:
            continue
        elif name in PERCENT_FIELDS:
            data[name] = _percent(value)
        else:
            data[name] = str(value) if name in ("payment_rule", "investor") else _plain(value)
    if "investor" not in scenario:
        data["investor"] = DEFAULTS["investor"]
    return data


def formdata_from_answers(questionnaire, answers: dict) -> MultiDict:  # type: ignore[no-untyped-def]
    """Start from the defaults and fill in what the assessment's answers say."""
    data = defaults()
    for question in questionnaire.questions.values():
        field = QUANTITY_FIELDS.get(question.quantity or "")
        value = answers.get(question.id)
        if field and isinstance(value, int | float) and not isinstance(value, bool):
            data[field] = _percent(value / 100) if field in PERCENT_FIELDS else _plain(value)
    return data


def _plain(value: float) -> str:
    """A number written the local way without grouping, so it reads back the same."""
    return format_decimal(value, format="0.####")


def _percent(rate: float) -> str:
    """A rate as the percentage typed into the form; under 1 % it carries its unit, so that
    sending the form again is not questioned as a rate typed where a percentage belongs."""
    percent = Decimal(str(rate)) * 100
    text = format_decimal(percent, format="0.####")
    return f"{text} %" if 0 < percent < 1 else text

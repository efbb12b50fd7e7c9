"""The simulator's form: a GET form (it changes nothing), percentages as people write them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from app.core.simulator import MAX_TEXT

# Fields people type as a percentage; the model takes rates from 0 to 1.
PERCENT_FIELDS = ("success_rate", "target_rate", "dropout_rate", "discount_rate")
RATE_CARD_ROWS = 3
DEFAULTS = {
    "participants": "25",
    "success_rate": "60",
    "target_rate": "50",
    "dropout_rate": "10",
    "cost_per_participant": "40000",
    "payment_rule": "per_success",
    "payment_per_success": "90000",
    "horizon_years": "5",
    "discount_rate": "3,5",
}


class SimulatorForm(Form):
    """The inputs of one scenario."""

    participants = StringField(
        _l("Number of participants"),
        description=_l("The persons or families who start, from 1 to 10,000."),
    )
    success_rate = StringField(
        _l("Expected success rate"),
        description=_l(
            "The share of those who complete that you expect to reach the payment goal."
        ),
    )
    target_rate = StringField(
        _l("Contracted target rate"),
        description=_l(
            "The share of all who start that must reach the goal for the target to be met."
        ),
    )
    dropout_rate = StringField(
        _l("Drop-out"), description=_l("The share who leave before the goal can be measured.")
    )
    cost_per_participant = StringField(_l("Cost of the intervention per participant"))
    payment_rule = RadioField(
        _l("How is the outcome paid?"),
        choices=[
            SelectChoice("per_success", _l("A payment for each participant who reaches the goal")),
            SelectChoice("threshold", _l("One payment if the target rate is reached")),
        ],
        validate_choice=False,
    )
    payment_per_success = StringField(_l("Payment per success"))
    payment_if_met = StringField(_l("Payment if the target is met"))
    savings_municipality = StringField(_l("Yearly saving per success for the municipality"))
    savings_region = StringField(_l("Yearly saving per success for the region"))
    savings_state = StringField(_l("Yearly saving per success for the state"))
    horizon_years = StringField(_l("Years the savings last"))
    discount_rate = StringField(_l("Discount rate"))


for _row in range(1, RATE_CARD_ROWS + 1):
    setattr(
        SimulatorForm,
        f"goal_{_row}",
        StringField(_l("Payment goal %(number)d", number=_row), validators=[Length(max=MAX_TEXT)]),
    )
    setattr(SimulatorForm, f"goal_payment_{_row}", StringField(_l("Payment per success")))
    setattr(
        SimulatorForm,
        f"goal_source_{_row}",
        StringField(_l("Data source"), validators=[Length(max=MAX_TEXT)]),
    )
    setattr(SimulatorForm, f"goal_rate_{_row}", StringField(_l("Expected success rate")))

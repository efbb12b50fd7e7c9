"""The simulator's form: a GET form (it changes nothing), percentages as people write them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from app.core.simulator import MAX_TEXT

# Fields people type as a percentage; the model takes rates from 0 to 1.
PERCENT_FIELDS = ("success_rate", "baseline_rate", "target_rate", "dropout_rate", "discount_rate")
RATE_CARD_ROWS = 3
DEFAULTS = {
    "participants": "25",
    "success_rate": "60",
    "target_rate": "50",
    "dropout_rate": "10",
    "cost_per_participant": "40000",
    "payment_rule": "per_success",
    "investor": "public_fund",
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
    participants_per_year = StringField(
        _l("Participants per year"),
        description=_l(
            "If recruitment runs over several years: how many start each year. Then leave the "
            "number of participants empty, or make it agree."
        ),
    )
    years = StringField(_l("Years of recruitment"))
    success_rate = StringField(
        _l("Expected success rate"),
        description=_l(
            "The share of those who complete that you expect to reach the payment goal."
        ),
    )
    baseline_rate = StringField(
        _l("Baseline: the share who would reach the goal anyway"),
        description=_l(
            "Of all who start, the share who would reach the goal without the intervention. "
            "The contract pays only for successes above it, and savings count only the difference."
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
    investor = RadioField(
        _l("Who invests in the intervention?"),
        choices=[
            SelectChoice("public_fund", _l("A public fund")),
            SelectChoice("private", _l("A private investor")),
            SelectChoice("municipality", _l("The municipality itself")),
        ],
        validate_choice=False,
    )
    payment_cap = StringField(
        _l("Payment cap for the whole contract"),
        description=_l("The most that can be paid in all. Leave it empty if there is none."),
    )
    minimum_repayment = StringField(
        _l("Minimum repayment"),
        description=_l(
            "The least the investor gets back in all, where agreed. Leave it empty if there is "
            "none."
        ),
    )
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
    setattr(SimulatorForm, f"goal_baseline_{_row}", StringField(_l("Baseline")))
    setattr(SimulatorForm, f"goal_lag_{_row}", StringField(_l("Measured and paid after")))

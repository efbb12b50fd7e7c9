"""Translated texts for input errors, shared by the web forms and the JSON API."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from app.core.numbers import InputError

ERROR_TEXTS = {
    "required": _l("Choose an answer, or “Don't know”."),
    "invalid_choice": _l("Choose one of the answers shown."),
    "not_a_number": _l("Enter a number, for example 40."),
    "too_small": _l("Enter a number of at least %(limit)s."),
    "too_large": _l("Enter a number of at most %(limit)s."),
    "dont_know_with_others": _l("Choose answers or “Don't know”, not both."),
    "exclusive_choice": _l("“%(text)s” cannot be chosen together with other answers."),
    "too_long": _l("Write at most %(limit)s characters."),
    "wrong_type": _l("The answer has the wrong form."),
    "unknown_question": _l("There is no such question in this questionnaire."),
    "not_whole": _l("Enter a whole number."),
    "unknown_field": _l("There is no such field."),
    "too_many": _l("Give at most %(limit)s rows."),
    "ambiguous": _l(
        "“%(text)s” can be read as %(first)s or as %(second)s. Write the number without a "
        "thousands separator, for example %(plain)s, or with a decimal comma, for example "
        "%(comma)s."
    ),
    "fraction": _l(
        "You wrote %(text)s. Did you mean %(percent)s %%? Enter the percentage, for example "
        "%(percent)s. If you do mean %(text)s %%, write %(text)s %%."
    ),
    "wrong_unit": _l("Enter the number without “%(text)s”: this field has another unit."),
}


def error_text(error: InputError, scale: float = 1) -> str:
    """The error in the current language, with its numbers written the local way."""
    template = ERROR_TEXTS[error.code]
    if error.code == "ambiguous":
        first, second = error.readings[0], error.readings[-1]
        return str(template) % {
            "text": error.text,
            "first": format_decimal(first),
            "second": format_decimal(second),
            "plain": format_decimal(second, format="0.###"),
            "comma": format_decimal(first, format="0.0##"),
        }
    if error.code == "fraction":
        percent, typed = error.readings
        return str(template) % {
            "text": format_decimal(typed, format="0.####"),
            "percent": format_decimal(percent, format="0.##"),
        }
    if error.code in ("wrong_unit", "exclusive_choice"):
        return str(template) % {"text": error.text}
    text = str(template)
    if error.limit is None:
        return text
    return text % {"limit": format_decimal(error.limit * scale)}

"""Translated texts for input errors, shared by the web forms and the JSON API."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from app.core.answers import AnswerError
from app.core.simulator import InputError

ERROR_TEXTS = {
    "required": _l("Choose an answer, or “Don't know”."),
    "invalid_choice": _l("Choose one of the answers shown."),
    "not_a_number": _l("Enter a number, for example 40."),
    "too_small": _l("Enter a number of at least %(limit)s."),
    "too_large": _l("Enter a number of at most %(limit)s."),
    "dont_know_with_others": _l("Choose answers or “Don't know”, not both."),
    "too_long": _l("Write at most %(limit)s characters."),
    "wrong_type": _l("The answer has the wrong form."),
    "unknown_question": _l("There is no such question in this questionnaire."),
    "not_whole": _l("Enter a whole number."),
    "unknown_field": _l("There is no such field."),
    "too_many": _l("Give at most %(limit)s rows."),
}


def error_text(error: AnswerError | InputError, scale: float = 1) -> str:
    """The error in the current language, with its limit written the local way."""
    text = str(ERROR_TEXTS[error.code])
    if error.limit is None:
        return text
    return text % {"limit": format_decimal(error.limit * scale)}

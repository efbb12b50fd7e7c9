"""Check answers against their questions: the same rules for the web form and the JSON API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.core.numbers import InputError, NumberError, number_from, plain
from app.core.questionnaire import DONT_KNOW, Question, Questionnaire

MAX_TEXT = 2000


# Answers are refused the same way as every other input: a code and what the message names.
AnswerError = InputError


def number_kind(question: Question) -> str:
    """How a number question's answer is typed: as a percentage, in kroner, or plain."""
    unit = (question.unit or {}).get("da", "")
    if unit == "%" or (question.quantity or "").endswith("_percent"):
        return "percent"
    return "money" if unit.startswith("kr") else "plain"


def check_typed_number(
    raw: Any, lang: str, kind: str, extra_units: tuple[str, ...] = ()
) -> tuple[Decimal | None, InputError | None]:
    """A number as the person meant it, or why not; a percentage typed as 0,6 is questioned."""
    try:
        typed = number_from(raw, lang, kind, extra_units)
    except NumberError as refused:
        return None, refused.error
    if kind == "percent" and isinstance(raw, str) and 0 < typed.value < 1 and not typed.unit_typed:
        # 0,6 in a percent field is most often a rate meant as 60 %: ask, never guess.
        return None, InputError("fraction", readings=(typed.value * 100, typed.value), text=raw)
    return typed.value, None


def clean_answer(question: Question, raw: Any, lang: str = "da") -> tuple[Any, AnswerError | None]:
    """The stored form of an answer, or the reason it cannot be stored. None means unanswered."""
    if raw is None or raw == "" or raw == []:
        return None, None
    if question.type == "text":
        if not isinstance(raw, str):
            return None, AnswerError("wrong_type")
        text = raw.strip()
        if len(text) > MAX_TEXT:
            return None, AnswerError("too_long", MAX_TEXT)
        return (text or None), None
    if raw == DONT_KNOW:
        return DONT_KNOW, None
    if question.type == "number":
        units = tuple((question.unit or {}).values())
        value, error = check_typed_number(raw, lang, number_kind(question), units)
        if error or value is None:
            return None, error
        if question.min is not None and value < Decimal(str(question.min)):
            return None, AnswerError("too_small", question.min)
        if question.max is not None and value > Decimal(str(question.max)):
            return None, AnswerError("too_large", question.max)
        return plain(value), None
    allowed = {o.value for o in question.choices()}
    if question.type == "multiple":
        values = raw if isinstance(raw, list) else None
        if values is None or not all(isinstance(v, str) for v in values):
            return None, AnswerError("wrong_type")
        if DONT_KNOW in values:
            return None, AnswerError("dont_know_with_others")
        if not set(values) <= allowed:
            return None, AnswerError("invalid_choice")
        alone = question.exclusive_values() & set(values)
        if alone and len(set(values)) > 1:
            option = next(o for o in question.options if o.value in alone)
            label = option.label.get(lang, option.label["da"])
            return None, AnswerError("exclusive_choice", text=label)
        return [o.value for o in question.options if o.value in values], None
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return None, AnswerError("wrong_type")
    if str(raw) not in allowed:
        return None, AnswerError("invalid_choice")
    return str(raw), None


def clean_answers(
    questionnaire: Questionnaire, raw: dict[str, Any], lang: str = "da"
) -> tuple[dict[str, Any], dict[str, AnswerError]]:
    """Check a whole set of answers (the API); unknown question ids are errors too."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, AnswerError] = {}
    questions = questionnaire.questions
    for qid, value in raw.items():
        if qid not in questions:
            errors[qid] = AnswerError("unknown_question")
            continue
        answer, error = clean_answer(questions[qid], value, lang)
        if error:
            errors[qid] = error
        elif answer is not None:
            cleaned[qid] = answer
    return cleaned, errors

"""Check answers against their questions: the same rules for the web form and the JSON API."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from app.core.questionnaire import DONT_KNOW, Question, Questionnaire

MAX_TEXT = 2000


@dataclass(frozen=True)
class AnswerError:
    """Why an answer was refused: a code the views translate, with the numbers it needs."""

    code: str
    limit: float | None = None


def parse_number(raw: Any) -> float | None:
    """A number from JSON or from a form (Danish and Swedish write a decimal comma)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
        text = raw.strip().replace(" ", "").replace("\u00a0", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            return None
    else:
        return None
    return value if math.isfinite(value) else None


def clean_answer(question: Question, raw: Any) -> tuple[Any, AnswerError | None]:
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
        value = parse_number(raw)
        if value is None:
            return None, AnswerError("not_a_number")
        if question.min is not None and value < question.min:
            return None, AnswerError("too_small", question.min)
        if question.max is not None and value > question.max:
            return None, AnswerError("too_large", question.max)
        return (int(value) if value.is_integer() else value), None
    allowed = {o.value for o in question.choices()}
    if question.type == "multiple":
        values = raw if isinstance(raw, list) else None
        if values is None or not all(isinstance(v, str) for v in values):
            return None, AnswerError("wrong_type")
        if DONT_KNOW in values:
            return None, AnswerError("dont_know_with_others")
        if not set(values) <= allowed:
            return None, AnswerError("invalid_choice")
        return [o.value for o in question.options if o.value in values], None
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return None, AnswerError("wrong_type")
    if str(raw) not in allowed:
        return None, AnswerError("invalid_choice")
    return str(raw), None


def clean_answers(
    questionnaire: Questionnaire, raw: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, AnswerError]]:
    """Check a whole set of answers (the API); unknown question ids are errors too."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, AnswerError] = {}
    questions = questionnaire.questions
    for qid, value in raw.items():
        if qid not in questions:
            errors[qid] = AnswerError("unknown_question")
            continue
        answer, error = clean_answer(questions[qid], value)
        if error:
            errors[qid] = error
        elif answer is not None:
            cleaned[qid] = answer
    return cleaned, errors

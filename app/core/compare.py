"""Where the authority and its supplier see the same programme differently.

Both questionnaires share many questions (a question lists both audiences). When the two parties
answer a shared scale question more than one step apart, the disagreement is itself a finding: it
is where their pictures of the programme part, and where a conversation should start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core.questionnaire import DONT_KNOW, Question, Questionnaire

# More than one step apart on a five-step scale, or a quarter of the range on other scored types.
APART_STEPS = 1
APART_SHARE = 0.25


@dataclass(frozen=True)
class Disagreement:
    """One shared question the two parties answered far apart (or one knows and one does not)."""

    question: str
    dimension: str
    text: dict[str, str]
    authority: Any
    supplier: Any
    gap: float | None  # in steps for a scale, as a share of the range otherwise; None if unknown


def shared_questions(authority: Questionnaire, supplier: Questionnaire) -> list[Question]:
    """The scored questions both questionnaires ask, in the authority's page order."""
    theirs = supplier.questions
    return [q for q in authority.questions.values() if q.scored and q.id in theirs]


def disagreements(
    authority: Questionnaire,
    authority_answers: dict[str, Any],
    supplier: Questionnaire,
    supplier_answers: dict[str, Any],
) -> list[Disagreement]:
    """Shared questions answered far apart, the widest gaps first.

    A "don't know" against a real answer counts too (with no gap): one party knows what the
    other does not. Unanswered questions are left out.
    """
    found = []
    for question in shared_questions(authority, supplier):
        ours, theirs = authority_answers.get(question.id), supplier_answers.get(question.id)
        if ours in (None, "", []) or theirs in (None, "", []):
            continue
        if (ours == DONT_KNOW) != (theirs == DONT_KNOW):
            found.append(_item(question, ours, theirs, None))
            continue
        if ours == DONT_KNOW:
            continue
        if question.type == "scale":
            gap = abs(int(ours) - int(theirs))
            if gap > APART_STEPS:
                found.append(_item(question, ours, theirs, float(gap)))
            continue
        a, b = question.score_of(ours), question.score_of(theirs)
        if a is not None and b is not None and abs(a - b) > APART_SHARE:
            found.append(_item(question, ours, theirs, round(abs(a - b), 4)))
    return sorted(found, key=lambda d: (d.gap is None, -(d.gap or 0)))


def _item(question: Question, ours: Any, theirs: Any, gap: float | None) -> Disagreement:
    return Disagreement(question.id, question.dimension, question.text, ours, theirs, gap)

"""Score an assessment: answers in, dimension scores, levels, flags, requirements and advice out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core.questionnaire import DONT_KNOW, Question, Questionnaire

Answers = dict[str, Any]


@dataclass(frozen=True)
class DimensionScore:
    """One dimension's result; score is None when nothing in it was answered."""

    id: str
    score: float | None
    level: str | None
    answered: int
    unknown: int
    shown: int


@dataclass(frozen=True)
class RaisedFlag:
    """A warning that fired."""

    id: str
    severity: str
    dimension: str | None
    message: dict[str, str]
    steps: tuple[str, ...]


@dataclass(frozen=True)
class RequirementResult:
    """A requirement and whether the answers meet it."""

    id: str
    text: dict[str, str]
    met: bool
    dimension: str | None


@dataclass(frozen=True)
class Advice:
    """A recommendation for a dimension at its level, or for a flag, with toolbox steps."""

    source: str
    dimension: str | None
    text: dict[str, str]
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    """Everything the results page, the PDF and the API show."""

    questionnaire: str
    version: int
    dimensions: tuple[DimensionScore, ...]
    overall: float | None
    overall_level: str | None
    flags: tuple[RaisedFlag, ...]
    requirements: tuple[RequirementResult, ...]
    recommendations: tuple[Advice, ...]


def is_shown(question: Question, answers: Answers, questionnaire: Questionnaire) -> bool:
    """Whether a question is asked, given the answers so far (show_if)."""
    return question.show_if is None or holds(question.show_if, answers, questionnaire, {})


def holds(
    rule: dict[str, Any],
    answers: Answers,
    q: Questionnaire,
    dims: dict[str, Any],
    facts: dict[str, float | None] | None = None,
) -> bool:
    """Evaluate a rule from the questionnaire file; a condition on silence is false."""
    if "all" in rule:
        return all(holds(part, answers, q, dims, facts) for part in rule["all"])
    if "any" in rule:
        return any(holds(part, answers, q, dims, facts) for part in rule["any"])
    if "simulation" in rule:
        value = (facts or {}).get(rule["simulation"])
        if value is None:
            return False
        return value < rule["less_than"] if "less_than" in rule else value >= rule["at_least"]
    if "dimension" in rule:
        score = dims.get(rule["dimension"])
        return score is not None and score < rule["score_below"]
    question = q.questions.get(rule["question"])
    if question is None or not is_shown(question, answers, q):
        return False
    answer = answers.get(question.id)
    if answer is None or answer == "" or answer == []:
        return False
    if "unknown" in rule:
        return (answer == DONT_KNOW) == bool(rule["unknown"])
    if answer == DONT_KNOW:
        return False
    if "in" in rule or "not_in" in rule:
        values = {str(v) for v in rule.get("in", rule.get("not_in"))}
        chosen = {str(a) for a in answer} if isinstance(answer, list) else {str(answer)}
        hit = bool(chosen & values)
        return hit if "in" in rule else not hit
    if "less_than" in rule:
        return float(answer) < rule["less_than"]
    if "at_least" in rule:
        return float(answer) >= rule["at_least"]
    if "score_below" in rule:
        score = question.score_of(answer)
        return score is not None and score < rule["score_below"]
    return False


def score_dimension(
    questionnaire: Questionnaire, dimension_id: str, answers: Answers
) -> DimensionScore:
    """Weighted mean of the answered scored questions, 0–100; "don't know" is counted apart."""
    dimension = questionnaire.dimension(dimension_id)
    total = weights = 0.0
    answered = unknown = shown = 0
    for question in dimension.questions:
        if not question.scored or not is_shown(question, answers, questionnaire):
            continue
        shown += 1
        answer = answers.get(question.id)
        if answer == DONT_KNOW:
            unknown += 1
            continue
        score = question.score_of(answer)
        if score is None:
            continue
        answered += 1
        total += score * question.weight
        weights += question.weight
    score_100 = round(100 * total / weights, 1) if weights else None
    level = questionnaire.level_for(score_100).id if score_100 is not None else None
    return DimensionScore(dimension_id, score_100, level, answered, unknown, shown)


def score_assessment(
    questionnaire: Questionnaire, answers: Answers, facts: dict[str, float | None] | None = None
) -> Result:
    """Score every dimension, the whole, and collect flags, requirements and recommendations.

    `facts` are figures from a saved payment-model scenario (see SIMULATION_FACTS), if any.
    """
    dims = tuple(score_dimension(questionnaire, d.id, answers) for d in questionnaire.dimensions)
    by_id = {d.id: d.score for d in dims}
    scored = [d.score for d in dims if d.score is not None]
    overall = round(sum(scored) / len(scored), 1) if scored else None
    overall_level = questionnaire.level_for(overall).id if overall is not None else None

    flags = [
        RaisedFlag(f.id, f.severity, f.dimension, f.message, f.steps)
        for f in questionnaire.flags
        if holds(f.when, answers, questionnaire, by_id, facts)
    ]
    limits = questionnaire.unknown_flag
    for d in dims:
        if (
            d.unknown >= limits["min_count"]
            and d.shown
            and d.unknown / d.shown >= limits["min_share"]
        ):
            dimension = questionnaire.dimension(d.id)
            flags.append(
                RaisedFlag(
                    f"many_unknown_{d.id}",
                    limits["severity"],
                    d.id,
                    unknown_message(limits["message"], dimension.title, d.unknown),
                    dimension.steps,
                )
            )
    order = {"high": 0, "medium": 1, "low": 2}
    flags.sort(key=lambda f: order[f.severity])

    requirements = tuple(
        RequirementResult(r.id, r.text, holds(r.rule, answers, questionnaire, by_id), r.dimension)
        for r in questionnaire.requirements
    )
    advice = [Advice(f"flag:{f.id}", f.dimension, f.message, f.steps) for f in flags]
    for d in dims:
        if d.level is None:
            continue
        rec = questionnaire.dimension(d.id).recommendation_for(d.level)
        advice.append(Advice(f"dimension:{d.id}", d.id, rec.text, rec.steps))
    return Result(
        questionnaire.id,
        questionnaire.version,
        dims,
        overall,
        overall_level,
        tuple(flags),
        requirements,
        tuple(advice),
    )


def unknown_message(template: dict[str, str], title: dict[str, str], count: int) -> dict[str, str]:
    """The many-"don't know" warning from the manifest, with count and dimension filled in."""
    return {
        lang: text.replace("{count}", str(count)).replace("{dimension}", title[lang].lower())
        for lang, text in template.items()
    }

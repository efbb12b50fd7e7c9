"""Questionnaires as data: the dataclasses the app scores, and their plain-data description.

questionnaire_loader.py reads them from the YAML files and checks them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

LANGS = ("da", "sv")
TYPES = ("scale", "single", "multiple", "yes_partly_no", "number", "text")
SCORED_TYPES = frozenset({"scale", "single", "multiple", "yes_partly_no", "number"})
QUANTITIES = (
    "target_group_size",
    "participants_per_year",
    "programme_years",
    "success_rate_percent",
    "dropout_rate_percent",
    "cost_per_participant",
    "payment_per_success",
)
AUDIENCES = ("kommune", "leverandoer")
SEVERITIES = ("high", "medium", "low")
DONT_KNOW = "dont_know"
YES_PARTLY_NO = {"yes": 1.0, "partly": 0.5, "no": 0.0}
YES_PARTLY_NO_LABELS = {
    "yes": {"da": "Ja", "sv": "Ja"},
    "partly": {"da": "Delvist", "sv": "Delvis"},
    "no": {"da": "Nej", "sv": "Nej"},
}
DONT_KNOW_LABEL = {"da": "Ved ikke", "sv": "Vet ej"}
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
RULE_OPS = ("in", "not_in", "less_than", "at_least", "unknown", "score_below")
COUNTRIES = ("dk", "se")
COMBINES = ("sum", "max")
# A question of at least this weight is critical: "don't know" there is a finding, and a weak
# answer becomes one of the result's ordered actions.
CRITICAL_WEIGHT = 2.0
# Figures from a payment-model scenario saved with an assessment, usable in rules.
SIMULATION_FACTS = (
    "probability_target_met",
    "participants",
    "participants_short",
    "probability_investor_loss",
)

Text = dict[str, str]


@dataclass(frozen=True)
class Option:
    """One answer option of a single- or multiple-choice question."""

    value: str
    label: Text
    score: float
    exclusive: bool = False


@dataclass(frozen=True)
class QuestionAdvice:
    """The next step for a weak answer, per role, with where the toolbox helps."""

    text: dict[str, Text]  # role (kommune, leverandoer) -> text in da and sv
    steps: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()
    country: str | None = None

    def for_role(self, role: str) -> Text | None:
        """The text addressed to this role, if there is one."""
        return self.text.get(role)


@dataclass(frozen=True)
class Question:
    """One question; `score_of` turns an answer into 0..1."""

    id: str
    dimension: str
    type: str
    text: Text
    hint: Text | None = None
    weight: float = 1.0
    options: tuple[Option, ...] = ()
    steps: tuple[Text, ...] = ()
    unit: Text | None = None
    min: float | None = None
    max: float | None = None
    quantity: str | None = None
    bands: tuple[tuple[float, float], ...] = ()
    show_if: dict[str, Any] | None = field(default=None, compare=False, hash=False)
    audience: tuple[str, ...] = AUDIENCES
    combine: str = "sum"
    full_when: tuple[frozenset[str], ...] = ()
    key: bool = False
    score_cap: dict[str, Any] | None = field(default=None, compare=False, hash=False)
    advice: QuestionAdvice | None = None

    # Made once per question (its fields never change): scoring one assessment asks for these
    # some 400 times.
    @cached_property
    def scored(self) -> bool:
        """Whether the answer counts in the dimension's score."""
        return self.type in SCORED_TYPES and not (self.type == "number" and not self.bands)

    @cached_property
    def critical(self) -> bool:
        """Whether the question weighs enough to gate and to lead the actions."""
        return self.scored and self.weight >= CRITICAL_WEIGHT

    def exclusive_values(self) -> frozenset[str]:
        """Options that cannot be chosen together with any other (such as "none")."""
        return frozenset(o.value for o in self.options if o.exclusive)

    def choices(self) -> tuple[Option, ...]:
        """The options a respondent picks from, "don't know" not included."""
        return self._choices

    @cached_property
    def _choices(self) -> tuple[Option, ...]:
        if self.type == "yes_partly_no":
            return tuple(Option(v, YES_PARTLY_NO_LABELS[v], s) for v, s in YES_PARTLY_NO.items())
        if self.type == "scale":
            return tuple(Option(str(i + 1), step, i / 4) for i, step in enumerate(self.steps))
        return self.options

    @cached_property
    def _scores(self) -> dict[str, float]:
        """Each choice's score by its value."""
        return {o.value: o.score for o in self._choices}

    def score_of(self, answer: Any) -> float | None:
        """The answer's score 0..1, or None when it does not count (unanswered, unknown)."""
        if not self.scored or answer is None or answer == DONT_KNOW:
            return None
        if self.type == "number":
            reached = [score for minimum, score in self.bands if float(answer) >= minimum]
            return reached[-1] if reached else 0.0
        by_value = self._scores
        if self.type == "multiple":
            chosen = {v for v in answer if v in by_value}
            if any(combo <= chosen for combo in self.full_when):
                return 1.0
            scores = [by_value[v] for v in chosen]
            if self.combine == "max":
                return max(scores, default=0.0)
            return min(1.0, sum(scores))
        return by_value[str(answer)]


@dataclass(frozen=True)
class Dimension:
    """A dimension and the questions this questionnaire asks in it."""

    id: str
    title: Text
    description: Text
    steps: tuple[str, ...]
    questions: tuple[Question, ...]
    show_if: dict[str, Any] | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class Level:
    """A named maturity level and the lowest score that reaches it."""

    id: str
    min_score: float
    title: Text
    description: Text


@dataclass(frozen=True)
class Flag:
    """A warning raised when its rule holds."""

    id: str
    severity: str
    when: dict[str, Any] = field(compare=False, hash=False)
    message: Text = field(default_factory=dict)
    steps: tuple[str, ...] = ()
    dimension: str | None = None


@dataclass(frozen=True)
class Requirement:
    """A must-have that a fund requires, met when its rule holds."""

    id: str
    text: Text
    rule: dict[str, Any] = field(compare=False, hash=False)
    dimension: str | None = None


@dataclass(frozen=True)
class Questionnaire:
    """One questionnaire: dimensions in order, levels, flags and requirements."""

    id: str
    version: int
    title: Text
    intro: Text
    dimensions: tuple[Dimension, ...]
    levels: tuple[Level, ...]
    flags: tuple[Flag, ...]
    requirements: tuple[Requirement, ...]
    unknown_flag: dict[str, Any] = field(compare=False, hash=False)

    @cached_property
    def questions(self) -> dict[str, Question]:
        """Every question by id, in page order (made once: scoring asks for it per question)."""
        return {q.id: q for d in self.dimensions for q in d.questions}

    @cached_property
    def _dimensions_by_id(self) -> dict[str, Dimension]:
        return {d.id: d for d in self.dimensions}

    def dimension(self, dimension_id: str) -> Dimension:
        """A dimension by id (asked for each question's routing, so looked up in a dict)."""
        return self._dimensions_by_id[dimension_id]

    def level_for(self, score: float) -> Level:
        """The highest level whose threshold the score reaches."""
        reached = [lv for lv in self.levels if score >= lv.min_score]
        return reached[-1]


def describe(questionnaire: Questionnaire) -> dict[str, Any]:
    """The questionnaire as plain JSON-ready data, for the API and for analysis tools."""

    def question(q: Question) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": q.id,
            "dimension": q.dimension,
            "type": q.type,
            "text": q.text,
            "hint": q.hint,
            "weight": q.weight,
            "scored": q.scored,
            "critical": q.critical,
            "key": q.key,
            "show_if": q.show_if,
        }
        if q.type in ("scale", "single", "multiple", "yes_partly_no"):
            item["options"] = [
                {"value": o.value, "label": o.label, "score": o.score} for o in q.choices()
            ]
        if q.type == "multiple":
            item["combine"] = q.combine
            for option, described in zip(q.options, item["options"], strict=True):
                if option.exclusive:
                    described["exclusive"] = True
        if q.type == "number":
            item.update(min=q.min, max=q.max, unit=q.unit, quantity=q.quantity)
            item["bands"] = [{"min": lo, "score": sc} for lo, sc in q.bands]
        if q.scored:
            item.setdefault("options", []).append(
                {"value": DONT_KNOW, "label": DONT_KNOW_LABEL, "score": None}
            )
        return item

    return {
        "id": questionnaire.id,
        "version": questionnaire.version,
        "title": questionnaire.title,
        "intro": questionnaire.intro,
        "dimensions": [
            {
                "id": d.id,
                "title": d.title,
                "description": d.description,
                "steps": list(d.steps),
                "show_if": d.show_if,
            }
            for d in questionnaire.dimensions
        ],
        "questions": [question(q) for q in questionnaire.questions.values()],
        "levels": [
            {"id": lv.id, "min_score": lv.min_score, "title": lv.title}
            for lv in questionnaire.levels
        ],
        "requirements": [
            {"id": r.id, "dimension": r.dimension, "text": r.text, "rule": r.rule}
            for r in questionnaire.requirements
        ],
        "flags": [
            {"id": f.id, "severity": f.severity, "dimension": f.dimension, "message": f.message}
            for f in questionnaire.flags
        ],
    }

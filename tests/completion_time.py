"""How long a questionnaire takes: a reproducible walk of its shortest and longest route.

The method, so that the figure in each manifest's intro can be checked and recomputed:
- A route is one combination of answers to the routing questions (every question that a
  `show_if` names, in a question or in the manifest). Each routing question is tried with every
  value its rules name, one value they do not name, and "don't know"; a number with the values on
  each side of every threshold its rules name. Every combination is walked.
- On a route, a respondent reads each page that has a question to ask (the dimension's title and
  description) and every question put to them: its text, hint and answer options, "don't know"
  included. Reading runs at READING_WORDS_PER_MINUTE.
- Choosing an answer costs ANSWER_SECONDS, a number NUMBER_SECONDS (a figure may have to be looked
  up). Free-text questions and the optional notes are read, not written: they are optional.
- The intro is read once. Both languages are walked; the range runs from the quickest route in
  either language to the slowest, rounded outwards to whole five minutes.

Run `python -m tests.completion_time` to print the figures.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.core.questionnaire import DONT_KNOW, DONT_KNOW_LABEL, LANGS, Question, Questionnaire
from app.core.questionnaire_loader import load_questionnaires
from app.core.scoring import is_shown

READING_WORDS_PER_MINUTE = 200
ANSWER_SECONDS = 10
NUMBER_SECONDS = 30
WORD = re.compile(r"\w+")

ROOT = Path(__file__).resolve().parent.parent / "questionnaires"


def words(text: str | None) -> int:
    """Words in a text, as a reader counts them."""
    return len(WORD.findall(text or ""))


def _rules(questionnaire: Questionnaire) -> Iterator[dict[str, Any]]:
    for dimension in questionnaire.dimensions:
        if dimension.show_if:
            yield dimension.show_if
        for question in dimension.questions:
            if question.show_if:
                yield question.show_if


def _conditions(rule: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if "all" in rule or "any" in rule:
        for part in rule.get("all") or rule.get("any") or []:
            yield from _conditions(part)
    elif "question" in rule:
        yield rule


def routing_values(questionnaire: Questionnaire) -> dict[str, list[Any]]:
    """Every routing question of this questionnaire and the answers worth trying on it."""
    values: dict[str, list[Any]] = {}
    for rule in _rules(questionnaire):
        for condition in _conditions(rule):
            question = questionnaire.questions.get(condition["question"])
            if question is None:  # the other audience's question: never asked here
                continue
            tried = values.setdefault(question.id, [DONT_KNOW] if question.scored else [])
            if question.type == "number":
                for op in ("less_than", "at_least"):
                    if op in condition:
                        tried += [condition[op] - 1, condition[op]]
            else:
                named = [str(v) for v in condition.get("in", condition.get("not_in", []))]
                other = [o.value for o in question.choices() if o.value not in named][:1]
                tried += named + other
    return {qid: list(dict.fromkeys(tried)) for qid, tried in values.items()}


def routes(questionnaire: Questionnaire) -> Iterator[dict[str, Any]]:
    """Every combination of answers to the routing questions."""
    values = routing_values(questionnaire)
    for combination in itertools.product(*values.values()):
        answers = {}
        for qid, value in zip(values, combination, strict=True):
            question = questionnaire.questions[qid]
            answers[qid] = [value] if question.type == "multiple" and value != DONT_KNOW else value
        yield answers


def question_seconds(question: Question, lang: str) -> float:
    """Reading a question and its options, and choosing an answer."""
    read = words(question.text[lang]) + words((question.hint or {}).get(lang))
    if question.type in ("scale", "single", "multiple", "yes_partly_no"):
        read += sum(words(o.label[lang]) for o in question.choices())
    if question.scored:
        read += words(DONT_KNOW_LABEL[lang])
    seconds = 60 * read / READING_WORDS_PER_MINUTE
    if question.type == "number":
        return seconds + NUMBER_SECONDS
    return seconds + (ANSWER_SECONDS if question.type != "text" else 0)


def _routed_by(questionnaire: Questionnaire, question: Question) -> tuple[str, ...]:
    """The routing questions whose answers decide whether this question is asked."""
    rules = [questionnaire.dimension(question.dimension).show_if, question.show_if]
    return tuple(sorted({c["question"] for r in rules if r for c in _conditions(r)}))


def asked_on(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[Question]:
    """The questions put to a respondent on a route (memoised on the answers that route them)."""
    memo = questionnaire.__dict__.setdefault("_asked_memo", {})  # a walk's cache, not state
    asked = []
    for question in questionnaire.questions.values():
        key = (question.id, tuple(str(answers.get(r)) for r in _routed_by(questionnaire, question)))
        if key not in memo:
            memo[key] = is_shown(question, answers, questionnaire)
        if memo[key]:
            asked.append(question)
    return asked


def route_minutes(questionnaire: Questionnaire, answers: dict[str, Any], lang: str) -> float:
    """Minutes a respondent spends on one route."""
    costs = questionnaire.__dict__.setdefault("_costs_memo", {})  # a walk's cache, not state
    if lang not in costs:
        costs[lang] = (
            {q.id: question_seconds(q, lang) for q in questionnaire.questions.values()},
            {
                d.id: 60
                * (words(d.title[lang]) + words(d.description[lang]))
                / READING_WORDS_PER_MINUTE
                for d in questionnaire.dimensions
            },
        )
    per_question, per_page = costs[lang]
    asked = asked_on(questionnaire, answers)
    seconds = 60 * words(questionnaire.intro[lang]) / READING_WORDS_PER_MINUTE
    seconds += sum(per_page[d] for d in {q.dimension for q in asked})
    seconds += sum(per_question[q.id] for q in asked)
    return seconds / 60


def completion_range(questionnaire: Questionnaire) -> tuple[int, int]:
    """The quickest and the slowest route in either language, in whole five minutes."""
    minutes = [
        route_minutes(questionnaire, answers, lang)
        for answers in routes(questionnaire)
        for lang in LANGS
    ]
    return 5 * math.floor(min(minutes) / 5), 5 * math.ceil(max(minutes) / 5)


def stated_range(lang: str, low: int, high: int) -> str:
    """How the range reads in a manifest's intro."""
    unit = {"da": "minutter", "sv": "minuter"}[lang]
    return f"{low}–{high} {unit}"


if __name__ == "__main__":
    for qid, questionnaire in load_questionnaires(ROOT).items():
        every = list(routes(questionnaire))
        low, high = completion_range(questionnaire)
        print(f"{qid}: {len(every)} routes, {low}–{high} minutes")

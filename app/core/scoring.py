"""Score an assessment: answers in; scores, gated levels, warnings, requirements and actions out.

The method is described, with worked examples, in questionnaires/README.md. In short:
- every scored answer becomes 0..1; "don't know" counts as the lowest step, so it can never raise a
  score;
- a dimension shows a score and a level only when at least half of its scored questions have an
  answer other than "don't know";
- a high-severity warning, an unmet requirement or a dimension without enough answers caps the
  level of its dimension and of the whole at CAP_LEVEL;
- the actions come from the weakest critical answers, each with its own next step.

Rules are read with three values: true, false, and unknown (a "don't know" decides them). A
question whose routing question was answered "don't know" is not asked, but counts as "don't know":
what cannot be ruled out is not assumed away.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from app.core.questionnaire import DONT_KNOW, Question, Questionnaire

Answers = dict[str, Any]
Truth = bool | None  # None: a "don't know" decides it

# Where a gate caps a level: the third of the five levels ("Under udvikling").
CAP_INDEX = 2
# The three scores the site exists for, in the order they are shown.
HEADLINE = ("organisation", "target_group", "payment_model")
MAX_ACTIONS = 5
# An answer scoring below this on a critical question is weak enough to need a next step.
WEAK_BELOW = 0.75
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class DimensionScore:
    """One dimension's result.

    status is "scored", "not_enough_answers" or "not_applicable"; score and level are None
    unless scored. uncapped_level is the level the score alone would give.
    """

    id: str
    score: float | None
    level: str | None
    answered: int
    unknown: int
    shown: int
    status: str = "scored"
    uncapped_level: str | None = None
    capped: bool = False


@dataclass(frozen=True)
class RaisedFlag:
    """A warning that fired; certain is False when it only cannot be ruled out."""

    id: str
    severity: str
    dimension: str | None
    message: dict[str, str]
    steps: tuple[str, ...]
    certain: bool = True


@dataclass(frozen=True)
class RequirementResult:
    """A requirement and whether the answers meet it (not applicable when routed away)."""

    id: str
    text: dict[str, str]
    met: bool
    dimension: str | None
    applicable: bool = True


@dataclass(frozen=True)
class Action:
    """A next step that comes from one weak answer, with where the toolbox helps."""

    question: str
    dimension: str
    text: dict[str, str]
    steps: tuple[str, ...]
    templates: tuple[str, ...] = ()
    country: str | None = None
    unknown: bool = False
    critical: bool = True
    question_text: dict[str, str] | None = None


@dataclass(frozen=True)
class Gate:
    """Why a level is capped: counts of what stands in the way."""

    requirements_unmet: int = 0
    high_flags: int = 0
    dimensions_without_answers: int = 0

    @property
    def closed(self) -> bool:
        return bool(self.requirements_unmet or self.high_flags or self.dimensions_without_answers)


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
    actions: tuple[Action, ...] = ()
    advice: tuple[Action, ...] = ()
    uncapped_level: str | None = None
    gate: Gate = Gate()
    requirements_met: int = 0
    requirements_total: int = 0
    headline: tuple[str, ...] = HEADLINE


# --- rules with three values ---------------------------------------------------------------------


def _and(values: list[Truth]) -> Truth:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(values: list[Truth]) -> Truth:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


class Known(dict):
    """Answers while one assessment is scored, with what has been worked out from them.

    Scoring asks whether a question is asked, and what its answer counts for, many times over: a
    supplier's page routed on the number of partners asks it for each of its questions, and the
    scores, warnings and advice each ask again. The answers do not change while it is scored, so
    each is worked out once per question. score_assessment makes one from the answers (a copy);
    every function here takes plain answers as before.
    """

    __slots__ = ("asked", "counted", "questionnaire")

    def __init__(self, answers: Answers, questionnaire: Questionnaire) -> None:
        super().__init__(answers)
        self.questionnaire = questionnaire
        self.asked: dict[str, Truth] = {}
        self.counted: dict[str, tuple[Any, float | None]] = {}


def applies(question: Question, answers: Answers, questionnaire: Questionnaire) -> Truth:
    """Whether a question is asked: True, False (routed away) or None (its routing is unknown)."""
    rules = [questionnaire.dimension(question.dimension).show_if, question.show_if]
    if rules[0] is None and rules[1] is None:  # most questions: always asked
        return True
    known = answers if type(answers) is Known and answers.questionnaire is questionnaire else None
    if known is not None and question.id in known.asked:
        return known.asked[question.id]
    asked = _and([truth(rule, answers, questionnaire) for rule in rules if rule is not None])
    if known is not None:
        known.asked[question.id] = asked
    return asked


def is_shown(question: Question, answers: Answers, questionnaire: Questionnaire) -> bool:
    """Whether a question is put to the respondent, given the answers so far."""
    return applies(question, answers, questionnaire) is True


def answer_of(question: Question, answers: Answers, questionnaire: Questionnaire) -> Any:
    """The answer that counts: None when routed away or unanswered, "don't know" when unsettled."""
    asked = applies(question, answers, questionnaire)
    if asked is False:
        return None
    if asked is None:
        return DONT_KNOW
    answer = answers.get(question.id)
    return None if answer is None or answer == "" or answer == [] else answer


def truth(
    rule: dict[str, Any],
    answers: Answers,
    q: Questionnaire,
    dims: dict[str, float | None] | None = None,
    facts: dict[str, float | None] | None = None,
) -> Truth:
    """Evaluate a rule from the questionnaire files; a condition on silence is false."""
    if "all" in rule:
        return _and([truth(part, answers, q, dims, facts) for part in rule["all"]])
    if "any" in rule:
        return _or([truth(part, answers, q, dims, facts) for part in rule["any"]])
    if "simulation" in rule:
        value = (facts or {}).get(rule["simulation"])
        if value is None:
            return False
        return value < rule["less_than"] if "less_than" in rule else value >= rule["at_least"]
    if "dimension" in rule:
        score = (dims or {}).get(rule["dimension"])
        return score is not None and score < rule["score_below"]
    question = q.questions.get(rule["question"])
    if question is None:
        return False
    answer = answer_of(question, answers, q)
    if answer is None:
        return False
    if "unknown" in rule:
        return (answer == DONT_KNOW) == bool(rule["unknown"])
    if answer == DONT_KNOW:
        return None
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
        score = question_score(question, answer, answers, q)
        return score is not None and score < rule["score_below"]
    return False


def holds(
    rule: dict[str, Any],
    answers: Answers,
    q: Questionnaire,
    dims: dict[str, Any] | None = None,
    facts: dict[str, float | None] | None = None,
) -> bool:
    """Whether a rule certainly holds."""
    return truth(rule, answers, q, dims, facts) is True


# --- scores -----------------------------------------------------------------------------------


def question_score(
    question: Question, answer: Any, answers: Answers, questionnaire: Questionnaire
) -> float | None:
    """An answer's score 0..1: "don't know" is the lowest step; a cap applies unless ruled out."""
    if not question.scored or answer is None:
        return None
    if answer == DONT_KNOW:
        return 0.0
    score = question.score_of(answer)
    cap = question.score_cap
    ruled_out = cap is None or truth(cap["when"], answers, questionnaire) is False
    if score is not None and cap is not None and not ruled_out:
        score = min(score, float(cap["max"]))
    return score


def counted(
    question: Question, answers: Answers, questionnaire: Questionnaire
) -> tuple[Any, float | None]:
    """The answer that counts (answer_of) and its score (question_score)."""
    known = answers if type(answers) is Known and answers.questionnaire is questionnaire else None
    if known is not None and question.id in known.counted:
        return known.counted[question.id]
    answer = answer_of(question, answers, questionnaire)
    found = (answer, question_score(question, answer, answers, questionnaire))
    if known is not None:
        known.counted[question.id] = found
    return found


def score_dimension(
    questionnaire: Questionnaire, dimension_id: str, answers: Answers
) -> tuple[DimensionScore, float | None]:
    """The dimension's result, and its raw score (also when too few answers to show it)."""
    dimension = questionnaire.dimension(dimension_id)
    total = weights = 0.0
    answered = unknown = shown = 0
    for question in dimension.questions:
        if not question.scored or applies(question, answers, questionnaire) is False:
            continue
        shown += 1
        answer, score = counted(question, answers, questionnaire)
        if score is None:
            continue
        if answer == DONT_KNOW:
            unknown += 1
        else:
            answered += 1
        total += score * question.weight
        weights += question.weight
    raw = round(100 * total / weights, 1) if weights else None
    if shown == 0:
        status = "not_applicable"
    elif 2 * answered < shown:
        status = "not_enough_answers"
    else:
        status = "scored"
    score = raw if status == "scored" else None
    level = questionnaire.level_for(score).id if score is not None else None
    return DimensionScore(dimension_id, score, level, answered, unknown, shown, status, level), raw


def capped(questionnaire: Questionnaire, level: str | None, gate: Gate) -> str | None:
    """The level, lowered to the cap when a gate is closed."""
    if level is None or not gate.closed:
        return level
    ids = [lv.id for lv in questionnaire.levels]
    return ids[min(ids.index(level), CAP_INDEX)]


def score_assessment(
    questionnaire: Questionnaire,
    answers: Answers,
    facts: dict[str, float | None] | None = None,
    role: str | None = None,
) -> Result:
    """Score every dimension and the whole; gate the levels; collect warnings and actions.

    `facts` are figures from a saved payment-model scenario (see SIMULATION_FACTS), if any.
    `role` is the respondent's role; it defaults to the questionnaire's own audience.
    """
    role = role or questionnaire.id
    answers = Known(answers, questionnaire)
    scored = [score_dimension(questionnaire, d.id, answers) for d in questionnaire.dimensions]
    raw = {d.id: r for d, r in scored}

    flags = raised_flags(questionnaire, answers, raw, facts, [d for d, _ in scored])
    requirements = tuple(
        RequirementResult(
            r.id,
            r.text,
            holds(r.rule, answers, questionnaire, raw),
            r.dimension,
            requirement_applies(r.rule, answers, questionnaire),
        )
        for r in questionnaire.requirements
    )
    counted = [r for r in requirements if r.applicable]

    dims = []
    for d, _ in scored:
        gate = Gate(
            sum(1 for r in counted if r.dimension == d.id and not r.met),
            sum(1 for f in flags if f.dimension == d.id and f.severity == "high"),
            0 if d.status != "not_enough_answers" else 1,
        )
        level = capped(questionnaire, d.level, gate)
        dims.append(_with_level(d, level, level != d.level))

    # The whole counts every dimension's raw score (a dimension with too few answers too, so a
    # "don't know" cannot lift it), and has none when no dimension has enough answers.
    raw_scores = [r for r in raw.values() if r is not None]
    any_scored = any(d.status == "scored" for d, _ in scored)
    overall = round(sum(raw_scores) / len(raw_scores), 1) if raw_scores and any_scored else None
    uncapped = questionnaire.level_for(overall).id if overall is not None else None
    gate = Gate(
        sum(1 for r in counted if not r.met),
        sum(1 for f in flags if f.severity == "high"),
        sum(1 for d in dims if d.status == "not_enough_answers"),
    )
    actions, more = advice_from_answers(questionnaire, answers, role)
    return Result(
        questionnaire.id,
        questionnaire.version,
        tuple(dims),
        overall,
        capped(questionnaire, uncapped, gate),
        tuple(flags),
        requirements,
        tuple(actions),
        tuple(more),
        uncapped,
        gate,
        sum(1 for r in counted if r.met),
        len(counted),
        tuple(h for h in HEADLINE if any(d.id == h for d in questionnaire.dimensions)),
    )


def _with_level(d: DimensionScore, level: str | None, was_capped: bool) -> DimensionScore:
    return DimensionScore(
        d.id, d.score, level, d.answered, d.unknown, d.shown, d.status, d.level, was_capped
    )


def requirement_applies(rule: dict[str, Any], answers: Answers, q: Questionnaire) -> bool:
    """A requirement applies unless every question it names is routed away."""
    named = _questions_in(rule)
    if not named:
        return True
    return any(
        applies(q.questions[qid], answers, q) is not False for qid in named if qid in q.questions
    )


def _questions_in(rule: dict[str, Any]) -> set[str]:
    if "all" in rule or "any" in rule:
        return set().union(*(_questions_in(p) for p in rule.get("all") or rule.get("any") or []))
    return {rule["question"]} if "question" in rule else set()


def raised_flags(
    questionnaire: Questionnaire,
    answers: Answers,
    raw: dict[str, float | None],
    facts: dict[str, float | None] | None,
    dims: list[DimensionScore],
) -> list[RaisedFlag]:
    """Warnings that fire, and high ones that a "don't know" leaves open, highest first.

    An open high warning cannot be ruled out: it is listed as such and caps like one that fired.
    """
    fired = []
    for f in questionnaire.flags:
        value = truth(f.when, answers, questionnaire, raw, facts)
        if value is True:
            fired.append(RaisedFlag(f.id, f.severity, f.dimension, f.message, f.steps))
        elif value is None and f.severity == "high":
            fired.append(RaisedFlag(f.id, f.severity, f.dimension, f.message, f.steps, False))
    limits = questionnaire.unknown_flag
    for d in dims:
        many = d.unknown >= limits["min_count"]
        if many and d.shown and d.unknown / d.shown >= limits["min_share"]:
            dimension = questionnaire.dimension(d.id)
            fired.append(
                RaisedFlag(
                    f"many_unknown_{d.id}",
                    limits["severity"],
                    d.id,
                    unknown_message(limits["message"], dimension.title, d.unknown),
                    dimension.steps,
                )
            )
    fired.sort(key=lambda f: (SEVERITY_ORDER[f.severity], not f.certain))
    return fired


# --- advice from the answers ------------------------------------------------------------------


def advice_from_answers(
    questionnaire: Questionnaire, answers: Answers, role: str
) -> tuple[list[Action], list[Action]]:
    """At most five ordered actions from the weakest critical answers, then the other advice.

    Only weak answers get advice (below WEAK_BELOW, or "don't know"), so nothing the respondent
    says is done is ever advised. The weakest come first; among equals, the heavier question, then
    page order, which follows the process from the welfare challenge on (foundations first).
    """
    found = []
    for order, question in enumerate(questionnaire.questions.values()):
        if not question.scored:
            continue
        answer, score = counted(question, answers, questionnaire)
        if score is None or score >= WEAK_BELOW:
            continue
        action = action_for(question, answer, role, questionnaire)
        if action is None:
            continue
        found.append(((score, -question.weight, order), action))
    found.sort(key=lambda item: item[0])
    ordered = [a for _, a in found]
    actions = [a for a in ordered if a.critical][:MAX_ACTIONS]
    taken = {a.question for a in actions}  # one action per question
    rest = [a for a in ordered if a.question not in taken]
    return actions, rest


def action_for(
    question: Question, answer: Any, role: str, questionnaire: Questionnaire
) -> Action | None:
    """The next step for a weak answer to this question, addressed to the role, if any.

    Without written advice, a scale question's next step is the text of the step above the
    answer, and a "don't know" asks the respondent to find out.
    """
    unknown = answer == DONT_KNOW
    advice = question.advice
    text = advice.for_role(role) if advice else None
    if advice is not None and text is None:
        return None  # the advice is written for the other role only
    if text is None and unknown:
        text = question.text
    if text is None and question.type == "scale":
        step = int(answer)
        if step >= len(question.steps):
            return None
        text = question.steps[step]
    if text is None:
        return None
    steps = (advice.steps if advice else ()) or questionnaire.dimension(question.dimension).steps
    return Action(
        question.id,
        question.dimension,
        text,
        steps,
        advice.templates if advice else (),
        advice.country if advice else None,
        unknown,
        question.critical,
        question.text,
    )


def unknown_message(template: dict[str, str], title: dict[str, str], count: int) -> dict[str, str]:
    """The many-"don't know" warning from the manifest, with count and dimension filled in."""
    return {
        lang: text.replace("{count}", str(count)).replace("{dimension}", title[lang].lower())
        for lang, text in template.items()
    }


# Each result dataclass's field names, looked up once (dataclasses.fields is slow to ask).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_SCALARS = frozenset({str, int, float, bool, type(None)})


def as_plain(value: Any) -> Any:
    """dataclasses.asdict for a result: the same dicts, lists and tuples, made without deep-copying
    every string and number on the way (which was about half the time of a submit)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    names = _FIELD_NAMES.get(kind)
    if names is None and is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
    if names is not None:
        return {name: as_plain(getattr(value, name)) for name in names}
    if kind is list:
        return [as_plain(v) for v in value]
    if kind is tuple:
        return tuple([as_plain(v) for v in value])
    if kind is dict:
        return {as_plain(k): as_plain(v) for k, v in value.items()}
    if isinstance(value, str | int | float | bool):
        return value
    return copy.deepcopy(value)  # anything else, as asdict would

"""Questionnaires as data: load the YAML files once, validate them, fail naming file and field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Any

from app.core import yamlio

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


class QuestionnaireError(ValueError):
    """A questionnaire file is broken; the message names the file and the field."""


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


# --- reading and checking ---------------------------------------------------------------------


class _Reader:
    """Reads fields from one file's mapping, raising errors that name the file and the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, reason: str) -> QuestionnaireError:
        return QuestionnaireError(f"{self.source}: {where}: {reason}")

    def mapping(self, data: Any, where: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(where, "must be a mapping")
        return data

    def text(self, data: dict, key: str, where: str, optional: bool = False) -> Text | None:
        value = data.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, dict) or any(
            not isinstance(value.get(lang), str) or not value[lang].strip() for lang in LANGS
        ):
            raise self.fail(f"{where}.{key}", "needs a text in both da and sv")
        return {lang: value[lang].strip() for lang in LANGS}

    def ident(self, data: dict, key: str, where: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not ID_RE.match(value):
            raise self.fail(f"{where}.{key}", "must be an id of lower-case letters, digits and _")
        return value

    def number(self, data: dict, key: str, where: str, lo: float, hi: float) -> float:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            raise self.fail(f"{where}.{key}", f"must be a number from {lo} to {hi}")
        return float(value)

    def id_list(self, data: dict, key: str, where: str, allowed: tuple[str, ...] | None = None):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{where}.{key}", "must be a list of ids")
        if allowed is not None:
            for v in value:
                if v not in allowed:
                    raise self.fail(f"{where}.{key}", f"'{v}' is not one of {list(allowed)}")
        return tuple(value)


def _load_yaml(path: Path) -> Any:
    import yaml  # as yamlio: only when the questionnaires are built

    try:
        return yamlio.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuestionnaireError(f"{path}: cannot be read as YAML: {exc}") from exc


def parse_question(data: Any, dimension: str, where: str, r: _Reader) -> Question:
    """Read one question and check the fields its type needs."""
    data = r.mapping(data, where)
    qid = r.ident(data, "id", where)
    where = f"question '{qid}'"
    qtype = data.get("type")
    if qtype not in TYPES:
        raise r.fail(f"{where}.type", f"must be one of {list(TYPES)}")
    weight = r.number(data, "weight", where, 0.1, 10) if "weight" in data else 1.0
    audience = r.id_list(data, "audience", where, AUDIENCES) or AUDIENCES
    fields: dict[str, Any] = {}
    if qtype == "scale":
        steps = data.get("steps")
        if not isinstance(steps, list) or len(steps) != 5:
            raise r.fail(f"{where}.steps", "a scale needs exactly five steps")
        fields["steps"] = tuple(
            r.text({"s": s}, "s", f"{where}.steps[{i + 1}]") for i, s in enumerate(steps)
        )
    if qtype in ("single", "multiple"):
        raw = data.get("options")
        if not isinstance(raw, list) or len(raw) < 2:
            raise r.fail(f"{where}.options", "needs at least two options")
        options = []
        for i, item in enumerate(raw):
            spot = f"{where}.options[{i + 1}]"
            item = r.mapping(item, spot)
            value = item.get("value")
            if not isinstance(value, str) or not value or value == DONT_KNOW:
                raise r.fail(f"{spot}.value", "must be a text other than dont_know")
            label = r.text(item, "label", spot)
            exclusive = item.get("exclusive", False)
            if not isinstance(exclusive, bool) or (exclusive and qtype != "multiple"):
                raise r.fail(f"{spot}.exclusive", "is true or false, and only for multiple choice")
            options.append(
                Option(value, label, r.number(item, "score", spot, 0, 1), exclusive)  # type: ignore[arg-type]
            )
        if len({o.value for o in options}) != len(options):
            raise r.fail(f"{where}.options", "values must be unique")
        fields["options"] = tuple(options)
        if qtype == "multiple":
            fields.update(multiple_scoring(data, where, r, {o.value for o in options}))
    if qtype == "number":
        fields["unit"] = r.text(data, "unit", where)
        fields["min"] = r.number(data, "min", where, -1e12, 1e12)
        fields["max"] = r.number(data, "max", where, fields["min"], 1e12)
        if "quantity" in data:
            if data["quantity"] not in QUANTITIES:
                raise r.fail(f"{where}.quantity", f"must be one of {list(QUANTITIES)}")
            fields["quantity"] = data["quantity"]
        bands = []
        for i, band in enumerate(data.get("bands") or []):
            spot = f"{where}.bands[{i + 1}]"
            band = r.mapping(band, spot)
            bands.append(
                (r.number(band, "min", spot, -1e12, 1e12), r.number(band, "score", spot, 0, 1))
            )
        bands.sort()
        if any(b[1] < a[1] for a, b in pairwise(bands)):
            raise r.fail(f"{where}.bands", "scores must not fall as min rises")
        fields["bands"] = tuple(bands)
    question_fields = fields
    if qtype in ("single", "multiple"):
        scores = [o.score for o in question_fields["options"]]
        summed = qtype == "multiple" and fields.get("combine") != "max"
        best = sum(scores) if summed else max(scores)
        if fields.get("full_when"):
            best = 1
        if best < 1 or min(scores) > 0:
            raise r.fail(f"{where}.options", "the best answer must score 1 and the worst 0")
    if qtype == "number" and question_fields["bands"]:
        bands = question_fields["bands"]
        if bands[-1][1] != 1 or (bands[0][0] <= question_fields["min"] and bands[0][1] != 0):
            raise r.fail(f"{where}.bands", "the highest band must score 1 and the lowest 0")
    key = data.get("key", False)
    if not isinstance(key, bool) or (key and qtype not in SCORED_TYPES):
        raise r.fail(f"{where}.key", "is true or false, and only for a scored question")
    if "score_cap" in data:
        cap = r.mapping(data["score_cap"], f"{where}.score_cap")
        if set(cap) != {"when", "max"}:
            raise r.fail(f"{where}.score_cap", "is {when: rule, max: 0..1}")
        r.number(cap, "max", f"{where}.score_cap", 0, 1)
        fields["score_cap"] = cap
    if "advice" in data:
        fields["advice"] = parse_advice(data["advice"], f"{where}.advice", r, audience)
    return Question(
        id=qid,
        dimension=dimension,
        type=qtype,
        key=key,
        text=r.text(data, "text", where),  # type: ignore[arg-type]
        hint=r.text(data, "hint", where, optional=True),
        weight=weight,
        show_if=data.get("show_if"),
        audience=audience,
        **fields,
    )


def multiple_scoring(data: dict, where: str, r: _Reader, values: set[str]) -> dict[str, Any]:
    """How a multiple-choice answer is scored: summed or the strongest, and full-mark sets."""
    combine = data.get("combine", "sum")
    if combine not in COMBINES:
        raise r.fail(f"{where}.combine", f"must be one of {list(COMBINES)}")
    combos = data.get("full_when", [])
    if not isinstance(combos, list) or not all(
        isinstance(c, list) and len(c) >= 2 and set(c) <= values for c in combos
    ):
        raise r.fail(f"{where}.full_when", "must be a list of option-value lists (two or more)")
    return {"combine": combine, "full_when": tuple(frozenset(map(str, c)) for c in combos)}


def parse_advice(data: Any, where: str, r: _Reader, audience: tuple[str, ...]) -> QuestionAdvice:
    """A question's next step: one text for every role, or one per role."""
    data = r.mapping(data, where)
    unknown = set(data) - {"text", "steps", "templates", "country"}
    if unknown:
        raise r.fail(where, f"unknown field(s) {sorted(unknown)}")
    raw = r.mapping(data.get("text"), f"{where}.text")
    if set(raw) <= set(AUDIENCES) and raw:
        texts = {role: r.text(raw, role, f"{where}.text") for role in raw}
    else:
        shared = r.text(data, "text", where)
        texts = {role: shared for role in audience}
    country = data.get("country")
    if country is not None and country not in COUNTRIES:
        raise r.fail(f"{where}.country", f"must be one of {list(COUNTRIES)}")
    return QuestionAdvice(
        texts,  # type: ignore[arg-type]
        r.id_list(data, "steps", where),
        r.id_list(data, "templates", where),
        country,
    )


def check_rule(rule: Any, where: str, r: _Reader, questions: dict[str, Question]) -> None:
    """A rule must name known questions and dimensions and use known operators."""
    rule = r.mapping(rule, where)
    if set(rule) in ({"all"}, {"any"}):
        parts = next(iter(rule.values()))
        if not isinstance(parts, list) or not parts:
            raise r.fail(where, "all/any needs a list of rules")
        for i, part in enumerate(parts):
            check_rule(part, f"{where}[{i + 1}]", r, questions)
        return
    if "dimension" in rule:
        if set(rule) != {"dimension", "score_below"}:
            raise r.fail(where, "a dimension rule is {dimension: id, score_below: number}")
        return
    if "simulation" in rule:
        ops = [k for k in rule if k != "simulation"]
        if rule["simulation"] not in SIMULATION_FACTS:
            raise r.fail(f"{where}.simulation", f"must be one of {list(SIMULATION_FACTS)}")
        if len(ops) != 1 or ops[0] not in ("less_than", "at_least"):
            raise r.fail(where, "a simulation rule needs less_than or at_least")
        if isinstance(rule[ops[0]], bool) or not isinstance(rule[ops[0]], int | float):
            raise r.fail(f"{where}.{ops[0]}", "must be a number")
        return
    if "question" not in rule:
        raise r.fail(where, "needs 'question', 'dimension', 'all' or 'any'")
    if rule["question"] not in questions:
        raise r.fail(f"{where}.question", f"unknown question '{rule['question']}'")
    ops = [k for k in rule if k != "question"]
    if len(ops) != 1 or ops[0] not in RULE_OPS:
        raise r.fail(where, f"needs exactly one of {list(RULE_OPS)}")
    question, op = questions[rule["question"]], ops[0]
    if op in ("in", "not_in"):
        values = rule[op]
        allowed = {o.value for o in question.choices()}
        if not isinstance(values, list) or not all(str(v) in allowed for v in values):
            raise r.fail(f"{where}.{op}", f"values must be among {sorted(allowed)}")
    if op in ("less_than", "at_least", "score_below"):
        value = rule[op]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise r.fail(f"{where}.{op}", "must be a number")
    if op in ("less_than", "at_least") and question.type != "number":
        raise r.fail(f"{where}.{op}", "compares numbers, but the question is not a number")
    if op == "unknown" and not isinstance(rule[op], bool):
        raise r.fail(f"{where}.unknown", "must be true or false")


def load_dimension(path: Path) -> tuple[dict, _Reader]:
    """Read one dimension file (checked later against the manifest that uses it)."""
    r = _Reader(str(path))
    return r.mapping(_load_yaml(path), "file"), r


def build_questionnaire(
    path: Path, dimension_files: dict[str, tuple[dict, _Reader]]
) -> Questionnaire:
    """Read a manifest and assemble its dimensions, questions, flags and requirements."""
    r = _Reader(str(path))
    data = r.mapping(_load_yaml(path), "file")
    qid = r.ident(data, "id", "file")
    if qid not in AUDIENCES:
        raise r.fail("id", f"must be one of {list(AUDIENCES)}")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise r.fail("version", "must be a whole number from 1")

    levels = []
    raw_levels = data.get("levels")
    if not isinstance(raw_levels, list) or len(raw_levels) != 5:
        raise r.fail("levels", "needs exactly five levels")
    for i, item in enumerate(raw_levels):
        spot = f"levels[{i + 1}]"
        item = r.mapping(item, spot)
        levels.append(
            Level(
                r.ident(item, "id", spot),
                r.number(item, "min_score", spot, 0, 100),
                r.text(item, "title", spot),  # type: ignore[arg-type]
                r.text(item, "description", spot),  # type: ignore[arg-type]
            )
        )
    if levels[0].min_score != 0 or any(b.min_score <= a.min_score for a, b in pairwise(levels)):
        raise r.fail("levels", "min_score must start at 0 and rise level by level")
    raw_rules: list[tuple[Any, str, _Reader]] = []

    unknown = r.mapping(data.get("unknown_flag"), "unknown_flag")
    r.number(unknown, "min_count", "unknown_flag", 1, 100)
    r.number(unknown, "min_share", "unknown_flag", 0, 1)
    if unknown.get("severity") not in SEVERITIES:
        raise r.fail("unknown_flag.severity", f"must be one of {list(SEVERITIES)}")
    unknown = {**unknown, "message": r.text(unknown, "message", "unknown_flag")}

    raw_dimensions = data.get("dimensions")
    if not isinstance(raw_dimensions, list):
        raise r.fail("dimensions", "must be a list of ids")
    dimension_ids, dimension_rules = [], {}
    for i, entry in enumerate(raw_dimensions):
        if isinstance(entry, dict):
            spot = f"dimensions[{i + 1}]"
            if set(entry) != {"id", "show_if"}:
                raise r.fail(spot, "is an id, or {id: dimension, show_if: rule}")
            entry_id = r.ident(entry, "id", spot)
            dimension_rules[entry_id] = entry["show_if"]
            raw_rules.append((entry["show_if"], f"{spot}.show_if", r))
            dimension_ids.append(entry_id)
        elif isinstance(entry, str):
            dimension_ids.append(entry)
        else:
            raise r.fail("dimensions", "must be a list of ids")
    if len(dimension_ids) < 6:
        raise r.fail("dimensions", "needs at least six dimensions")
    dimensions, flags, requirements = [], [], []
    questions: dict[str, Question] = {}
    for dim_id in dimension_ids:
        if dim_id not in dimension_files:
            raise r.fail("dimensions", f"no file dimensions/{dim_id}.yaml")
        ddata, dr = dimension_files[dim_id]
        if ddata.get("id") != dim_id:
            raise dr.fail("id", f"must be '{dim_id}', the file's name")
        dim_questions = []
        for i, raw in enumerate(ddata.get("questions") or []):
            question = parse_question(raw, dim_id, f"questions[{i + 1}]", dr)
            if qid in question.audience:
                if question.id in questions:
                    raise dr.fail(f"question '{question.id}'", "id is used twice")
                questions[question.id] = question
                dim_questions.append(question)
            if question.show_if is not None:
                raw_rules.append((question.show_if, f"question '{question.id}'.show_if", dr))
        if not any(q.scored for q in dim_questions):
            raise dr.fail("questions", f"no scored question for '{qid}'")
        # Recommendations by level band are no longer read: advice comes from the answers
        # (each question's `advice`), so a file that still has them loads unchanged.
        for i, item in enumerate(ddata.get("flags") or []):
            spot = f"flags[{i + 1}]"
            item = dr.mapping(item, spot)
            if qid not in dr.id_list(item, "audience", spot, AUDIENCES) and "audience" in item:
                continue
            if item.get("severity") not in SEVERITIES:
                raise dr.fail(f"{spot}.severity", f"must be one of {list(SEVERITIES)}")
            flags.append(
                Flag(
                    dr.ident(item, "id", spot),
                    item["severity"],
                    item.get("when"),  # type: ignore[arg-type]
                    dr.text(item, "message", spot),  # type: ignore[arg-type]
                    dr.id_list(item, "steps", spot),
                    dim_id,
                )
            )
            raw_rules.append((item.get("when"), f"{spot}.when", dr))
        for i, item in enumerate(ddata.get("requirements") or []):
            spot = f"requirements[{i + 1}]"
            item = dr.mapping(item, spot)
            if qid not in dr.id_list(item, "audience", spot, AUDIENCES) and "audience" in item:
                continue
            requirements.append(
                Requirement(
                    dr.ident(item, "id", spot),
                    dr.text(item, "text", spot),  # type: ignore[arg-type]
                    item.get("rule"),  # type: ignore[arg-type]
                    dim_id,
                )
            )
            raw_rules.append((item.get("rule"), f"{spot}.rule", dr))
        dimensions.append(
            Dimension(
                dim_id,
                dr.text(ddata, "title", "file"),  # type: ignore[arg-type]
                dr.text(ddata, "description", "file"),  # type: ignore[arg-type]
                dr.id_list(ddata, "steps", "file"),
                tuple(dim_questions),
                dimension_rules.get(dim_id),
            )
        )
        for question in dim_questions:
            if question.score_cap is not None:
                raw_rules.append(
                    (question.score_cap["when"], f"question '{question.id}'.score_cap.when", dr)
                )
    for rule, where, reader in raw_rules:
        try:
            check_rule(rule, where, reader, questions)
        except QuestionnaireError:
            # A rule may name a question the other audience has; only rules that can fire matter.
            if not _names_other_audience(rule, questions, dimension_files):
                raise
    for question in questions.values():
        if question.key and not any(_asks_unknown(f.when, question.id) for f in flags):
            raise QuestionnaireError(
                f"{question.dimension}.yaml: question '{question.id}'.key: a key quantity needs a"
                f" flag that fires on {{question: {question.id}, unknown: true}}"
            )
    for ids, what in ((flags, "flag"), (requirements, "requirement")):
        seen = [x.id for x in ids]
        if len(seen) != len(set(seen)):
            raise r.fail(what + "s", f"a {what} id is used twice")
    return Questionnaire(
        id=qid,
        version=version,
        title=r.text(data, "title", "file"),  # type: ignore[arg-type]
        intro=r.text(data, "intro", "file"),  # type: ignore[arg-type]
        dimensions=tuple(dimensions),
        levels=tuple(levels),
        flags=tuple(flags),
        requirements=tuple(requirements),
        unknown_flag=unknown,
    )


def _asks_unknown(rule: Any, question_id: str) -> bool:
    """Whether a rule (or a part of it) holds on "don't know" to this question."""
    if not isinstance(rule, dict):
        return False
    if "all" in rule or "any" in rule:
        return any(_asks_unknown(p, question_id) for p in rule.get("all") or rule.get("any") or [])
    return rule.get("question") == question_id and rule.get("unknown") is True


def _names_other_audience(rule: Any, questions: dict, dimension_files: dict) -> bool:
    """Whether a rule refers to a question that exists, but not in this questionnaire."""
    if not isinstance(rule, dict):
        return False
    if "all" in rule or "any" in rule:
        parts = rule.get("all") or rule.get("any") or []
        return any(_names_other_audience(p, questions, dimension_files) for p in parts)
    name = rule.get("question")
    if name is None or name in questions:
        return False
    return any(
        isinstance(q, dict) and q.get("id") == name
        for data, _ in dimension_files.values()
        for q in data.get("questions") or []
    )


def load_questionnaires(root: Path) -> dict[str, Questionnaire]:
    """Load every manifest in root with the dimension files it uses."""
    dimension_files = {
        path.stem: load_dimension(path) for path in sorted((root / "dimensions").glob("*.yaml"))
    }
    found = {}
    for path in sorted(root.glob("*.yaml")):
        questionnaire = build_questionnaire(path, dimension_files)
        found[questionnaire.id] = questionnaire
    if not found:
        raise QuestionnaireError(f"{root}: no questionnaire files")
    return found


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

"""Reading the questionnaires from their YAML files once, checking every field, and failing
with the file's name and the field's place (the model is in questionnaire.py)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

from app.core import yamlio
from app.core.questionnaire import (
    AUDIENCES,
    COMBINES,
    COUNTRIES,
    DONT_KNOW,
    ID_RE,
    LANGS,
    QUANTITIES,
    RULE_OPS,
    SCORED_TYPES,
    SEVERITIES,
    SIMULATION_FACTS,
    TYPES,
    Dimension,
    Flag,
    Level,
    Option,
    Question,
    QuestionAdvice,
    Questionnaire,
    Requirement,
    Text,
)


class QuestionnaireError(ValueError):
    """A questionnaire file is broken; the message names the file and the field."""


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

"""Questionnaire files: validated at start-up, with errors that name the file and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from app.core.questionnaire_loader import QuestionnaireError, load_questionnaires
from tests.conftest import ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "questionnaires"
REAL = ROOT / "questionnaires"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    target = tmp_path / "q"
    shutil.copytree(FIXTURES, target)
    return target


def edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


def test_the_fixture_questionnaires_load_with_shared_questions(files: Path):
    loaded = load_questionnaires(files)
    kommune, leverandoer = loaded["kommune"], loaded["leverandoer"]
    assert "wel_scale" in kommune.questions and "wel_scale" in leverandoer.questions
    assert "wel_single" in kommune.questions and "wel_single" not in leverandoer.questions
    assert [lv.id for lv in kommune.levels][-1] == "investment_ready"


def test_a_real_questionnaire_is_big_enough_for_the_authority():
    kommune = load_questionnaires(REAL)["kommune"]
    scored = [q for q in kommune.questions.values() if q.scored]
    assert len(scored) >= 36
    assert len(kommune.dimensions) >= 6
    ids = {d.id for d in kommune.dimensions}
    assert {"organisation", "target_group", "payment_model"} <= ids
    for dimension in kommune.dimensions:
        assert sum(q.scored for q in dimension.questions) >= 5, dimension.id
    size = kommune.questions["tg_size"]
    assert size.type == "number" and size.quantity == "target_group_size"
    assert any(f.id == "critical_mass" for f in kommune.flags)


def test_every_real_question_type_is_used():
    questions = [q for qn in load_questionnaires(REAL).values() for q in qn.questions.values()]
    assert {q.type for q in questions} >= {
        "scale",
        "single",
        "multiple",
        "yes_partly_no",
        "number",
        "text",
    }
    assert any(q.show_if for q in questions)
    for q in questions:
        if q.type == "scale":
            assert len(q.steps) == 5 and all(s["da"] and s["sv"] for s in q.steps)


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        (
            "kommune.yaml",
            lambda d: d.pop("version"),
            r"kommune.yaml: version: must be a whole number",
        ),
        ("kommune.yaml", lambda d: d["levels"].pop(), r"kommune.yaml: levels: needs exactly five"),
        (
            "kommune.yaml",
            lambda d: d["levels"][2].update(min_score=10),
            r"kommune.yaml: levels: min_score must start at 0 and rise",
        ),
        (
            "dimensions/organisation.yaml",
            lambda d: d["questions"][0].update(type="slider"),
            r"organisation.yaml: question 'org_scale'.type: must be one of",
        ),
        (
            "dimensions/organisation.yaml",
            lambda d: d["questions"][0]["steps"].pop(),
            r"organisation.yaml: question 'org_scale'.steps: a scale needs exactly five steps",
        ),
        (
            "dimensions/organisation.yaml",
            lambda d: d["questions"][1]["text"].pop("sv"),
            r"organisation.yaml: question 'org_ynp'.text: needs a text in both da and sv",
        ),
        (
            "dimensions/organisation.yaml",
            lambda d: d["questions"][2]["options"][0].update(score=2),
            r"question 'org_single'.options\[1\].score: must be a number from 0 to 1",
        ),
        (
            "dimensions/organisation.yaml",
            lambda d: d["questions"][4]["show_if"].update(question="nope"),
            r"question 'org_followup'.show_if.question: unknown question 'nope'",
        ),
        (
            "dimensions/organisation.yaml",
            lambda d: d["questions"][1]["advice"].update(country="no"),
            r"question 'org_ynp'.advice.country: must be one of \['dk', 'se'\]",
        ),
        (
            "dimensions/organisation.yaml",
            lambda d: d["questions"][5].update(full_when=[["reg", "nope"]]),
            r"question 'org_sources'.full_when: must be a list of option-value lists",
        ),
        (
            "dimensions/organisation.yaml",
            lambda d: d["questions"][2]["options"][0].update(exclusive=True),
            r"'org_single'.options\[1\].exclusive: is true or false, and only for multiple",
        ),
        (
            "dimensions/organisation.yaml",
            lambda d: d["questions"][0].update(key=True),
            r"organisation.yaml: question 'org_scale'.key: a key quantity needs a flag",
        ),
        (
            "kommune.yaml",
            lambda d: d["dimensions"].__setitem__(1, {"id": "organisation", "when": {}}),
            r"kommune.yaml: dimensions\[2\]: is an id, or \{id: dimension, show_if: rule\}",
        ),
        (
            "dimensions/target_group.yaml",
            lambda d: next(q for q in d["questions"] if q["id"] == "tg_size")["bands"][1].update(
                score=0.9, min=60
            ),
            r"target_group.yaml: question 'tg_size'.bands: scores must not fall",
        ),
        (
            "dimensions/target_group.yaml",
            lambda d: d["flags"][0].update(severity="urgent"),
            r"target_group.yaml: flags\[1\].severity: must be one of",
        ),
        (
            "dimensions/target_group.yaml",
            lambda d: d["flags"][0]["when"].update(less_than="few"),
            r"target_group.yaml: flags\[1\].when",
        ),
    ],
)
def test_a_broken_file_names_the_file_and_the_field(files: Path, file, change, message):
    edit(files / file, change)
    with pytest.raises(QuestionnaireError, match=message):
        load_questionnaires(files)


def test_the_app_refuses_to_start_on_a_broken_questionnaire(files: Path):
    from app import create_app

    (files / "dimensions" / "organisation.yaml").write_text("id: [broken")
    with pytest.raises(QuestionnaireError, match="organisation.yaml: cannot be read as YAML"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "QUESTIONNAIRE_DIR": str(files)})


def test_a_whole_dimension_can_be_routed_on_an_earlier_answer(files: Path):
    from app.core.scoring import is_shown, score_assessment

    rule = {"question": "org_ynp", "in": ["yes", "partly"]}
    edit(
        files / "kommune.yaml",
        lambda d: d["dimensions"].__setitem__(4, {"id": "measurement", "show_if": rule}),
    )
    kommune = load_questionnaires(files)["kommune"]
    measurement = kommune.dimension("measurement")
    first = measurement.questions[0]
    assert is_shown(first, {"org_ynp": "yes"}, kommune)
    assert not is_shown(first, {"org_ynp": "no"}, kommune)
    routed = score_assessment(kommune, {"org_ynp": "no"})
    status = {d.id: d.status for d in routed.dimensions}
    assert status["measurement"] == "not_applicable"

"""Respondent profiles modelled on the first DSI programmes (seed 003): levels and advice that the
seed's lessons support. Each profile is data in tests/fixtures/profiles/ with what an advisor
would expect of its result; the answers are checked the way the API checks them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.core.answers import clean_answers
from app.core.questionnaire_loader import load_questionnaires
from app.core.scoring import score_assessment
from tests.conftest import ROOT

PROFILES = sorted((Path(__file__).resolve().parent / "fixtures" / "profiles").glob("*.yaml"))
QUESTIONNAIRES = load_questionnaires(ROOT / "questionnaires")


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def level_index(questionnaire, level: str | None) -> int:  # type: ignore[no-untyped-def]
    return -1 if level is None else [lv.id for lv in questionnaire.levels].index(level)


def test_the_five_dsi_programmes_and_a_newcomer_are_modelled():
    assert len(PROFILES) >= 6


@pytest.fixture(params=PROFILES, ids=lambda p: p.stem)
def profile(request):  # type: ignore[no-untyped-def]
    data = load(request.param)
    questionnaire = QUESTIONNAIRES[data["questionnaire"]]
    answers, refused = clean_answers(questionnaire, data["answers"], "da")
    assert not refused, f"{request.param.name}: answers refused: {refused}"
    return data, questionnaire, answers, score_assessment(questionnaire, answers)


def test_the_level_is_no_higher_than_the_seed_supports(profile):
    data, questionnaire, _answers, result = profile
    expect = data["expect"]
    assert level_index(questionnaire, result.overall_level) <= level_index(
        questionnaire, expect["max_level"]
    ), (result.overall_level, result.uncapped_level, result.gate)
    if "min_level" in expect:
        assert level_index(questionnaire, result.overall_level) >= level_index(
            questionnaire, expect["min_level"]
        )


def test_the_warnings_the_seed_names_fire_and_the_ones_it_contradicts_do_not(profile):
    data, _questionnaire, _answers, result = profile
    fired = {f.id for f in result.flags}
    expect = data["expect"]
    assert set(expect.get("flags", [])) <= fired, sorted(set(expect.get("flags", [])) - fired)
    assert not set(expect.get("not_flags", [])) & fired, sorted(set(expect["not_flags"]) & fired)


def test_nothing_that_is_done_is_advised_and_the_actions_come_from_weak_critical_answers(profile):
    data, questionnaire, _answers, result = profile
    advised = {a.question for a in (*result.actions, *result.advice)}
    done = set(data["expect"].get("no_advice_for", []))
    assert not advised & done, sorted(advised & done)
    assert len(result.actions) <= 5
    for action in result.actions:
        assert questionnaire.questions[action.question].critical
    wanted = data["expect"].get("actions_include", [])
    assert set(wanted) <= {a.question for a in result.actions}, [a.question for a in result.actions]


def test_advice_is_addressed_to_the_profiles_role(profile):
    data, questionnaire, _answers, result = profile
    for action in (*result.actions, *result.advice):
        advice = questionnaire.questions[action.question].advice
        if advice is not None:
            assert action.text == advice.for_role(data["questionnaire"])

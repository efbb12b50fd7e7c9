"""The real questionnaires' content: routing, key quantities, warnings, advice and stated time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from app.core.answers import clean_answer
from app.core.questionnaire import DONT_KNOW, LANGS, Questionnaire
from app.core.questionnaire_loader import load_questionnaires
from app.core.scoring import is_shown, question_score, score_assessment
from tests.assessment_helpers import form_value
from tests.completion_time import completion_range, stated_range
from tests.conftest import ROOT

REAL = load_questionnaires(ROOT / "questionnaires")
KOMMUNE, LEVERANDOER = REAL["kommune"], REAL["leverandoer"]
PROFILES = sorted((Path(__file__).parent / "fixtures" / "profiles").glob("*.yaml"))


def asked(questionnaire: Questionnaire, answers: dict) -> set[str]:
    """The ids of the questions put to a respondent with these answers."""
    return {q.id for q in questionnaire.questions.values() if is_shown(q, answers, questionnaire)}


def fired(questionnaire: Questionnaire, answers: dict) -> set[str]:
    """The ids of the warnings that certainly fire."""
    return {f.id for f in score_assessment(questionnaire, answers).flags if f.certain}


# --- routing ----------------------------------------------------------------------------------


def test_a_municipality_delivering_itself_is_not_asked_about_a_supplier():
    roskilde = asked(KOMMUNE, {"org_delivery": "in_house"})
    with_supplier = asked(KOMMUNE, {"org_delivery": "external"})
    supplier_questions = {"co_supplier_contract", "co_mutual_understanding"}
    assert supplier_questions <= with_supplier
    assert not supplier_questions & roskilde


@pytest.mark.parametrize("route", ["self_referral", "gp_jobcentre"])
def test_self_referral_or_referral_from_outside_skips_the_referring_staff(route):
    assert "tg_referrers_on_board" in asked(KOMMUNE, {"tg_referral_route": "caseworkers"})
    assert "tg_referrers_on_board" not in asked(KOMMUNE, {"tg_referral_route": route})


def test_an_answer_that_does_not_apply_is_not_counted():
    base = {"org_delivery": "in_house", "co_roles_written": "5", "co_meetings": "monthly"}
    with_stale = {**base, "co_supplier_contract": "1"}  # left over from an earlier route

    def collaboration(answers):
        result = score_assessment(KOMMUNE, answers)
        return next(d for d in result.dimensions if d.id == "collaboration"), result

    clean, _ = collaboration(base)
    stale, result = collaboration(with_stale)
    assert (stale.shown, stale.answered) == (clean.shown, clean.answered) == (6, 2)
    assert "co_supplier_contract" not in {a.question for a in result.actions + result.advice}


def test_a_supplier_without_a_partner_sees_only_its_own_readiness():
    own = {"organisation", "intervention", "supplier_obligations", "learning"}
    alone = asked(LEVERANDOER, {"org_partner_count": 0})
    partnered = asked(LEVERANDOER, {"org_partner_count": 1})
    assert {LEVERANDOER.questions[q].dimension for q in alone} == own
    assert {LEVERANDOER.questions[q].dimension for q in partnered} > own
    assert "tg_size" in partnered and "tg_size" not in alone


def test_a_supplier_without_a_partner_meets_obligations_not_municipal_conditions():
    ids = {r.id for r in LEVERANDOER.requirements}
    assert {"ob_accepts_referrals", "ob_records_per_participant", "ob_fixed_delivery"} <= ids
    for requirement in LEVERANDOER.requirements:
        assert requirement.dimension in {
            "organisation",
            "intervention",
            "supplier_obligations",
            "learning",
        }, requirement.id


# --- answers that contradict themselves -------------------------------------------------------


@pytest.mark.parametrize(
    ("questionnaire", "question", "values"),
    [
        (KOMMUNE, "ms_data_sources", ["none", "register"]),
        (KOMMUNE, "int_evidence", ["none", "rct"]),
        (KOMMUNE, "org_skills", ["finance", "none_yet"]),
        (KOMMUNE, "pm_dropout_rules", ["none", "nonresponse"]),
        (LEVERANDOER, "ln_materials", ["manual", "none"]),
    ],
)
def test_none_together_with_a_source_is_refused(questionnaire, question, values):
    stored, error = clean_answer(questionnaire.questions[question], values, "da")
    assert stored is None and error is not None and error.code == "exclusive_choice"
    alone, error = clean_answer(questionnaire.questions[question], values[1:], "da")
    assert alone == values[1:] and error is None


# --- scoring the evidence ---------------------------------------------------------------------


def test_an_estimated_target_group_does_not_score_in_full():
    size = KOMMUNE.questions["tg_size"]
    documented = {"tg_size": 120, "tg_size_documented": "4"}
    estimated = {"tg_size": 120, "tg_size_documented": "1"}
    assert question_score(size, 120, documented, KOMMUNE) == 1
    assert question_score(size, 120, estimated, KOMMUNE) == 0.5
    assert question_score(size, 120, {"tg_size_documented": DONT_KNOW}, KOMMUNE) == 0.5
    assert "tg_estimate_large" in fired(KOMMUNE, estimated)
    assert "tg_estimate_large" not in fired(KOMMUNE, documented)


def test_the_strongest_evidence_counts_not_the_sum():
    evidence = KOMMUNE.questions["int_evidence"]
    assert evidence.score_of(["own_results", "others_experience"]) == 0.5


def test_full_marks_for_data_sources_need_register_and_practice_or_qualitative_data():
    sources = KOMMUNE.questions["ms_data_sources"]
    assert sources.score_of(["register", "case_system"]) < 1
    assert sources.score_of(["validated", "survey", "practice"]) < 1
    assert sources.score_of(["register", "practice"]) == 1
    assert sources.score_of(["register", "survey"]) == 1


# --- warnings ---------------------------------------------------------------------------------

KEY_QUANTITIES = {
    "tg_size": "tg_size_unknown",
    "ms_baseline": "ms_baseline_unknown",
    "pm_rate_basis": "pm_rate_basis_unknown",
    "pm_goals_sources": "pm_sources_unknown",
    "ms_data_sources": "pm_sources_unknown",
    "tg_referral_route": "tg_referral_unknown",
    "tg_referral_roles": "tg_referral_unknown",
}


@pytest.mark.parametrize("questionnaire", [KOMMUNE, LEVERANDOER], ids=["kommune", "leverandoer"])
@pytest.mark.parametrize(("question", "flag"), KEY_QUANTITIES.items())
def test_dont_know_on_a_key_quantity_always_warns(questionnaire, question, flag):
    answers = {"org_partner_count": 1, question: DONT_KNOW}
    assert questionnaire.questions[question].key
    assert flag in fired(questionnaire, answers)


def test_every_key_quantity_is_marked():
    keys = {q.id for q in KOMMUNE.questions.values() if q.key}
    assert keys == set(KEY_QUANTITIES)


@pytest.mark.parametrize(
    ("answers", "flag"),
    [
        (
            {"tg_referral_route": "caseworkers", "tg_referrers_on_board": "3"},
            "tg_referrers_fit_unclear",
        ),
        ({"org_managers_buyin": "3"}, "org_managers_not_involved"),
        ({"int_scope": "3"}, "int_open_scope"),
        ({"tg_needs_known": "3"}, "tg_needs_spread_unknown"),
    ],
)
def test_warnings_fire_at_the_step_that_describes_the_failure(answers, flag):
    assert flag in fired(KOMMUNE, answers)
    one_up = {q: str(int(v) + 1) if v.isdigit() else v for q, v in answers.items()}
    assert flag not in fired(KOMMUNE, one_up)


@pytest.mark.parametrize(
    ("answers", "flag"),
    [
        ({"tg_trial_run": "yes", "tg_trial_result": "fewer_not_adjusted"}, "tg_trial_not_acted_on"),
        ({"pm_rate_basis": "professional_estimate"}, "pm_rates_estimate_only"),
        ({"tg_size": 25}, "tg_at_floor"),
    ],
)
def test_the_new_warnings_fire(answers, flag):
    assert flag in fired(KOMMUNE, answers)


def test_aarhus_at_25_is_at_the_floor_not_below_critical_mass():
    flags = fired(KOMMUNE, {"tg_size": 25})
    assert "tg_at_floor" in flags and "critical_mass" not in flags
    assert {"critical_mass"} <= fired(KOMMUNE, {"tg_size": 24})
    assert "tg_at_floor" not in fired(KOMMUNE, {"tg_size": 30})


def test_a_baseline_warning_no_longer_claims_what_the_seeds_do_not_say():
    flag = next(f for f in KOMMUNE.flags if f.id == "ms_no_baseline")
    assert "først kendt efter opstart" not in flag.message["da"]
    critical = next(f for f in KOMMUNE.flags if f.id == "critical_mass")
    assert "Aarhus" not in critical.message["da"]


# --- advice -----------------------------------------------------------------------------------


@pytest.mark.parametrize("questionnaire", [KOMMUNE, LEVERANDOER], ids=["kommune", "leverandoer"])
def test_every_critical_question_has_advice_for_the_role_that_answers_it(questionnaire):
    for question in questionnaire.questions.values():
        if question.critical:
            assert question.advice is not None, question.id
            assert question.advice.for_role(questionnaire.id), question.id


def test_advice_is_addressed_to_the_role():
    """No supplier advice in a municipality's report, and none the other way round."""
    for question in KOMMUNE.questions.values():
        text = question.advice.for_role("kommune") if question.advice else None
        if text:
            assert "leverandør bør" not in text["da"], question.id
    for question in LEVERANDOER.questions.values():
        text = question.advice.for_role("leverandoer") if question.advice else None
        if text:
            assert not re.search(r"\bleverandøren\b", text["da"]), question.id


@pytest.mark.parametrize("questionnaire", [KOMMUNE, LEVERANDOER], ids=["kommune", "leverandoer"])
def test_advice_is_never_given_for_what_is_done(questionnaire):
    best = {
        q.id: form_value(q, "best")
        for q in questionnaire.questions.values()
        if q.scored or q.type == "number"
    }
    best = {qid: clean_answer(questionnaire.questions[qid], v, "da")[0] for qid, v in best.items()}
    result = score_assessment(questionnaire, best)
    assert not result.actions and not result.advice


def _toolbox_keys(kind: str) -> set[str]:
    keys = set()
    for path in (ROOT / "content" / "da" / kind).glob("*.md"):
        match = re.search(r"^key:\s*(\S+)", path.read_text(encoding="utf-8"), re.M)
        if match:
            keys.add(match.group(1))
    return keys


def test_advice_and_warnings_point_to_steps_and_templates_that_exist():
    steps, templates = _toolbox_keys("steps"), _toolbox_keys("templates")
    for questionnaire in REAL.values():
        for dimension in questionnaire.dimensions:
            assert set(dimension.steps) <= steps, dimension.id
        for question in questionnaire.questions.values():
            if question.advice:
                assert set(question.advice.steps) <= steps, question.id
                assert set(question.advice.templates) <= templates, question.id
        for flag in questionnaire.flags:
            assert set(flag.steps) <= steps, flag.id


# --- language and time ------------------------------------------------------------------------

SWEDISH_LOANS = re.compile(r"visiter|förlopp|leverantör|fackfolk|invånare|socialfaglig", re.I)


def _swedish_texts(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sv" and isinstance(value, str):
                yield path, value
            else:
                yield from _swedish_texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _swedish_texts(item, f"{path}[{i}]")


@pytest.mark.parametrize(
    "path", sorted((ROOT / "questionnaires").rglob("*.yaml")), ids=lambda p: p.name
)
def test_swedish_texts_avoid_the_danish_loans(path):
    for where, text in _swedish_texts(yaml.safe_load(path.read_text(encoding="utf-8"))):
        assert not SWEDISH_LOANS.search(text), (where, text)
        # myndighet is Swedish for a state agency, never the municipality's role
        assert not re.search(r"\bmyndighet(en)?\b", text.replace("förvaltning eller myndighet", ""))


@pytest.mark.parametrize("questionnaire", [KOMMUNE, LEVERANDOER], ids=["kommune", "leverandoer"])
def test_the_intro_states_the_measured_completion_time(questionnaire):
    low, high = completion_range(questionnaire)
    for lang in LANGS:
        assert stated_range(lang, low, high) in questionnaire.intro[lang]


def test_the_swedish_title_is_for_municipalities_and_regions():
    assert KOMMUNE.title["sv"].endswith("för kommuner och regioner")


# --- respondent profiles ----------------------------------------------------------------------


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_a_profile_answers_real_questions_with_valid_answers(path):
    profile = yaml.safe_load(path.read_text(encoding="utf-8"))
    questionnaire = REAL[profile["questionnaire"]]
    flag_ids = {f.id for f in questionnaire.flags}
    for qid, raw in profile["answers"].items():
        assert qid in questionnaire.questions, (path.stem, qid)
        value, error = clean_answer(questionnaire.questions[qid], raw, "da")
        assert error is None and value is not None, (path.stem, qid, raw, error)
    expect = profile["expect"]
    assert set(expect.get("flags", [])) | set(expect.get("not_flags", [])) <= flag_ids
    for qid in expect.get("not_asked", []) + expect.get("no_advice_for", []):
        assert qid in questionnaire.questions, (path.stem, qid)


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_a_profile_raises_the_warnings_an_advisor_expects(path):
    profile = yaml.safe_load(path.read_text(encoding="utf-8"))
    questionnaire = REAL[profile["questionnaire"]]
    answers = {
        qid: clean_answer(questionnaire.questions[qid], raw, "da")[0]
        for qid, raw in profile["answers"].items()
    }
    expect = profile["expect"]
    flags = fired(questionnaire, answers)
    assert set(expect.get("flags", [])) <= flags, (path.stem, set(expect["flags"]) - flags)
    assert not set(expect.get("not_flags", [])) & flags, path.stem
    assert not set(expect.get("not_asked", [])) & asked(questionnaire, answers), path.stem

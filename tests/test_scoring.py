"""Scoring: the method in questionnaires/README.md, checked by hand and by properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.questionnaire import DONT_KNOW, Question, Questionnaire, load_questionnaires
from app.core.scoring import is_shown, score_assessment, score_dimension
from tests.conftest import ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "questionnaires"
REAL = load_questionnaires(ROOT / "questionnaires")
FIXTURE = load_questionnaires(FIXTURES)["kommune"]
ALL = [*REAL.values(), FIXTURE]


def best(q: Question):
    if q.type == "number":
        return q.max
    if q.type == "multiple":
        return [o.value for o in q.options if o.score > 0]
    return max(q.choices(), key=lambda o: o.score).value


def worst(q: Question):
    if q.type == "number":
        return q.min
    if q.type == "multiple":
        return [min(q.options, key=lambda o: o.score).value]
    return min(q.choices(), key=lambda o: o.score).value


def all_answers(questionnaire: Questionnaire, pick) -> dict:  # type: ignore[no-untyped-def]
    return {q.id: pick(q) for q in questionnaire.questions.values() if q.scored}


def test_a_dimension_is_the_weighted_mean_of_its_answers_and_dont_know_is_counted_apart():
    answers = {"org_scale": "4", "org_ynp": "partly", "org_single": "c", "org_multi": DONT_KNOW}
    # scale 0.75 * weight 2, yes/partly/no 0.5, single 0; "don't know" left out of the mean.
    score = score_dimension(FIXTURE, "organisation", answers)
    assert score.score == round(100 * (0.75 * 2 + 0.5 + 0) / 4, 1) == 50.0
    assert (score.answered, score.unknown, score.level) == (3, 1, "developing")


def test_a_hidden_follow_up_does_not_count():
    shown = score_dimension(FIXTURE, "organisation", {"org_ynp": "yes", "org_followup": "no"})
    hidden = score_dimension(FIXTURE, "organisation", {"org_ynp": "no", "org_followup": "yes"})
    assert (shown.score, shown.answered) == (50.0, 2)
    assert (hidden.score, hidden.answered) == (0.0, 1)


def test_nothing_answered_means_no_score_rather_than_zero():
    result = score_assessment(FIXTURE, {})
    assert result.overall is None and all(d.score is None for d in result.dimensions)


def test_a_small_target_group_raises_the_critical_mass_flag():
    result = score_assessment(FIXTURE, {"tg_size": 9})
    flag = next(f for f in result.flags if f.id == "critical_mass")
    assert flag.severity == "high" and flag.dimension == "target_group"
    assert "critical_mass" not in {f.id for f in score_assessment(FIXTURE, {"tg_size": 25}).flags}
    assert "critical_mass" not in {f.id for f in score_assessment(FIXTURE, {}).flags}


def test_many_dont_knows_raise_a_flag_with_the_count():
    answers = {"org_scale": DONT_KNOW, "org_ynp": DONT_KNOW, "org_single": "a"}
    flag = next(
        f for f in score_assessment(FIXTURE, answers).flags if f.id == "many_unknown_organisation"
    )
    assert flag.message["da"] == "2 ved ikke om organisation (da)"


def test_requirements_are_met_or_not():
    result = score_assessment(FIXTURE, {"org_ynp": "yes", "wel_ynp": "no"})
    met = {r.id: r.met for r in result.requirements}
    assert met["org_req"] is True and met["wel_req"] is False and met["tar_req"] is False


def test_each_scored_dimension_gets_the_recommendation_for_its_level():
    result = score_assessment(FIXTURE, {"org_scale": "1", "wel_scale": "5"})
    advice = {
        a.dimension: a.text["da"] for a in result.recommendations if a.source.startswith("dim")
    }
    assert advice == {"organisation": "Begynd (da)", "welfare_challenge": "Klar (da)"}


@pytest.mark.parametrize("questionnaire", ALL, ids=lambda q: q.id)
def test_all_best_answers_give_100_and_the_top_level(questionnaire):
    result = score_assessment(questionnaire, all_answers(questionnaire, best))
    assert all(d.score == 100 for d in result.dimensions)
    assert result.overall == 100 and result.overall_level == questionnaire.levels[-1].id


@pytest.mark.parametrize("questionnaire", ALL, ids=lambda q: q.id)
def test_all_worst_answers_give_0_and_the_bottom_level(questionnaire):
    result = score_assessment(questionnaire, all_answers(questionnaire, worst))
    assert all(d.score == 0 for d in result.dimensions)
    assert result.overall == 0 and result.overall_level == questionnaire.levels[0].id


def answer_strategy(q: Question):
    options = [st.just(DONT_KNOW), st.none()]
    if q.type == "number":
        options.append(st.integers(int(q.min), int(q.max)))
    elif q.type == "multiple":
        options.append(
            st.lists(st.sampled_from([o.value for o in q.options]), min_size=1, unique=True)
        )
    else:
        options.append(st.sampled_from([o.value for o in q.choices()]))
    return st.one_of(options)


@st.composite
def answer_sets(draw, questionnaire: Questionnaire):  # type: ignore[no-untyped-def]
    answers = {}
    for q in questionnaire.questions.values():
        if q.scored:
            value = draw(answer_strategy(q))
            if value is not None:
                answers[q.id] = value
    return answers


@pytest.mark.parametrize("questionnaire", ALL, ids=lambda q: q.id)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_scores_stay_between_0_and_100(questionnaire, data):
    result = score_assessment(questionnaire, data.draw(answer_sets(questionnaire)))
    for d in result.dimensions:
        assert d.score is None or 0 <= d.score <= 100
    assert result.overall is None or 0 <= result.overall <= 100


def better(q: Question, answer):  # type: ignore[no-untyped-def]
    """Answers that score at least as well as this one."""
    current = q.score_of(answer)
    if q.type == "number":
        return st.integers(int(answer), int(q.max))
    if q.type == "multiple":
        return st.lists(st.sampled_from([o.value for o in q.options]), min_size=1, unique=True).map(
            lambda extra: sorted(set(answer) | set(extra))
        )
    return st.sampled_from([o.value for o in q.choices() if o.score >= current])


@pytest.mark.parametrize("questionnaire", ALL, ids=lambda q: q.id)
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_raising_one_answer_never_lowers_its_dimensions_score(questionnaire, data):
    answers = data.draw(answer_sets(questionnaire))
    # Questions that others depend on (show_if) change what is asked, not only a score.
    parents = {q.show_if.get("question") for q in questionnaire.questions.values() if q.show_if}
    candidates = [
        q
        for q in questionnaire.questions.values()
        if q.scored
        and q.id in answers
        and answers[q.id] != DONT_KNOW
        and q.id not in parents
        and is_shown(q, answers, questionnaire)
    ]
    if not candidates:
        return
    question = data.draw(st.sampled_from(candidates))
    raised = {**answers, question.id: data.draw(better(question, answers[question.id]))}
    before = score_dimension(questionnaire, question.dimension, answers).score
    after = score_dimension(questionnaire, question.dimension, raised).score
    assert after >= before

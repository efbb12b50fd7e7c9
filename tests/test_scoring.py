"""Scoring: the method in questionnaires/README.md, checked by hand and by properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.answers import clean_answer
from app.core.questionnaire import DONT_KNOW, Question, Questionnaire
from app.core.questionnaire_loader import load_questionnaires
from app.core.scoring import (
    CAP_INDEX,
    Known,
    advice_from_answers,
    answer_of,
    applies,
    as_plain,
    counted,
    question_score,
    score_assessment,
    score_dimension,
)
from tests.conftest import ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "questionnaires"
REAL = load_questionnaires(ROOT / "questionnaires")
FIXTURE = load_questionnaires(FIXTURES)["kommune"]
FIXTURE_SUPPLIER = load_questionnaires(FIXTURES)["leverandoer"]
ALL = [*REAL.values(), FIXTURE]


def best(q: Question):
    if q.type == "number":
        return q.max
    if q.type == "multiple":
        if q.full_when:
            return sorted(q.full_when[0])
        if q.combine == "max":
            return [max(q.options, key=lambda o: o.score).value]
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


def level_index(questionnaire: Questionnaire, level: str | None) -> int:
    """A level's place, lowest first; no level (too few answers) is below every level."""
    return -1 if level is None else [lv.id for lv in questionnaire.levels].index(level)


# --- the score of a dimension -----------------------------------------------------------------


def test_a_dimension_is_the_weighted_mean_and_dont_know_counts_as_the_lowest_step():
    answers = {"org_scale": "4", "org_ynp": "partly", "org_single": "c", "org_multi": DONT_KNOW}
    # scale 0.75 × weight 2, yes/partly/no 0.5, single 0, "don't know" 0; five weights in all.
    score, _ = score_dimension(FIXTURE, "organisation", answers)
    assert score.score == round(100 * (0.75 * 2 + 0.5 + 0 + 0) / 5, 1) == 40.0
    assert (score.answered, score.unknown, score.level, score.status) == (
        3,
        1,
        "exploring",
        "scored",
    )


def test_a_dimension_with_fewer_than_half_answered_shows_no_score_and_no_level():
    answers = {"org_scale": "5", "org_ynp": DONT_KNOW, "org_single": DONT_KNOW}
    score, raw = score_dimension(FIXTURE, "organisation", answers)
    # shown: scale, ynp, single, multi, sources (the follow-up waits on ynp: it counts as unknown)
    assert (score.status, score.score, score.level) == ("not_enough_answers", None, None)
    assert raw == round(100 * 2 / 5, 1)
    rest = {"org_multi": DONT_KNOW, "org_sources": DONT_KNOW}
    result = score_assessment(FIXTURE, {**all_answers(FIXTURE, best), **answers, **rest})
    assert result.gate.dimensions_without_answers == 1
    assert level_index(FIXTURE, result.overall_level) <= CAP_INDEX


def test_a_follow_up_routed_away_does_not_count_and_one_left_open_counts_as_dont_know():
    shown, _ = score_dimension(FIXTURE, "organisation", {"org_ynp": "yes", "org_followup": "no"})
    hidden, _ = score_dimension(FIXTURE, "organisation", {"org_ynp": "no", "org_followup": "yes"})
    open_, _ = score_dimension(FIXTURE, "organisation", {"org_ynp": DONT_KNOW})
    assert (shown.answered, shown.shown) == (2, 6)
    assert (hidden.answered, hidden.shown) == (1, 5)
    # "Don't know" on the routing question: the follow-up is not asked, but counts as unknown.
    assert (open_.unknown, open_.shown) == (2, 6)
    question = FIXTURE.questions["org_followup"]
    assert applies(question, {"org_ynp": DONT_KNOW}, FIXTURE) is None


def test_nothing_answered_means_no_score_rather_than_zero():
    result = score_assessment(FIXTURE, {})
    assert result.overall is None and all(d.score is None for d in result.dimensions)


def test_the_strongest_source_counts_and_only_the_named_combination_scores_in_full():
    question = FIXTURE.questions["org_sources"]
    assert question.score_of(["prac", "qual"]) == 0.5  # the strongest, not the sum
    assert question.score_of(["reg"]) == 0.75
    assert question.score_of(["reg", "prac"]) == 1.0
    assert question.score_of(["reg", "qual"]) == 0.75


def test_none_together_with_a_source_is_refused_in_both_languages():
    question = FIXTURE.questions["org_sources"]
    assert clean_answer(question, ["none"]) == (["none"], None)
    answer, error = clean_answer(question, ["none", "reg"], "sv")
    assert answer is None and (error.code, error.text) == ("exclusive_choice", "Inga (sv)")


def test_a_guessed_size_scores_at_most_half_until_it_is_documented():
    size = FIXTURE.questions["tg_size"]
    dims = FIXTURE.dimension("target_group")
    assert size in dims.questions
    for docs, expected in (("1", 0.5), ("3", 0.5), (DONT_KNOW, 0.5), ("4", 1.0), ("5", 1.0)):
        _, raw = score_dimension(
            FIXTURE, "target_group", {"tg_size": 120, "tg_docs": docs, "tar_scale": "5"}
        )
        docs_score = 0 if docs == DONT_KNOW else (int(docs) - 1) / 4
        assert raw == round(100 * (2 + expected + docs_score) / 4, 1), docs


# --- gates ------------------------------------------------------------------------------------


def test_a_high_warning_caps_its_dimension_and_the_whole_and_says_what_the_score_alone_gives():
    answers = {**all_answers(FIXTURE, best), "tg_size": 9}
    result = score_assessment(FIXTURE, answers)
    target = next(d for d in result.dimensions if d.id == "target_group")
    assert "critical_mass" in {f.id for f in result.flags}
    assert target.capped and target.level == "developing" and target.uncapped_level != "developing"
    assert result.overall_level == "developing"
    assert result.uncapped_level == "investment_ready"
    assert result.gate.high_flags == 1


def test_an_unmet_requirement_caps_the_level():
    answers = {**all_answers(FIXTURE, best), "org_ynp": "partly"}
    result = score_assessment(FIXTURE, answers)
    total = len(FIXTURE.requirements)
    assert (result.requirements_met, result.requirements_total) == (total - 1, total)
    assert result.overall_level == "developing"
    organisation = next(d for d in result.dimensions if d.id == "organisation")
    assert organisation.capped and organisation.level == "developing"
    untouched = next(d for d in result.dimensions if d.id == "welfare_challenge")
    assert not untouched.capped and untouched.level == "investment_ready"


def test_all_best_answers_open_every_gate():
    result = score_assessment(FIXTURE, all_answers(FIXTURE, best))
    assert not result.gate.closed and result.overall_level == "investment_ready"
    assert result.requirements_met == result.requirements_total == len(FIXTURE.requirements)


def test_dont_know_on_the_size_leaves_the_critical_mass_warning_open_and_caps():
    result = score_assessment(FIXTURE, {**all_answers(FIXTURE, best), "tg_size": DONT_KNOW})
    flag = next(f for f in result.flags if f.id == "critical_mass")
    assert flag.certain is False
    assert result.overall_level == "developing"


def test_a_requirement_on_a_question_routed_away_is_not_counted():
    answers = {**all_answers(FIXTURE, best)}
    result = score_assessment(FIXTURE, answers)
    assert all(r.applicable for r in result.requirements)
    routed = {"all": [{"question": "org_followup", "in": ["yes"]}]}
    from app.core.scoring import requirement_applies

    assert requirement_applies(routed, {"org_ynp": "no"}, FIXTURE) is False
    assert requirement_applies(routed, {"org_ynp": DONT_KNOW}, FIXTURE) is True


# --- actions ------------------------------------------------------------------------------------


def test_actions_come_from_the_weakest_critical_answers_in_order():
    answers = {
        **all_answers(FIXTURE, best),
        "org_scale": "2",  # 0.25, weight 2
        "tar_scale": DONT_KNOW,  # 0, weight 2
        "wel_scale": "4",  # 0.75: not weak
        "org_ynp": "partly",  # weak, but weight 1: advice after the actions
    }
    result = score_assessment(FIXTURE, answers)
    assert [a.question for a in result.actions] == ["tar_scale", "org_scale"]
    org = result.actions[1]
    assert org.text == FIXTURE.questions["org_scale"].steps[2]  # the step above the answer
    assert result.actions[0].unknown
    assert [a.question for a in result.advice] == ["org_ynp"]


def test_advice_is_addressed_to_the_role_and_marked_for_its_country():
    answers = {**all_answers(FIXTURE, best), "org_ynp": "no"}
    municipality = score_assessment(FIXTURE, answers)
    supplier = score_assessment(
        FIXTURE_SUPPLIER, {**all_answers(FIXTURE_SUPPLIER, best), **answers}
    )
    (ours,) = [a for a in municipality.advice if a.question == "org_ynp"]
    (theirs,) = [a for a in supplier.advice if a.question == "org_ynp"]
    assert ours.text["da"] == "Kommunens skridt (da)" and ours.country == "dk"
    assert theirs.text["sv"] == "Utförarens steg (sv)"
    assert ours.steps == ("organisation",) and ours.templates == ("logic-model",)


def test_nothing_that_is_done_is_advised():
    result = score_assessment(FIXTURE, all_answers(FIXTURE, best))
    assert result.actions == () and result.advice == ()


@pytest.mark.parametrize("questionnaire", ALL, ids=lambda q: q.id)
def test_all_worst_answers_give_0_at_most_five_actions_and_the_bottom_level(questionnaire):
    result = score_assessment(questionnaire, all_answers(questionnaire, worst))
    assert all(d.score in (0, None) for d in result.dimensions)
    assert result.overall == 0 and result.overall_level == questionnaire.levels[0].id
    assert 1 <= len(result.actions) <= 5
    assert all(questionnaire.questions[a.question].critical for a in result.actions)


# --- properties over the real questionnaires ----------------------------------------------------


def answer_strategy(q: Question):
    options = [st.just(DONT_KNOW), st.none()]
    if q.type == "number":
        options.append(st.integers(int(q.min), int(q.max)))
    elif q.type == "multiple":
        plain = [o.value for o in q.options if not o.exclusive]
        options.append(st.lists(st.sampled_from(plain), min_size=1, unique=True))
        options += [st.just([o.value]) for o in q.options if o.exclusive]
    else:
        options.append(st.sampled_from([o.value for o in q.choices()]))
    return st.one_of(options)


@st.composite
def answer_sets(draw, questionnaire: Questionnaire):  # type: ignore[no-untyped-def]
    """Answers as a respondent leaves them: none to questions that are routed away."""
    answers = {}
    for q in questionnaire.questions.values():
        if q.scored:
            value = draw(answer_strategy(q))
            if value is not None:
                answers[q.id] = value
    return {
        qid: a
        for qid, a in answers.items()
        if applies(questionnaire.questions[qid], answers, questionnaire) is not False
    }


@pytest.mark.parametrize("questionnaire", ALL, ids=lambda q: q.id)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_scores_stay_between_0_and_100(questionnaire, data):
    result = score_assessment(questionnaire, data.draw(answer_sets(questionnaire)))
    for d in result.dimensions:
        assert d.score is None or 0 <= d.score <= 100
    assert result.overall is None or 0 <= result.overall <= 100
    assert len(result.actions) <= 5


@pytest.mark.parametrize("questionnaire", ALL, ids=lambda q: q.id)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_dont_know_never_raises_a_score_or_a_level(questionnaire, data):
    answers = data.draw(answer_sets(questionnaire))
    candidates = [qid for qid, a in answers.items() if a != DONT_KNOW]
    if not candidates:
        return
    replaced = data.draw(st.sampled_from(candidates))
    before = score_assessment(questionnaire, answers)
    after = score_assessment(questionnaire, {**answers, replaced: DONT_KNOW})
    for old, new in zip(before.dimensions, after.dimensions, strict=True):
        assert new.score is None or (old.score is not None and new.score <= old.score)
        assert level_index(questionnaire, new.level) <= level_index(questionnaire, old.level)
    assert (after.overall or 0) <= (before.overall or 0)
    assert level_index(questionnaire, after.overall_level) <= level_index(
        questionnaire, before.overall_level
    )


@pytest.mark.parametrize("questionnaire", ALL, ids=lambda q: q.id)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_a_high_warning_or_an_unmet_requirement_always_caps_the_level(questionnaire, data):
    result = score_assessment(questionnaire, data.draw(answer_sets(questionnaire)))
    high = [f for f in result.flags if f.severity == "high"]
    unmet = [r for r in result.requirements if r.applicable and not r.met]
    if high or unmet:
        assert level_index(questionnaire, result.overall_level) <= CAP_INDEX
    for d in result.dimensions:
        gated = any(f.dimension == d.id for f in high) or any(r.dimension == d.id for r in unmet)
        if gated:
            assert level_index(questionnaire, d.level) <= CAP_INDEX


def better(q: Question, answer):  # type: ignore[no-untyped-def]
    """Answers that score at least as well as this one."""
    current = q.score_of(answer)
    if q.type == "number":
        return st.integers(int(answer), int(q.max))
    if q.type == "multiple":
        if set(answer) & q.exclusive_values():
            plain = [o.value for o in q.options if not o.exclusive]
            return st.lists(st.sampled_from(plain), min_size=1, unique=True)
        plain = [o.value for o in q.options if not o.exclusive]
        return st.lists(st.sampled_from(plain), min_size=1, unique=True).map(
            lambda extra: sorted(set(answer) | set(extra))
        )
    return st.sampled_from([o.value for o in q.choices() if o.score >= current])


@pytest.mark.parametrize("questionnaire", ALL, ids=lambda q: q.id)
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_raising_one_answer_never_lowers_its_dimensions_score(questionnaire, data):
    answers = data.draw(answer_sets(questionnaire))

    # Questions that others depend on (routing, caps) change what is asked, not only a score.
    def named(rule):  # type: ignore[no-untyped-def]
        if not isinstance(rule, dict):
            return set()
        parts = rule.get("all") or rule.get("any")
        if parts:
            return set().union(*(named(p) for p in parts))
        return {rule.get("question")}

    parents = set()
    for q in questionnaire.questions.values():
        parents |= named(q.show_if) | named((q.score_cap or {}).get("when"))
    for d in questionnaire.dimensions:
        parents |= named(d.show_if)
    candidates = [
        q
        for q in questionnaire.questions.values()
        if q.scored
        and q.id in answers
        and answers[q.id] != DONT_KNOW
        and q.id not in parents
        and applies(q, answers, questionnaire) is True
    ]
    if not candidates:
        return
    question = data.draw(st.sampled_from(candidates))
    raised = {**answers, question.id: data.draw(better(question, answers[question.id]))}
    _, before = score_dimension(questionnaire, question.dimension, answers)
    _, after = score_dimension(questionnaire, question.dimension, raised)
    assert after >= before


@pytest.mark.parametrize("questionnaire", [*ALL, FIXTURE_SUPPLIER], ids=lambda q: q.id)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_what_scoring_keeps_of_the_answers_is_what_each_function_finds_alone(questionnaire, data):
    """score_assessment works out routing and scores once per question (Known): the result is
    the one the functions give asked one by one with the plain answers."""
    answers = data.draw(answer_sets(questionnaire))
    # "Don't know" to some questions routing hides as well (a stored set may hold them).
    for qid in data.draw(st.sets(st.sampled_from(sorted(questionnaire.questions)))):
        answers.setdefault(qid, DONT_KNOW)
    known = Known(answers, questionnaire)
    for q in questionnaire.questions.values():
        assert applies(q, known, questionnaire) == applies(q, answers, questionnaire)
        answer = answer_of(q, answers, questionnaire)
        alone = (answer, question_score(q, answer, answers, questionnaire))
        assert counted(q, known, questionnaire) == alone == counted(q, answers, questionnaire)
    assert known == answers  # the answers themselves are a copy, unchanged
    result = score_assessment(questionnaire, answers)
    for d, shown in zip(result.dimensions, questionnaire.dimensions, strict=True):
        plain, _ = score_dimension(questionnaire, shown.id, answers)
        assert (d.id, d.score, d.answered, d.unknown, d.shown, d.status, d.uncapped_level) == (
            plain.id, plain.score, plain.answered, plain.unknown, plain.shown, plain.status,
            plain.level,
        )  # fmt: skip
    actions, more = advice_from_answers(questionnaire, answers, questionnaire.id)
    assert (result.actions, result.advice) == (tuple(actions), tuple(more))


@pytest.mark.parametrize("questionnaire", ALL, ids=lambda q: q.id)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_stored_result_is_what_asdict_makes_of_it(questionnaire, data):
    """as_plain (what a submit stores) gives the very dicts, lists and tuples asdict would."""
    import dataclasses

    result = score_assessment(questionnaire, data.draw(answer_sets(questionnaire)))
    plain = as_plain(result)
    assert plain == dataclasses.asdict(result)
    assert repr(plain) == repr(dataclasses.asdict(result))  # the same types, tuples included

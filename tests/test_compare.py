"""Authority and supplier on the same programme: where their answers part."""

from __future__ import annotations

from app.core.compare import disagreements, shared_questions
from app.core.questionnaire import DONT_KNOW
from app.core.questionnaire_loader import load_questionnaires
from tests.conftest import ROOT

QUESTIONNAIRES = load_questionnaires(ROOT / "questionnaires")
AUTHORITY, SUPPLIER = QUESTIONNAIRES["kommune"], QUESTIONNAIRES["leverandoer"]
SHARED = shared_questions(AUTHORITY, SUPPLIER)
SCALES = [q for q in SHARED if q.type == "scale"]


def test_the_two_questionnaires_share_scale_questions_to_compare():
    assert len(SCALES) >= 5
    assert all(q.id in SUPPLIER.questions for q in SHARED)


def test_two_steps_apart_is_a_finding_and_one_step_is_not():
    wide, near = SCALES[0], SCALES[1]
    found = disagreements(
        AUTHORITY, {wide.id: "5", near.id: "4"}, SUPPLIER, {wide.id: "2", near.id: "3"}
    )
    assert [(d.question, d.gap) for d in found] == [(wide.id, 3.0)]
    assert (found[0].authority, found[0].supplier) == ("5", "2")


def test_one_party_not_knowing_is_a_finding_and_both_not_knowing_is_not():
    first, second = SCALES[0], SCALES[1]
    found = disagreements(
        AUTHORITY,
        {first.id: DONT_KNOW, second.id: DONT_KNOW},
        SUPPLIER,
        {first.id: "4", second.id: DONT_KNOW},
    )
    assert [(d.question, d.gap) for d in found] == [(first.id, None)]


def test_the_widest_gaps_come_first_and_unanswered_questions_are_left_out():
    a, b, c = SCALES[:3]
    found = disagreements(
        AUTHORITY, {a.id: "3", b.id: "5", c.id: "5"}, SUPPLIER, {a.id: "1", b.id: "1"}
    )
    assert [d.question for d in found] == [b.id, a.id]


def test_yes_against_no_is_apart_on_other_question_types_too():
    question = next(q for q in SHARED if q.type == "yes_partly_no")
    found = disagreements(AUTHORITY, {question.id: "yes"}, SUPPLIER, {question.id: "no"})
    assert [(d.question, d.gap) for d in found] == [(question.id, 1.0)]
    assert disagreements(AUTHORITY, {question.id: "yes"}, SUPPLIER, {question.id: "yes"}) == []

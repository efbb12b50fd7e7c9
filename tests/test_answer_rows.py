"""The check-your-answers page drawn in Python is byte for byte the page the Jinja macros drew.

The page's rows come from app/assessment/answer_rows.py. tests/reference/answers_macros.html is
the page's template as it was, drawing each row with the macros of views/assessment/_answer.html
(which still draw the report and the advisors' pages); here both draw the same assessments, in
both languages and both roles: answers of every kind, text a browser must see escaped, notes,
"don't know", questions routing hides, a returned assessment's comments, a submitted one, one
answered on an older version of the questionnaire, and the refused submit that lists what is
missing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import flash, render_template_string, url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.assessment import answer_rows, review_routes, service, step_page
from app.core.answers import clean_answer
from app.core.scoring import is_shown
from app.extensions import db
from app.models import Assessment, ReviewComment, Sending
from tests.assessment_helpers import BASE

REFERENCE = (Path(__file__).parent / "reference" / "answers_macros.html").read_text()
ANSWERS = {"da": "dine-svar", "sv": "dina-svar"}
SUBMIT = {"da": "indsend", "sv": "skicka-in"}
CSRF_RE = re.compile(r'name="csrf_token" value="[^"]*"')
CSRF_SEEN = 'name="csrf_token" value="…"'  # each request makes its own token: only its place counts
# What a respondent types, with everything HTML must escape.
HOSTILE = "Vi <b>ved</b> & \"tror\" 'nok' «sikkert» </dd><script>x</script> &amp;"
TYPED = st.lists(
    st.sampled_from([*"aæøåäö Z<>&\"'«»#%\n", "&amp;", "<b>", "</dd>"]), min_size=1, max_size=10
).map("".join)


def reference_page(assessment: Assessment, missing: list[str]) -> str:
    """The page as the macros drew it, with the context the route gave them."""
    questionnaire = service.questionnaire_of(assessment)
    count = len(questionnaire.dimensions) + 1
    return render_template_string(
        REFERENCE,
        assessment=assessment,
        questionnaire=questionnaire,
        same_version=assessment.questionnaire_version == questionnaire.version,
        missing=missing,
        number=count,
        total=count,
        change_urls={
            number: url_for(
                "assessment.step", token=assessment.token, number=number, back="answers"
            )
            for number in range(1, count)
        },
        is_shown=lambda q: is_shown(q, assessment.answers, questionnaire),
        advisor_comments={}
        if assessment.submitted
        else review_routes.review_comments_on(assessment),
    )


def store(app, role: str, lang: str, answers: dict, notes: dict, **columns: Any) -> str:  # type: ignore[no-untyped-def]
    """An assessment as the database holds it; its token."""
    questionnaire = app.extensions["questionnaires"][role]
    with app.app_context():
        assessment = Assessment(
            **{
                "questionnaire_id": role,
                "questionnaire_version": questionnaire.version,
                "lang": lang,
                "organisation": "Aarhus & <Co>",
                "programme": "Vej \"ud\" af 'ledighed' «nu»",
                "answers": answers,
                "notes": notes,
                **columns,
            }
        )
        db.session.add(assessment)
        db.session.commit()
        return assessment.token


def compare(app, client, lang: str, token: str, submit: bool = False, flashed: str = "") -> str:  # type: ignore[no-untyped-def]
    """The page from the app and from the reference, equal but for the CSRF token; the page.

    With `flashed`, the page shows that message, flashed by the page before."""
    path = f"{BASE[lang]}/{token}/{(SUBMIT if submit else ANSWERS)[lang]}"
    if flashed:
        with client.session_transaction() as kept:
            kept["_flashes"] = [("success", flashed)]
    response = client.post(path) if submit else client.get(path)
    drawn = response.get_data(as_text=True)
    with app.test_request_context(path, method="POST" if submit else "GET"):
        app.preprocess_request()
        if flashed:
            flash(flashed, "success")
        assessment = service.find(token)
        missing = service.missing_answers(assessment) if submit else []
        assert response.status_code == (400 if missing else 200)
        reference = reference_page(assessment, missing)
        db.session.remove()
    drawn, reference = (CSRF_RE.sub(CSRF_SEEN, page) for page in (drawn, reference))
    if drawn != reference:
        at = next(i for i, (a, b) in enumerate(zip(drawn, reference, strict=False)) if a != b)
        pytest.fail(f"drawn:     {drawn[at - 200 : at + 200]!r}\n"
                    f"reference: {reference[at - 200 : at + 200]!r}")  # fmt: skip
    return drawn


def every_kind(questionnaire, lang: str, turn: int) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """Answers and notes that go round the kinds of answer question by question: unanswered,
    "don't know", each option (several for multiple choice), numbers and hostile text."""
    answers: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for at, q in enumerate(questionnaire.questions.values()):
        pick = (at + turn) % 4
        if q.type == "text":
            raw = [None, HOSTILE, "Kort svar", "<>"][pick]
        elif pick == 0:
            raw = None
        elif pick == 1:
            raw = "dont_know"
        elif q.type == "number":
            raw = str(int(q.max)) if pick == 2 else "12,5"
        elif q.type == "multiple":
            values = [o.value for o in q.options if not o.exclusive]
            raw = values[: 1 + (at + turn) % len(values)] if pick == 2 else values[-1:]
        else:
            choices = [o.value for o in q.choices()]
            raw = choices[(at + turn) % len(choices)]
        answer, error = clean_answer(q, raw, lang)
        if error is None and answer is not None:
            answers[q.id] = answer
        if at % 3 == turn % 3 and q.type != "text":
            notes[q.id] = HOSTILE if at % 2 else "Vi har målt det i 2024."
    return answers, notes


@pytest.mark.parametrize("lang", ["da", "sv"])
@pytest.mark.parametrize("role", ["kommune", "leverandoer"])
def test_drafts_with_answers_of_every_kind_draw_the_same_page(db_app, db_client, role, lang):
    questionnaire = db_app.extensions["questionnaires"][role]
    for turn in range(4):
        answers, notes = every_kind(questionnaire, lang, turn)
        token = store(db_app, role, lang, answers, notes)
        page = compare(db_app, db_client, lang, token)
        assert "&lt;script&gt;" in page and "<script>x" not in page  # typed text is escaped
        assert "summary-action" in page  # a draft's answers have change links
        # The refused submit lists the unanswered questions above the same rows.
        refused = compare(db_app, db_client, lang, token, submit=True)
        assert "error-summary" in refused


def answers_skeletons(app) -> list:  # type: ignore[no-untyped-def]
    return [key for key in step_page.skeletons()._items if key[0] == "answers"]


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_a_plain_draft_comes_from_its_skeleton_and_is_the_page_drawn_in_full(
    app, client, monkeypatch, lang
):
    questionnaire = app.extensions["questionnaires"]["kommune"]
    tokens = []
    for turn in range(3):  # the skeleton is drawn for the first, and filled for the others
        answers, notes = every_kind(questionnaire, lang, turn)
        tokens.append(store(app, "kommune", lang, answers, notes))
        compare(app, client, lang, tokens[-1])
    with app.app_context():
        assert ("answers", lang, "kommune", questionnaire.version, True, True) in answers_skeletons(
            app
        )
    # A flashed message is drawn in full with the page, once; then the page is plain again.
    flashed = compare(app, client, lang, tokens[0], flashed="Gemt & <Qflash>")
    assert "Gemt &amp; &lt;Qflash&gt;" in flashed
    assert "Qflash" not in compare(app, client, lang, tokens[0])
    monkeypatch.setitem(app.config, "STEP_SKELETONS", False)
    for token in tokens:
        compare(app, client, lang, token)


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_routing_hides_questions_and_whole_pages_the_same_way(app, client, lang):
    # No partner: the supplier's pages that need one are left out altogether.
    questionnaire = app.extensions["questionnaires"]["leverandoer"]
    answers, notes = every_kind(questionnaire, lang, 1)
    answers["org_partner_count"] = 0
    token = store(app, "leverandoer", lang, answers, notes)
    page = compare(app, client, lang, token)
    questions = questionnaire.questions.values()
    hidden = [q for q in questions if not is_shown(q, answers, questionnaire)]
    assert hidden and all(f'id="answer-{q.id}"' not in page for q in hidden)
    # A municipality delivering itself is not asked about its supplier's contract.
    municipality = app.extensions["questionnaires"]["kommune"]
    answers, notes = every_kind(municipality, lang, 2)
    answers.update({"org_delivery": "own_staff", "tg_trial_run": "no", "pm_investor": "municipal"})
    answers.pop("org_partner_count", None)
    token = store(app, "kommune", lang, answers, notes)
    page = compare(app, client, lang, token)
    assert 'id="answer-co_supplier_contract"' not in page
    assert 'id="answer-tg_trial_result"' not in page


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_a_submitted_an_older_version_and_a_returned_assessment_draw_the_same_page(
    db_app, db_client, lang
):
    questionnaire = db_app.extensions["questionnaires"]["kommune"]
    answers, notes = every_kind(questionnaire, lang, 3)
    scenario = {"participants": 4321, "success_rate": 0.4567, "target_rate": 0.3}
    submitted = store(
        db_app, "kommune", lang, answers, notes, status="submitted", scenario=scenario
    )
    page = compare(db_app, db_client, lang, submitted)
    assert "summary-action" not in page  # a submitted assessment's answers cannot be changed
    older = store(db_app, "kommune", lang, answers, notes,
                  questionnaire_version=questionnaire.version - 1)  # fmt: skip
    compare(db_app, db_client, lang, older)
    with_scenario = store(db_app, "kommune", lang, answers, notes, scenario=scenario)
    assert "4321" in compare(db_app, db_client, lang, with_scenario)  # its figures, in the text
    returned = store(db_app, "kommune", lang, answers, notes)
    first = next(iter(questionnaire.questions))
    with db_app.app_context():
        assessment = db.session.scalar(db.select(Assessment).where(Assessment.token == returned))
        row = Sending(assessment_id=assessment.id, contact_name="Anna", contact_email="a@b.dk",
                      role="kommune", revising=True, version=1)  # fmt: skip
        db.session.add(row)
        db.session.flush()
        for question_id, body in ((None, "Ret målgruppen & <kilden>"), (first, HOSTILE)):
            db.session.add(
                ReviewComment(sending_id=row.id, version=1, kind="comment",
                              question_id=question_id, body=body, released=True)
            )  # fmt: skip
        db.session.commit()
    page = compare(db_app, db_client, lang, returned)
    assert "review-on-page" in page and "Ret målgruppen &amp; &lt;kilden&gt;" in page


def answers_to(question) -> st.SearchStrategy:  # type: ignore[no-untyped-def]
    """What a respondent might have answered, as a form sends it."""
    if question.type == "text":
        return st.one_of(st.none(), TYPED)
    if question.type == "number":
        valid = st.one_of(
            st.integers(int(question.min), int(question.max)).map(str),
            st.decimals(question.min, min(question.max, 10**6), places=2).map(
                lambda d: str(d).replace(".", ",")
            ),
        )
    elif question.type == "multiple":
        valid = st.lists(st.sampled_from([o.value for o in question.options]), min_size=1)
    else:
        valid = st.sampled_from([o.value for o in question.choices()])
    return st.one_of(st.none(), st.just("dont_know"), valid)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.data(),
    lang=st.sampled_from(["da", "sv"]),
    role=st.sampled_from(["kommune", "leverandoer"]),
)
def test_any_answers_draw_the_same_page(app, data, lang, role):
    questionnaire = app.extensions["questionnaires"][role]
    answers, notes = {}, {}
    for q in questionnaire.questions.values():
        answer, error = clean_answer(q, data.draw(answers_to(q), label=q.id), lang)
        if error is None and answer is not None:
            answers[q.id] = answer
        if data.draw(st.booleans(), label=f"note {q.id}?"):
            notes[q.id] = data.draw(TYPED, label=f"note {q.id}")
    token = store(app, role, lang, answers, notes)
    client = app.test_client()
    compare(app, client, lang, token)
    compare(app, client, lang, token, submit=True)


MACROS = (
    '{% from "views/assessment/_answer.html" import answer_value, answer_note with context %}'
    "{{ answer_value(q, value) }}{{ answer_note(note) }}"
)


def stored_values(q) -> list[Any]:  # type: ignore[no-untyped-def]
    """Answers of the forms a question's answer is stored in, and some no form stores."""
    values: list[Any] = [None, "dont_know"]
    if q.type == "scale":
        return [*values, *"12345"]
    if q.type == "multiple":
        chosen = [o.value for o in q.options]
        return [*values, *([v] for v in chosen), chosen, chosen[::-1][:2], []]
    if q.type == "number":
        return [*values, 0, 7, 12.5, 1234567, 0.25, -3]
    return [*values, HOSTILE, "", "nonsense", *(o.value for o in q.choices())]


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_each_answer_and_note_is_what_the_macros_draw(app, lang):
    """The Python answer_value and answer_note against the macros, value by value."""
    macros = app.jinja_env.from_string(MACROS)
    for role, questionnaire in app.extensions["questionnaires"].items():
        with app.test_request_context(f"{BASE[lang]}/"):
            app.preprocess_request()
            words = answer_rows.words()
            parts = {
                p.question.id: p
                for d in answer_rows.questionnaire_parts(questionnaire, lang)
                for p in d.questions
            }
            for q in questionnaire.questions.values():
                for value in stored_values(q):
                    for note in (None, "", HOSTILE):
                        expected = macros.render(q=q, value=value, note=note, lang=lang)
                        drawn = answer_rows.value_html(parts[q.id], value, words)
                        drawn += answer_rows.note_html(note, words)
                        assert drawn == expected, (role, q.id, value, note)

"""The load client's respondents, without a server: what they send, and what they expect the
database to hold (tests/test_load.py runs them against the served stack)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from app.core.questionnaire_loader import load_questionnaires
from app.extensions import db
from app.models import Assessment
from tests import load_client
from tests.conftest import ROOT, dispose, make_app, migrate_fresh
from tests.load_client import Answer, FlowError, Respondent

TOKEN = "T" * 43


@pytest.fixture(scope="module")
def questionnaires():
    return load_questionnaires(ROOT / "questionnaires")


def test_form_bodies_are_urlencoded_as_urllib_does(questionnaires):
    respondent = Respondent(4, questionnaires)
    forms = [respondent.page_form(n, "a+b/c==") for n in (1, 2, 3)]
    forms.append({"q_x": ["one", "two words"], "note_x": " «a» & <b>æ</b> ", "empty": "",
                  "none": []})  # fmt: skip
    for _ in range(2):  # the second time from the cache
        for form in forms:
            assert load_client.form_body(form) == urlencode(form, doseq=True)


def test_a_seed_gives_the_same_answers_every_time(questionnaires):
    first, again = Respondent(5, questionnaires, seed=3), Respondent(5, questionnaires, seed=3)
    other = Respondent(5, questionnaires, seed=4)
    pages = range(1, len(first.questionnaire.dimensions) + 1)
    forms = [first.page_form(n, "t") for n in pages]
    assert forms == [again.page_form(n, "t") for n in pages]
    assert forms != [other.page_form(n, "t") for n in pages]


def test_the_expectations_follow_every_page_saved_also_after_they_were_read(questionnaires):
    respondent = Respondent(1, questionnaires)
    first_page = [q.id for q in respondent.questionnaire.dimensions[0].questions]
    form = respondent.page_form(1, "t")
    respondent.record_page(1, form)
    noted = [qid for qid in first_page if f"note_{qid}" in form]
    assert set(respondent.expected_notes) == set(noted)
    assert set(respondent.expected_answers) <= set(first_page)
    again = {**form, f"note_{noted[0]}": "  a new note  "}
    respondent.record_page(1, again)  # the page saved once more, after the figures were read
    assert respondent.expected_notes[noted[0]] == "a new note"
    respondent.record_page(2, respondent.page_form(2, "t"))
    second_page = {q.id for q in respondent.questionnaire.dimensions[1].questions}
    assert set(respondent.expected_answers) & second_page


def test_the_secret_link_is_the_one_with_the_respondents_token(questionnaires):
    respondent = Respondent(0, questionnaires)
    respondent.token = TOKEN
    body = (f'<a href="https://x.dk/da/genoptag/{"A" * 43}">other</a>'
            f'<a href="http://127.0.0.1:8000/da/vurdering/genoptag/{TOKEN}">mine</a>')  # fmt: skip
    assert respondent.secret_link(body) == f"/da/vurdering/genoptag/{TOKEN}"
    with pytest.raises(FlowError, match="no secret link"):
        respondent.secret_link(body.replace(TOKEN, "U" * 43))


def test_the_task_lists_continue_link_is_the_one_for_the_respondents_token(questionnaires):
    respondent = Respondent(0, questionnaires)
    respondent.token = TOKEN
    body = f'<a class="button button-primary task-list-continue" href="/da/x/{TOKEN}/trin/3">'
    assert respondent.continue_link(body) == f"/da/x/{TOKEN}/trin/3"
    with pytest.raises(FlowError, match="no way on"):
        respondent.continue_link(body.replace(TOKEN, "U" * 43))


@pytest.fixture
def csrf_app(tmp_path):
    """The app with CSRF on, as the load test's respondents meet it."""
    app = make_app(f"sqlite:///{tmp_path / 'flow.db'}", WTF_CSRF_ENABLED=True)
    migrate_fresh(app)
    yield app
    dispose(app)


@pytest.mark.parametrize("index", [0, 1, 5])
def test_a_respondents_flow_runs_to_the_end_on_the_app(csrf_app, index):
    """The flow through the test client: saved, back by the secret link to the task list, on from
    there to the end; the database holds what the respondent expects."""
    respondent = Respondent(index, csrf_app.extensions["questionnaires"])
    client = csrf_app.test_client()
    kinds = []
    flow = respondent.flow()
    request = next(flow)
    with pytest.raises(StopIteration):
        while True:
            kinds.append(request.kind)
            response = client.open(request.path, method=request.method, data=request.form)
            request = flow.send(
                Answer(
                    response.status_code,
                    response.headers.get("Location", ""),
                    response.get_data(as_text=True),
                )
            )
    assert respondent.submitted
    back = kinds.index("resume GET")
    assert kinds[back - 2 : back + 3] == [
        "step POST",
        "overview GET",
        "resume GET",
        "overview GET",
        "step GET",
    ]
    with csrf_app.app_context():
        stored = db.session.scalar(select(Assessment).where(Assessment.token == respondent.token))
        assert stored.answers == respondent.expected_answers
        assert stored.notes == respondent.expected_notes

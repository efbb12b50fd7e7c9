"""A respondent takes the answers and notes to a meeting as a spreadsheet in their language."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from app.core.scoring import is_shown
from tests.assessment_helpers import BASE, STEP, answer_all, form_value, start
from tests.helpers import get_page
from tests.test_assessment import questionnaire, stored

RESULT = {"da": "resultat", "sv": "resultat"}
SUBMIT = {"da": "indsend", "sv": "skicka-in"}
SHEETS = {"da": ["Svar", "Om"], "sv": ["Svar", "Om"]}
HEADINGS = {
    "da": ["Side", "Spørgsmål", "Svar", "Hvordan ved I det?"],
    "sv": ["Sida", "Fråga", "Svar", "Hur vet ni det?"],
}
NOT_SUBMITTED = {"da": "Ikke indsendt endnu", "sv": "Inte inskickad än"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(client, lang: str, token: str):  # type: ignore[no-untyped-def]
    response = client.get(f"{BASE[lang]}/{token}/answers.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    return response, load_workbook(BytesIO(response.data))


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_result_page_offers_the_answers_as_a_spreadsheet_in_its_language(app, client, lang):
    qn = questionnaire(app)
    token = start(client, lang, programme="Tidlig hjælp")
    first = qn.dimensions[0].questions[0]
    note = "Referat fra styregruppen 3/11 – <b>bilag</b> & «æøå»"
    answer_all(client, lang, token, qn)
    page_one = {f"q_{q.id}": form_value(q) for q in qn.dimensions[0].questions}
    page_one.update(action="continue", **{f"note_{first.id}": note})
    client.post(f"{BASE[lang]}/{token}/{STEP[lang]}/1", data=page_one)
    client.post(f"{BASE[lang]}/{token}/{SUBMIT[lang]}")

    result = get_page(client, f"{BASE[lang]}/{token}/{RESULT[lang]}")
    link = result.select_one('a[href$="/answers.xlsx"]')
    assert link is not None and "XLSX" in link.get_text()
    response, book = workbook(client, lang, token)
    assert response.headers["Content-Disposition"] == "attachment; filename=svar-tidlig-hjaelp.xlsx"
    assert book.sheetnames == SHEETS[lang]
    rows = list(book["Svar"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADINGS[lang]
    by_question = {row[1]: row for row in rows[1:]}
    answers = stored(app, token).answers
    shown = [q for q in qn.questions.values() if is_shown(q, answers, qn)]
    assert set(by_question) == {q.text[lang] for q in shown}
    page, _text, answer, how = by_question[first.text[lang]]
    assert page == f"1. {qn.dimensions[0].title[lang]}"
    assert how == note  # as typed: a spreadsheet cell is text, not HTML
    assert answer is not None
    about = dict(book["Om"].iter_rows(min_row=2, values_only=True))
    assert "Tidlig hjælp" in about.values() and "Eksempel Kommune" in about.values()


def test_a_note_that_looks_like_a_formula_stays_text(app, client):
    qn = questionnaire(app)
    token = start(client)
    first = qn.dimensions[0].questions[0]
    data = {f"q_{q.id}": form_value(q) for q in qn.dimensions[0].questions}
    data.update(action="continue", **{f"note_{first.id}": '=HYPERLINK("http://x.example","klik")'})
    assert client.post(f"{BASE['da']}/{token}/{STEP['da']}/1", data=data).status_code == 302
    _response, book = workbook(client, "da", token)
    cells = [c for row in book["Svar"].iter_rows(min_row=2) for c in row if c.value]
    noted = [c for c in cells if "HYPERLINK" in str(c.value)]
    assert [c.value for c in noted] == ['\'=HYPERLINK("http://x.example","klik")']
    assert all(c.data_type == "s" for c in noted)


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_a_draft_gives_its_answers_so_far_and_says_it_is_not_submitted(app, client, lang):
    qn = questionnaire(app)
    token = start(client, lang)
    data = {f"q_{q.id}": form_value(q, "worst") for q in qn.dimensions[0].questions}
    client.post(f"{BASE[lang]}/{token}/{STEP[lang]}/1", data={**data, "action": "save"})
    _response, book = workbook(client, lang, token)
    rows = list(book["Svar"].iter_rows(min_row=2, values_only=True))
    answered = [row for row in rows if row[2] is not None]
    assert len(answered) == len(qn.dimensions[0].questions)
    assert all(row[0].startswith("1. ") for row in answered)
    assert NOT_SUBMITTED[lang] in dict(book["Om"].iter_rows(min_row=2, values_only=True)).values()


def test_an_unknown_link_gets_no_workbook(client):
    response = client.get(f"{BASE['da']}/{'A' * 43}/answers.xlsx")
    assert response.status_code == 404

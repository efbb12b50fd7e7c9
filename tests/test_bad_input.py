"""Nothing a person types breaks the site: each case here answered 500 before it was fixed."""

from __future__ import annotations

import secrets
from io import BytesIO

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assessment, PageFeedback
from tests.assessment_helpers import BASE, STEP, answer_all, form_value, start
from tests.conftest import make_app, migrate_fresh
from tests.helpers import check_page, text_of

NUL_TEXT = "Kom\x00mune\x01 \x1b[31m"


def stored(app, token: str) -> Assessment | None:
    with app.app_context():
        return db.session.scalar(select(Assessment).where(Assessment.token == token))


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_start_form_takes_an_email_address_with_every_field_filled(db_app, db_client, lang):
    response = db_client.post(
        f"{BASE[lang]}/",
        data={
            "role": "leverandoer",
            "organisation": "Foreningen Nærvær",
            "programme": "Tidlig støtte",
            "email": "kontakt@naervaer.dk",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    token = response.headers["Location"].split("/")[3]
    assessment = stored(db_app, token)
    assert assessment.email == "kontakt@naervaer.dk"
    assert assessment.organisation == "Foreningen Nærvær"


def test_a_wrong_email_address_is_refused_in_the_page_language_keeping_what_was_typed(client):
    response = client.post(
        "/sv/sjalvskattning/",
        data={"role": "kommune", "organisation": "Örebro", "programme": "P", "email": "nej@"},
    )
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "start")
    assert "Skriv en e-postadress" in text_of(soup, ".error-summary")
    assert soup.select_one("#organisation")["value"] == "Örebro"
    assert soup.select_one("#email")["value"] == "nej@"


def test_every_field_of_a_questionnaire_page_filled_with_a_valid_value_is_stored(app, client):
    token = start(client)
    questionnaire = app.extensions["questionnaires"]["kommune"]
    dimension = questionnaire.dimensions[0]
    data = {"action": "continue"}
    for q in dimension.questions:
        data[f"q_{q.id}"] = form_value(q, "best")
        data[f"note_{q.id}"] = f"Notat om {q.id}"
    response = client.post(f"/da/selvevaluering/{token}/trin/1", data=data)
    assert response.status_code == 302
    assessment = stored(app, token)
    assert set(assessment.notes) == {q.id for q in dimension.questions if q.type != "text"} | {
        q.id for q in dimension.questions if q.type == "text"
    }


@pytest.fixture(scope="module")
def csrf_app(tmp_path_factory):
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('csrf') / 'c.db'}", WTF_CSRF_ENABLED=True)
    migrate_fresh(app)
    return app


def test_a_refused_csrf_token_never_answers_500_whatever_the_link(csrf_app):
    client = csrf_app.test_client()
    plain = make_app(csrf_app.config["SQLALCHEMY_DATABASE_URI"]).test_client()
    draft = start(plain)
    submitted = start(plain)
    answer_all(plain, "da", submitted, csrf_app.extensions["questionnaires"]["kommune"])
    plain.post(f"/da/selvevaluering/{submitted}/indsend")
    deleted = start(plain)
    plain.post(f"/da/selvevaluering/{deleted}/slet")
    unknown, no_page = "Linket fører ikke til en selvevaluering", "Siden findes ikke"
    cases = {
        f"/da/selvevaluering/{'A' * 43}/trin/1": (404, unknown),
        f"/da/selvevaluering/{deleted}/trin/1": (404, unknown),
        f"/da/selvevaluering/{submitted}/trin/1": (302, None),  # to the result
        f"/da/selvevaluering/{draft}/trin/99": (404, no_page),
        f"/sv/sjalvskattning/{draft}/steg/0": (404, "Sidan finns inte"),
        f"/da/selvevaluering/{draft}/trin/1": (400, None),  # the page again, answers kept
    }
    first = csrf_app.extensions["questionnaires"]["kommune"].dimensions[0].questions[0]
    typed = {f"q_{first.id}": form_value(first, "best"), "action": "continue"}
    for url, (status, heading) in cases.items():
        response = client.post(url, data=typed)
        assert response.status_code == status, url
        if heading:
            soup = check_page(response.get_data(as_text=True), url)
            assert text_of(soup, "h1") == heading, url
    kept = client.post(f"/da/selvevaluering/{draft}/trin/1", data=typed)
    soup = check_page(kept.get_data(as_text=True), "kept")
    chosen = soup.select_one(f'input[name="q_{first.id}"][value="{typed[f"q_{first.id}"]}"]')
    assert chosen.has_attr("checked")


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_control_characters_in_every_text_field_are_removed_before_storing(db_app, db_client, lang):
    response = db_client.post(
        f"{BASE[lang]}/",
        data={"role": "kommune", "organisation": NUL_TEXT, "programme": "P\x00", "email": ""},
    )
    assert response.status_code == 302
    token = response.headers["Location"].split("/")[3]
    questionnaire = db_app.extensions["questionnaires"]["kommune"]
    dimension = questionnaire.dimensions[0]
    data = {"action": "save"}
    for q in dimension.questions:
        value = form_value(q, "best")
        data[f"q_{q.id}"] = "Tekst\x00med NUL" if q.type == "text" else value
        data[f"note_{q.id}"] = "Note\x00\x07 med\r\nlinjeskift"
    response = db_client.post(f"{BASE[lang]}/{token}/{STEP[lang]}/1", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assessment = stored(db_app, token)
    assert assessment.organisation == "Kommune [31m" and assessment.programme == "P"
    texts = [v for v in assessment.answers.values() if isinstance(v, str) and "Tekst" in v]
    assert texts == ["Tekstmed NUL"]
    assert set(assessment.notes.values()) == {"Note med\nlinjeskift"}


def test_control_characters_in_a_feedback_comment_are_removed(db_app, db_client):
    response = db_client.post(
        "/da/feedback",
        data={"kind": "pages", "key": "about", "useful": "no", "comment": "Godt\x00 nok\x0c"},
    )
    assert response.status_code == 302
    with db_app.app_context():
        assert db.session.scalar(select(PageFeedback.comment)) == "Godt nok"


@pytest.mark.parametrize(
    "url",
    [
        "/da/selvevaluering/%00AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/trin/1",
        "/da/selvevaluering/AAAAAAAAAAAAAAAAAAAAA%00AAAAAAAAAAAAAAAAAAAAA",
        "/sv/sjalvskattning/AAAAAAAAAAAAAAAAAAAAA%00AAAAAAAAAAAAAAAAAAAAA/resultat",
        "/da/betalingssimulator?assessment=AAAAAAAAAAAAAAAAAAAAA%00AAAAAAAAAAAAAAAAAAAAA",
        "/da/betalingssimulator?assessment=%00",
        "/da/soeg?q=%00betaling",
        "/da/vaerktoejskasse/m%00algruppe",
    ],
)
def test_a_nul_byte_in_a_secret_link_path_or_query_never_answers_500(db_client, url):
    response = db_client.get(url)
    assert response.status_code in (200, 404), (url, response.status_code)


def test_an_unknown_secret_link_gets_its_own_page_with_the_retention_periods(client):
    for lang, heading, days in (
        ("da", "Linket fører ikke til en selvevaluering", "90 dage"),
        ("sv", "Länken leder inte till någon självskattning", "90 dagar"),
    ):
        token = secrets.token_urlsafe(32)
        response = client.get(f"{BASE[lang]}/{token}")
        assert response.status_code == 404
        soup = check_page(response.get_data(as_text=True), "unknown link")
        assert soup.html["lang"] == lang and text_of(soup, "h1") == heading
        assert days in soup.get_text() and soup.select_one("a.button[href$='/']")


def test_a_deleted_assessment_and_a_bad_simulator_link_lead_to_the_same_page(client):
    token = start(client)
    client.post(f"/da/selvevaluering/{token}/slet")
    for url in (
        f"/da/selvevaluering/{token}/dine-svar",
        f"/da/betalingssimulator?assessment={token}",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert "Linket fører ikke til en selvevaluering" in response.get_data(as_text=True)


def upload(text: str) -> tuple[BytesIO, str]:
    """A file part, as a multipart body carries an upload."""
    return BytesIO(text.encode()), "notes.txt"


@pytest.mark.parametrize("field", ["programme", "email"])
def test_a_file_where_the_start_form_takes_text_counts_as_left_empty(db_app, db_client, field):
    data = {"role": "kommune", "organisation": "Eksempel", "programme": "P", "email": ""}
    data[field] = upload("a@b.dk")
    response = db_client.post("/da/selvevaluering/", data=data, content_type="multipart/form-data")
    if field == "email":  # optional: the form goes through without it
        assert response.status_code == 302
        assert stored(db_app, response.headers["Location"].split("/")[3]).email == ""
        return
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "start")
    assert text_of(soup, "#programme-error") == "Fejl: Skriv et navn på programmet eller idéen."


def test_a_file_as_a_note_or_a_feedback_comment_is_not_stored(db_app, db_client):
    token = start(db_client)
    question = db_app.extensions["questionnaires"]["kommune"].dimensions[0].questions[0]
    response = db_client.post(
        f"/da/selvevaluering/{token}/trin/1",
        data={"action": "save", f"note_{question.id}": upload("Notat")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert stored(db_app, token).notes == {}
    response = db_client.post(
        "/da/feedback",
        data={"kind": "pages", "key": "about", "useful": "yes", "comment": upload("Godt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with db_app.app_context():
        assert db.session.scalar(select(PageFeedback.comment)) == ""


@pytest.mark.parametrize(
    "body",
    [
        {"role": "kommune", "organisation": "Kom\x00mune", "programme": "P"},
        {"role": "kommune", "organisation": 5, "programme": ["P", {"x": 1}]},
    ],
)
def test_a_json_body_to_a_form_is_not_read_as_the_form(db_app, db_client, body):
    response = db_client.post("/sv/sjalvskattning/", json=body)
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "start")
    assert soup.html["lang"] == "sv" and soup.select_one(".error-summary")
    with db_app.app_context():
        assert db.session.query(Assessment).count() == 0


def test_a_name_of_only_spaces_is_refused_as_no_name(db_app, db_client):
    response = db_client.post(
        "/da/selvevaluering/",
        data={"role": "kommune", "organisation": " \t ", "programme": "\x00 \r\n"},
    )
    assert response.status_code == 400  # was stored as an empty name
    soup = check_page(response.get_data(as_text=True), "start")
    assert text_of(soup, "#organisation-error") == "Fejl: Skriv navnet på jeres organisation."
    assert text_of(soup, "#programme-error") == "Fejl: Skriv et navn på programmet eller idéen."
    with db_app.app_context():
        assert db.session.query(Assessment).count() == 0

"""A respondent's checklist for the self-assessment, through the test client."""

from __future__ import annotations

import base64
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Assessment, RenderedFile
from tests.assessment_helpers import BASE, answer_all, form_value, start
from tests.helpers import check_page, get_page, text_of


def stored(app, token: str) -> Assessment | None:
    with app.app_context():
        return db.session.scalar(select(Assessment).where(Assessment.token == token))


def questionnaire(app, role: str = "kommune"):
    return app.extensions["questionnaires"][role]


@pytest.mark.parametrize(
    ("lang", "heading"),
    [
        ("da", "Hvad vi gemmer, hvorfor og hvor længe"),
        ("sv", "Vad vi sparar, varför och hur länge"),
    ],
)
def test_the_start_page_says_what_is_stored_and_why(client, lang, heading):
    soup = get_page(client, f"{BASE[lang]}/")
    assert text_of(soup, "#storage-heading") == heading
    assert len(soup.select('input[name="role"]')) == 2


def test_the_start_page_explains_mistakes_in_the_visitors_language(app, client):
    response = client.post("/sv/sjalvskattning/", data={"role": "mayor", "organisation": ""})
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "start")
    errors = [a.get_text(strip=True) for a in soup.select(".error-summary a")]
    assert errors == [
        "Välj vem ni svarar för.",
        "Skriv namnet på er organisation.",
        "Skriv ett namn på programmet eller idén.",
    ]
    assert all(soup.select_one(a["href"]) for a in soup.select(".error-summary a"))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assessment)) == 0


def test_starting_makes_a_secret_link_of_256_bits(app, client):
    token = start(client)
    assessment = stored(app, token)
    assert len(token) == 43 and assessment.questionnaire_id == "kommune"
    assert assessment.questionnaire_version == questionnaire(app).version
    raw = base64.urlsafe_b64decode(token + "=")
    assert len(raw) * 8 == 256
    assert start(client) != token


def test_each_dimension_page_shows_where_the_respondent_is(app, client):
    token = start(client)
    total = len(questionnaire(app).dimensions) + 1
    soup = get_page(client, f"/da/selvevaluering/{token}/trin/2")
    assert text_of(soup, ".step-count") == f"Trin 2 af {total}"
    assert text_of(soup, "h1") == questionnaire(app).dimensions[1].title["da"]


def test_continuing_without_answers_lists_every_question_and_stores_nothing(app, client):
    token = start(client)
    dimension = questionnaire(app).dimensions[0]
    response = client.post(f"/da/selvevaluering/{token}/trin/1", data={"action": "continue"})
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "step errors")
    links = soup.select(".error-summary a")
    scored = [q for q in dimension.questions if q.scored and not q.show_if]
    assert len(links) >= len(scored)
    first = dimension.questions[0]
    assert (
        links[0].get_text(strip=True)
        == f"{first.text['da']} – Vælg et svar, eller vælg »Ved ikke«."
    )
    assert all(soup.select_one(a["href"]) for a in links)
    assert stored(app, token).answers == {}


def test_save_and_come_back_later_keeps_partial_answers_and_shows_the_link(app, client):
    token = start(client, "sv")
    first = questionnaire(app).dimensions[0].questions[0]
    response = client.post(
        f"/sv/sjalvskattning/{token}/steg/1",
        data={
            "action": "save",
            f"q_{first.id}": form_value(first),
            f"note_{first.id}": "Protokoll",
        },
    )
    assert response.status_code == 302
    soup = get_page(client, response.headers["Location"])
    link = text_of(soup, ".secret-link")
    assert link.endswith(f"/sv/sjalvskattning/{token}")
    assessment = stored(app, token)
    assert assessment.answers == {first.id: form_value(first)}
    assert assessment.notes == {first.id: "Protokoll"}
    # The link brings the respondent back to the task list, which goes on at the first page with
    # unanswered questions.
    assert client.get(f"/sv/sjalvskattning/{token}").headers["Location"].endswith("/oversikt")
    assert soup.select_one("a.task-list-continue")["href"].endswith("/steg/1")


def test_a_forged_option_or_out_of_range_number_is_refused_and_nothing_is_stored(app, client):
    token = start(client)
    questions = list(questionnaire(app).questions.values())
    choice = next(q for q in questions if q.type == "scale")
    number = next(q for q in questions if q.type == "number")
    dims = [d.id for d in questionnaire(app).dimensions]
    for question, value, message in (
        (choice, "6", "Vælg et af de viste svar."),
        (number, str(int(number.max) + 1), "Skriv et tal på højst"),
        (number, "mange", "Skriv et tal, fx 40."),
    ):
        page = dims.index(question.dimension) + 1
        response = client.post(
            f"/da/selvevaluering/{token}/trin/{page}",
            data={"action": "save", f"q_{question.id}": value},
        )
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert stored(app, token).answers == {}


def test_a_number_may_be_written_with_a_decimal_comma(app, client):
    token = start(client)
    dims = [d.id for d in questionnaire(app).dimensions]
    number = next(q for q in questionnaire(app).questions.values() if q.type == "number")
    page = dims.index(number.dimension) + 1
    client.post(
        f"/da/selvevaluering/{token}/trin/{page}",
        data={"action": "save", f"q_{number.id}": "12,5"},
    )
    assert stored(app, token).answers[number.id] == 12.5


@pytest.mark.parametrize(("lang", "role"), [("da", "kommune"), ("sv", "leverandoer")])
def test_a_respondent_answers_everything_submits_once_and_sees_the_result(app, client, lang, role):
    token = start(client, lang, role)
    qn = questionnaire(app, role)
    last = answer_all(client, lang, token, qn)
    assert last.headers["Location"].endswith(
        f"{BASE[lang]}/{token}/" + ("dine-svar" if lang == "da" else "dina-svar")
    )
    check = get_page(client, last.headers["Location"])
    assert len(check.select(".summary-row")) >= 30
    submit_url = check.select_one("form[action$='indsend'], form[action$='skicka-in']")["action"]
    first = client.post(submit_url)
    second = client.post(submit_url)
    assert first.status_code == second.status_code == 302
    assessment = stored(app, token)
    assert assessment.status == "submitted"
    result = get_page(client, first.headers["Location"])
    rows = result.select(".scores-table tbody tr")
    assert len(rows) == len(qn.dimensions)
    assert all(row.select("td")[0].get_text(strip=True) == "100" for row in rows)
    assert text_of(result, ".overall-score") == "100"
    svg = result.select_one("figure.radar svg")
    assert svg["role"] == "img" and svg.select_one("title") and svg.select_one("desc")
    assert text_of(result, ".overall-level") == qn.levels[-1].title[lang]
    total = len(qn.requirements)
    assert text_of(result, ".requirements-count") == (
        f"{total} af {total} krav er opfyldt."
        if lang == "da"
        else f"{total} av {total} krav är uppfyllda."
    )
    assert not result.select(".action") and not result.select(".flag")
    with app.app_context():
        submitted = db.session.scalar(
            select(func.count()).select_from(Assessment).where(Assessment.status == "submitted")
        )
    assert submitted == 1


def test_a_submitted_assessment_is_read_only(app, client):
    token = start(client)
    answer_all(client, "da", token, questionnaire(app))
    client.post(f"/da/selvevaluering/{token}/indsend")
    before = stored(app, token).answers
    response = client.post(f"/da/selvevaluering/{token}/trin/1", data={"action": "continue"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/resultat")
    assert stored(app, token).answers == before
    soup = get_page(client, f"/da/selvevaluering/{token}/dine-svar")
    assert not soup.select(".summary-action")


def test_submitting_with_unanswered_questions_lists_them(app, client):
    token = start(client)
    response = client.post(f"/da/selvevaluering/{token}/indsend")
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "answers")
    assert soup.select(".error-summary a")
    assert stored(app, token).status == "draft"


def test_low_answers_raise_warnings_and_unmet_requirements(app, client):
    token = start(client)
    answer_all(client, "da", token, questionnaire(app), how="worst")
    client.post(f"/da/selvevaluering/{token}/indsend")
    soup = get_page(client, f"/da/selvevaluering/{token}/resultat")
    assert "critical_mass" in {f["id"] for f in stored(app, token).result["flags"]}
    assert soup.select(".flag-high")
    assert soup.select(".requirement.not-met")
    assert text_of(soup, ".overall-score") == "0"


def test_dont_know_everywhere_gives_no_score_and_a_warning_per_dimension(app, client):
    token = start(client)
    answer_all(client, "da", token, questionnaire(app), how="dont_know")
    client.post(f"/da/selvevaluering/{token}/indsend")
    result = stored(app, token).result
    assert result["overall"] is None and result["overall_level"] is None
    assert {d["status"] for d in result["dimensions"]} == {"not_enough_answers"}
    unknown = [f for f in result["flags"] if f["id"].startswith("many_unknown_")]
    assert len(unknown) == len(questionnaire(app).dimensions)


def submitted(app, client, programme: str = "Tidlig hjælp", lang: str = "da") -> str:
    token = start(client, lang, programme=programme)
    answer_all(client, lang, token, questionnaire(app))
    client.post(f"{BASE[lang]}/{token}/" + ("indsend" if lang == "da" else "skicka-in"))
    return token


def test_the_chart_is_drawn_once_and_a_repeat_view_draws_nothing(app, client, monkeypatch):
    token = submitted(app, client)
    first = client.get(f"/da/selvevaluering/{token}/resultat").get_data(as_text=True)

    def no_drawing(*args, **kwargs):
        raise AssertionError("the chart was drawn again")

    monkeypatch.setattr("app.core.charts.radar_figure", no_drawing)
    monkeypatch.setattr("app.core.charts.radar_svg", no_drawing)
    monkeypatch.setattr("app.assessment.report.score_bars_svg", no_drawing)  # a phone's bars
    second = client.get(f"/da/selvevaluering/{token}/resultat").get_data(as_text=True)
    assert first == second
    with app.app_context():
        names = sorted(db.session.scalars(select(RenderedFile.name)).all())
    version = app.config["RENDER_VERSION"]
    assert names == [
        f"bars-da.svg@{version}",
        f"radar-da.svg@{version}",
        f"result-da.html@{version}",
    ]


def test_the_chart_svg_needs_no_inline_styles(app, client):
    token = submitted(app, client)
    soup = get_page(client, f"/da/selvevaluering/{token}/resultat")
    svg = soup.select_one("figure.radar svg")
    assert not svg.find_all(style=True) and not svg.find_all("style")


def test_user_text_is_escaped_in_the_page_the_chart_and_the_pdf(app, client):
    from pypdf import PdfReader

    evil = "<script>alert('x')</script> $5 $\\alpha$"
    token = submitted(app, client, programme=evil)
    html = client.get(f"/da/selvevaluering/{token}/resultat").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html
    pdf = client.get(f"/da/selvevaluering/{token}/rapport.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.data)).pages)
    assert "<script>alert('x')</script>" in text
    png = client.get(f"/da/selvevaluering/{token}/radar.png")
    assert Image.open(BytesIO(png.data)).format == "PNG"


def test_the_respondent_downloads_their_answers_as_json(app, client):
    token = submitted(app, client)
    response = client.get(f"/da/selvevaluering/{token}/answers.json")
    body = response.get_json()
    assert body["answers"] == stored(app, token).answers
    assert body["version"] == questionnaire(app).version and body["status"] == "submitted"


def test_a_reassessment_starts_from_the_old_answers_and_shows_the_change(app, client):
    old = start(client)
    qn = questionnaire(app)
    answer_all(client, "da", old, qn, how="worst")
    client.post(f"/da/selvevaluering/{old}/indsend")
    confirm = get_page(client, f"/da/selvevaluering/{old}/ny-vurdering")
    assert confirm.select_one("form button")
    response = client.post(f"/da/selvevaluering/{old}/ny-vurdering")
    new = response.headers["Location"].split("/")[3]
    assert new != old and stored(app, new).answers == stored(app, old).answers
    answer_all(client, "da", new, qn, how="best")
    client.post(f"/da/selvevaluering/{new}/indsend")
    soup = get_page(client, f"/da/selvevaluering/{new}/resultat")
    changes = [
        row.select("td")[-1].get_text(strip=True) for row in soup.select(".scores-table tbody tr")
    ]
    assert changes == ["+100"] * len(qn.dimensions)
    assert soup.select_one(f'a[href="/da/selvevaluering/{old}/resultat"]')


def test_a_respondent_deletes_their_assessment(app, client):
    token = submitted(app, client)
    confirm = get_page(client, f"/da/selvevaluering/{token}/slet")
    assert "Tidlig hjælp" in text_of(confirm, "main p")
    response = client.post(f"/da/selvevaluering/{token}/slet")
    assert response.status_code == 200
    assert stored(app, token) is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RenderedFile)) == 0
    assert client.get(f"/da/selvevaluering/{token}/resultat").status_code == 404


@pytest.mark.parametrize("token", ["A" * 43, "A" * 42, "../../etc/passwd", "1", "A" * 44])
def test_unknown_or_tampered_links_are_404(client, token):
    assert client.get(f"/da/selvevaluering/{token}/resultat").status_code == 404
    assert client.get(f"/sv/sjalvskattning/{token}/steg/1").status_code == 404


def test_long_forms_do_not_expire_while_someone_answers(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] >= 8 * 3600


def test_stored_assessments_work_on_both_databases(db_app, db_client):
    token = start(db_client, "sv", "leverandoer")
    answer_all(db_client, "sv", token, db_app.extensions["questionnaires"]["leverandoer"])
    assert db_client.post(f"/sv/sjalvskattning/{token}/skicka-in").status_code == 302
    assert db_client.get(f"/sv/sjalvskattning/{token}/resultat").status_code == 200
    assert stored(db_app, token).result["overall"] == 100


def test_the_result_page_holds_nothing_personal_to_the_visitor(app, client):
    token = submitted(app, client)
    first = client.get(f"/da/selvevaluering/{token}/resultat")
    other = app.test_client().get(f"/da/selvevaluering/{token}/resultat")
    assert first.data == other.data
    assert b"csrf_token" not in first.data


def test_deleting_the_previous_assessment_redraws_the_comparison(app, client):
    old = submitted(app, client)
    new = client.post(f"/da/selvevaluering/{old}/ny-vurdering").headers["Location"].split("/")[3]
    answer_all(client, "da", new, questionnaire(app))
    client.post(f"/da/selvevaluering/{new}/indsend")
    assert f"/da/selvevaluering/{old}/resultat" in client.get(
        f"/da/selvevaluering/{new}/resultat"
    ).get_data(as_text=True)
    client.post(f"/da/selvevaluering/{old}/slet")
    page = client.get(f"/da/selvevaluering/{new}/resultat").get_data(as_text=True)
    assert f"/da/selvevaluering/{old}/resultat" not in page


def test_a_new_release_draws_stored_results_anew(app, client):
    token = submitted(app, client)
    client.get(f"/da/selvevaluering/{token}/resultat")
    before = app.config["RENDER_VERSION"]
    app.config["RENDER_VERSION"] = "next-release"
    try:
        client.get(f"/da/selvevaluering/{token}/resultat")
        with app.app_context():
            names = sorted(db.session.scalars(select(RenderedFile.name)).all())
    finally:
        app.config["RENDER_VERSION"] = before
    assert names == [
        "bars-da.svg@next-release",
        "radar-da.svg@next-release",
        "result-da.html@next-release",
    ]


def test_the_pdf_links_back_into_the_toolbox(app, client):
    from pypdf import PdfReader

    token = start(client)
    answer_all(client, "da", token, questionnaire(app), how="worst")
    client.post(f"/da/selvevaluering/{token}/indsend")
    pdf = PdfReader(BytesIO(client.get(f"/da/selvevaluering/{token}/rapport.pdf").data))
    links = [
        annotation.get_object()["/A"]["/URI"]
        for page in pdf.pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    ]
    toolbox = ("http://localhost/da/vaerktoejskasse/", "http://localhost/da/skabeloner/")
    assert links and all(link.startswith(toolbox) for link in links)


def test_a_wrong_number_and_missing_answers_are_listed_together(app, client):
    token = start(client)
    qn = questionnaire(app)
    number = next(q for q in qn.questions.values() if q.type == "number")
    page = [d.id for d in qn.dimensions].index(number.dimension) + 1
    response = client.post(
        f"/da/selvevaluering/{token}/trin/{page}",
        data={"action": "continue", f"q_{number.id}": "mange"},
    )
    soup = check_page(response.get_data(as_text=True), "errors")
    texts = [a.get_text(strip=True) for a in soup.select(".error-summary a")]
    assert f"{number.text['da']} – Skriv et tal, fx 40." in texts
    assert any(t.endswith("Vælg et svar, eller vælg »Ved ikke«.") for t in texts)


def test_secret_link_pages_are_not_cached_or_indexed(app, client):
    token = submitted(app, client)
    for path in (f"/da/selvevaluering/{token}/resultat", f"/da/selvevaluering/{token}/rapport.pdf",
                 f"/da/betalingssimulator?assessment={token}"):  # fmt: skip
        response = client.get(path)
        # Never a shared cache's; a stored result or PDF may stay in the respondent's own
        # browser, which asks again each time (no-cache, answered 304: issue 12).
        cache = response.headers["Cache-Control"]
        assert cache.startswith("private, ") and "public" not in cache, path
        if "simulator" in path:
            assert cache == "private, no-store", path
        assert "noindex" in response.headers["X-Robots-Tag"], path

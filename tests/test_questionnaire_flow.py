"""A respondent on a questionnaire page: change links, language, limits, optional answers."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Assessment
from tests.assessment_helpers import answer_all, form_value, start
from tests.helpers import check_page, get_page, text_of


def answers_of(app, token: str) -> dict:
    with app.app_context():
        return db.session.scalar(select(Assessment.answers).where(Assessment.token == token))


def test_a_change_link_leads_back_to_check_your_answers_after_saving(app, client):
    token = start(client)
    questionnaire = app.extensions["questionnaires"]["kommune"]
    answer_all(client, "da", token, questionnaire)
    soup = get_page(client, f"/da/selvevaluering/{token}/dine-svar")
    first = questionnaire.dimensions[1].questions[0]
    change = soup.select_one(f"#answer-{first.id} .summary-action a")["href"]
    assert "back=answers" in change
    page = get_page(client, change.split("#")[0])
    form = page.select_one("form#step-form")
    assert "back=answers" in form["action"]
    data = {"action": "continue"}
    for q in questionnaire.dimensions[1].questions:
        data[f"q_{q.id}"] = form_value(q, "worst" if q.id == first.id else "best")
    response = client.post(form["action"], data=data)
    assert response.status_code == 302
    # Back to the changed page's section, which opens (app/static/js/answer-sections.js).
    section = questionnaire.dimensions[1].id
    assert response.headers["Location"].endswith(
        f"/da/selvevaluering/{token}/dine-svar#section-{section}"
    )
    assert get_page(client, response.headers["Location"]).select_one(
        f"#section-{section} #answer-{first.id}"
    )
    assert answers_of(app, token)[first.id] == form_value(first, "worst")


def test_the_language_switch_on_a_questionnaire_page_saves_what_was_typed(app, client):
    token = start(client)
    questionnaire = app.extensions["questionnaires"]["kommune"]
    first = questionnaire.dimensions[0].questions[0]
    soup = get_page(client, f"/da/selvevaluering/{token}/trin/1")
    button = soup.select_one('.language-nav button[name="action"][value="switch"]')
    assert button["form"] == "step-form" and button.get_text(strip=True) == "Svenska"
    assert button["formaction"] == f"/sv/sjalvskattning/{token}/steg/1"
    assert "gemmes jeres svar" in text_of(soup, f"#{button['aria-describedby']}")
    typed = {f"q_{first.id}": form_value(first, "best"), "action": "switch"}
    response = client.post(button["formaction"], data=typed)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sv/sjalvskattning/{token}/steg/1")
    assert answers_of(app, token)[first.id] == form_value(first, "best")
    swedish = get_page(client, response.headers["Location"])
    assert "Era svar på den här sidan sparades" in text_of(swedish, ".alert-success")
    chosen = swedish.select_one(f'input[name="q_{first.id}"][value="{typed[f"q_{first.id}"]}"]')
    assert chosen.has_attr("checked")


def test_a_language_switch_with_a_wrong_number_keeps_it_and_says_why_in_the_new_language(
    app, client
):
    token = start(client)
    response = client.post(
        f"/sv/sjalvskattning/{token}/steg/3", data={"q_tg_size": "tolv", "action": "switch"}
    )
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "switch with error")
    assert soup.html["lang"] == "sv" and "Skriv ett tal" in text_of(soup, ".error-summary")
    assert soup.select_one("#q_tg_size")["value"] == "tolv"
    assert "tg_size" not in answers_of(app, token)


def test_other_pages_keep_plain_language_links(client):
    soup = get_page(client, "/da/vaerktoejskasse/")
    assert not soup.select(".language-nav button")
    assert soup.select_one('.language-nav a[hreflang="sv"]')["href"] == "/sv/verktygslada/"


def test_optional_questions_left_empty_are_not_shown_as_errors(app, client):
    token = start(client)
    questionnaire = app.extensions["questionnaires"]["kommune"]
    answer_all(client, "da", token, questionnaire)
    soup = get_page(client, f"/da/selvevaluering/{token}/dine-svar")
    optional = [q for q in questionnaire.questions.values() if not q.scored and q.type == "text"]
    assert optional
    # answer_all fills text questions; empty one of them again.
    page = questionnaire.dimensions.index(next(d for d in questionnaire.dimensions
                                               if optional[0] in d.questions)) + 1  # fmt: skip
    data = {"action": "continue"}
    for q in questionnaire.dimensions[page - 1].questions:
        data[f"q_{q.id}"] = "" if q.id == optional[0].id else form_value(q, "best")
    client.post(f"/da/selvevaluering/{token}/trin/{page}", data=data)
    soup = get_page(client, f"/da/selvevaluering/{token}/dine-svar")
    row = soup.select_one(f"#answer-{optional[0].id}")
    assert not row.select(".not-answered") and row.select_one(".not-answered-optional")
    assert "Ikke besvaret (valgfrit)" in row.get_text()


def test_every_text_field_shows_its_limit_before_anything_is_sent(app, client):
    start_page = get_page(client, "/da/selvevaluering/")
    for field, limit in (("organisation", "200"), ("programme", "200"), ("email", "254")):
        hint = start_page.select_one(f"#{field}-limit")
        assert hint.get_text(strip=True) == f"I kan skrive op til {limit} tegn.", field
        assert f"{field}-limit" in start_page.select_one(f"#{field}")["aria-describedby"]
    token = start(client, "sv")
    step = get_page(client, f"/sv/sjalvskattning/{token}/steg/1")
    notes = step.select("textarea[name^=note_]")
    assert notes and all(
        step.select_one(f"#{n['id']}-limit").get_text(strip=True)
        == "Ni kan skriva upp till 2\u00a0000 tecken."
        for n in notes
    )
    feedback = get_page(client, "/sv/om")
    assert "1\u00a0000 tecken" in feedback.select_one("#comment-limit").get_text()


def test_a_text_over_its_limit_is_refused_and_kept(app, client):
    token = start(client)
    questionnaire = app.extensions["questionnaires"]["kommune"]
    first = questionnaire.dimensions[0].questions[0]
    long_note = "x" * 2001
    response = client.post(
        "/da/selvevaluering/" + token + "/trin/1",
        data={f"q_{first.id}": form_value(first), f"note_{first.id}": long_note, "action": "save"},
    )
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "too long")
    assert "Skriv højst 2000 tegn." in text_of(soup, ".error-summary")
    assert soup.select_one(f"#note_{first.id}").get_text() == long_note


def test_the_saved_page_offers_to_copy_the_link(client):
    token = start(client)
    soup = get_page(client, f"/da/selvevaluering/{token}/gemt")
    button = soup.select_one("button[data-copy-link]")
    assert button["data-copy-link"].endswith(f"/da/selvevaluering/{token}")
    assert button.has_attr("hidden")  # shown by app.js where the browser can copy
    assert button["data-copied"] == "Linket er kopieret."

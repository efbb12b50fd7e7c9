"""Readers answer 'was this page useful?'; answers are stored, mistakes are explained."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import PageFeedback
from tests.helpers import check_page, text_of


def stored(app) -> list[PageFeedback]:
    with app.app_context():
        return list(db.session.scalars(select(PageFeedback)))


def test_an_answer_is_stored_and_the_reader_thanked(db_app, db_client):
    response = db_client.post(
        "/sv/feedback",
        data={"kind": "pages", "key": "about", "useful": "yes", "comment": "<b>Bra</b> sida"},
        follow_redirects=True,
    )
    soup = check_page(response.get_data(as_text=True), "after feedback")
    assert "Tack. Ert svar har sparats." in text_of(soup, "[role=status]")
    [row] = stored(db_app)
    assert (row.page_key, row.lang, row.useful, row.comment) == (
        "pages/about",
        "sv",
        True,
        "<b>Bra</b> sida",
    )


def test_a_missing_answer_shows_the_error_summary_and_stores_nothing(app, client):
    response = client.post("/da/feedback", data={"kind": "pages", "key": "about", "comment": "hej"})
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "feedback error")
    summary = soup.select_one(".error-summary")
    assert "Der er et problem" in summary.get_text()
    link = summary.select_one("a")
    assert link.get_text(strip=True) == "Vælg ja eller nej."
    assert soup.select_one(link["href"]) is not None
    assert soup.select_one("#comment").get_text() == "hej"
    assert stored(app) == []


def test_a_too_long_comment_is_refused_in_swedish(app, client):
    response = client.post(
        "/sv/feedback",
        data={"kind": "pages", "key": "about", "useful": "no", "comment": "x" * 1001},
    )
    assert response.status_code == 400
    assert "Skriv högst 1000 tecken." in response.get_data(as_text=True)
    assert stored(app) == []


def test_feedback_on_a_page_that_does_not_exist_is_404(app, client):
    response = client.post("/da/feedback", data={"kind": "pages", "key": "nope", "useful": "yes"})
    assert response.status_code == 404
    response = client.post("/da/feedback", data={"kind": "__class__", "key": "x", "useful": "yes"})
    assert response.status_code == 404
    assert stored(app) == []


def test_a_forged_answer_value_is_refused(app, client):
    response = client.post(
        "/da/feedback", data={"kind": "pages", "key": "about", "useful": "maybe"}
    )
    assert response.status_code == 400
    assert stored(app) == []


def test_the_language_switch_on_a_refused_form_leads_to_the_same_page(client):
    response = client.post("/da/feedback", data={"kind": "pages", "key": "about"})
    soup = check_page(response.get_data(as_text=True), "feedback error")
    assert soup.select_one('.language-nav a[hreflang="sv"]')["href"] == "/sv/om"


def test_error_pages_switch_language_to_the_start_page(client):
    soup = check_page(client.get("/da/vaerktoejskasse/findes-ikke").get_data(as_text=True), "404")
    assert soup.select_one('.language-nav a[hreflang="sv"]')["href"] == "/sv/"

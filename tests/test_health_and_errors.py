"""The health check, the 500 page, and the database schema made by migrations."""

from __future__ import annotations

import flask_migrate
import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import PageFeedback
from tests.conftest import make_app
from tests.helpers import check_page, text_of


def test_healthz_answers_json_after_asking_the_database(db_client):
    response = db_client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_checks_carry_no_cookie_and_no_vary_cookie(db_client):
    """A load balancer's probe touches no session: nothing to set, nothing for a cache to split."""
    for url in ("/livez", "/healthz"):
        response = db_client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
        assert "Cookie" not in response.headers.get("Vary", ""), url


def test_healthz_says_503_when_the_database_is_gone(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/missing-dir/nope.db")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_models_and_migrations_agree(db_app):
    with db_app.app_context():
        flask_migrate.check()  # raises when a model change has no migration


@pytest.mark.parametrize(
    ("lang", "heading"), [("da", "Der opstod en fejl"), ("sv", "Något gick fel")]
)
def test_an_unexpected_error_shows_the_500_page_and_rolls_back(sqlite_url, lang, heading):
    app = make_app(sqlite_url, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get(f"/{lang}/boom")
    def boom():
        db.session.add(PageFeedback(page_key="half", lang=lang, useful=True, comment=""))
        db.session.flush()
        raise RuntimeError("boom")

    response = app.test_client().get(f"/{lang}/boom")
    assert response.status_code == 500
    soup = check_page(response.get_data(as_text=True), "500")
    assert soup.html["lang"] == lang and text_of(soup, "h1") == heading
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM page_feedback")).scalar() == 0


@pytest.mark.parametrize(
    ("lang", "url", "heading"),
    [
        ("da", "/da/feedback", "Forespørgslen kunne ikke behandles"),
        ("sv", "/sv/sjalvskattning/", "Begäran kunde inte hanteras"),
    ],
)
def test_a_wrong_method_on_a_page_answers_405_in_the_page_language(client, lang, url, heading):
    response = client.put(url)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    soup = check_page(response.get_data(as_text=True), url)
    assert soup.html["lang"] == lang and text_of(soup, "h1") == heading
    assert "HTTP-status 405" in text_of(soup, "main")


def test_a_refused_spreadsheet_answers_400_in_the_page_language(client):
    response = client.get("/sv/betalningssimulator.xlsx?participants=abc")
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True), "xlsx")
    assert soup.html["lang"] == "sv" and text_of(soup, "h1") == "Begäran kunde inte hanteras"

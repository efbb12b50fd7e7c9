"""Links that leave the site start with PUBLIC_URL, never with the Host header a request sends."""

from __future__ import annotations

import pytest

from app import create_app
from app.config import ConfigError
from app.urls import public_url
from tests.assessment_helpers import BASE, form_value, start
from tests.helpers import get_page

PUBLIC = "https://socialeinvesteringer.example"
FORGED = {"Host": "evil.example"}
SAVED = {"da": "gemt", "sv": "sparad"}


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_saved_pages_secret_link_starts_with_public_url(db_app, db_client, monkeypatch, lang):
    monkeypatch.setitem(db_app.config, "PUBLIC_URL", PUBLIC)
    token = start(db_client, lang)
    soup = get_page(db_client, f"{BASE[lang]}/{token}/{SAVED[lang]}", headers=FORGED)
    link = soup.select_one(".secret-link a")
    expected = f"{PUBLIC}{BASE[lang]}/{token}"
    assert link["href"] == expected and link.get_text(strip=True) == expected


def test_without_public_url_development_links_follow_the_request(app, client):
    # The fallback (development only: production refuses to start without PUBLIC_URL) shows the
    # forged header does reach the app, so the test above would catch a link built from it.
    token = start(client)
    soup = get_page(client, f"{BASE['da']}/{token}/{SAVED['da']}", headers=FORGED)
    assert (
        soup.select_one(".secret-link a")["href"]
        == f"http://evil.example/da/selvevaluering/{token}"
    )


def test_public_url_keeps_a_path_prefix_once(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://example.dk/kompas/")
    with app.test_request_context("/", base_url="http://10.0.0.5:8000/kompas"):
        assert public_url("main.home", lang_code="sv") == "https://example.dk/kompas/sv/"


def test_production_refuses_to_start_without_public_url(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-of-enough-length-for-production")
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    with pytest.raises(ConfigError, match="PUBLIC_URL must be set when APP_ENV=production"):
        create_app()


def test_public_url_must_be_a_web_address():
    with pytest.raises(ConfigError, match="PUBLIC_URL must start with https://"):
        create_app({"SECRET_KEY": "x", "PUBLIC_URL": "socialeinvesteringer.dk"})


def test_the_apis_links_into_the_toolbox_start_with_public_url(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC)
    questionnaire = app.extensions["questionnaires"]["kommune"]
    answers = {q.id: form_value(q, "worst") for q in questionnaire.questions.values() if q.scored}
    response = client.post(
        "/api/v1/questionnaires/kommune/score?lang=sv", json={"answers": answers}, headers=FORGED
    )
    urls = [s["url"] for r in response.get_json()["actions"] for s in r["steps"]]
    assert urls and all(url.startswith(f"{PUBLIC}/sv/verktygslada/") for url in urls)

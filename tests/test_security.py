"""Security rules that hold for every response."""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.config import ConfigError
from tests.conftest import make_app
from tests.test_pages import all_urls


def test_every_page_sends_the_security_headers(app, client):
    urls = [url for _, url in all_urls(app)] + ["/healthz", "/da/findes-ikke"]
    urls.append("/static/css/app.css")
    for url in urls:
        response = client.get(url)
        headers = response.headers
        response.close()
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
        for directive in ("script-src 'self'", "object-src 'none'", "base-uri 'none'"):
            assert directive in csp, (url, directive)
        assert "frame-ancestors 'none'" in csp, url
        assert headers["X-Content-Type-Options"] == "nosniff", url
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", url


def test_a_post_without_a_csrf_token_is_refused_with_a_translated_page(sqlite_url):
    app = make_app(sqlite_url, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    for lang, start, heading in (
        ("da", "/da/selvevaluering/", "Formularen kunne ikke sendes"),
        ("sv", "/sv/sjalvskattning/", "Formuläret kunde inte skickas"),
    ):
        response = client.post(
            start,
            data={"role": "kommune", "organisation": "Eksempel Kommune", "programme": "X"},
            headers={"Origin": "http://localhost"},  # from this site, but without the token
        )
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html and heading in html


def test_a_post_with_the_token_from_the_page_is_accepted(sqlite_url):
    app = make_app(sqlite_url, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    html = client.get("/da/selvevaluering/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        "/da/selvevaluering/",
        data={
            "csrf_token": token,
            "role": "kommune",
            "organisation": "Eksempel Kommune",
            "programme": "Tidlig hjælp",
        },
    )
    assert response.status_code == 302


def test_the_session_cookie_is_httponly_and_lax_and_secure_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-of-at-least-32-chars")
    monkeypatch.setenv("PUBLIC_URL", "https://socialeinvesteringer.dk")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    app = create_app()
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    # The start page is public and sets no cookie; the questionnaire's start page does.
    response = app.test_client().get("/da/selvevaluering/")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in response.headers


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_refuses_a_short_secret_key(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 31)
    with pytest.raises(ConfigError, match="at least 32"):
        create_app()


@pytest.mark.parametrize("env", ["prod", "Production", "staging", "dev"])
def test_an_unknown_app_env_stops_start_up_naming_the_known_ones(monkeypatch, env):
    monkeypatch.setenv("APP_ENV", env)
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    with pytest.raises(ConfigError, match="development, test, production"):
        create_app()


def test_development_makes_a_secret_key_once_and_keeps_it(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("APP_ENV", raising=False)
    from app.config import development_secret_key

    first = development_secret_key(str(tmp_path))
    assert len(first) == 64 and development_secret_key(str(tmp_path)) == first
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_database_url_from_the_environment_is_used(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://user@127.0.0.1/db")
    monkeypatch.setenv("SECRET_KEY", "x")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@127.0.0.1/db"


def test_an_oversized_body_is_refused_with_413(client):
    response = client.post("/da/feedback", data={"comment": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "For meget data" in response.get_data(as_text=True)


def test_behind_a_trusted_proxy_secret_links_carry_the_public_address(sqlite_url):
    app = make_app(sqlite_url, TRUSTED_PROXIES=1)
    client = app.test_client()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "kompas.example.dk"}
    response = client.post(
        "/da/selvevaluering/",
        data={"role": "kommune", "organisation": "K", "programme": "P"},
        headers=headers,
    )
    token = response.headers["Location"].split("/")[3]
    saved = client.get(f"/da/selvevaluering/{token}/gemt", headers=headers).get_data(as_text=True)
    assert f"https://kompas.example.dk/da/selvevaluering/{token}" in saved

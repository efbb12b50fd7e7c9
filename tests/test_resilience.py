"""The site holds when the database is down, when one address sends too much, and in its logs."""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from app.logredact import token_hash
from tests.assessment_helpers import form_value, start
from tests.conftest import ROOT, LiveServer, make_app, migrate_fresh
from tests.helpers import check_page, text_of

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
NO_REDIS = "TEST_REDIS_URL is not set: shared rate limits run only where CI provides Redis"
DOWN = {
    # A SQLite file in a folder that does not exist, and a PostgreSQL port where nothing listens.
    "sqlite": "sqlite:////nonexistent-folder/down.db",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:9/test?connect_timeout=2",
}


@pytest.fixture(params=list(DOWN))
def down_app(request):
    return make_app(DOWN[request.param], TESTING=False, PROPAGATE_EXCEPTIONS=False)


@pytest.mark.parametrize(
    ("lang", "url", "heading"),
    [
        ("da", "/da/selvevaluering/{token}", "Tjenesten er ikke tilgængelig lige nu"),
        ("sv", "/sv/sjalvskattning/{token}/resultat", "Tjänsten är inte tillgänglig just nu"),
    ],
)
def test_pages_that_need_the_database_answer_503_in_their_language(down_app, lang, url, heading):
    response = down_app.test_client().get(url.format(token=secrets.token_urlsafe(32)))
    assert response.status_code == 503 and response.headers["Retry-After"]
    soup = check_page(response.get_data(as_text=True), url)
    assert soup.html["lang"] == lang and text_of(soup, "h1") == heading


def test_reading_pages_still_work_while_the_database_is_down(down_app):
    assert down_app.test_client().get("/da/vaerktoejskasse/").status_code == 200


def test_a_questionnaire_page_posted_while_the_database_is_down_keeps_what_was_typed(down_app):
    questionnaire = down_app.extensions["questionnaires"]["kommune"]
    dimension = questionnaire.dimensions[0]
    data = {"action": "continue", "questionnaire": "kommune"}
    for q in dimension.questions:
        data[f"q_{q.id}"] = form_value(q, "best")
        data[f"note_{q.id}"] = f"Vores notat om {q.id}"
    token = secrets.token_urlsafe(32)
    response = down_app.test_client().post(f"/sv/sjalvskattning/{token}/steg/1", data=data)
    assert response.status_code == 503
    soup = check_page(response.get_data(as_text=True), "step while down")
    assert "Era svar kunde inte sparas just nu" in text_of(soup, ".alert-warning")
    for q in dimension.questions:
        if q.type == "text":
            assert soup.select_one(f"#q_{q.id}").get_text() == data[f"q_{q.id}"]
        elif q.type != "number":
            value = data[f"q_{q.id}"]
            for v in value if isinstance(value, list) else [value]:
                assert soup.select_one(f'input[name="q_{q.id}"][value="{v}"]').has_attr("checked")
        if q.type != "text":
            assert soup.select_one(f"#note_{q.id}").get_text() == data[f"note_{q.id}"]
    assert soup.select_one("form#step-form")["action"].endswith(f"/{token}/steg/1")


def test_the_database_coming_back_is_picked_up_without_a_restart(db_app):
    if db_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("only a server database can go away and come back")
    from app.extensions import db

    client = db_app.test_client()
    assert client.get("/healthz").status_code == 200
    # Every pooled connection dies, as in a server restart.
    with db_app.app_context(), db.engine.connect() as connection:
        connection.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    assert client.get("/healthz").status_code == 200


# --- rate limits ---------------------------------------------------------------------------


def limited_app(tmp_path, **limits: str):
    app = make_app(f"sqlite:///{tmp_path / 'limits.db'}", RATELIMIT_ENABLED=True,
                   RATE_LIMITS=limits)  # fmt: skip
    migrate_fresh(app)
    return app


@pytest.mark.parametrize(
    ("lang", "heading"), [("da", "For mange forespørgsler"), ("sv", "För många förfrågningar")]
)
def test_too_many_simulations_get_a_translated_429_page(tmp_path, lang, heading):
    client = limited_app(tmp_path, simulator="2 per minute").test_client()
    url = {"da": "/da/betalingssimulator", "sv": "/sv/betalningssimulator"}[lang]
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    response = client.get(url)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    soup = check_page(response.get_data(as_text=True), "429")
    assert soup.html["lang"] == lang and text_of(soup, "h1") == heading


def test_a_refusal_says_when_its_window_opens_again_and_other_answers_carry_no_counts(tmp_path):
    client = limited_app(tmp_path, simulator="1 per hour").test_client()
    first = client.get("/da/betalingssimulator")
    assert first.status_code == 200
    assert not [k for k, _ in first.headers.items() if k.lower().startswith("x-ratelimit")]
    refused = client.get("/da/betalingssimulator")
    # The hour's window, not the one-minute default of other refusals.
    assert refused.status_code == 429 and 60 < int(refused.headers["Retry-After"]) <= 3600


def test_the_api_answers_429_as_json_in_the_callers_language(tmp_path):
    client = limited_app(tmp_path, api="1 per minute").test_client()
    body = {"answers": {}}
    assert client.post("/api/v1/questionnaires/kommune/score", json=body).status_code == 200
    response = client.post("/api/v1/questionnaires/kommune/score?lang=sv", json=body)
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert response.get_json()["errors"]["_"][0]["message"].startswith("För många förfrågningar")


def test_forms_that_store_something_are_limited(tmp_path):
    client = limited_app(tmp_path, forms="2 per minute").test_client()
    data = {"role": "kommune", "organisation": "K", "programme": "P"}
    statuses = [client.post("/da/selvevaluering/", data=data).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert client.get("/da/selvevaluering/").status_code == 200  # reading the form is not


def test_every_post_route_is_rate_limited(app):
    from app.limits import LIMITED, LOGIN_STEPS

    posts = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and not rule.endpoint.startswith("api.")
    }
    limited = set(LIMITED) | set(LOGIN_STEPS)  # the login steps: per address and per account
    assert posts <= limited, posts - limited


@pytest.mark.skipif(not REDIS_URL, reason=NO_REDIS)
def test_two_app_servers_share_their_counts_through_redis(tmp_path):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_URL,
                "RATE_LIMITS": {"simulator": "3 per minute"}}  # fmt: skip
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = make_app(url, **settings), make_app(url, **settings)
    statuses = [
        (first if i % 2 else second).test_client().get("/da/betalingssimulator").status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


# --- logs ---------------------------------------------------------------------------------------


def test_secret_links_reach_werkzeugs_log_only_as_a_hash(app, caplog):
    token = start(app.test_client())
    caplog.set_level(logging.INFO, logger="werkzeug")
    with LiveServer(app) as server:
        for path in (
            f"/da/selvevaluering/{token}/gemt",
            f"/da/betalingssimulator?assessment={token}",
        ):
            urllib.request.urlopen(server.url + path).read()  # noqa: S310 (a local test server)
    logged = caplog.text
    assert token not in logged and token_hash(token) in logged
    assert "/da/selvevaluering/" in logged


def test_an_error_log_names_the_link_only_by_its_hash(tmp_path, caplog):
    app = make_app(f"sqlite:///{tmp_path / 'err.db'}", TESTING=False, PROPAGATE_EXCEPTIONS=False)
    token = secrets.token_urlsafe(32)

    @app.get(f"/da/boom/{token}")
    def boom():
        raise RuntimeError(f"failed for {token}")

    assert app.test_client().get(f"/da/boom/{token}").status_code == 500
    assert token not in caplog.text and token_hash(token) in caplog.text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_logs_secret_links_only_as_a_hash(tmp_path):
    url = f"sqlite:///{tmp_path / 'g.db'}"
    migrate_fresh(make_app(url))
    token = start(make_app(url).test_client())
    port = free_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "g" * 40, "APP_ENV": "test",
           "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
         "--access-logfile", str(log), "--error-logfile", str(log), "app:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        # A deadline, not a count of tries: a busy machine may take a while to import the app.
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/livez").read()
                break
            except OSError:
                assert process.poll() is None, "gunicorn stopped: see its log"
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.1)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/da/selvevaluering/{token}/gemt",
            headers={"Referer": f"http://127.0.0.1:{port}/da/selvevaluering/{token}"},
        )
        urllib.request.urlopen(request).read()  # noqa: S310
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    logged = log.read_text()
    assert f"/da/selvevaluering/{token_hash(token)}/gemt" in logged
    assert token not in logged

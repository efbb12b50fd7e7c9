"""Fixtures: an app per database backend, a test client, and a live server for the browser."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.api_contract import ApiContract, CheckedClient
from tests.mail_helpers import db_inbox, inbox, smtp_server  # noqa: F401 (fixtures for every module)

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CONTENT = Path(__file__).resolve().parent / "fixtures" / "content"
CHROMIUM = "/usr/bin/chromium"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
NO_POSTGRES = "TEST_DATABASE_URL is not set: PostgreSQL runs only where CI provides a server"


def make_app(database_url: str, **overrides: object) -> Flask:
    """An app on the real content with test settings; CSRF off unless asked for."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        # Limits have their own tests (tests/test_rate_limits.py); elsewhere they would only
        # make a fast suite depend on its own speed.
        "RATELIMIT_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": database_url,
        **overrides,
    }
    return create_app(config)


def migrate_fresh(app: Flask) -> None:
    """Empty the database and build the schema the way production does: with the migrations."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()


def empty_tables(app: Flask) -> None:
    """Delete every row so each test starts from an empty database."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file for the session."""
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def dispose(app: Flask) -> None:
    """Close the app's pooled connections (an open one at exit is a ResourceWarning)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def _sqlite_app(sqlite_url: str) -> Iterator[Flask]:
    app = make_app(sqlite_url)
    migrate_fresh(app)
    yield app
    dispose(app)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def _backend_app(request: pytest.FixtureRequest, _sqlite_app: Flask) -> Iterator[Flask]:
    if request.param == "sqlite":
        yield _sqlite_app
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    app = make_app(POSTGRES_URL)
    migrate_fresh(app)
    yield app
    dispose(app)


@pytest.fixture
def app(_sqlite_app: Flask) -> Iterator[Flask]:
    """The app on SQLite, emptied after each test."""
    yield _sqlite_app
    empty_tables(_sqlite_app)


@pytest.fixture
def db_app(_backend_app: Flask) -> Iterator[Flask]:
    """The app once per database backend (SQLite, and PostgreSQL where CI provides it)."""
    yield _backend_app
    empty_tables(_backend_app)


@pytest.fixture
def client(app: Flask):
    """A test client on the SQLite app."""
    return app.test_client()


@pytest.fixture
def db_client(db_app: Flask):
    """A test client once per database backend."""
    return db_app.test_client()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):
    """The advisor session clock (app.advisor.accounts.now), moved by the test."""
    from app.advisor import accounts
    from tests.advisor_helpers import Clock

    moved = Clock()
    monkeypatch.setattr(accounts, "now", moved)
    return moved


@pytest.fixture(scope="session")
def api_contract(_sqlite_app: Flask) -> ApiContract:
    """The OpenAPI document as the API serves it."""
    document = _sqlite_app.test_client().get("/api/v1/openapi.json").get_json()
    return ApiContract(_sqlite_app, document)


@pytest.fixture
def api(_sqlite_app: Flask, api_contract: ApiContract) -> CheckedClient:
    """A test client for the JSON API that checks every answer against the OpenAPI document.

    The API stores nothing, so there are no tables to empty after each test.
    """
    return CheckedClient(_sqlite_app.test_client(), api_contract)


# --- the browser ---------------------------------------------------------------------------------


class LiveServer:
    """The app served by a real HTTP server on 127.0.0.1, in a thread of the test process."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app with CSRF on, as a visitor gets it, on a random local port."""
    url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}"
    app = make_app(url, WTF_CSRF_ENABLED=True, TESTING=False)
    migrate_fresh(app)
    with LiveServer(app) as server:
        yield server
    dispose(app)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Drive Debian's Chromium: Playwright cannot download its own browser here."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run 'make test', which installs Debian's chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The load test's figures (tests/test_load.py), and the fuzz suite's (tests/test_fuzz.py):
    requests sent and 5xx seen, per backend."""
    import sys

    load = sys.modules.get("tests.load_client")
    for line in load.REPORT if load else []:
        terminalreporter.write_line(line)
    fuzzing = sys.modules.get("tests.fuzzing")
    for backend, count in sorted(fuzzing.REQUESTS.items() if fuzzing else []):
        errors = fuzzing.SERVER_ERRORS[backend]
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(fuzzing.STATUSES[backend].items()))
        terminalreporter.write_line(
            f"fuzzed {count} requests on {backend}: {errors} answered 5xx ({statuses})"
        )

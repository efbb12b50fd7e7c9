"""Login attempts are limited per account and per address, in short windows (Flask-Limiter)."""

from __future__ import annotations

import pytest
from limits import parse_many

from app.limits import DEFAULT_RATE_LIMITS
from tests.advisor_helpers import LOGIN_PATH, PASSWORD, make_account, password_step, url
from tests.conftest import dispose, make_app, migrate_fresh


@pytest.fixture
def limited(tmp_path):
    app = make_app(
        f"sqlite:///{tmp_path / 'limits.db'}",
        RATELIMIT_ENABLED=True,
        RATE_LIMITS={"login_account": "3 per 5 minutes", "login_address": "5 per 5 minutes"},
    )
    migrate_fresh(app)
    yield app
    dispose(app)


def attempt(client, email: str, address: str, password: str = "Forkert-kode-991"):  # noqa: S107
    return client.post(
        LOGIN_PATH["da"],
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_failed_attempts_on_one_account_are_limited_from_any_address(limited, clock):
    make_account(limited)
    client = limited.test_client()
    statuses = [attempt(client, "anna@dsi.dk", f"10.0.0.{n}").status_code for n in range(4)]
    assert statuses == [400, 400, 400, 429]
    # Even the right password waits for the window, and the page says so in Danish.
    refused = attempt(client, "ANNA@dsi.dk ", "10.0.0.9", PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    # Another account is not held up.
    assert attempt(client, "bo@dsi.dk", "10.0.0.9").status_code == 400


def test_failed_attempts_from_one_address_are_limited_across_accounts(limited, clock):
    client = limited.test_client()
    statuses = [attempt(client, f"x{n}@dsi.dk", "10.0.0.1").status_code for n in range(6)]
    assert statuses == [400] * 5 + [429]
    assert attempt(client, "x9@dsi.dk", "10.0.0.2").status_code == 400


def test_successful_logins_are_not_counted(limited, clock):
    account = make_account(limited)
    for n in range(5):
        client = limited.test_client()
        assert password_step(client, account).status_code == 302, n


def test_wrong_codes_are_limited_per_account(limited, clock):
    account = make_account(limited)
    statuses = []
    for n in range(2):  # two logins with the password, from two addresses
        client = limited.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.1.{n}"
        assert password_step(client, account).status_code == 302
        for _ in range(2):
            response = client.post(url(limited, "advisor.second_factor"), data={"code": "000000"})
            statuses.append(response.status_code)
    assert statuses == [400, 400, 400, 429]


def test_the_windows_are_short():
    """Guessing is slow, but nobody can keep an advisor out for longer than a few minutes."""
    for name in ("login_account", "login_address"):
        windows = [limit.get_expiry() for limit in parse_many(DEFAULT_RATE_LIMITS[name])]
        assert windows and max(windows) <= 15 * 60, name
    account = parse_many(DEFAULT_RATE_LIMITS["login_account"])[0]
    assert account.amount <= 10  # at most 10 guesses per account in each window

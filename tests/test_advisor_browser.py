"""The idle-timeout warning in a real browser: it appears, 'stay logged in' works, and the end
of the session brings the advisor to the login page with a message."""

from __future__ import annotations

import re
import uuid

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.advisor_helpers import HOME_PATH, LOGIN_PATH, PASSWORD, make_account

pytestmark = pytest.mark.browser


@pytest.fixture
def short_timeouts(live_server):
    """Seconds instead of minutes, for this test only (the live app is shared)."""
    config = live_server.app.config
    before = {k: config[k] for k in ("ADVISOR_IDLE_TIMEOUT", "ADVISOR_IDLE_WARNING")}
    config.update(ADVISOR_IDLE_TIMEOUT=6, ADVISOR_IDLE_WARNING=3)
    yield
    config.update(before)


def log_in(page: Page, live_server, lang: str) -> None:
    email = f"browser-{uuid.uuid4().hex[:8]}@dsi.dk"
    account = make_account(live_server.app, email, "Britt Ro")
    page.goto(live_server.url + LOGIN_PATH[lang])
    page.fill("main #email", email)
    page.fill("main #password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.fill("main #code", pyotp.TOTP(account.secret).now())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(live_server.url + HOME_PATH[lang])


def test_the_warning_offers_to_stay_and_the_session_then_ends(
    page: Page, live_server, short_timeouts
):
    log_in(page, live_server, "da")
    warning = page.locator("#session-warning")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=5000)
    stay = warning.get_by_role("button", name="Forbliv logget ind")
    expect(stay).to_be_focused()
    with page.expect_response(re.compile("forbliv-logget-ind")) as answered:
        stay.click()
    assert answered.value.status == 200
    expect(warning).to_be_hidden(timeout=1500)
    assert page.url == live_server.url + HOME_PATH["da"]
    # Nothing more is done: after the timeout the page goes to the login, which says why.
    page.wait_for_url(re.compile(re.escape(LOGIN_PATH["da"])), timeout=15000)
    expect(page.locator("main")).to_contain_text("I er blevet logget ud")

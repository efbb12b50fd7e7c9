"""Advisor login: password, second factor, setup, logout, timeouts, next=, the audit log."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from app.advisor import accounts
from app.extensions import db
from app.models import Advisor, AuditEvent
from tests.advisor_helpers import (
    CODE_RE,
    HOME_PATH,
    LOGIN_PATH,
    PASSWORD,
    full_login,
    logged_in,
    make_account,
    password_step,
    redirects_to_login,
    url,
)
from tests.helpers import check_page


def error_text(response) -> str:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    summary = soup.select_one(".error-summary")
    assert summary is not None, "no error summary"
    return " ".join(summary.get_text(" ").split())


def audit_actions(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.actor, e.action) for e in db.session.scalars(select(AuditEvent))]


def advisor_row(app, account) -> Advisor:
    with app.app_context():
        advisor = db.session.get(Advisor, account.id)
        db.session.expunge(advisor)
        return advisor


# --- the happy path ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_password_and_totp_code_open_the_home_page(db_app, clock, lang):
    """On SQLite and PostgreSQL."""
    app = db_app
    client = app.test_client()
    account = make_account(app)
    first = password_step(client, account, lang)
    assert first.headers["Location"] == url(app, "advisor.second_factor", lang)
    page = client.get(first.headers["Location"])
    check_page(page.get_data(as_text=True), "second factor")
    done = client.post(first.headers["Location"], data={"code": account.code(clock())})
    assert done.headers["Location"] == HOME_PATH[lang]
    home = client.get(HOME_PATH[lang])
    html = home.get_data(as_text=True)
    soup = check_page(html, "home")
    assert soup.h1.get_text() == {"da": "Sendte vurderinger", "sv": "Inskickade bedömningar"}[lang]
    assert "Anna Berg" in html
    assert advisor_row(app, account).last_login_at is not None
    assert (f"advisor:{account.id}", "login") in audit_actions(app)


def test_the_password_step_alone_opens_nothing(app, client, clock):
    account = make_account(app)
    password_step(client, account)
    assert redirects_to_login(client.get(HOME_PATH["da"]))


def test_a_wrong_code_is_refused_and_logged(app, client, clock):
    account = make_account(app)
    password_step(client, account)
    wrong = pyotp.TOTP(pyotp.random_base32()).at(clock())
    response = client.post(url(app, "advisor.second_factor"), data={"code": wrong})
    assert response.status_code == 400
    assert "Koden er forkert" in error_text(response)
    assert not logged_in(client)
    assert (f"advisor:{account.id}", "login_failed") in audit_actions(app)


def test_a_code_from_an_hour_ago_is_refused(app, client, clock):
    account = make_account(app)
    password_step(client, account)
    old = account.code(clock() - timedelta(hours=1))
    response = client.post(url(app, "advisor.second_factor"), data={"code": old})
    assert response.status_code == 400


def test_a_totp_code_works_only_once(app, clock):
    account = make_account(app)
    first, second = app.test_client(), app.test_client()
    code = account.code(clock())
    for client in (first, second):
        password_step(client, account)
    assert client_posts_code(app, first, code).status_code == 302
    assert client_posts_code(app, second, code).status_code == 400


def client_posts_code(app, client, code):
    return client.post(url(app, "advisor.second_factor"), data={"code": code})


def test_five_wrong_codes_send_back_to_the_password(app, client, clock):
    account = make_account(app)
    password_step(client, account)
    for _ in range(accounts.MAX_CODE_TRIES - 1):
        assert client_posts_code(app, client, "000000").status_code == 400
    last = client_posts_code(app, client, "000000")
    assert redirects_to_login(last)
    # Even the right code is no good now: the password step must be done again.
    again = client_posts_code(app, client, account.code(clock()))
    assert redirects_to_login(again)


def test_the_password_step_expires_after_five_minutes(app, client, clock):
    account = make_account(app)
    password_step(client, account)
    clock.advance(seconds=app.config["ADVISOR_PENDING_TIMEOUT"] + 1)
    response = client_posts_code(app, client, account.code(clock()))
    assert redirects_to_login(response)
    assert not logged_in(client)


# --- the same answer whatever was wrong ----------------------------------------------------------


def test_the_message_is_the_same_whatever_was_wrong(app, clock):
    account = make_account(app)
    disabled = make_account(app, email="bo@dsi.dk", name="Bo Holm")
    with app.app_context():
        accounts.disable(disabled.email)
        db.session.commit()
    attempts = {
        "unknown address": {"email": "nobody@dsi.dk", "password": PASSWORD},
        "wrong password": {"email": account.email, "password": PASSWORD + "x"},
        "disabled account": {"email": disabled.email, "password": PASSWORD},
    }
    answers = {}
    for what, data in attempts.items():
        response = app.test_client().post(LOGIN_PATH["da"], data=data)
        assert response.status_code == 400, what
        answers[what] = error_text(response)
    assert len(set(answers.values())) == 1, answers
    assert "E-mailadressen eller adgangskoden er forkert" in answers["unknown address"]
    actions = audit_actions(app)
    assert ("unknown", "login_failed") in actions
    assert (f"advisor:{account.id}", "login_failed") in actions
    assert (f"advisor:{disabled.id}", "login_failed") in actions


def test_the_password_is_never_sent_back_nor_logged(app, client, clock):
    account = make_account(app)
    response = client.post(LOGIN_PATH["da"], data={"email": account.email, "password": "Hemmelig!"})
    assert "Hemmelig!" not in response.get_data(as_text=True)
    with app.app_context():
        details = [str(e.detail) for e in db.session.scalars(select(AuditEvent))]
    assert not any("Hemmelig" in d for d in details)


def test_an_empty_form_names_the_missing_fields(app, client):
    response = client.post(LOGIN_PATH["sv"], data={"email": "", "password": ""})
    assert response.status_code == 400
    text = error_text(response)
    assert "Skriv er e-postadress." in text and "Skriv ert lösenord." in text


# --- a new session at login ----------------------------------------------------------------------


def test_login_starts_a_new_session(app, client, clock):
    account = make_account(app)
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
    password_step(client, account)
    with client.session_transaction() as pending:
        assert "planted" not in pending
        pending["planted again"] = "x"
    full_login_second_step(app, client, account, clock)
    with client.session_transaction() as session:
        assert "planted again" not in session
        assert accounts.PENDING not in session
        assert session[accounts.EPOCH] == 0


def full_login_second_step(app, client, account, clock):
    response = client_posts_code(app, client, account.code(clock()))
    assert response.status_code == 302
    return response


# --- recovery codes and the first-time setup -----------------------------------------------------


def set_up_second_factor(app, client, clock, lang="da"):
    """A new account's first login: the setup page, a code, the recovery codes page."""
    account = make_account(app, second_factor=False)
    first = password_step(client, account, lang)
    assert first.headers["Location"] == url(app, "advisor.setup", lang)
    page = client.get(first.headers["Location"])
    html = page.get_data(as_text=True)
    check_page(html, "setup")
    advisor = advisor_row(app, account)
    assert advisor.totp_secret and advisor.totp_confirmed_at is None
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one(".qr-code svg[role=img] title") is not None
    assert soup.select_one("#totp-secret").get_text().replace(" ", "") == advisor.totp_secret
    code = pyotp.TOTP(advisor.totp_secret).at(clock())
    shown = client.post(first.headers["Location"], data={"code": code})
    assert shown.status_code == 200
    codes = CODE_RE.findall(shown.get_data(as_text=True))
    clock.advance(seconds=accounts.TOTP_STEP)
    return account, advisor.totp_secret, codes


def test_first_login_sets_up_totp_and_shows_ten_recovery_codes_once(db_app, clock):
    """On SQLite and PostgreSQL."""
    app = db_app
    client = app.test_client()
    account, _secret, codes = set_up_second_factor(app, client, clock)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert logged_in(client)
    stored = advisor_row(app, account)
    assert stored.totp_confirmed_at is not None
    assert len(stored.recovery_codes) == 10
    assert not any(code in str(stored.recovery_codes) for code in codes)  # only hashes
    assert (f"advisor:{account.id}", "second_factor_set_up") in audit_actions(app)
    # Shown once: no page of a logged-in advisor shows them again.
    assert not CODE_RE.findall(client.get(HOME_PATH["da"]).get_data(as_text=True))
    again = client.get(url(app, "advisor.setup"))
    assert redirects_to_login(again)


def test_a_wrong_code_at_setup_leaves_the_setup_unconfirmed(app, client, clock):
    account = make_account(app, second_factor=False)
    password_step(client, account)
    client.get(url(app, "advisor.setup"))
    response = client.post(url(app, "advisor.setup"), data={"code": "123456"})
    assert response.status_code == 400
    assert "<svg" in response.get_data(as_text=True)
    assert advisor_row(app, account).totp_confirmed_at is None
    assert not logged_in(client)


def test_a_recovery_code_works_once(db_app, clock):
    """On SQLite and PostgreSQL."""
    app = db_app
    account, _secret, codes = set_up_second_factor(app, app.test_client(), clock)
    client = app.test_client()
    password_step(client, account)
    used = client_posts_code(app, client, codes[3].upper())
    assert used.status_code == 302
    page = client.get(used.headers["Location"]).get_data(as_text=True)
    assert "Der er 9 gendannelseskoder tilbage" in page
    assert len(advisor_row(app, account).recovery_codes) == 9
    other = app.test_client()
    password_step(other, account)
    assert client_posts_code(app, other, codes[3]).status_code == 400
    assert client_posts_code(app, other, codes[4]).status_code == 302


# --- logout, disabling and a new password end every session --------------------------------------


def test_logout_ends_every_session_of_the_account(db_app, clock):
    """On SQLite and PostgreSQL."""
    app = db_app
    account = make_account(app)
    here, elsewhere = app.test_client(), app.test_client()
    full_login(here, app, account, clock)
    full_login(elsewhere, app, account, clock)
    assert logged_in(here) and logged_in(elsewhere)
    out = here.post(url(app, "advisor.logout"))
    assert redirects_to_login(out)
    assert not logged_in(here)
    assert not logged_in(elsewhere)
    assert (f"advisor:{account.id}", "logout") in audit_actions(app)


def test_logout_is_refused_without_the_csrf_token(tmp_path, clock):
    from tests.conftest import dispose, make_app, migrate_fresh

    strict = make_app(f"sqlite:///{tmp_path / 'csrf.db'}", WTF_CSRF_ENABLED=True)
    migrate_fresh(strict)

    def token(client, path):
        page = client.get(path).get_data(as_text=True)
        return BeautifulSoup(page, "html.parser").select_one("[name=csrf_token]")["value"]

    try:
        account = make_account(strict)
        client = strict.test_client()
        password_step(client, account, csrf_token=token(client, LOGIN_PATH["da"]))
        code_page = url(strict, "advisor.second_factor")
        data = {"code": account.code(clock()), "csrf_token": token(client, code_page)}
        assert client.post(code_page, data=data).status_code == 302
        assert client.post(url(strict, "advisor.logout")).status_code == 400
        assert logged_in(client)
        data = {"csrf_token": token(client, HOME_PATH["da"])}
        assert redirects_to_login(client.post(url(strict, "advisor.logout"), data=data))
        assert not logged_in(client)
    finally:
        dispose(strict)


@pytest.mark.parametrize("change", ["disable", "reset_password"])
def test_disabling_or_a_new_password_ends_every_session(app, clock, change):
    account = make_account(app)
    client = app.test_client()
    full_login(client, app, account, clock)
    with app.app_context():
        if change == "disable":
            accounts.disable(account.email)
        else:
            accounts.reset_password(account.email, "Ny-lang-adgang-4412")
        db.session.commit()
    response = client.get(HOME_PATH["da"])
    assert redirects_to_login(response)
    assert "I er blevet logget ud" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    if change == "disable":  # and no new login either
        assert password_step(app.test_client(), account).status_code == 400


# --- next= ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/da/\x0a//evil.example",
    ],
)
def test_next_outside_the_site_is_refused(app, client, clock, target):
    account = make_account(app)
    response = full_login(client, app, account, clock, next=target)
    assert response.headers["Location"] == HOME_PATH["da"]


def test_next_on_the_site_is_followed_through_both_steps(app, client, clock):
    account = make_account(app)
    wanted = HOME_PATH["sv"] + "?page=2"
    to_login = client.get(wanted)
    assert redirects_to_login(to_login, "sv")
    form = client.get(to_login.headers["Location"]).get_data(as_text=True)
    carried = BeautifulSoup(form, "html.parser").select_one("input[name=next]")["value"]
    assert carried == wanted
    response = full_login(client, app, account, clock, lang="sv", next=carried)
    assert response.headers["Location"] == wanted


def test_safe_next_accepts_only_local_paths():
    assert accounts.safe_next("/da/raadgiver/?x=1") == "/da/raadgiver/?x=1"
    for bad in ("", None, "//x", "/\\x", "https://x/", "x", "/a\tb", "/" + "a" * 2001):
        assert accounts.safe_next(bad) is None, bad


# --- timeouts ------------------------------------------------------------------------------------


def test_idle_timeout_ends_the_session_after_30_minutes(app, client, clock):
    account = make_account(app)
    full_login(client, app, account, clock)
    clock.advance(minutes=29)
    assert logged_in(client)  # a request: the idle time starts again
    clock.advance(minutes=29)
    assert logged_in(client)
    clock.advance(minutes=30, seconds=1)
    response = client.get(HOME_PATH["da"])
    assert redirects_to_login(response)
    assert not logged_in(client)


def test_staying_logged_in_postpones_the_idle_timeout(app, client, clock):
    account = make_account(app)
    full_login(client, app, account, clock)
    clock.advance(minutes=26)
    stay = client.post(url(app, "advisor.stay"), headers={"Accept": "application/json"})
    assert stay.status_code == 200 and stay.get_json() == {"idle_timeout": 1800}
    assert stay.headers["Cache-Control"] == "no-store"
    clock.advance(minutes=26)
    assert logged_in(client)


def test_the_warning_is_on_the_page_with_its_figures(app, client, clock):
    account = make_account(app)
    full_login(client, app, account, clock)
    html = client.get(HOME_PATH["da"]).get_data(as_text=True)
    warning = BeautifulSoup(html, "html.parser").select_one("#session-warning")
    assert warning.has_attr("hidden")
    assert warning["data-idle-timeout"] == "1800" and warning["data-idle-warning"] == "1500"
    assert "logget ud om 5 minutter" in warning.get_text()
    assert "js/advisor-session.js" in html


def test_absolute_timeout_ends_even_a_busy_session(app, client, clock):
    account = make_account(app)
    full_login(client, app, account, clock)
    busy = 0
    for _ in range(12 * 3):  # a request every 20 minutes for 12 hours
        clock.advance(minutes=20)
        if not logged_in(client):
            break
        busy += 1
    assert busy == 12 * 3 - 1  # logged in until the twelfth hour was over
    assert not logged_in(client)
    with client.session_transaction() as session:
        assert accounts.LOGIN_AT not in session


def test_session_problem_names_each_reason():
    class Row:
        active = True
        session_epoch = 2

    timeouts = accounts.Timeouts(idle=100, absolute=1000)
    good = {accounts.EPOCH: 2, accounts.LOGIN_AT: 0.0, accounts.SEEN_AT: 500.0}
    assert accounts.session_problem(good, Row(), 550.0, timeouts) is None
    assert accounts.session_problem(good, Row(), 601.0, timeouts) == "idle"
    assert accounts.session_problem({**good, accounts.SEEN_AT: 990.0}, Row(), 1001.0, timeouts) == (
        "expired"
    )
    assert accounts.session_problem({**good, accounts.EPOCH: 1}, Row(), 550.0, timeouts) == "ended"
    assert accounts.session_problem({}, Row(), 550.0, timeouts) == "ended"
    Row.active = False
    assert accounts.session_problem(good, Row(), 550.0, timeouts) == "inactive"


# --- headers -------------------------------------------------------------------------------------


def test_every_advisor_page_says_no_store(app, client, clock):
    account = make_account(app)
    responses = [client.get(LOGIN_PATH["da"]), client.get(HOME_PATH["sv"])]
    responses.append(password_step(client, account))
    responses.append(client.get(url(app, "advisor.second_factor")))
    responses.append(client_posts_code(app, client, account.code(clock())))
    responses.append(client.get(HOME_PATH["da"]))
    for response in responses:
        assert response.headers["Cache-Control"] == "no-store", response.request.path


def test_a_logged_in_advisor_is_sent_from_the_login_page_home(app, client, clock):
    account = make_account(app)
    full_login(client, app, account, clock)
    assert client.get(LOGIN_PATH["da"]).headers["Location"] == HOME_PATH["da"]


def test_a_code_already_used_elsewhere_is_refused_even_to_a_request_that_read_the_row_before(
    db_app, clock
):
    """Two requests with one code at once: the second read the account before the first saved
    its use, and must still be refused (on SQLite and PostgreSQL)."""
    account = make_account(db_app)
    code = account.code(clock())
    with db_app.app_context():
        stale = advisor_row(db_app, account)  # read before the code was used
    with db_app.app_context():
        fresh = db.session.get(Advisor, account.id)
        assert accounts.check_second_factor(fresh, code) == "totp"
        db.session.commit()
    with db_app.app_context():
        db.session.add(stale)
        assert stale.totp_last_step is None  # what the late request believes
        assert accounts.check_second_factor(stale, code) is None
        db.session.commit()
    assert advisor_row(db_app, account).totp_last_step is not None


def test_a_recovery_code_used_elsewhere_is_refused_to_a_request_that_read_the_row_before(
    db_app, clock
):
    """The same race for a recovery code: each is good once, whoever read the row first (on
    SQLite and PostgreSQL). Another code used meanwhile does not stop a good one."""
    account, _secret, codes = set_up_second_factor(db_app, db_app.test_client(), clock)
    with db_app.app_context():
        stale = advisor_row(db_app, account)  # read before either code below was used
    with db_app.app_context():
        fresh = db.session.get(Advisor, account.id)
        assert accounts.check_second_factor(fresh, codes[0]) == "recovery"
        db.session.commit()
    with db_app.app_context():
        db.session.add(stale)
        assert len(stale.recovery_codes) == 10  # what the late request believes
        assert accounts.check_second_factor(stale, codes[0]) is None
        assert accounts.check_second_factor(stale, codes[1]) == "recovery"
        db.session.commit()
    assert len(advisor_row(db_app, account).recovery_codes) == 8

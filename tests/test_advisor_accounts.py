"""Advisor accounts: the password policy, Argon2id, and `flask advisors` on the command line."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.advisor import accounts, passwords
from app.advisor.cli import advisors
from app.extensions import db
from app.models import Advisor, AuditEvent
from tests.advisor_helpers import PASSWORD, make_account

# --- the policy ---


@pytest.mark.parametrize(
    "password",
    [
        "kort-kode1",  # 10 characters
        "passwordpassword",  # on the list of common passwords
        "PasswordPassword",  # the list is checked without case
        "qwertyuiop12",  # a keyboard row
        "password1234",  # a common word with digits
        "aaaaaaaaaaaaaaaa",  # repetition
        "123456789012",
    ],
)
def test_weak_passwords_are_refused(password):
    assert passwords.problems(password)


@pytest.mark.parametrize(
    "password", [PASSWORD, "Tre små grise 2024!", "kdjfhg83jdhs", "correct horse battery staple"]
)
def test_long_uncommon_passwords_are_accepted(password):
    assert passwords.problems(password) == []


def test_twelve_characters_is_the_minimum():
    assert passwords.problems("kdjfhg83jdh")  # 11
    assert passwords.problems("kdjfhg83jdhs") == []  # 12


def test_the_account_s_own_name_and_address_do_not_make_a_password():
    with pytest.raises(accounts.AccountError):
        accounts.check_new_password("annaberg.dsi.dk", "annaberg@dsi.dk", "Anna Berg")


def test_hashes_are_argon2id_and_verify():
    hashed = passwords.hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert passwords.verify(hashed, PASSWORD)
    assert not passwords.verify(hashed, PASSWORD + "x")
    assert not passwords.verify("not a hash", PASSWORD)
    assert not passwords.verify(None, PASSWORD)  # the dummy check for an unknown address


# --- the command line ---


def run(app, *args: str, password: str | None = None):
    return app.test_cli_runner().invoke(args=["advisors", *args], input=password)


def rows(app) -> list[Advisor]:
    with app.app_context():
        found = list(db.session.scalars(select(Advisor)))
        for row in found:
            db.session.expunge(row)
        return found


def test_create_reads_the_password_from_standard_input(db_app):
    app = db_app
    result = run(app, "create", "--email", "Anna@DSI.dk", "--name", "Anna Berg", password=PASSWORD)
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    [advisor] = rows(app)
    assert (advisor.email, advisor.name, advisor.role) == ("anna@dsi.dk", "Anna Berg", "advisor")
    assert advisor.password_hash.startswith("$argon2id$") and PASSWORD not in advisor.password_hash
    assert advisor.active and advisor.totp_secret is None
    with app.app_context():
        assert accounts.authenticate("anna@dsi.dk", PASSWORD) is not None


def test_create_lead(app):
    result = run(app, "create", "--email", "l@dsi.dk", "--name", "Lea", "--lead", password=PASSWORD)
    assert result.exit_code == 0, result.output
    assert rows(app)[0].role == "lead"


def test_the_password_is_never_an_argument(app):
    result = run(app, "create", "--email", "a@dsi.dk", "--name", "A", "--password", PASSWORD)
    assert result.exit_code != 0
    assert rows(app) == []
    for command in ("create", "reset-password"):
        names = {p.name for p in advisors.commands[command].params}
        assert not any("pass" in name for name in names), names


@pytest.mark.parametrize("weak", ["", "kort", "passwordpassword", "password1234"])
def test_create_refuses_a_weak_password(app, weak):
    result = run(app, "create", "--email", "a@dsi.dk", "--name", "A B", password=weak + "\n")
    assert result.exit_code != 0
    assert "password cannot be used" in result.output or "No password" in result.output
    assert rows(app) == []


def test_create_refuses_a_second_account_for_an_address(app):
    make_account(app)
    result = run(app, "create", "--email", "ANNA@dsi.dk", "--name", "A", password=PASSWORD)
    assert result.exit_code != 0 and "already an account" in result.output


def test_list_shows_accounts_without_secrets(app):
    make_account(app)
    make_account(app, email="bo@dsi.dk", name="Bo Holm", lead=True, second_factor=False)
    result = run(app, "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("anna@dsi.dk\tAnna Berg\tadvisor\tactive\tsecond factor set up")
    assert lines[1].startswith("bo@dsi.dk\tBo Holm\tlead\tactive\tno second factor yet")
    assert "argon2" not in result.output


def test_disable_raises_the_epoch_and_refuses_logins(db_app):
    app = db_app
    make_account(app)
    result = run(app, "disable", "anna@dsi.dk")
    assert result.exit_code == 0, result.output
    [advisor] = rows(app)
    assert not advisor.active and advisor.session_epoch == 1
    with app.app_context():
        assert accounts.authenticate("anna@dsi.dk", PASSWORD) is None
    assert run(app, "disable", "nobody@dsi.dk").exit_code != 0


def test_reset_password_replaces_it_and_raises_the_epoch(app):
    make_account(app)
    new = "Ny-lang-adgang-4412"
    result = run(app, "reset-password", "anna@dsi.dk", password=new + "\n")
    assert result.exit_code == 0, result.output
    [advisor] = rows(app)
    assert advisor.session_epoch == 1 and advisor.totp_confirmed_at is not None
    with app.app_context():
        assert accounts.authenticate("anna@dsi.dk", PASSWORD) is None
        assert accounts.authenticate("anna@dsi.dk", new) is not None


def test_reset_password_can_remove_the_second_factor(app):
    make_account(app)
    result = run(app, "reset-password", "anna@dsi.dk", "--second-factor", password=PASSWORD)
    assert result.exit_code == 0, result.output
    [advisor] = rows(app)
    assert advisor.totp_secret is None and advisor.totp_confirmed_at is None
    assert advisor.recovery_codes == []


def test_reset_password_refuses_a_weak_one_and_changes_nothing(app):
    make_account(app)
    assert run(app, "reset-password", "anna@dsi.dk", password="qwerty123456").exit_code != 0
    assert rows(app)[0].session_epoch == 0


def test_account_changes_are_in_the_audit_log(app):
    run(app, "create", "--email", "a@dsi.dk", "--name", "A B", password=PASSWORD)
    run(app, "disable", "a@dsi.dk")
    with app.app_context():
        events = [(e.actor, e.action) for e in db.session.scalars(select(AuditEvent))]
    assert events == [("system", "account_created"), ("system", "account_disabled")]

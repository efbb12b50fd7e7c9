"""`flask advisors …`: advisor accounts are made and changed on the command line only.

A password is never an argument (it would stay in the shell history and in the process list): it
is asked for twice at a terminal, or read as the first line of standard input, so that a script
can pipe it in.
"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.advisor import accounts
from app.extensions import db


def read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt(
            "Password (at least 12 characters)", hide_input=True, confirmation_prompt=True
        )
    line = sys.stdin.readline()
    if not line:
        raise click.ClickException("No password on standard input.")
    return line.rstrip("\r\n")


def _done(action) -> None:  # type: ignore[no-untyped-def]
    """Run an account change and commit it, or stop with the reason it was refused."""
    try:
        advisor = action()
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    return advisor


advisors = AppGroup("advisors", help="Make and change the fund's advisor accounts.")


@advisors.command("create")
@click.option("--email", required=True, help="The advisor's e-mail address; they log in with it.")
@click.option("--name", required=True, help="The name shown to colleagues.")
@click.option("--lead", is_flag=True, help="A lead advisor, who also assigns work.")
def create(email: str, name: str, lead: bool) -> None:
    """Make an account. The password is asked for (or read from standard input)."""
    password = read_password()
    advisor = _done(lambda: accounts.create(email, name, password, "lead" if lead else "advisor"))
    click.echo(
        f"Created {advisor.role} account {advisor.email}. The second factor is set up at the "
        "first login."
    )


@advisors.command("list")
def list_accounts() -> None:
    """Every account: e-mail, name, role, state, second factor, last login."""
    rows = accounts.every_account()
    if not rows:
        click.echo("No advisor accounts.")
    for a in rows:
        state = "active" if a.active else "disabled"
        factor = "second factor set up" if a.totp_confirmed_at else "no second factor yet"
        last = a.last_login_at.strftime("%Y-%m-%d %H:%M") if a.last_login_at else "never"
        click.echo(f"{a.email}\t{a.name}\t{a.role}\t{state}\t{factor}\tlast login: {last}")


@advisors.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Disable an account: it can no longer log in, and every session of it ends."""
    advisor = _done(lambda: accounts.disable(email))
    click.echo(f"Disabled {advisor.email}; its sessions have ended.")


@advisors.command("reset-password")
@click.argument("email")
@click.option(
    "--second-factor",
    is_flag=True,
    help="Also remove the authenticator app and recovery codes (set up anew at the next login).",
)
def reset_password(email: str, second_factor: bool) -> None:
    """Give an account a new password (asked for, or read from standard input)."""
    password = read_password()
    advisor = _done(lambda: accounts.reset_password(email, password, second_factor))
    click.echo(f"New password for {advisor.email}; its sessions have ended.")

"""Advisor accounts and logins for tests: a movable clock, accounts, and the two login steps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from flask import Flask, url_for

from app.advisor import accounts
from app.extensions import db

PASSWORD = "Kaffe-bord-hest-9271"
LOGIN_PATH = {"da": "/da/raadgiver/log-ind", "sv": "/sv/radgivare/logga-in"}
HOME_PATH = {"da": "/da/raadgiver/", "sv": "/sv/radgivare/"}
CODE_RE = re.compile(r"<code>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</code>")


class Clock:
    """The time accounts.now() answers; tests move it forward."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class Account:
    id: int
    email: str
    secret: str | None

    def code(self, at: datetime) -> str:
        assert self.secret
        return pyotp.TOTP(self.secret).at(at)


def make_account(
    app: Flask,
    email: str = "anna@dsi.dk",
    name: str = "Anna Berg",
    lead: bool = False,
    second_factor: bool = True,
    password: str = PASSWORD,
) -> Account:
    """An account; with second_factor its TOTP is already set up (as after a first login)."""
    with app.app_context():
        advisor = accounts.create(email, name, password, "lead" if lead else "advisor")
        if second_factor:
            advisor.totp_secret = pyotp.random_base32()
            advisor.totp_confirmed_at = accounts.now()
        db.session.commit()
        return Account(advisor.id, advisor.email, advisor.totp_secret)


def url(app: Flask, endpoint: str, lang: str = "da", **values: object) -> str:
    with app.test_request_context():
        return url_for(endpoint, lang_code=lang, **values)


def password_step(client, account: Account, lang: str = "da", password: str = PASSWORD, **extra):
    return client.post(
        LOGIN_PATH[lang], data={"email": account.email, "password": password, **extra}
    )


def full_login(client, app: Flask, account: Account, clock: Clock, lang: str = "da", **extra):
    """Both steps; the clock then moves on a TOTP step, so that the next login has a new code."""
    first = password_step(client, account, lang, **extra)
    assert first.status_code == 302, first.get_data(as_text=True)
    done = client.post(
        url(app, "advisor.second_factor", lang), data={"code": account.code(clock())}
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    clock.advance(seconds=accounts.TOTP_STEP)
    return done


def logged_in(client, lang: str = "da") -> bool:
    response = client.get(HOME_PATH[lang])
    return response.status_code == 200


def redirects_to_login(response, lang: str = "da") -> bool:
    location = response.headers.get("Location", "")
    return response.status_code in (301, 302, 303, 307, 308) and location.startswith(
        LOGIN_PATH[lang]
    )

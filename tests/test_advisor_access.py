"""Every advisor page needs a full login: proven by walking the URL map, not by a list.

A page added to the `advisor` blueprint is covered the day it is added. Only the login steps
(app.advisor.routes.PUBLIC) are open, and they must not count as a login themselves: after the
password alone, every other page still sends the visitor to the login.
"""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from app.advisor.routes import PUBLIC
from tests.advisor_helpers import LOGIN_PATH, make_account, password_step

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def advisor_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("advisor.")]


def sample_value(rule: Rule, name: str) -> object:
    """A value for a URL argument: any the rule accepts will do, since no login means no page."""
    converter = rule._converters[name]
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "x"


def address(app: Flask, rule: Rule) -> str:
    values = {**(rule.defaults or {})}
    values.update({n: sample_value(rule, n) for n in rule.arguments if n not in values})
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=None)


def protected(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every advisor route but the login steps, in both languages."""
    found = []
    for rule in advisor_rules(app):
        if rule.endpoint in PUBLIC:
            continue
        for method in sorted(rule.methods - IGNORED_METHODS):
            found.append((rule.endpoint, method, address(app, rule)))
    return found


def test_the_walk_finds_the_pages(app):
    endpoints = {endpoint for endpoint, _, _ in protected(app)}
    assert {"advisor.home", "advisor.logout", "advisor.stay"} <= endpoints
    public = {rule.endpoint for rule in advisor_rules(app)} & PUBLIC
    assert public == PUBLIC  # PUBLIC names real routes, not typos that would open nothing
    assert len(protected(app)) >= 6  # both languages


def assert_sent_to_login(response, url: str, method: str) -> None:
    lang = url.split("/")[1]
    location = response.headers.get("Location", "")
    assert response.status_code == 401 or (
        response.status_code in (302, 303) and location.startswith(LOGIN_PATH[lang])
    ), f"{method} {url}: {response.status_code} {location}"
    assert response.headers["Cache-Control"] == "no-store", f"{method} {url}"


@pytest.mark.parametrize("state", ["not logged in", "password only", "password only, no TOTP"])
def test_every_advisor_page_needs_a_full_login(db_app, clock, state):
    app = db_app
    if state == "not logged in":
        client = app.test_client()
    else:
        account = make_account(app, second_factor=state == "password only")
        client = app.test_client()
        assert password_step(client, account).status_code == 302
    for _endpoint, method, url in protected(app):
        response = client.open(url, method=method)
        assert_sent_to_login(response, url, method)


def test_the_login_steps_show_nothing_of_an_account_without_its_password(app, client, clock):
    make_account(app)
    for rule in advisor_rules(app):
        if rule.endpoint in PUBLIC - {"advisor.login"}:
            response = client.get(address(app, rule))
            assert_sent_to_login(response, address(app, rule), "GET")

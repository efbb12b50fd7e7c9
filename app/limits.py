"""Rate limits: expensive pages and every form, counted per address (Flask-Limiter).

One table says what is limited; operators change the figures in the configuration
(RATE_LIMITS). Counts live in memory by default and in Redis when REDIS_URL is set, so that
several app servers share them. A limit that is hit answers 429 in the page's language (HTML or
the API's JSON) with Retry-After.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

DEFAULT_RATE_LIMITS = {
    # A new simulator scenario costs about 55 ms of CPU at n = 10,000.
    "simulator": "120 per minute; 2000 per hour",
    "api": "60 per minute; 1000 per hour",
    "files": "30 per minute",
    # Forms that store something.
    "forms": "30 per minute; 300 per hour",
    "questionnaire": "120 per minute",
    # Advisor logins count failed attempts only, in short windows: guessing is slow, but no one
    # can keep an advisor out for longer than the window.
    "login_address": "30 per 5 minutes",
    "login_account": "10 per 5 minutes",
}

# endpoint: (which limit, the methods it applies to; None for all)
LIMITED = {
    "simulator.page": ("simulator", None),
    "simulator.spreadsheet": ("simulator", None),
    "simulator.save_scenario": ("forms", None),
    "api.score": ("api", None),
    "api.simulate_payment_model": ("api", None),
    "assessment.pdf": ("files", None),
    "assessment.radar_png": ("files", None),
    "assessment.start": ("forms", ["POST"]),
    "assessment.step": ("questionnaire", ["POST"]),
    "assessment.submit": ("forms", None),
    "assessment.delete": ("forms", ["POST"]),
    "assessment.new_version": ("forms", ["POST"]),
    "feedback.submit": ("forms", None),
    "advisor.logout": ("forms", ["POST"]),
    "advisor.stay": ("forms", ["POST"]),
}


# The advisor login steps: failed attempts counted per address and per account (app/advisor).
LOGIN_STEPS = ("advisor.login", "advisor.second_factor", "advisor.setup")


def _failed(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 400


def _limit_of(name: str):  # type: ignore[no-untyped-def]
    return lambda: current_app.config["RATE_LIMITS"][name]


def init_app(app: Flask) -> None:
    """Give the app its limiter and wrap every limited view (after the blueprints are registered).

    One limiter per app: Flask-Limiter keeps its settings and limits on the limiter object, and
    tests run several apps in one process.
    """
    app.config["RATE_LIMITS"] = {**DEFAULT_RATE_LIMITS, **app.config.get("RATE_LIMITS", {})}
    limiter = Limiter(key_func=get_remote_address, app=app)
    app.extensions["rate_limiter"] = limiter  # the wrapped views hold it only weakly
    # Every limit here is on a view and is checked in its wrapper. The limiter's own check before
    # every request serves default and application-wide limits, which this site has none of; it
    # cost 0.16 ms on every request, about a third of a trivial route.
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # not there when the limits are off
        hooks.remove(limiter._check_request_limit)
    for endpoint, (name, methods) in LIMITED.items():
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.limit(_limit_of(name), methods=methods)(view)
    from app.advisor.accounts import attempt_key

    for endpoint in LOGIN_STEPS:
        view = app.view_functions[endpoint]
        counted = {"methods": ["POST"], "deduct_when": _failed}
        view = limiter.limit(_limit_of("login_account"), key_func=attempt_key, **counted)(view)
        view = limiter.limit(_limit_of("login_address"), **counted)(view)
        app.view_functions[endpoint] = view

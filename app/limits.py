"""Rate limits: expensive pages and every form, counted per address (Flask-Limiter).

One table says what is limited; operators change the figures in the configuration
(RATE_LIMITS). Counts live in memory by default and in Redis when REDIS_URL is set, so that
several app servers share them. A limit that is hit answers 429 in the page's language (HTML or
the API's JSON) with Retry-After.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
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
    # Forms that send a mail to an address typed into them: counted only when a mail went out
    # (see MAIL_SENT), so a mistyped address costs nothing, and a spammer gets little.
    "mail": "5 per hour; 20 per day",
    # The same, per secret link, whatever address the requests come from.
    "mail_per_link": "3 per hour; 10 per day",
    # Advisor logins count failed attempts only, in short windows: guessing is slow, but no one
    # can keep an advisor out for longer than the window.
    "login_address": "30 per 5 minutes",
    "login_account": "10 per 5 minutes",
}

# endpoint: (which limit, the methods it applies to; None for all)
LIMITED = {
    "simulator.page": ("simulator", None),
    "simulator.spreadsheet": ("simulator", None),
    "simulator.compare": ("simulator", None),  # up to three new scenarios a request
    "simulator.save_scenario": ("forms", None),
    "api.score": ("api", None),
    "api.simulate_payment_model": ("api", None),
    "assessment.pdf": ("files", None),
    "assessment.radar_png": ("files", None),
    "assessment.benchmark": ("files", None),
    "assessment.answers_xlsx": ("files", None),
    "assessment.start": ("forms", ["POST"]),
    "assessment.step": ("questionnaire", ["POST"]),
    "assessment.submit": ("forms", None),
    "assessment.delete": ("forms", ["POST"]),
    "assessment.new_version": ("forms", ["POST"]),
    "feedback.submit": ("forms", None),
    "assessment.send": ("mail", ["POST"]),
    "assessment.withdraw": ("forms", ["POST"]),
    "assessment.mail_link": ("mail", None),
    "read_only.share": ("forms", None),
    "read_only.revoke": ("forms", None),
    "read_only.pdf": ("files", None),
    "read_only.radar_png": ("files", None),
    "advisor.logout": ("forms", ["POST"]),
    "advisor.stay": ("forms", ["POST"]),
    "advisor.programmes": ("forms", ["POST"]),
    "advisor.file_sending": ("forms", ["POST"]),
    "advisor.review": ("forms", None),
    # Revising or sending again: a resubmission mails the advisor, at most once per revision.
    "assessment.review": ("forms", ["POST"]),
}

# Endpoints whose limit counts only the requests that sent a mail (they answer with a redirect).
MAIL_SENT = {"assessment.send", "assessment.mail_link"}
# endpoint: a second limit, counted per secret link instead of per address.
PER_LINK = {"assessment.mail_link": "mail_per_link"}


# The advisor login steps: failed attempts counted per address and per account (app/advisor).
LOGIN_STEPS = ("advisor.login", "advisor.second_factor", "advisor.setup")


def _failed(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 400


def _limit_of(name: str):  # type: ignore[no-untyped-def]
    return lambda: current_app.config["RATE_LIMITS"][name]


def _mail_sent(response: Response) -> bool:
    return response.status_code in (302, 303)


def _secret_link() -> str:
    return "link:" + str((request.view_args or {}).get("token", ""))


def _only(methods: list[str], limited: Callable, plain: Callable) -> Callable:
    """The limited view for these methods, the plain one for the rest.

    Flask-Limiter would find out for itself that a GET of a page limited on POST has no limit,
    but resolving and filtering its limits took a tenth of such a page's time.
    """

    @functools.wraps(plain)
    def view(*args: Any, **kwargs: Any) -> Any:
        if request.method in methods:
            return limited(*args, **kwargs)
        return plain(*args, **kwargs)

    return view


def init_app(app: Flask) -> None:
    """Give the app its limiter and wrap every limited view (after the blueprints are registered).

    One limiter per app: Flask-Limiter keeps its settings and limits on the limiter object, and
    tests run several apps in one process.
    """
    given = app.config.get("RATE_LIMITS", {})
    unknown = sorted(set(given) - set(DEFAULT_RATE_LIMITS))
    if unknown:
        from app.config import ConfigError

        raise ConfigError(
            f"RATE_LIMITS names no limit called {', '.join(unknown)}; "
            f"the limits are {', '.join(DEFAULT_RATE_LIMITS)}"
        )
    app.config["RATE_LIMITS"] = {**DEFAULT_RATE_LIMITS, **given}
    limiter = Limiter(key_func=get_remote_address, app=app)
    app.extensions["rate_limiter"] = limiter  # the wrapped views hold it only weakly
    # Every limit here is on a view and is checked in its wrapper. The limiter's own check before
    # every request serves default and application-wide limits, which this site has none of; it
    # cost 0.16 ms on every request, about a third of a trivial route.
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # not there when the limits are off
        hooks.remove(limiter._check_request_limit)
    for endpoint, (name, methods) in LIMITED.items():
        view = plain = app.view_functions[endpoint]
        counted = _mail_sent if endpoint in MAIL_SENT else None
        if endpoint in PER_LINK:
            view = limiter.limit(
                _limit_of(PER_LINK[endpoint]),
                key_func=_secret_link,
                methods=methods,
                deduct_when=counted,
            )(view)
        limited = limiter.limit(_limit_of(name), methods=methods, deduct_when=counted)(view)
        if methods is not None:
            limited = _only(methods, limited, plain)
        app.view_functions[endpoint] = limited

    @app.after_request
    def retry_after(response: Response) -> Response:
        """A refusal of these limits says when the window that refused it opens again."""
        refused = limiter.current_limit if response.status_code == 429 else None
        if refused is not None:
            with contextlib.suppress(Exception):  # the counts' storage is down: the default stays
                wait = int(refused.reset_at - time.time())
                response.headers["Retry-After"] = str(max(1, wait))
        return response

    from app.advisor.accounts import attempt_key

    for endpoint in LOGIN_STEPS:
        view = app.view_functions[endpoint]
        counted = {"methods": ["POST"], "deduct_when": _failed}
        view = limiter.limit(_limit_of("login_account"), key_func=attempt_key, **counted)(view)
        view = limiter.limit(_limit_of("login_address"), **counted)(view)
        app.view_functions[endpoint] = view

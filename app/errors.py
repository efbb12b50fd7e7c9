"""Error pages in the visitor's language. No handler here may raise: each falls back to a page."""

from __future__ import annotations

import contextlib

from flask import Flask, current_app, g, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, NotFound, ServiceUnavailable

from app.api.errors import error_response as api_error
from app.api.errors import is_api_request
from app.extensions import db
from app.i18n import LANGUAGES, preferred_language

# What a database that is down or unreachable raises (a refused connection, a restart).
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


class UnknownLink(NotFound):
    """A secret link that leads to no assessment: mistyped, deleted, or deleted after its time."""


def _guess_language() -> None:
    """Set the page language from the path when the URL matched no route; switch to start pages.

    An error page's language switcher must not point at the failed address in the other
    language (it may be a POST-only or unknown address), so it leads to the start pages.
    """
    if "lang" not in g:
        first = request.path.strip("/").split("/", 1)[0]
        g.lang = first if first in LANGUAGES else preferred_language()
    g.alternates = {lang: url_for("main.home", lang_code=lang) for lang in LANGUAGES}


def _rollback() -> None:
    """End a failed transaction so it cannot poison the next request on this connection."""
    with contextlib.suppress(Exception):  # the connection is gone: nothing is left to undo
        db.session.rollback()


def database_unavailable():  # type: ignore[no-untyped-def]
    """503 while the database is down; a questionnaire page being saved keeps what was typed."""
    _rollback()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_api_request():
        response = api_error(ServiceUnavailable())
        response.headers.update(headers)
        return response
    if request.endpoint == "assessment.step" and request.method == "POST":
        from app.assessment.routes import show_step_unsaved

        page = show_step_unsaved()
        if page is not None:
            return page, 503, headers
    _guess_language()
    return render_template("error/503.html"), 503, headers


def init_app(app: Flask) -> None:
    """Register the pages for 400 (CSRF), 404, unknown secret links, 413, 429, 500 and 503,
    and one page for any other refusal (400, 405, …).

    The JSON API's errors are JSON: errors raised in its views reach app/api/errors.py through
    its blueprint; these handlers send it the rest on /api/ addresses (no route matched: 404,
    405).
    """

    @app.errorhandler(HTTPException)
    def other_http_error(error):  # type: ignore[no-untyped-def]
        if is_api_request():
            return api_error(error)
        if error.code is None or error.code < 400:
            return error
        # 400, 405 and any other refusal: a page in the visitor's language, not Werkzeug's
        # English one; the headers (Allow for a 405) stay.
        _guess_language()
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return render_template("error/refused.html", status=error.code), error.code, headers

    @app.errorhandler(404)
    def not_found(error):  # type: ignore[no-untyped-def]
        if is_api_request():
            return api_error(error)
        _guess_language()
        return render_template("error/404.html"), 404

    @app.errorhandler(UnknownLink)
    def unknown_link(error):  # type: ignore[no-untyped-def]
        from app.retention import DRAFT_DAYS, SUBMITTED_YEARS

        _guess_language()
        return render_template(
            "error/unknown_link.html", draft_days=DRAFT_DAYS, submitted_years=SUBMITTED_YEARS
        ), 404

    @app.errorhandler(CSRFError)
    def csrf_failed(error):  # type: ignore[no-untyped-def]
        if request.endpoint == "assessment.step" and request.view_args:
            # A long questionnaire page must not lose its answers to an aged token. The link
            # may also be unknown, submitted or the page out of range: answer as a GET would.
            from app.assessment.routes import show_step_again

            try:
                return show_step_again(**request.view_args)
            except HTTPException as refused:
                return current_app.handle_http_exception(refused)
            except DATABASE_DOWN:
                return database_unavailable()
        _guess_language()
        return render_template("error/csrf.html"), 400

    @app.errorhandler(413)
    def too_large(error):  # type: ignore[no-untyped-def]
        if is_api_request():
            return api_error(error)
        _guess_language()
        return render_template("error/413.html"), 413

    @app.errorhandler(429)
    def too_many_requests(error):  # type: ignore[no-untyped-def]
        if is_api_request():
            return api_error(error)
        _guess_language()
        # Flask-Limiter adds Retry-After for its own limits; this is for any other 429.
        return render_template("error/429.html"), 429, {"Retry-After": "60"}

    @app.errorhandler(503)
    def unavailable(error):  # type: ignore[no-untyped-def]
        return database_unavailable()

    for exception in DATABASE_DOWN:
        app.register_error_handler(exception, lambda error: database_unavailable())

    @app.errorhandler(500)
    def server_error(error):  # type: ignore[no-untyped-def]
        _rollback()
        if is_api_request():
            return api_error(error)
        _guess_language()
        return render_template("error/500.html"), 500

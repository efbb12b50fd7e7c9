"""Error pages in the visitor's language. No handler here may raise: each falls back to a page."""

from __future__ import annotations

import contextlib

from flask import Flask, current_app, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, NotFound

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


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _api_error(code: str, message: str, status: int):  # type: ignore[no-untyped-def]
    g.lang = g.get("lang") or preferred_language()
    return jsonify(errors={"_": [{"code": code, "message": message}]}), status


def database_unavailable():  # type: ignore[no-untyped-def]
    """503 while the database is down; a questionnaire page being saved keeps what was typed."""
    _rollback()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _is_api():
        response = _api_error("unavailable", _("The service is busy. Try again shortly."), 503)
        return response[0], 503, headers
    if request.endpoint == "assessment.step" and request.method == "POST":
        from app.assessment.routes import show_step_unsaved

        page = show_step_unsaved()
        if page is not None:
            return page, 503, headers
    _guess_language()
    return render_template("error/503.html"), 503, headers


def init_app(app: Flask) -> None:
    """Register the pages for 400 (CSRF), 404, unknown secret links, 413, 429, 500 and 503."""

    @app.errorhandler(404)
    def not_found(error):  # type: ignore[no-untyped-def]
        if _is_api():
            return _api_error("not_found", _("There is nothing at this address."), 404)
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
        if _is_api():
            message = _("What you sent is larger than this website accepts.")
            return _api_error("too_large", message, 413)
        _guess_language()
        return render_template("error/413.html"), 413

    @app.errorhandler(429)
    def too_many_requests(error):  # type: ignore[no-untyped-def]
        headers = {"Retry-After": str(getattr(error, "retry_after", None) or 60)}
        if _is_api():
            message = _("Too many requests. Wait a minute and try again.")
            return _api_error("too_many_requests", message, 429)[0], 429, headers
        _guess_language()
        return render_template("error/429.html"), 429, headers

    @app.errorhandler(503)
    def unavailable(error):  # type: ignore[no-untyped-def]
        return database_unavailable()

    for exception in DATABASE_DOWN:
        app.register_error_handler(exception, lambda error: database_unavailable())

    @app.errorhandler(500)
    def server_error(error):  # type: ignore[no-untyped-def]
        _rollback()
        if _is_api():
            return _api_error("server_error", _("Something went wrong on our side."), 500)
        _guess_language()
        return render_template("error/500.html"), 500

"""Error pages in the visitor's language."""

from __future__ import annotations

from flask import Flask, g, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.api.errors import error_response as api_error
from app.api.errors import is_api_request
from app.extensions import db
from app.i18n import LANGUAGES


def _guess_language() -> None:
    """Set the page language from the path when the URL matched no route; switch to start pages.

    An error page's language switcher must not point at the failed address in the other
    language (it may be a POST-only or unknown address), so it leads to the start pages.
    """
    if "lang" not in g:
        first = request.path.strip("/").split("/", 1)[0]
        if first in LANGUAGES:
            g.lang = first
    g.alternates = {lang: url_for("main.home", lang_code=lang) for lang in LANGUAGES}


def init_app(app: Flask) -> None:
    """Register the 400 (CSRF), 404, 413 and 500 pages; the JSON API's errors are JSON.

    Errors raised in the API's views reach app/api/errors.py through its blueprint; these
    handlers send it the rest on /api/ addresses (no route matched: 404, 405).
    """

    @app.errorhandler(HTTPException)
    def other_http_error(error):  # type: ignore[no-untyped-def]
        if is_api_request():
            return api_error(error)
        return error  # Werkzeug's own answer, as without this handler

    @app.errorhandler(404)
    def not_found(error):  # type: ignore[no-untyped-def]
        if is_api_request():
            return api_error(error)
        _guess_language()
        return render_template("error/404.html"), 404

    @app.errorhandler(CSRFError)
    def csrf_failed(error):  # type: ignore[no-untyped-def]
        if request.endpoint == "assessment.step" and request.view_args:
            # A long questionnaire page must not lose its answers to an aged token.
            from app.assessment.routes import show_step_again

            return show_step_again(**request.view_args)
        _guess_language()
        return render_template("error/csrf.html"), 400

    @app.errorhandler(413)
    def too_large(error):  # type: ignore[no-untyped-def]
        if is_api_request():
            return api_error(error)
        _guess_language()
        return render_template("error/413.html"), 413

    @app.errorhandler(500)
    def server_error(error):  # type: ignore[no-untyped-def]
        # A failed transaction must not poison the next request on this connection.
        db.session.rollback()
        if is_api_request():
            return api_error(error)
        _guess_language()
        return render_template("error/500.html"), 500

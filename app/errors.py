"""Error pages in the visitor's language. No handler here may raise: each falls back to a page."""

from __future__ import annotations

import contextlib
import re

from flask import Flask, current_app, g, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, InternalError, OperationalError
from werkzeug.exceptions import HTTPException, NotFound, ServiceUnavailable

from app.api.errors import error_response as api_error
from app.api.errors import is_api_request
from app.extensions import db
from app.i18n import LANGUAGES, preferred_language

# What a database that is down or unreachable raises (a refused connection, a restart), and
# what one that can be read but not written raises (a read-only file, a full disk).
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
# SQLite's primary result codes for "attempt to write a readonly database" and "database or disk
# is full"; PostgreSQL's SQLSTATEs for disk_full and read_only_sql_transaction (a standby).
SQLITE_CANNOT_STORE = {8: "read-only", 13: "full"}
POSTGRES_CANNOT_STORE = {"53100": "full", "25006": "read-only"}
# Fields whose typed text the 503 page shows again when no form of its own can be drawn: free
# text a person would be sorry to lose. Never a password, a code or a hidden field.
TYPED_TEXT = re.compile(r"(?:^|-)(?:body|comment|overall|organisation|programme|contact_name)$")


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
    """End a failed transaction so it cannot poison the next request on this connection.

    A connection the server has cut (a restart) cannot even roll back: it is thrown away
    without a word to the server, else the session's removal at the end of the request would
    try again, raise, and turn this 503 into a 500.
    """
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: nothing is left to undo
        with contextlib.suppress(Exception):
            db.session.invalidate()


def cannot_store(error: BaseException | None) -> str | None:
    """Why a database that answers refused to store: "read-only", "full", or None."""
    orig = getattr(error, "orig", None)
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return SQLITE_CANNOT_STORE.get(code & 0xFF)  # an extended code keeps the primary low
    return POSTGRES_CANNOT_STORE.get(getattr(orig, "sqlstate", None) or "")


def _log(error: BaseException | None, refused: str | None) -> None:
    """One line naming the view and the driver's first line; never the path (a secret link)
    nor the statement's parameters."""
    orig = getattr(error, "orig", None) or error
    reason = str(orig).strip().splitlines()[0][:200] if orig is not None and str(orig) else ""
    what = f"refused to store ({refused})" if refused else "unreachable"
    current_app.logger.warning(
        "Database %s: %s %s answered 503: %s %s",
        what,
        request.method,
        request.endpoint,
        type(orig).__name__ if orig is not None else "",
        reason,
    )


def _forget_session_changes() -> None:
    """The session as the request brought it: a login step or a flashed message must not be
    kept when what it belongs to was not stored (the session is a cookie: sending it back as
    it came needs no database)."""
    if g.get("public_page") or not getattr(session, "modified", False):
        return
    with contextlib.suppress(Exception):
        brought = current_app.session_interface.open_session(current_app, request)
        session.clear()
        session.update(brought or {})


def typed_texts() -> list[str]:
    """The free text a POST carried, to show again on the 503 page."""
    if request.method != "POST":
        return []
    return [
        value
        for name, value in request.form.items(multi=True)
        if TYPED_TEXT.search(name) and value.strip()
    ]


def database_unavailable(error: BaseException | None = None):  # type: ignore[no-untyped-def]
    """503 while the database is down or refuses to store; what was typed is shown again.

    A questionnaire page, the start form and the feedback form are drawn again with what was
    typed (they need no database); any other form's free text is shown on the 503 page. Nothing
    here reads the database, and the session goes back as it came.
    """
    _rollback()
    _forget_session_changes()
    refused = cannot_store(error)
    _log(error, refused)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_api_request():
        response = api_error(ServiceUnavailable())
        response.headers.update(headers)
        return response
    if request.method == "POST":
        page = _form_again()
        if page is not None:
            return page, 503, headers
    _guess_language()
    page = render_template(
        "error/503.html",
        refused=refused,
        posted=request.method == "POST",
        typed=typed_texts(),
    )
    return page, 503, headers


def _form_again():  # type: ignore[no-untyped-def]
    """The posted form drawn again with what was typed and a notice, where one can be drawn."""
    with contextlib.suppress(HTTPException):
        if request.endpoint == "assessment.step":
            from app.assessment.routes import show_step_unsaved

            return show_step_unsaved()
        if request.endpoint == "assessment.start":
            from app.assessment.routes import show_start_unsaved

            return show_start_unsaved()
        if request.endpoint == "feedback.submit":
            from app.feedback.routes import show_feedback_unsaved

            return show_feedback_unsaved()
    return None


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
            except DATABASE_DOWN as error:
                return database_unavailable(error)
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
        app.register_error_handler(exception, database_unavailable)

    @app.teardown_appcontext
    def remove_session(error: BaseException | None) -> None:
        # Runs before Flask-SQLAlchemy's own removal (teardowns run last registered first).
        # A connection the server cut during the request (a restart) cannot roll back: it is
        # thrown away, else the removal raises after the answer was drawn and gunicorn sends 500.
        try:
            db.session.remove()
        except Exception:  # the connection is gone: nothing is left to undo
            with contextlib.suppress(Exception):
                db.session.invalidate()
            with contextlib.suppress(Exception):
                db.session.remove()

    @app.errorhandler(InternalError)
    def internal_database_error(error):  # type: ignore[no-untyped-def]
        # A read-only PostgreSQL (a standby) says so with an InternalError; any other is a bug,
        # raised on to the 500 page (and its log) as if no handler were here.
        if cannot_store(error):
            return database_unavailable(error)
        raise error

    @app.errorhandler(500)
    def server_error(error):  # type: ignore[no-untyped-def]
        _rollback()
        if is_api_request():
            return api_error(error)
        _guess_language()
        return render_template("error/500.html"), 500

"""Every API error as one JSON shape: {"errors": {"<field or _>": [{"code", "message"}]}}.

The API blueprint sends everything raised in its views here (ahead of the site's HTML error pages),
and app/errors.py sends /api/ addresses that matched no route (404, 405) here too.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_babel import format_decimal, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    InternalServerError,
    ServiceUnavailable,
    default_exceptions,
)

from app.i18n import LANGUAGES, preferred_language

API_PREFIX = "/api/"
Problem = dict[str, str]
Errors = dict[str, list[Problem]]


class InvalidInput(BadRequest):
    """A 400 that names what was wrong, per field (or `_` for the request as a whole)."""

    def __init__(self, errors: Errors) -> None:
        super().__init__()
        self.errors = errors


def is_api_request() -> bool:
    """Whether the request is for the JSON API (so its errors are JSON, not HTML pages)."""
    return request.path.startswith(API_PREFIX)


def request_language() -> str:
    """The API's language: ?lang=da|sv, else the caller's Accept-Language (or language cookie)."""
    wanted = request.args.get("lang")
    return wanted if wanted in LANGUAGES else preferred_language()


def use_request_language() -> None:
    """Speak the API's language, also for errors raised before the blueprint chose it."""
    if "lang" not in g:
        g.lang = request_language()
        refresh()  # forget a locale Flask-Babel may have cached before g.lang was set


def problem(code: str, message: str) -> Problem:
    """One refusal: a stable code for programs and a message for people."""
    return {"code": code, "message": message}


def errors_response(errors: Errors, status: int = 400) -> Response:
    """The API's error JSON with its status."""
    response = jsonify(errors=errors)
    response.status_code = status
    return response


# The code and message for each status; 405 and 413 add the methods and the limit.
STATUS_PROBLEMS = {
    400: ("bad_request", _l("The request could not be understood.")),
    404: ("not_found", _l("There is nothing at this address.")),
    415: (
        "unsupported_media_type",
        _l("Send the body as JSON, with the header Content-Type: application/json."),
    ),
    429: (
        "too_many_requests",
        _l("You have sent too many requests. Wait a little, then try again."),
    ),
    500: ("server_error", _l("Something went wrong on our side. Try again later.")),
    503: ("unavailable", _l("The service is unavailable just now. Try again in a few minutes.")),
}


def status_problem(error: HTTPException) -> Problem:
    """The code and the translated message for an HTTP status."""
    status = error.code or 500
    if status == 405:
        methods = getattr(error, "valid_methods", None) or ()
        allowed = ", ".join(sorted(set(methods) - {"HEAD", "OPTIONS"}))
        message = _("This address does not accept %(method)s. Use: %(allowed)s.")
        values = {"method": request.method, "allowed": allowed}
        return problem("method_not_allowed", message % values)
    if status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if not limit:
            return problem("too_large", _("What you sent is larger than this website accepts."))
        message = _("What you sent is larger than this website accepts: at most %(limit)s bytes.")
        return problem("too_large", message % {"limit": format_decimal(limit)})
    if status in STATUS_PROBLEMS:
        code, text = STATUS_PROBLEMS[status]
        return problem(code, str(text))
    if status >= 500:
        return status_problem(InternalServerError())
    # Any other refusal (401, 409, 410, …): Werkzeug's name as the code, e.g. "gone".
    code = re.sub(r"[^a-z0-9]+", "_", (error.name or "error").lower()).strip("_")
    message = _("The request was refused (HTTP status %(status)s).")
    return problem(code, message % {"status": status})


def as_http_exception(error: BaseException) -> HTTPException:
    """The HTTP error an exception stands for: a database that does not answer is a 503."""
    original = getattr(error, "original_exception", None)
    if isinstance(error, OperationalError) or isinstance(original, OperationalError):
        return ServiceUnavailable()
    if isinstance(error, HTTPException):
        return error
    return InternalServerError(original_exception=error)


def error_response(error: BaseException) -> Response:
    """Any error, HTTP or unexpected, as the API's JSON in the request's language."""
    http_error = as_http_exception(error)
    if isinstance(error, OperationalError):  # handled here, so Flask does not log it
        current_app.logger.error("database unavailable: %s", type(error).__name__, exc_info=error)
    use_request_language()
    status = http_error.code or 500
    errors = getattr(http_error, "errors", None) or {"_": [status_problem(http_error)]}
    response = errors_response(errors, status)
    # Allow for a 405, Retry-After for a 429 or 503 that carries one.
    for name, value in http_error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def register(bp: Blueprint) -> None:
    """Answer every error raised in the API's views as JSON, before any site-wide HTML page."""
    # By status, because Flask prefers a site-wide handler for a status over a blueprint's
    # handler for a class (HTTPException): the site's HTML 429 or 503 page must not answer here.
    for status in default_exceptions:
        bp.register_error_handler(status, error_response)
    bp.register_error_handler(HTTPException, error_response)
    # An unreachable database is a 503 to try again, not a 500 (and never the HTML 503 page).
    bp.register_error_handler(OperationalError, error_response)

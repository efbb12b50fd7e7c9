"""What comes in: control characters never get past the request.

Decided once, here: form and query values lose the control characters that no person types and
that databases, spreadsheets and XML refuse (PostgreSQL rejects NUL, openpyxl and XML 1.0 the rest
of C0). Tab and line breaks stay, and Windows line breaks become plain ones, so that a text
counts the same number of characters in the browser and on the server. A path that holds a
control character leads nowhere: it answers 404 before any view or query sees it.

Forms read form fields only. Flask-WTF would also read uploaded files and a JSON body, whose
values are not cleaned and need not be text (a file where a name belongs, a number, a list);
no form here takes either, so a file part or a JSON body counts as fields left empty.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, abort, request
from flask import Request as FlaskRequest
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """The text without control characters, with CRLF and CR as LF."""
    return CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _clean(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def _pairs(mapping: Any) -> list[tuple[Any, Any]]:
    if mapping is None:
        return []
    if isinstance(mapping, MultiDict):
        items = mapping.items(multi=True)
    elif isinstance(mapping, dict):
        items = [
            (k, v) for k, vs in mapping.items() for v in (vs if isinstance(vs, list) else [vs])
        ]
    else:
        items = mapping
    return [(_clean(key), _clean(value)) for key, value in items]


class CleanMultiDict(ImmutableMultiDict):
    """Form and query values as the app reads them: control characters removed."""

    def __init__(self, mapping: Any = None) -> None:
        super().__init__(_pairs(mapping))


class CleanRequest(FlaskRequest):
    """A request whose form and query values are cleaned as they are parsed."""

    parameter_storage_class = CleanMultiDict


class SiteForm(FlaskForm):
    """A form that reads the request's cleaned form fields, never its files or a JSON body."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: FlaskForm, formdata: Any) -> Any:
            if formdata is None or hasattr(formdata, "getlist"):
                return formdata  # what the view passed
            return request.form if form.is_submitted() else None


def init_app(app: Flask) -> None:
    """Use the cleaning request class and refuse paths with control characters."""
    app.request_class = CleanRequest

    @app.before_request
    def refuse_control_characters_in_the_path() -> None:
        if CONTROL.search(request.path):
            abort(404)

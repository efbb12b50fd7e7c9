"""Reading a request body as JSON: refuse, with a reason, whatever the API cannot take safely.

A body is at most MAX_CONTENT_LENGTH bytes (else 413), must say it is JSON (else 415), and must be
UTF-8 JSON of plain values (else 400): no NaN or Infinity, no number beyond 10^15 (so that no
integer of hundreds of digits reaches the number checks), no field given twice, and no nesting
deeper than MAX_DEPTH. The parser's hooks see each number's text before Python converts it, so
a number of any length costs no more than reading it.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import request
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.exceptions import UnsupportedMediaType

from app.api.errors import Errors, InvalidInput, problem
from app.core.answers import AnswerError
from app.messages import error_text

MAX_DEPTH = 32  # the API's own bodies nest three levels: {"rate_card": [{"goal": …}]}
MAX_DIGITS = 16  # 10^15 itself has 16
LARGEST = 10**15
MAX_PROBLEMS = 20  # a body full of NaN gets the first few named, not a reply as large as itself


class _Refused:
    """Put by the parser's hooks where a value was refused, so its path can be named later."""

    __slots__ = ("code",)

    def __init__(self, code: str) -> None:
        self.code = code


TOO_LARGE = _Refused("too_large")
NOT_A_NUMBER = _Refused("not_a_number")
DUPLICATE = _Refused("duplicate_field")


def is_json_type(mimetype: str) -> bool:
    """application/json, or a JSON-based type such as application/merge-patch+json."""
    return mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )


def _integer(text: str) -> int | _Refused:
    if len(text.lstrip("-")) > MAX_DIGITS:  # decided on the text: int() of 5,000 digits raises
        return TOO_LARGE
    value = int(text)
    return value if abs(value) <= LARGEST else TOO_LARGE


def _float(text: str) -> float | _Refused:
    value = float(text)
    return value if math.isfinite(value) and abs(value) <= LARGEST else TOO_LARGE


def _constant(text: str) -> _Refused:
    return NOT_A_NUMBER  # NaN, Infinity and -Infinity are not JSON


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        found[key] = DUPLICATE if key in found else value
    return found


def parse(data: bytes) -> Any:
    """The JSON value in data; InvalidInput naming each problem (by JSON path, or `_`)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(
            {"_": [problem("invalid_encoding", _("The body is not valid UTF-8 text."))]}
        ) from None
    try:
        value = json.loads(
            text,
            parse_int=_integer,
            parse_float=_float,
            parse_constant=_constant,
            object_pairs_hook=_object,
        )
    except RecursionError:
        raise InvalidInput({"_": [too_deep()]}) from None
    except json.JSONDecodeError as error:
        message = _("The body is not valid JSON: look near line %(line)s, column %(column)s.") % {
            "line": error.lineno,
            "column": error.colno,
        }
        raise InvalidInput({"_": [problem("invalid_json", message)]}) from None
    errors = problems_in(value)
    if errors:
        raise InvalidInput(errors)
    return value


def too_deep() -> dict[str, str]:
    message = _("The JSON is nested more than %(limit)s levels deep.") % {
        "limit": format_decimal(MAX_DEPTH)
    }
    return problem("too_deep", message)


def problems_in(value: Any) -> Errors:
    """Refused values by their JSON path (answers.tg_size, rate_card.0.payment), in body order."""
    errors: Errors = {}
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack and len(errors) < MAX_PROBLEMS:
        item, path, depth = stack.pop()
        if isinstance(item, _Refused):
            errors.setdefault(path or "_", []).append(refusal(item))
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                errors.setdefault("_", []).append(too_deep())
                break
            children = list(item.items() if isinstance(item, dict) else enumerate(item))
            prefix = f"{path}." if path else ""
            # Last child first onto the stack, so the first child is looked at first.
            stack.extend((child, f"{prefix}{key}", depth + 1) for key, child in reversed(children))
    return errors


def refusal(refused: _Refused) -> dict[str, str]:
    if refused.code == "duplicate_field":
        return problem(refused.code, _("This field is given more than once."))
    if refused.code == "too_large":
        return problem(refused.code, error_text(AnswerError("too_large", LARGEST)))
    return problem(refused.code, error_text(AnswerError(refused.code)))


def read_json() -> Any:
    """The request's body as JSON: 415 unless it says it is JSON, 413 when too large, else 400."""
    if not is_json_type(request.mimetype):
        raise UnsupportedMediaType()
    return parse(request.get_data(cache=False))

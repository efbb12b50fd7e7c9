"""Helpers the form macros need, registered as template globals."""

from __future__ import annotations

from typing import Any

from flask import Flask
from wtforms.validators import Length

from app.core.answers import MAX_TEXT


def max_length(field: Any) -> int | None:
    """The longest text a field accepts, from its Length validator, shown at the field."""
    limits = [v.max for v in getattr(field, "validators", ()) if isinstance(v, Length)]
    limits = [limit for limit in limits if limit and limit > 0]
    return min(limits) if limits else None


def init_app(app: Flask) -> None:
    """Make the helpers available to every template."""
    app.add_template_global(max_length, "max_length")
    app.add_template_global(MAX_TEXT, "max_text")

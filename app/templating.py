"""Helpers the form macros need, registered as template globals."""

from __future__ import annotations

import functools
from typing import Any

from flask import Flask
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from wtforms.validators import Length

from app.core.answers import MAX_TEXT
from app.i18n import current_language


def max_length(field: Any) -> int | None:
    """The longest text a field accepts, from its Length validator, shown at the field."""
    limits = [v.max for v in getattr(field, "validators", ()) if isinstance(v, Length)]
    limits = [limit for limit in limits if limit and limit > 0]
    return min(limits) if limits else None


def limit_texts(limit: int) -> dict[str, str]:
    """The hint and the counter's two messages for a limit, in the page's language."""
    return _limit_texts(current_language(), limit)


@functools.cache  # a page has a dozen fields with the same limit; the texts never change
def _limit_texts(lang: str, limit: int) -> dict[str, str]:
    with force_locale(lang):
        return {
            "hint": _("You can write up to %(limit)s characters.", limit=format_decimal(limit)),
            "left": _("You have %(count)s characters left.", count="{count}"),
            "over": _("You have %(count)s characters too many.", count="{count}"),
        }


def init_app(app: Flask) -> None:
    """Make the helpers available to every template."""
    app.add_template_global(max_length, "max_length")
    app.add_template_global(limit_texts, "limit_texts")
    app.add_template_global(MAX_TEXT, "max_text")

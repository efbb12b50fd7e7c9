"""Secret links never reach a log: a token in a logged line becomes a short hash of itself.

The hash lets an operator match the lines of one assessment without being able to open it.
Werkzeug's request log, the app's error log (tracebacks included) and gunicorn's access and
error logs (see deploy/gunicorn.conf.py) all pass through `redact`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import traceback

# A secret link's token: 43 URL-safe characters standing alone (see app/models.py new_token).
TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")


def token_hash(token: str) -> str:
    """A short, stable name for a token that cannot be turned back into it."""
    return "tok:" + hashlib.sha256(token.encode()).hexdigest()[:12]


def redact(text: str) -> str:
    """The text with every token replaced by its hash."""
    return TOKEN.sub(lambda match: token_hash(match.group(0)), text)


class RedactingFilter(logging.Filter):
    """Rewrite a record's message and traceback before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


LOGGERS = ("werkzeug", "gunicorn.error", "gunicorn.access")


def install(*extra: logging.Logger) -> None:
    """Put the filter on the loggers that may see request paths (once each)."""
    for logger in [logging.getLogger(name) for name in LOGGERS] + list(extra):
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())

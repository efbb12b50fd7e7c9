"""gunicorn's logger with secret links hashed in access and error lines."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from app.logredact import RedactingFilter, redact

# Access-log atoms that carry the path, the query or the referring page.
URL_ATOMS = ("r", "U", "q", "f")


class RedactingLogger(Logger):
    """Access lines and error lines without tokens."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.addFilter(RedactingFilter())
        self.access_log.addFilter(RedactingFilter())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict:
        found = super().atoms(resp, req, environ, request_time)
        for name in URL_ATOMS:
            if isinstance(found.get(name), str):
                found[name] = redact(found[name])
        for name in ("{raw_uri}e", "{path_info}e", "{query_string}e", "{http_referer}e"):
            if isinstance(found.get(name), str):
                found[name] = redact(found[name])
        return found

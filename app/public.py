"""Public pages: the same bytes for everyone, drawn once per language and release, then served.

The toolbox, cases, templates, glossary, search results, the start page and the plain pages hold
nothing about the visitor: no session, no cookie, no token. So any proxy or CDN may keep them
(Cache-Control: public), a browser may ask again cheaply (a strong ETag from the bytes, 304 to
If-None-Match), and this process draws each page once per language and release and serves the
stored bytes after that. The release is RENDER_VERSION: the fingerprint of the templates,
translations, styles, scripts and content (app/__init__.py), so a new release draws afresh.

A view marked @public must not read the session (Flask adds Vary: Cookie to any response whose
session was read); base.html leaves out what would read it (the flashed messages) when
g.public_page is set. What the visitor sends that a public page may depend on is named: the
path's language and view arguments, and the query arguments in `args` (search's q, through
`variant`). Any other query argument is ignored, and is not copied into the page's links.

The marker is also how `flask export-static` (app/static_export.py) finds the pages to write as
files: every rule whose view is marked, for every value that `each` gives for its view arguments.
A page drawn for the export (STATIC_EXPORT in the request's environ, which no visitor can set)
leaves out what only the live app can answer (the feedback form) and is stored apart.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import Flask, Response, current_app, g, has_request_context, make_response, request

# Five minutes: a new release reaches a cached copy soon, and a burst of readers (a newsletter
# link) costs one request per cache and five minutes.
MAX_AGE = 300
# The headers of the view's answer that the stored copy keeps (a template's XLSX is a download).
KEPT_HEADERS = ("Content-Type", "Content-Disposition")
# How many drawn pages one process keeps per store: every content page in both languages fits in
# "pages" many times over; search answers are as many as there are queries, so the oldest go.
STORE_SIZES = {"pages": 1024, "search": 256}
# The WSGI environ key of a request made by `flask export-static`; not an HTTP_ key, so no header
# can set it.
STATIC_EXPORT = "socialinvest.static_export"
T = TypeVar("T")


@dataclass(frozen=True)
class Stored:
    """A drawn page as it is sent: body, status, the kept headers and its ETag."""

    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]
    etag: str


class Store(Generic[T]):
    """A bounded, thread-safe LRU of drawn pages (threads: the development and test servers).

    Also keeps the questionnaire pages' skeletons (app/assessment/step_page.py).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> T | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value: T) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def init_app(app: Flask) -> None:
    """Give the app its stores (one per process; a release restarts the processes)."""
    app.extensions["public_pages"] = {name: Store(size) for name, size in STORE_SIZES.items()}

    @app.context_processor
    def export_context() -> dict[str, bool]:
        return {"static_export": static_export()}


def static_export() -> bool:
    """Whether this page is drawn for the static export rather than for a visitor."""
    return has_request_context() and bool(request.environ.get(STATIC_EXPORT))


def is_public(view: Callable | None) -> bool:
    """Whether a view function is marked @public."""
    return bool(getattr(view, "public_page", False))


def every_view_args(view: Callable, lang: str) -> list[dict[str, Any]]:
    """The view arguments of every page of a public view in a language ([{}] for a view without
    arguments); a view with arguments names them with @public(each=...)."""
    each = getattr(view, "public_each", None)
    return [{}] if each is None else list(each(lang))


def _stored(response: Response) -> Stored:
    response.direct_passthrough = False  # send_file's answer: read its bytes once, here
    body = response.get_data()
    headers = tuple(
        (name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers
    )
    etag = hashlib.sha256(body).hexdigest()[:32]
    return Stored(body, response.status_code, headers, etag)


def public(
    variant: Callable[[], Hashable] | None = None,
    args: tuple[str, ...] = (),
    store: str = "pages",
    each: Callable[[str], Iterable[dict[str, Any]]] | None = None,
) -> Callable:
    """Mark a view as a public page: stored once per key, sent with public caching headers.

    variant gives what else, besides the language and the view arguments, decides the page (for
    search, the query); args names the query arguments that the page's language links keep;
    each(lang) gives the view arguments of every page of a view that takes arguments (the slugs
    of a language's steps), for the static export.
    """

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(**view_args: Any) -> Response:
            g.public_page = True
            g.public_args = args
            key = (
                request.endpoint,
                g.get("lang"),
                tuple(sorted(view_args.items())),
                variant() if variant else None,
                static_export(),
                current_app.config["RENDER_VERSION"],
            )
            pages: Store = current_app.extensions["public_pages"][store]
            page = pages.get(key)
            if page is None:
                response = make_response(view(**view_args))
                if response.status_code != 200:
                    return response  # a redirect: sent as it is, not stored
                page = _stored(response)
                pages.put(key, page)
            return send_public(page)

        wrapper.public_page = True  # type: ignore[attr-defined]
        wrapper.public_each = each  # type: ignore[attr-defined]
        return wrapper

    return decorator


def send_public(page: Stored) -> Response:
    """The stored page with its caching headers, or 304 when the browser holds these bytes."""
    response = Response(page.body, status=page.status, headers=list(page.headers))
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.set_etag(page.etag)
    return response.make_conditional(request)

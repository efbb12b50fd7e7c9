"""`flask export-static DIR`: the whole public site, both languages, as files for nginx or a CDN.

What the export holds:
- every public page (each view marked @public in app/public.py, for every page it has in each
  language), drawn by the app itself through its test client, so the bytes are the app's; the
  layout of the files is app/core/static_site.py;
- the templates' XLSX files at their addresses;
- app/static as it is, at /static/ (the pages ask for /static/...?v=RENDER_VERSION: a server
  ignores the query and may keep these files long, since a new release changes the query);
- a search index per language, static/search/da.json and sv.json, that the search page's script
  (static/js/static-search.js) reads, so that search works in the browser;
- a 404 page per language (da/404.html, sv/404.html) and index.html at the root, which sends
  the reader to the Danish start page (deploy/nginx-static.conf chooses by Accept-Language).

What it leaves to the live app: the self-assessment, the simulator and the advisor pages are
not public pages, so links to them become absolute links to PUBLIC_URL (a reader who clicks
"Self-assessment" gets the app). The "was this page useful?" form is left out: the app accepts it
only from its own pages (app/security.py: from_this_site), and a thank-you needs the app.
"""

from __future__ import annotations

import contextvars
import json
import os
from html import escape
from pathlib import Path

import click
from flask import Flask, current_app, g
from flask.cli import with_appcontext
from flask_babel import force_locale, get_translations
from flask_babel import gettext as _

from app.core.search import MAX_QUERY_LENGTH, SNIPPET_CHARS
from app.core.static_site import LayoutError, file_for, rewrite_links
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES
from app.public import STATIC_EXPORT, every_view_args, is_public

# The nginx configuration for serving an export, with placeholders (see nginx_config).
NGINX_TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx-static.conf"
# Where a language's 404 page is asked for while exporting; no page has this slug.
NOT_FOUND_PATH = "/{lang}/404"
SEARCH_INDEX = "static/search/{lang}.json"
# The search results page's texts (app/templates/views/search.html), read raw so that the
# browser fills in the query and the count.
RESULT_COUNT = ("%(num)d result for “%(query)s”", "%(num)d results for “%(query)s”")


class ExportError(click.ClickException):
    """The export was refused or failed; the message says why."""


def prepare(directory: Path) -> Path:
    """The directory to write to: new or empty, and writable; anything else is refused."""
    if directory.exists() and not directory.is_dir():
        raise ExportError(f"{directory} exists and is not a directory.")
    if directory.is_dir() and any(directory.iterdir()):
        raise ExportError(
            f"{directory} is not empty. The export writes a whole site: give it a new or an "
            "empty directory, so that no file of an older export is left among the new ones."
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise ExportError(f"Cannot write to {directory}: {error.strerror or error}.") from error
    return directory


def public_pages(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, language, address) of every public page, from the url_map's @public views."""
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        if not is_public(view) or "GET" not in (rule.methods or ()):
            continue
        lang = (rule.defaults or {}).get("lang_code", DEFAULT_LANGUAGE)
        for args in every_view_args(view, lang):  # type: ignore[arg-type]
            values = {**args, "lang_code": lang} if "lang_code" in rule.arguments else args
            found.append((rule.endpoint, lang, adapter.build(rule.endpoint, values)))
    return found


class Writer:
    """Writes the export's files, refusing to write one file twice."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.written: set[Path] = set()

    def write(self, relative: os.PathLike[str] | str, body: bytes) -> None:
        target = self.root / relative
        if target in self.written or target.exists():
            raise ExportError(f"Two addresses would be written to one file: {relative}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        self.written.add(target)


def root_page() -> bytes:
    """index.html at the root: the app sends a visitor to a language; a file can only point."""
    titles = []
    for lang in LANGUAGES:
        with force_locale(lang):
            titles.append(_("Social investments"))
    links = "".join(
        f'<li><a href="/{code}/" lang="{code}" hreflang="{code}">{escape(name)}</a></li>'
        for code, name in LANGUAGES.items()
    )
    return (
        f'<!doctype html>\n<html lang="{DEFAULT_LANGUAGE}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(' / '.join(titles))}</title>\n"
        f'<meta http-equiv="refresh" content="0; url=/{DEFAULT_LANGUAGE}/">\n</head>\n'
        f"<body>\n<main>\n<h1>{escape(' / '.join(titles))}</h1>\n<ul>{links}</ul>\n"
        "</main>\n</body>\n</html>\n"
    ).encode()


def search_index(app: Flask, lang: str) -> dict:
    """A language's search index with each document's address and the results page's texts."""
    from app.search.routes import ref_url

    data = app.extensions["search"].export(lang)
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        g.lang = lang
        for document in data["docs"]:
            document["url"] = ref_url(document.pop("ref"))
        translations = get_translations()
        data["messages"] = {
            "title": _("Search: %(query)s"),
            "empty": _("Type one or more words to search for."),
            "too_long": _("Your search is too long. Use at most %(max)d characters."),
            "nothing": _("Nothing matched “%(query)s”. Try another or a shorter word."),
            # Danish and Swedish have two forms: one for 1, one for any other number.
            "one": translations.ungettext(*RESULT_COUNT, 1),
            "other": translations.ungettext(*RESULT_COUNT, 2),
        }
        data["kinds"] = {
            "steps": _("Toolbox step"),
            "cases": _("Case"),
            "templates": _("Template"),
            "pages": _("Page"),
            "glossary": _("Glossary"),
        }
    data["max_length"] = MAX_QUERY_LENGTH
    data["snippet_chars"] = SNIPPET_CHARS
    data["limit"] = 50
    return data


def export_site(directory: Path, public_url: str) -> dict[str, int]:
    """Write the export into an empty directory; returns what was written, counted."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    root = prepare(directory)
    writer = Writer(root)
    pages = public_pages(app)
    holds = {address for _endpoint, _lang, address in pages} | {"/"}

    def exported(path: str) -> bool:
        return path in holds or path.startswith(app.static_url_path + "/")

    client = app.test_client()
    counts = {"pages": 0, "downloads": 0, "static files": 0}

    def fetch(address: str, status: int) -> tuple[bytes, str]:
        # Each page is drawn in a context of its own, as for a visitor: within the command's
        # app context the test client would reuse it, and g (the page's language and language
        # links) and Babel's locale would carry over from one page to the next.
        return contextvars.Context().run(draw, address, status)

    def draw(address: str, status: int) -> tuple[bytes, str]:
        response = client.get(address, environ_base={STATIC_EXPORT: True})
        if response.status_code != status:
            raise ExportError(f"{address} answered {response.status_code}, not {status}.")
        body = response.get_data()
        if response.mimetype == "text/html":
            body = rewrite_links(body.decode(), exported, public_url).encode()
        return body, response.mimetype

    try:
        for _endpoint, _lang, address in pages:
            body, mimetype = fetch(address, 200)
            writer.write(file_for(address), body)
            counts["pages" if mimetype == "text/html" else "downloads"] += 1
        for lang in LANGUAGES:
            body, _mimetype = fetch(NOT_FOUND_PATH.format(lang=lang), 404)
            writer.write(f"{lang}/404.html", body)
            data = contextvars.Context().run(search_index, app, lang)
            index = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            writer.write(SEARCH_INDEX.format(lang=lang), index.encode())
        writer.write("index.html", root_page())
        static = Path(app.static_folder)  # type: ignore[arg-type]
        for source in sorted(static.rglob("*")):
            relative = source.relative_to(static)
            if source.is_file() and not any(part.startswith(".") for part in relative.parts):
                writer.write(Path("static", relative), source.read_bytes())
                counts["static files"] += 1
    except LayoutError as error:
        raise ExportError(f"A public address cannot be a file: {error}") from error
    except OSError as error:
        raise ExportError(f"Writing to {root} failed: {error}") from error
    return counts


def nginx_config(root: Path, port: int, prefix: Path, user: str) -> str:
    """deploy/nginx-static.conf filled in: serve the export in root on 127.0.0.1:port, with the
    pid file, error log and temporary files in prefix (for a test or a benchmark; run it with
    `nginx -p PREFIX -c PREFIX/nginx.conf -e PREFIX/error.log`)."""
    values = {"@ROOT@": str(root), "@PORT@": str(port), "@PREFIX@": str(prefix), "@USER@": user}
    config = NGINX_TEMPLATE.read_text()
    for placeholder, value in values.items():
        config = config.replace(placeholder, value)
    return config


@click.command("export-static")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--public-url",
    help="The live app's address, for links to pages the export does not hold "
    "(default: the PUBLIC_URL setting).",
)
@with_appcontext
def export_static(directory: Path, public_url: str | None) -> None:
    """Write the public site in both languages as files into DIRECTORY (new or empty)."""
    public_url = (public_url or current_app.config.get("PUBLIC_URL") or "").strip()
    if not public_url.startswith(("https://", "http://")):
        raise ExportError(
            "The export's links to the self-assessment, the simulator and the advisor pages "
            "lead to the live app: set PUBLIC_URL or pass --public-url https://... "
            f"(got {public_url!r})."
        )
    counts = export_site(directory, public_url)
    summary = ", ".join(f"{number} {what}" for what, number in counts.items())
    click.echo(f"Exported {summary} and a search index per language to {directory}")

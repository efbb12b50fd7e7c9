"""The reading side of the site: start page, toolbox, cases, templates, glossary, plain pages."""

from __future__ import annotations

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from app.core.content import Library, Page
from app.core.sheets import build_workbook
from app.feedback.forms import FeedbackForm
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, SECTIONS, localized_route, preferred_language
from app.public import public

bp = Blueprint("main", __name__)

# Which view shows which kind of content.
ENDPOINTS = {"steps": "main.step", "cases": "main.case", "templates": "main.template"}
ENDPOINTS["pages"] = "main.page"
# After a reader's feedback is saved, the page is shown again with ?feedback=sent and a thank-you
# (the same for everyone, so it is a public page too; no flashed message in a session).
FEEDBACK_SENT = ("feedback", "sent")


def feedback_sent() -> bool:
    """Whether this content page is shown just after the reader's feedback was saved."""
    name, value = FEEDBACK_SENT
    return request.method == "GET" and request.args.get(name) == value


def library() -> Library:
    """The content loaded at start-up."""
    return current_app.extensions["library"]


def page_url(page: Page) -> str:
    """The URL of a content page in its own language."""
    return url_for(ENDPOINTS[page.kind], lang_code=page.lang, slug=page.slug)


@bp.app_context_processor
def content_helpers() -> dict:
    """Let templates link to content pages, by page or by key in the current language."""

    def content_url(kind: str, key: str) -> str:
        page = library().by_key(g.get("lang", DEFAULT_LANGUAGE), kind, key)
        return page_url(page) if page else url_for("main.home")

    def content_page(kind: str, key: str) -> Page | None:
        return library().by_key(g.get("lang", DEFAULT_LANGUAGE), kind, key)

    return {"page_url": page_url, "content_url": content_url, "content_page": content_page}


def every_slug(kind: str, downloads_only: bool = False):
    """The view arguments of every page of a kind in a language, for the static export."""

    def each(lang: str) -> list[dict[str, str]]:
        pages = library().list(lang, kind)
        return [{"slug": p.slug} for p in pages if p.download or not downloads_only]

    return each


def find_page(lang: str, kind: str, slug: str) -> Page:
    """The page, or the 404 page in the visitor's language."""
    page = library().get(lang, kind, slug)
    if page is None:
        abort(404)
    return page


def render_page(
    page: Page, form: FeedbackForm | None = None, status: int = 200, notice: str | None = None
):
    """Render a content page with its breadcrumbs, neighbours and feedback form (and a notice
    above the form when what it sent could not be stored)."""
    g.alternates = {
        other: page_url(library().translation(page, other))  # type: ignore[arg-type]
        for other in LANGUAGES
    }
    form = form or FeedbackForm(kind=page.kind, key=page.key)
    prev, nxt = library().neighbours(page) if page.kind != "pages" else (None, None)
    phase = None
    if page.phase:
        phase = next(p for p in library().phases[page.lang] if p.key == page.phase)
    templates = [library().by_key(page.lang, "templates", key) for key in page.templates]
    return (
        render_template(
            f"views/{page.kind}_page.html",
            page=page,
            prev=prev,
            next=nxt,
            phase=phase,
            templates=[t for t in templates if t],
            feedback_form=form,
            feedback_sent=feedback_sent(),
            feedback_notice=notice,
        ),
        status,
    )


@bp.get("/")
def root():
    """Send the visitor to their language: remembered choice first, then the browser's."""
    response = redirect(url_for("main.home", lang_code=preferred_language()))
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@localized_route(bp, "/", methods=["GET"])
@public()
def home():
    """The start page."""
    return render_template(
        "views/home.html",
        phases=library().steps_by_phase(g.lang),
        intro=library().by_key(g.lang, "pages", "introduction"),
    )


@localized_route(bp, "/{toolbox}/", methods=["GET"])
@public()
def toolbox():
    """The toolbox: phases and their steps as cards."""
    return render_template("views/toolbox.html", phases=library().steps_by_phase(g.lang))


@localized_route(bp, "/{toolbox}/<slug>", methods=["GET"])
@public(variant=feedback_sent, each=every_slug("steps"))
def step(slug: str):
    """One step of the toolbox."""
    return render_page(find_page(g.lang, "steps", slug))


@localized_route(bp, "/{cases}/", methods=["GET"])
@public()
def cases():
    """The list of programme cases."""
    return render_template("views/cases.html", pages=library().list(g.lang, "cases"))


@localized_route(bp, "/{cases}/<slug>", methods=["GET"])
@public(variant=feedback_sent, each=every_slug("cases"))
def case(slug: str):
    """One programme case."""
    return render_page(find_page(g.lang, "cases", slug))


@localized_route(bp, "/{templates}/", methods=["GET"])
@public()
def templates():
    """The list of templates."""
    return render_template("views/templates.html", pages=library().list(g.lang, "templates"))


@localized_route(bp, "/{templates}/<slug>", methods=["GET"])
@public(variant=feedback_sent, each=every_slug("templates"))
def template(slug: str):
    """One printable template."""
    return render_page(find_page(g.lang, "templates", slug))


@localized_route(bp, "/{templates}/<slug>.xlsx", methods=["GET"])
@public(each=every_slug("templates", downloads_only=True))
def template_download(slug: str):
    """A template as a spreadsheet with headings in the page's language; built once, then cached."""
    page = library().get(g.lang, "templates", slug)
    if page is None or page.download is None:
        abort(404)
    cache = current_app.extensions["sheets"]
    if (g.lang, slug) not in cache:
        cache[(g.lang, slug)] = build_workbook(page.title, page.download, g.lang)
    response = send_file(
        BytesIO(cache[(g.lang, slug)]),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"{slug}.xlsx",
    )
    return response


@localized_route(bp, "/{glossary}", methods=["GET"])
@public()
def glossary():
    """All terms, Danish and Swedish side by side, sorted in the page's language."""
    entries = sorted(library().glossary, key=lambda e: e.terms[g.lang].casefold())
    return render_template("views/glossary.html", entries=entries)


@localized_route(bp, "/<slug>", methods=["GET"])
@public(variant=feedback_sent, each=every_slug("pages"))
def page(slug: str):
    """A plain page such as about, privacy or the accessibility statement."""
    sections = {words[g.lang]: name for name, words in SECTIONS.items()}
    if slug in sections and library().get(g.lang, "pages", slug) is None:
        return redirect(url_for(f"main.{sections[slug]}"))
    return render_page(find_page(g.lang, "pages", slug))

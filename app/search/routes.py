"""Search the content in the current language."""

from __future__ import annotations

from flask import Blueprint, current_app, g, render_template, request, url_for

from app.core.search import MAX_QUERY_LENGTH, Answer, Hit, QueryError
from app.i18n import localized_route
from app.main.routes import ENDPOINTS
from app.public import public

bp = Blueprint("search", __name__)


def hit_url(hit: Hit) -> str:
    """Where a result leads: the page, or the glossary entry's anchor, in the hit's language."""
    return ref_url(hit.document.ref, hit.document.lang)


def ref_url(document_ref: tuple[str, ...] | list[str], lang: str | None = None) -> str:
    """The address of an indexed document (a page, or a glossary entry's anchor)."""
    kind, ref = document_ref
    lang_code = lang or g.lang
    if kind == "glossary":
        return url_for("main.glossary", lang_code=lang_code) + f"#{ref}"
    return url_for(ENDPOINTS[kind], slug=ref, lang_code=lang_code)


@localized_route(bp, "/{search}", methods=["GET"])
# The index changes only with a release: an answer is stored like a page, the oldest dropped.
@public(variant=lambda: request.args.get("q", ""), args=("q",), store="search")
def results():
    """The results page; an empty or overlong query gets a message, never an error. A query that
    finds nothing is offered the nearest words and the other language's results."""
    query = request.args.get("q", "")
    answer = Answer([])
    problem = None
    try:
        answer = current_app.extensions["search"].forgiving(g.lang, query)
    except QueryError as error:
        problem = error.code
    return render_template(
        "views/search.html",
        query=query,
        hits=answer.hits,
        answer=answer,
        problem=problem,
        hit_url=hit_url,
        max_length=MAX_QUERY_LENGTH,
    )

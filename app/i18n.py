"""Languages in the URL: the single source of truth for which languages exist and how paths read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, g, request, url_for
from flask_babel import format_date, format_decimal, get_translations

LANGUAGES = {"da": "Dansk", "sv": "Svenska"}
DEFAULT_LANGUAGE = "da"
LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600

# Path segments read in the page's own language.
SECTIONS = {
    "toolbox": {"da": "vaerktoejskasse", "sv": "verktygslada"},
    "cases": {"da": "cases", "sv": "exempel"},
    "templates": {"da": "skabeloner", "sv": "mallar"},
    "glossary": {"da": "ordliste", "sv": "ordlista"},
    "search": {"da": "soeg", "sv": "sok"},
    "assessment": {"da": "selvevaluering", "sv": "sjalvskattning"},
    "step": {"da": "trin", "sv": "steg"},
    "saved": {"da": "gemt", "sv": "sparad"},
    "overview": {"da": "oversigt", "sv": "oversikt"},
    "answers": {"da": "dine-svar", "sv": "dina-svar"},
    "submit": {"da": "indsend", "sv": "skicka-in"},
    "result": {"da": "resultat", "sv": "resultat"},
    "report": {"da": "rapport", "sv": "rapport"},
    "print": {"da": "udskriv", "sv": "utskrift"},
    "delete": {"da": "slet", "sv": "radera"},
    "new_version": {"da": "ny-vurdering", "sv": "ny-bedomning"},
    "simulator": {"da": "betalingssimulator", "sv": "betalningssimulator"},
    "scenario": {"da": "scenarie", "sv": "scenario"},
    "advisor": {"da": "raadgiver", "sv": "radgivare"},
    "login": {"da": "log-ind", "sv": "logga-in"},
    "login_code": {"da": "kode", "sv": "kod"},
    "setup": {"da": "opsaet-kode", "sv": "stall-in-kod"},
    "logout": {"da": "log-ud", "sv": "logga-ut"},
    "stay": {"da": "forbliv-logget-ind", "sv": "forbli-inloggad"},
    "send": {"da": "send-til-fonden", "sv": "skicka-till-fonden"},
    "withdraw": {"da": "traek-tilbage", "sv": "dra-tillbaka"},
    "mail_link": {"da": "send-linket", "sv": "skicka-lanken"},
    "read_only": {"da": "laeseadgang", "sv": "lasbehorighet"},
    "share_link": {"da": "opret", "sv": "skapa"},
    "revoke_link": {"da": "tilbagekald", "sv": "aterkalla"},
    "review": {"da": "gennemgang", "sv": "granskning"},
    "export": {"da": "eksport", "sv": "export"},
    "audit_log": {"da": "log", "sv": "logg"},
    "dashboard": {"da": "overblik", "sv": "oversikt"},
    "benchmark": {"da": "sammenlign", "sv": "jamfor"},
    "compare": {"da": "sammenlign", "sv": "jamfor"},
    "programmes": {"da": "programmer", "sv": "program"},
}


def localized_route(bp: Blueprint, path: str, **options: Any) -> Callable:
    """Register a view once per language; `{toolbox}` etc. in path become that language's word."""

    def decorator(view: Callable) -> Callable:
        for lang in LANGUAGES:
            words = {name: by_lang[lang] for name, by_lang in SECTIONS.items()}
            bp.add_url_rule(
                f"/{lang}{path.format(**words)}",
                view_func=view,
                defaults={"lang_code": lang},
                **options,
            )
        return view

    return decorator


def current_language() -> str:
    """The language of the current page, or the default outside a localised page."""
    return g.get("lang", DEFAULT_LANGUAGE)


def preferred_language() -> str:
    """The language to send a visitor to: their remembered choice, else their browser's wish."""
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT_LANGUAGE)


def alternate_urls() -> dict[str, str]:
    """The current page in every language (views with per-language slugs set g.alternates)."""
    if "alternates" in g:
        return g.alternates
    if request.endpoint is None or request.url_rule is None or "lang" not in g:
        return {lang: url_for("main.home", lang_code=lang) for lang in LANGUAGES}
    args = dict(request.view_args or {})
    if request.method == "GET":  # keep a search or a simulator scenario when switching
        query = request.args.to_dict()
        if g.get("public_page"):  # a stored page keeps only the arguments it is drawn for
            query = {name: value for name, value in query.items() if name in g.public_args}
        args = {**query, **args}
    return {lang: url_for(request.endpoint, **{**args, "lang_code": lang}) for lang in LANGUAGES}


def switched_language(lang: str) -> bool:
    """Whether the visitor came to this page from one of this site's pages in another language."""
    from app.security import origin_of, site_origins

    referer = request.headers.get("Referer")
    if not referer or origin_of(referer) not in site_origins():
        return False
    came_from = urlsplit(referer).path
    if request.script_root and came_from.startswith(request.script_root):
        came_from = came_from[len(request.script_root) :]
    first = came_from.strip("/").split("/", 1)[0]
    return first in LANGUAGES and first != lang


def request_translations():  # type: ignore[no-untyped-def]
    """This request's catalogue, looked up once and kept where Flask-Babel keeps it.

    Flask-Babel finds the catalogue anew for every string: four lookups of its context, the
    locale selector and the locale's name, some 20 µs, and a page such as "check your answers"
    asks for 450 strings. Its context has a slot for the catalogue, `babel_translations`, which
    force_locale (mails in the recipient's language) and refresh() clear and restore, so a
    catalogue kept there is always the current locale's.
    """
    context = g.get("_flask_babel")
    found = getattr(context, "babel_translations", None)
    if found is None:
        found = get_translations()
        context = g.get("_flask_babel")
        if context is not None:
            context.babel_translations = found
    return found


def install_template_gettext(app: Flask) -> None:
    """Templates' _(), gettext and ngettext through request_translations (newstyle, as before)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def init_app(app: Flask) -> None:
    """Take the language out of the URL into g, and put it back when building URLs."""
    install_template_gettext(app)

    @app.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values and "lang_code" in values:
            g.lang = values.pop("lang_code")

    @app.url_defaults
    def add_lang(endpoint: str, values: dict[str, Any]) -> None:
        if "lang_code" in values or "lang" not in g:
            return
        if app.url_map.is_endpoint_expecting(endpoint, "lang_code"):
            values["lang_code"] = g.lang

    @app.after_request
    def remember_lang(response):  # type: ignore[no-untyped-def]
        lang = g.get("lang")
        if request.path.startswith("/api/"):
            return response  # the API keeps no state between calls: ?lang or Accept-Language
        if not lang or request.cookies.get(LANG_COOKIE) == lang or response.status_code >= 400:
            return response
        if g.get("public_page"):
            # A public page is the same for everyone and any cache may keep it (app/public.py):
            # a cookie on it would be kept and handed to the next reader, and a cache must not
            # keep such an answer at all. So a plain visit sets none; only a visitor who has
            # switched language (followed a link from one of this site's pages in the other
            # language) has the choice remembered, on an answer that only their browser keeps.
            if not switched_language(lang):
                return response
            response.cache_control.public = False
            response.cache_control.private = True
            response.set_cookie(
                LANG_COOKIE,
                lang,
                max_age=LANG_COOKIE_MAX_AGE,
                samesite="Lax",
                httponly=True,
                secure=app.config["SESSION_COOKIE_SECURE"],
            )
        return response

    app.add_template_filter(format_decimal, "number")
    app.add_template_filter(format_date, "date")

    @app.context_processor
    def language_context() -> dict[str, Any]:
        lang = current_language()
        return {
            "lang": lang,
            "languages": LANGUAGES,
            "other_languages": [code for code in LANGUAGES if code != lang],
            "alternate_urls": alternate_urls,
        }

"""A reader's checklist for every page: both languages, the switcher, redirects, and 404s."""

from __future__ import annotations

import pytest

from app.i18n import LANGUAGES
from tests.helpers import get_page, text_of

INDEX_PAGES = {
    "da": ["/da/", "/da/vaerktoejskasse/", "/da/cases/", "/da/skabeloner/", "/da/ordliste"],
    "sv": ["/sv/", "/sv/verktygslada/", "/sv/exempel/", "/sv/mallar/", "/sv/ordlista"],
}


def content_urls(app, kind: str) -> list[tuple[str, str]]:
    """(language, url) of every content page of one kind."""
    from app.main.routes import page_url

    library = app.extensions["library"]
    with app.test_request_context():
        return [(lang, page_url(p)) for lang in LANGUAGES for p in library.list(lang, kind)]


def all_urls(app) -> list[tuple[str, str]]:
    urls = [(lang, url) for lang, pages in INDEX_PAGES.items() for url in pages]
    for kind in ("steps", "cases", "templates", "pages"):
        urls += content_urls(app, kind)
    return urls


def test_every_page_is_served_in_its_language_with_links_to_the_other(app, client):
    for lang, url in all_urls(app):
        soup = get_page(client, url)
        assert soup.html["lang"] == lang, url
        alternates = {
            link["hreflang"]: link["href"] for link in soup.select('link[rel="alternate"]')
        }
        assert set(alternates) == {"da", "sv", "x-default"}, url
        assert alternates[lang] == url, url
        other = "sv" if lang == "da" else "da"
        switch = soup.select_one(f'.language-nav a[hreflang="{other}"]')
        assert switch is not None and switch["href"] == alternates[other], url
        # The other language's version exists and points back here.
        back = get_page(client, alternates[other])
        assert back.html["lang"] == other
        assert back.select_one(f'link[rel="alternate"][hreflang="{lang}"]')["href"] == url


def test_the_footer_links_to_privacy_and_the_accessibility_statement(client):
    expected = {
        "da": ("Privatliv og cookies", "Tilgængelighedserklæring"),
        "sv": ("Personuppgifter och kakor", "Tillgänglighetsredogörelse"),
    }
    for lang, labels in expected.items():
        soup = get_page(client, f"/{lang}/")
        footer = {a.get_text(strip=True): a["href"] for a in soup.select("footer a")}
        for label in labels:
            assert label in footer, (lang, label)
            get_page(client, footer[label])


def test_a_step_has_breadcrumbs_contents_and_neighbours(app, client):
    library = app.extensions["library"]
    steps = library.list("da", "steps")
    second = steps[1]
    soup = get_page(client, f"/da/vaerktoejskasse/{second.slug}")
    assert text_of(soup, "h1") == second.title
    crumbs = [li.get_text(strip=True) for li in soup.select(".breadcrumbs__list-item")]
    assert crumbs[:2] == ["Forside", "Værktøjskasse"] and crumbs[-1] == second.title
    toc = [a["href"] for a in soup.select(".toc a")]
    assert toc and all(soup.select_one(href) for href in toc)
    assert soup.select_one('a[rel="prev"]')["href"] == f"/da/vaerktoejskasse/{steps[0].slug}"
    assert soup.select_one('a[rel="next"]')["href"] == f"/da/vaerktoejskasse/{steps[2].slug}"


def test_the_toolbox_shows_each_phase_with_its_steps_as_cards(app, client):
    soup = get_page(client, "/sv/verktygslada/")
    headings = [h.get_text(strip=True) for h in soup.select(".phase h2")]
    assert headings == ["Fas 1: Uppstart", "Fas 2: Design", "Fas 3: Genomförande"]
    cards = soup.select(".phase .card a")
    assert len(cards) == len(app.extensions["library"].list("sv", "steps"))


@pytest.mark.parametrize(
    ("headers", "cookie", "expected"),
    [
        ({"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.8"}, None, "/sv/"),
        ({"Accept-Language": "da-DK,da;q=0.9"}, None, "/da/"),
        ({"Accept-Language": "en-GB,en;q=0.9"}, None, "/da/"),
        ({}, None, "/da/"),
        ({"Accept-Language": "sv"}, "da", "/da/"),
        ({"Accept-Language": "da"}, "sv", "/sv/"),
        ({"Accept-Language": "sv"}, "klingon", "/sv/"),
    ],
)
def test_the_root_sends_visitors_to_their_language(client, headers, cookie, expected):
    if cookie:
        client.set_cookie("lang", cookie)
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"] == expected
    assert "Accept-Language" in response.headers["Vary"]


def test_switching_language_remembers_it_but_a_plain_visit_does_not(client):
    # A public page is the same for everyone (any cache may keep it): a visit sets no cookie.
    assert "Set-Cookie" not in client.get("/sv/").headers
    assert client.get("/", headers={"Accept-Language": "da"}).headers["Location"] == "/da/"
    # Following the language switch from a Danish page of this site remembers Swedish.
    response = client.get("/sv/", headers={"Referer": "http://localhost/da/om"})
    assert "lang=sv" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert "private" in response.headers["Cache-Control"]  # no shared cache keeps the cookie
    assert "public" not in response.headers["Cache-Control"]
    assert client.get("/", headers={"Accept-Language": "da"}).headers["Location"] == "/sv/"


@pytest.mark.parametrize(
    ("url", "lang", "heading"),
    [
        ("/en/", "da", "Siden findes ikke"),
        ("/xx/vaerktoejskasse/", "da", "Siden findes ikke"),
        ("/da/vaerktoejskasse/findes-ikke", "da", "Siden findes ikke"),
        ("/sv/verktygslada/finns-inte", "sv", "Sidan finns inte"),
        ("/sv/exempel/finns-inte", "sv", "Sidan finns inte"),
        ("/sv/ingen-sida", "sv", "Sidan finns inte"),
        ("/da/verktygslada/malgrupp", "da", "Siden findes ikke"),
    ],
)
def test_unknown_pages_get_the_404_page_in_the_pages_language(client, url, lang, heading):
    soup = get_page(client, url, status=404)
    assert soup.html["lang"] == lang
    assert text_of(soup, "h1") == heading


def test_a_section_name_without_its_slash_leads_to_the_section(client):
    response = client.get("/da/vaerktoejskasse")
    assert response.status_code in (301, 302, 308)
    assert response.headers["Location"].endswith("/da/vaerktoejskasse/")


def test_the_glossary_shows_both_terms_side_by_side(app, client):
    entry = app.extensions["library"].glossary[0]
    soup = get_page(client, "/sv/ordlista")
    item = soup.select_one(f"#{entry.id}")
    assert entry.terms["sv"] in item.get_text() and entry.terms["da"] in item.get_text()
    assert item.select_one("dd").get_text(strip=True) == entry.definitions["sv"]


def test_switching_language_keeps_a_search_or_a_scenario(client):
    soup = get_page(client, "/da/soeg", query_string={"q": "målgruppe"})
    assert soup.select_one('.language-nav a[hreflang="sv"]')["href"] == "/sv/sok?q=m%C3%A5lgruppe"
    scenario = {"participants": "9", "success_rate": "60", "target_rate": "50",
                "payment_rule": "per_success", "payment_per_success": "1000"}  # fmt: skip
    soup = get_page(client, "/sv/betalningssimulator", query_string=scenario)
    assert "participants=9" in soup.select_one('.language-nav a[hreflang="da"]')["href"]

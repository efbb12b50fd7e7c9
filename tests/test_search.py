"""Search finds pages in the reader's language, by word stem, and shows the query safely."""

from __future__ import annotations

import pytest

from app.core.search import Document, QueryError, SearchIndex
from tests.helpers import get_page, text_of


@pytest.fixture
def index() -> SearchIndex:
    index = SearchIndex()
    index.add(
        Document(("steps", "maalgruppe"), "da", "Målgruppe", "Beskriv målgruppen præcist.", "steps")
    )
    index.add(
        Document(
            ("steps", "indsats"), "da", "Indsats", "Indsatsen skal passe til borgerne.", "steps"
        )
    )
    index.add(
        Document(("steps", "malgrupp"), "sv", "Målgrupp", "Beskriv målgruppen noga.", "steps")
    )
    index.add(
        Document(("steps", "insats"), "sv", "Insats", "Insatserna ska passa invånarna.", "steps")
    )
    return index


def titles(hits) -> list[str]:
    return [hit.document.title for hit in hits]


def test_danish_stemming_finds_the_singular_from_the_plural(index):
    assert titles(index.search("da", "målgrupper")) == ["Målgruppe"]


def test_swedish_stemming_finds_the_word_in_its_other_forms(index):
    assert titles(index.search("sv", "målgrupperna")) == ["Målgrupp"]
    assert titles(index.search("sv", "insatsen")) == ["Insats"]


def test_results_never_leak_across_languages(index):
    assert titles(index.search("sv", "målgruppe")) == ["Målgrupp"]
    assert all(hit.document.lang == "da" for hit in index.search("da", "beskriv"))


def test_every_word_of_the_query_must_match(index):
    assert titles(index.search("da", "målgruppe indsats")) == []
    assert titles(index.search("da", "indsatsen borgerne")) == ["Indsats"]


def test_the_snippet_marks_the_matching_words(index):
    [hit] = index.search("da", "målgrupper")
    assert ("målgruppen", True) in hit.snippet
    assert "".join(text for text, _ in hit.snippet) == "Beskriv målgruppen præcist."


@pytest.mark.parametrize(
    ("query", "code"), [("", "empty"), ("   ", "empty"), ("x" * 201, "too_long")]
)
def test_unusable_queries_are_refused_with_a_reason(index, query, code):
    with pytest.raises(QueryError) as error:
        index.search("da", query)
    assert error.value.code == code


def test_a_reader_searches_in_danish(client):
    soup = get_page(client, "/da/soeg", query_string={"q": "målgrupper"})
    hits = soup.select(".search-hit")
    assert hits, "no results for målgrupper"
    assert all(a["href"].startswith("/da/") for a in soup.select(".search-hit h2 a"))
    assert soup.select(".search-hit mark")
    assert "resultat" in text_of(soup, ".search-message")


def test_a_reader_searches_in_swedish_and_sees_only_swedish_pages(client):
    soup = get_page(client, "/sv/sok", query_string={"q": "målgrupp"})
    links = [a["href"] for a in soup.select(".search-hit h2 a")]
    assert links and all(link.startswith("/sv/") for link in links)


def test_a_script_in_the_query_is_shown_as_text(client):
    query = "<script>alert(1)</script>"
    response = client.get("/sv/sok", query_string={"q": query})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("lang", "query", "message"),
    [
        ("da", "", "Skriv et eller flere søgeord."),
        ("sv", "", "Skriv ett eller flera ord att söka efter."),
        ("da", "ord " * 60, "Søgningen er for lang. Brug højst 200 tegn."),
        ("sv", "ord " * 60, "Er sökning är för lång. Använd högst 200 tecken."),
        (
            "da",
            "xyzzyplugh",
            "Ingen resultater for »xyzzyplugh«. Prøv med et andet eller et kortere ord.",
        ),
        (
            "sv",
            "xyzzyplugh",
            "Inga träffar för ”xyzzyplugh”. Försök med ett annat eller kortare ord.",
        ),
    ],
)
def test_empty_long_and_fruitless_searches_get_a_clear_message(client, lang, query, message):
    path = {"da": "/da/soeg", "sv": "/sv/sok"}[lang]
    soup = get_page(client, path, query_string={"q": query})
    assert text_of(soup, ".search-message") == message


def test_every_page_has_a_search_box(client):
    for url in ("/da/", "/sv/verktygslada/", "/da/findes-ikke"):
        response = client.get(url)
        assert 'role="search"' in response.get_data(as_text=True), url


# --- a search that forgives: typos, the other language, glossary entries first --------------------


def test_a_typo_is_answered_with_the_nearest_word_the_texts_use(index):
    assert index.suggestion("da", "målgrupe") is None  # the same stem: found, nothing to correct
    assert index.suggestion("da", "indsast") == "indsats"  # two letters swapped: one edit
    assert index.suggestion("da", "beskrv målgruppen") == "beskriv målgruppen"
    assert index.suggestion("da", "xqzvw") is None  # nothing near it
    assert index.suggestion("da", "ind") is None  # too short to guess at


def test_a_word_of_the_other_language_finds_its_pages_there(index):
    answer = index.forgiving("sv", "indsatsen borgerne")
    assert answer.hits == []
    assert answer.other_lang == "da"
    assert titles(answer.other_hits) == ["Indsats"]


def test_a_typo_in_the_other_languages_word_is_corrected_there(index):
    answer = index.forgiving("da", "invånrna")
    assert (answer.hits, answer.suggestion, answer.other_hits) == ([], None, [])
    assert answer.other_suggestion == "invånarna"


def test_glossary_entries_come_first(index):
    index.add(
        Document(("glossary", "indsats"), "da", "Indsats", "Indsats. Det, der gøres.", "glossary")
    )
    index.add(
        Document(
            ("steps", "borger"), "da", "Indsats for borgere", "Indsats indsats indsats.", "steps"
        )
    )
    kinds = [hit.document.kind for hit in index.search("da", "indsats")]
    assert kinds[0] == "glossary" and set(kinds[1:]) == {"steps"}


@pytest.mark.parametrize(
    ("path", "query", "suggestion", "text"),
    [
        ("/sv/sok", "betalningsmodel", "betalningsmodell", "Menade ni: betalningsmodell?"),
        ("/sv/sok", "remitering", "remittering", "Menade ni: remittering?"),
        ("/da/soeg", "betalningsmodel", "betalingsmodel", "Mente du: betalingsmodel?"),
    ],
)
def test_a_misspelt_search_offers_what_was_meant_and_the_link_finds_it(
    client, path, query, suggestion, text
):
    soup = get_page(client, path, query_string={"q": query})
    assert soup.select(".search-hit") == []
    assert soup.select_one(".search-suggestion").get_text() == text
    link = soup.select_one(".search-suggestion a")
    assert link.get_text() == suggestion
    followed = get_page(client, link["href"])
    assert followed.select(".search-results .search-hit")
    assert followed.select_one("#page-search")["value"] == suggestion


@pytest.mark.parametrize(
    ("path", "query", "heading", "other"),
    [
        ("/sv/sok", "betalingsmodel", "träffar på danska", "/da/"),
        ("/da/soeg", "betalningsmodell", "resultater på svensk", "/sv/"),
    ],
)
def test_a_word_of_the_other_language_is_offered_that_languages_pages(
    client, path, query, heading, other
):
    soup = get_page(client, path, query_string={"q": query})
    assert heading in text_of(soup, ".search-other-heading")
    hits = soup.select(".search-other-hits .search-hit")
    assert hits
    region = soup.select_one(".search-other-hits")
    assert region["lang"] == other.strip("/")
    assert all(a["href"].startswith(other) for a in region.select("h3 a"))
    assert client.get(region.select_one("h3 a")["href"]).status_code == 200


def test_a_swedish_typo_on_the_danish_site_is_pointed_at_the_swedish_word(client):
    soup = get_page(client, "/da/soeg", query_string={"q": "remitering"})
    assert soup.select_one(".search-suggestion").get_text() == "Mente du, på svensk: remittering?"
    link = soup.select_one(".search-suggestion a")
    assert link["href"].startswith("/sv/") and link["lang"] == "sv"
    assert get_page(client, link["href"]).select(".search-hit")


def test_the_glossary_entry_for_a_term_is_the_first_result(client):
    soup = get_page(client, "/da/soeg", query_string={"q": "målgruppe"})
    first = soup.select_one(".search-hit")
    assert text_of(first, ".search-kind") == "Ordliste"
    assert "/da/ordliste#" in first.select_one("h2 a")["href"]


def test_the_search_page_shows_one_search_box(client):
    soup = get_page(client, "/sv/sok", query_string={"q": "målgrupp"})
    assert len(soup.select("form[role=search]")) == 1
    assert soup.select_one("#page-search")["value"] == "målgrupp"

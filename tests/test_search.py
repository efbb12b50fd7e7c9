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

"""File names of downloads: plain ASCII slugs of the programme's name."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.filenames import MAX_SLUG, download_name, slug


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Tidlig hjælp", "tidlig-hjaelp"),
        ("Åben dør på Ærø", "aaben-doer-paa-aeroe"),
        ("Bättre stöd för äldre i Örebro", "baettre-stoed-foer-aeldre-i-oerebro"),
        ("Café Noël – 2026", "cafe-noel-2026"),
        ("<b>&</b> $x$", "b-b-x"),
        ("  Familie/Netværk_2.0  ", "familie-netvaerk-2-0"),
    ],
)
def test_a_programme_name_becomes_a_readable_ascii_slug(title, expected):
    assert slug(title) == expected


@pytest.mark.parametrize("title", ["", "   ", "!!!", "–", "東京"])
def test_a_name_with_nothing_to_keep_gives_no_slug(title):
    assert slug(title) == ""
    assert download_name("investeringskompas", title, "pdf") == "investeringskompas.pdf"


def test_the_file_name_joins_the_stem_and_the_slug():
    assert download_name("svar", "Tidlig hjælp", "json") == "svar-tidlig-hjaelp.json"


def test_a_long_name_is_cut_at_a_whole_word():
    title = "Et langt programnavn om tidlig indsats for familier med børn i hele kommunen"
    cut = slug(title)
    assert len(cut) <= MAX_SLUG
    assert cut == "et-langt-programnavn-om-tidlig-indsats-for"
    assert slug("x" * 80) == "x" * MAX_SLUG


@given(st.text())
def test_every_slug_is_safe_in_a_content_disposition_header(title):
    words = slug(title)
    assert len(words) <= MAX_SLUG
    assert words == "" or re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", words)

"""The toolbox has substance: every step, case and term in both languages, each in its language."""

from __future__ import annotations

import functools

import pytest
from bs4 import BeautifulSoup
from lingua import Language, LanguageDetectorBuilder

from app.core.content import PHASES
from app.i18n import LANGUAGES

STEP_SECTIONS = {
    "da": [
        "Formål",
        "Centrale spørgsmål",
        "Tjekliste",
        "Typiske faldgruber",
        "Hvem skal involveres",
        "Skabeloner",
    ],
    "sv": [
        "Syfte",
        "Nyckelfrågor",
        "Checklista",
        "Vanliga fallgropar",
        "Vilka ska involveras",
        "Mallar",
    ],
}
CASE_SECTIONS = {
    "da": [
        "Målgruppe",
        "Indsats",
        "Betalingsmål",
        "Planlagt og faktisk",
        "Status",
        "Det kan andre lære",
        "Kilder",
    ],
    "sv": [
        "Målgrupp",
        "Insats",
        "Betalningsmål",
        "Planerat och faktiskt",
        "Status",
        "Lärdomar för andra",
        "Källor",
    ],
}
EXPECTED = {"da": Language.DANISH, "sv": Language.SWEDISH}


@functools.cache
def detector():
    """Told apart from its nearest neighbours too, so Danish in Swedish spelling is caught."""
    return LanguageDetectorBuilder.from_languages(
        Language.DANISH, Language.SWEDISH, Language.BOKMAL, Language.NYNORSK, Language.ENGLISH
    ).build()


def headings(page) -> list[str]:
    return [entry.title for entry in page.toc if entry.level == 2]


@pytest.fixture
def library(app):
    return app.extensions["library"]


def test_the_toolbox_has_at_least_ten_steps_across_all_three_phases(library):
    for lang in LANGUAGES:
        steps = library.list(lang, "steps")
        assert len(steps) >= 10, lang
        assert {s.phase for s in steps} == set(PHASES), lang
        assert [s.order for s in steps] == sorted({s.order for s in steps}), "orders must be unique"


def test_every_step_has_the_sections_a_reader_expects_and_400_words(library):
    for lang in LANGUAGES:
        for step in library.list(lang, "steps"):
            assert headings(step) == STEP_SECTIONS[lang], step.source
            assert len(step.text.split()) >= 400, f"{step.source}: {len(step.text.split())} words"


def test_every_step_links_its_terms_to_the_glossary(library):
    glossary_path = {"da": "/da/ordliste#", "sv": "/sv/ordlista#"}
    for lang in LANGUAGES:
        for step in library.list(lang, "steps"):
            links = BeautifulSoup(step.html, "html.parser").select("a[href]")
            terms = [a for a in links if a["href"].startswith(glossary_path[lang])]
            assert len(terms) >= 3, step.source


def test_the_six_cases_tell_target_group_payment_goals_numbers_and_lessons(library):
    for lang in LANGUAGES:
        cases = library.list(lang, "cases")
        assert len(cases) == 6, lang
        for case in cases:
            assert headings(case) == CASE_SECTIONS[lang], case.source
            assert len(case.text.split()) >= 250, case.source


def test_the_glossary_has_at_least_forty_terms_in_both_languages(library):
    assert len(library.glossary) >= 40
    for entry in library.glossary:
        assert entry.terms["da"] and entry.terms["sv"], entry.id
        assert len(entry.definitions["da"].split()) >= 6, entry.id
        assert len(entry.definitions["sv"].split()) >= 6, entry.id


def test_the_four_templates_exist_with_spreadsheets_for_rate_card_and_business_case(library):
    for lang in LANGUAGES:
        templates = {t.key: t for t in library.list(lang, "templates")}
        expected = {"target-group-description", "logic-model", "rate-card", "business-case-sheet"}
        assert set(templates) >= expected, lang
        assert templates["rate-card"].download and templates["business-case-sheet"].download


def test_the_introduction_explains_the_idea_in_both_languages(library):
    for lang in LANGUAGES:
        intro = library.by_key(lang, "pages", "introduction")
        assert intro is not None and len(intro.text.split()) >= 400, lang


def test_each_page_is_written_in_its_own_language(library):
    wrong = []
    for page in library.pages.values():
        detected = detector().detect_language_of(page.text)
        if detected != EXPECTED[page.lang]:
            wrong.append(f"{page.source}: {detected}")
    for entry in library.glossary:
        for lang in LANGUAGES:
            detected = detector().detect_language_of(entry.definitions[lang])
            if detected != EXPECTED[lang]:
                wrong.append(f"glossary {entry.id} ({lang}): {detected}")
    assert wrong == []

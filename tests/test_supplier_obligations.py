"""A supplier's checklist: what a social investment requires of us, readable before we start."""

from __future__ import annotations

import pytest

from app.i18n import SECTIONS
from tests.assessment_helpers import BASE, answer_all, start
from tests.helpers import get_page, text_of

PAGE = {"da": "/da/krav-til-leverandoeren", "sv": "/sv/krav-pa-utforaren"}
TITLE = {
    "da": "Hvad kræves af en leverandør i en social investering?",
    "sv": "Vad krävs av en utförare i en social investering?",
}
# The nine obligations DOMAIN.md lists, as the page's section ids (the same in both languages).
OBLIGATIONS = [
    "obligation-delivery",
    "obligation-referrals",
    "obligation-registration",
    "obligation-data-protection",
    "obligation-retention",
    "obligation-governance",
    "obligation-risk",
    "obligation-design-time",
    "obligation-method",
]
NOT_FROM_THE_SOURCES = {
    "da": "står ikke i kilderne bag værktøjskassen",
    "sv": "finns inte i källorna bakom verktygslådan",
}


def section_links(heading) -> list[str]:
    """The links between one h2 and the next."""
    links = []
    for sibling in heading.find_next_siblings():
        if sibling.name == "h2":
            break
        links += [a["href"] for a in sibling.find_all("a", href=True)]
    return links


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_page_lists_the_nine_obligations_each_with_a_step_or_template(client, lang):
    soup = get_page(client, PAGE[lang])
    assert text_of(soup, "h1") == TITLE[lang]
    headings = soup.select("h2[id^=obligation-]")
    assert [h["id"] for h in headings] == OBLIGATIONS
    toolbox = f"/{lang}/{SECTIONS['toolbox'][lang]}/"
    templates = f"/{lang}/{SECTIONS['templates'][lang]}/"
    for heading in headings:
        targets = [h for h in section_links(heading) if h.startswith((toolbox, templates))]
        assert targets, f"{heading['id']} links to no step or template"
        for href in targets:
            assert client.get(href).status_code == 200, f"{heading['id']}: {href}"


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_procurement_note_says_it_is_not_from_the_sources(client, lang):
    soup = get_page(client, PAGE[lang])
    note = soup.select_one("h2#procurement").find_next_sibling("p")
    assert NOT_FROM_THE_SOURCES[lang] in note.get_text(" ")


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_page_is_served_like_the_about_page_and_links_to_its_translation(client, lang):
    about = client.get(f"/{lang}/om")
    response = client.get(PAGE[lang])
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") == about.headers.get("Cache-Control")
    assert "no-store" not in response.headers.get("Cache-Control", "")
    other = "sv" if lang == "da" else "da"
    soup = get_page(client, PAGE[lang])
    assert soup.select_one(f'link[rel="alternate"][hreflang="{other}"]')["href"] == PAGE[other]


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_start_page_links_to_it_in_its_language(client, lang):
    soup = get_page(client, f"/{lang}/")
    link = soup.select_one(f'a[href="{PAGE[lang]}"]')
    assert link is not None and link.get_text(strip=True) == TITLE[lang]


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_self_assessment_start_links_to_it_beside_the_supplier_questionnaire(client, lang):
    soup = get_page(client, f"{BASE[lang]}/")
    items = [li for li in soup.select("li") if li.select_one(f'a[href="{PAGE[lang]}"]')]
    assert len(items) == 1
    supplier = {"da": "leverandører", "sv": "utförare"}[lang]
    assert supplier in items[0].strong.get_text()


def result_page(client, app, lang: str, role: str):
    token = start(client, lang, role)
    answer_all(client, lang, token, app.extensions["questionnaires"][role])
    client.post(f"{BASE[lang]}/{token}/{SECTIONS['submit'][lang]}")
    return token, get_page(client, f"{BASE[lang]}/{token}/{SECTIONS['result'][lang]}")


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_a_suppliers_result_links_to_it_and_a_municipalitys_does_not(app, client, lang):
    token, supplier = result_page(client, app, lang, "leverandoer")
    assert supplier.select_one(f'.supplier-obligations-link a[href="{PAGE[lang]}"]')
    printable = get_page(client, f"{BASE[lang]}/{token}/{SECTIONS['print'][lang]}")
    assert printable.select_one(f'a[href="{PAGE[lang]}"]')
    _, municipality = result_page(client, app, lang, "kommune")
    assert not municipality.select(f'a[href="{PAGE[lang]}"]')
    assert not municipality.select(".supplier-obligations-link")

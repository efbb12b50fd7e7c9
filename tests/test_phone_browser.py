"""The result, the simulator and check-your-answers on a phone (375 px) in Chromium: nothing
scrolls the page sideways, every chart's text renders at 12 CSS px or more, wide tables scroll
inside their own box with a cue, and check-your-answers folds by dimension.

The figures behind the bounds (bench/phone.py): before, the radar's smallest text rendered at
5.1 px and the simulator's at 6.4 px; now the bars' and the narrow charts' at 14.1 px. A draft's
check-your-answers was 15,958 px tall at 375 px and is 1,830 px folded.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.phone_helpers import (
    PAGE_HEIGHT,
    PHONE,
    SIDEWAYS,
    SIMULATOR,
    SMALLEST_CHART_TEXT,
    VISIBLE_CHARTS,
    assessments,
)
from tests.test_accessibility import WCAG_21_AA

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
LEGIBLE = 12  # CSS px
FOLDED_HEIGHT = 3000  # CSS px at 375 px: a heading and a line per dimension (1,830 measured)
WORDS = {
    "da": {
        "hint": "Tabellen er bredere end skærmen: rul til siden for at se det hele.",
        "answers": re.compile(r"^\d+ svar"),
        "show all": "Vis alle afsnit",
        "hide all": "Skjul alle afsnit",
        "change": "Ændr",
        "continue": "Gem og fortsæt",
        "back": "Tilbage til jeres svar uden at gemme",
    },
    "sv": {
        "hint": "Tabellen är bredare än skärmen: skrolla i sidled för att se hela.",
        "answers": re.compile(r"^\d+ svar"),
        "show all": "Visa alla avsnitt",
        "hide all": "Dölj alla avsnitt",
        "change": "Ändra",
        "continue": "Spara och fortsätt",
        "back": "Tillbaka till era svar utan att spara",
    },
}


@pytest.fixture(scope="module")
def paths(live_server) -> dict[str, dict[str, str]]:
    """Per language: a result with a previous one, and check-your-answers of a finished draft."""
    return {lang: assessments(live_server.app, lang) for lang in ("da", "sv")}


def on_a_phone(page: Page, url: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(url)


def assert_fits_a_phone(page: Page) -> None:
    """No sideways scroll of the page, and every chart shown legible."""
    assert page.evaluate(SIDEWAYS) <= 0, f"{page.url} scrolls sideways"
    smallest = page.evaluate(SMALLEST_CHART_TEXT)
    assert smallest is None or smallest >= LEGIBLE, f"{page.url}: chart text at {smallest:.1f} px"


def assert_wide_tables_scroll_in_their_box(page: Page, hint: str) -> int:
    """Every table shown sits in a box that scrolls sideways; one wider than its box has the
    shadow and the line that say so. The number of such wide tables."""
    wide = 0
    for table in page.locator("main table:visible").all():
        box = table.locator("xpath=ancestor::div[contains(@class, 'table-scroll')][1]")
        assert box.count() == 1, f"{page.url}: a table outside a scroll box"
        assert box.evaluate("b => getComputedStyle(b).overflowX") == "auto"
        if box.evaluate("b => b.scrollWidth > b.clientWidth + 1"):
            wide += 1
            assert "radial-gradient" in box.evaluate("b => getComputedStyle(b).backgroundImage")
            cue = box.locator("xpath=preceding-sibling::*[1]")
            expect(cue).to_have_class("table-scroll-hint")
            expect(cue).to_be_visible()
            expect(cue).to_have_text(hint)
            box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
            assert box.evaluate("b => b.scrollLeft") > 0
    assert page.evaluate(SIDEWAYS) <= 0
    return wide


def assert_accessible(page: Page, what: str) -> None:
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_result_shows_legible_bars_on_a_phone_and_the_radar_on_a_desktop(
    page: Page, live_server, paths, lang: str
):
    on_a_phone(page, live_server.url + paths[lang]["result"])
    assert page.evaluate(VISIBLE_CHARTS) == ["score-bars"]  # the radar is display: none
    assert_fits_a_phone(page)
    # A bar and a name per dimension, in the table's order; the number stays in the table.
    names = page.locator(".scores-table tbody th").all_inner_texts()
    drawn = " ".join(page.locator("#score-bars text").all_text_contents())
    assert names and all(" ".join(name.split()) in drawn for name in names)
    assert page.locator("#score-bars rect[fill='#0059b3']").count() == len(names)
    expect(page.locator(".score-bars figcaption")).to_be_visible()
    expect(page.locator(".radar figcaption")).to_be_hidden()
    assert assert_wide_tables_scroll_in_their_box(page, WORDS[lang]["hint"]) == 1  # the scores
    if lang == "da":
        assert_accessible(page, "the result at 375 px")

    page.set_viewport_size(DESKTOP)
    assert page.evaluate(VISIBLE_CHARTS) == ["radar"]
    assert page.evaluate(SMALLEST_CHART_TEXT) >= LEGIBLE, "the radar's labels on a desktop"
    expect(page.locator(".table-scroll-hint")).to_be_hidden()  # the table fits: no cue


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_simulator_draws_its_charts_narrow_on_a_phone(page: Page, live_server, lang: str):
    on_a_phone(page, live_server.url + SIMULATOR[lang])
    narrow = ["chart-curve-narrow", "chart-payments-narrow", "chart-cash-flow-narrow"]
    assert page.evaluate(VISIBLE_CHARTS) == narrow
    assert_fits_a_phone(page)
    assert assert_wide_tables_scroll_in_their_box(page, WORDS[lang]["hint"]) >= 1
    # A folded table's cue comes when it is opened.
    page.locator(".chart-numbers summary").click()
    assert_wide_tables_scroll_in_their_box(page, WORDS[lang]["hint"])
    if lang == "sv":
        assert_accessible(page, "the simulator at 375 px")
    page.set_viewport_size(DESKTOP)
    assert page.evaluate(VISIBLE_CHARTS) == [name.removesuffix("-narrow") for name in narrow]


def compared(path: str, payment: str, *groups: tuple[int, int]) -> str:
    """A comparison of per-success scenarios, one per (participants, success rate %)."""
    query = "&".join(
        f"{letter}-participants={n}&{letter}-success_rate={rate}&{letter}-target_rate=50"
        f"&{letter}-payment_rule=per_success&{letter}-payment_per_success={payment}"
        for letter, (n, rate) in zip("abc", groups, strict=False)
    )
    return f"{path}?{query}"


COMPARE = {
    "da": compared("/da/betalingssimulator/sammenlign", "90.000", (25, 60), (40, 60), (60, 55)),
    "sv": compared("/sv/betalningssimulator/jamfor", "90 000", (25, 60), (40, 60)),
}


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_scenarios_compared_on_a_phone_have_a_legible_chart(page: Page, live_server, lang: str):
    on_a_phone(page, live_server.url + COMPARE[lang])
    assert page.evaluate(VISIBLE_CHARTS) == ["chart-compare-narrow"]
    # One line per scenario, and the key names each.
    lines = page.locator("#chart-compare-narrow polyline")
    assert lines.count() == (3 if lang == "da" else 2)
    key = " ".join(page.locator("#chart-compare-narrow text").all_text_contents())
    assert all(f" {letter}" in key for letter in "AB")
    assert_fits_a_phone(page)
    assert_wide_tables_scroll_in_their_box(page, WORDS[lang]["hint"])
    if lang == "da":
        assert_accessible(page, "the comparison at 375 px")
    page.set_viewport_size(DESKTOP)
    assert page.evaluate(VISIBLE_CHARTS) == ["chart-compare"]


def folds(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("details.answers-fold")


@pytest.mark.parametrize("lang", ["da", "sv"])
@pytest.mark.parametrize("which", ["answers", "submitted answers"])
def test_check_your_answers_folds_by_dimension_and_opens(
    page: Page, live_server, paths, lang: str, which: str
):
    words = WORDS[lang]
    on_a_phone(page, live_server.url + paths[lang][which])
    sections = folds(page)
    count = sections.count()
    assert count >= 5
    assert page.evaluate(PAGE_HEIGHT) < FOLDED_HEIGHT
    assert_fits_a_phone(page)
    for i in range(count):  # all folded, each saying what it holds
        fold = sections.nth(i)
        assert fold.get_attribute("open") is None
        expect(fold.locator("summary")).to_have_text(words["answers"])
        expect(fold.locator(".summary-row").first).to_be_hidden()
    summary = sections.first.locator("summary")
    assert "," in summary.inner_text()  # answers, and the notes on them
    summary.click()
    expect(sections.first.locator(".summary-row").first).to_be_visible()
    if which == "answers":
        expect(sections.first.locator(".summary-action a").first).to_be_visible()
    summary.click()
    expect(sections.first.locator(".summary-row").first).to_be_hidden()

    toggle = page.get_by_role("button", name=words["show all"])
    toggle.click()
    for i in range(count):
        expect(sections.nth(i)).to_have_attribute("open", "")
    expect(page.get_by_role("button", name=words["hide all"])).to_have_attribute(
        "aria-expanded", "true"
    )
    assert_fits_a_phone(page)
    if which == "answers" and lang == "da":
        assert_accessible(page, "check your answers at 375 px, opened")
    page.get_by_role("button", name=words["hide all"]).click()
    assert all(sections.nth(i).get_attribute("open") is None for i in range(count))
    # Printed, every answer shows; afterwards the page folds again.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert all(sections.nth(i).get_attribute("open") == "" for i in range(count))
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert all(sections.nth(i).get_attribute("open") is None for i in range(count))


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_a_change_comes_back_to_its_own_section_opened(page: Page, live_server, paths, lang):
    words = WORDS[lang]
    answers = live_server.url + paths[lang]["answers"]
    on_a_phone(page, answers)
    second = folds(page).nth(1)
    section = second.locator("xpath=..").get_attribute("id")
    second.locator("summary").click()
    second.locator(".summary-action a").first.click()
    page.get_by_role("button", name=words["continue"], exact=True).click()
    expect(page).to_have_url(f"{answers}#{section}")
    expect(second).to_have_attribute("open", "")
    expect(second.locator(".summary-row").first).to_be_in_viewport()
    assert folds(page).first.get_attribute("open") is None
    # Back without saving leads to the same place.
    second.locator(".summary-action a").first.click()
    page.get_by_role("link", name=words["back"]).click()
    expect(page).to_have_url(f"{answers}#{section}")
    expect(second).to_have_attribute("open", "")


def test_a_link_into_a_folded_section_opens_it(page: Page, live_server, paths):
    answers = live_server.url + paths["sv"]["answers"]
    on_a_phone(page, answers)
    row = folds(page).nth(2).locator(".summary-row").first
    row_id = row.get_attribute("id")
    page.evaluate(f"window.location.hash = {row_id!r}")
    expect(folds(page).nth(2)).to_have_attribute("open", "")
    expect(row).to_be_in_viewport()

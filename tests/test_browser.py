"""A visitor's walk through the site in a real Chromium."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_a_visitor_switches_language_and_walks_the_toolbox(page: Page, live_server):
    page.set_extra_http_headers({"Accept-Language": "da-DK,da;q=0.9"})
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/da/")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sociale investeringer i Danmark og Sverige"
    )

    page.get_by_role("navigation", name="Sprog").get_by_role("link", name="Svenska").click()
    expect(page).to_have_url(live_server.url + "/sv/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")

    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Verktygslåda"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verktygslåda")
    first_step = page.locator(".phase .card a").first
    title = first_step.inner_text().split(". ", 1)[1]
    first_step.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    page.locator('a[rel="next"]').click()
    second_title = page.get_by_role("heading", level=1).inner_text()
    assert second_title != title
    page.locator('a[rel="prev"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    # The same step in Danish, one click away.
    page.get_by_role("navigation", name="Språk").get_by_role("link", name="Dansk").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page).to_have_url(re.compile(r"/da/vaerktoejskasse/[a-z0-9-]+$"))

    # The choice is remembered: the bare address now opens Danish even for a Swedish browser.
    page.set_extra_http_headers({"Accept-Language": "sv-SE"})
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/da/")


def test_the_skip_link_moves_focus_to_the_content(page: Page, live_server):
    page.goto(live_server.url + "/da/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Gå til indhold")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main-content$"))


def test_pages_fit_a_320_pixel_screen(page: Page, live_server):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/da/", "/sv/verktygslada/", "/da/ordliste"):
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px"


def test_printing_leaves_out_navigation_and_the_feedback_form(page: Page, live_server):
    page.goto(live_server.url + "/da/om")
    page.emulate_media(media="print")
    expect(page.locator(".navigation-menu")).to_be_hidden()
    expect(page.locator("#header-search")).to_be_hidden()
    expect(page.locator(".feedback")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_the_design_system_is_served_locally_and_the_page_loads_no_foreign_files(
    page: Page, live_server
):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server.url + "/sv/")
    page.wait_for_load_state("networkidle")
    assert any(urlparse(url).path == "/static/dkfds/css/dkfds.min.css" for url in requested)
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert violations == []
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "IBM Plex Sans" in font


def test_feedback_is_sent_with_the_forms_own_token(page: Page, live_server):
    page.goto(live_server.url + "/sv/om")
    page.get_by_role("button", name="Skicka").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Välj ja eller nej.")
    page.get_by_label("Ja", exact=True).check()
    page.get_by_role("button", name="Skicka").click()
    expect(page.get_by_role("status")).to_have_text("Tack. Ert svar har sparats.")


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("da", ("Antal deltagere", "Beregn", "I otte af ti tilfælde", "Med 9 deltagere")),
        ("sv", ("Antal deltagare", "Beräkna", "I åtta fall av tio", "Med 9 deltagare")),
    ],
)
def test_a_municipality_tries_a_small_group_in_the_simulator(page: Page, live_server, lang, labels):
    field, button, band, sentence = labels
    compare = {"da": "Sammenlign", "sv": "Jämför"}
    page.goto(
        live_server.url + {"da": "/da/betalingssimulator", "sv": "/sv/betalningssimulator"}[lang]
    )
    page.get_by_label(field, exact=True).fill("9")
    page.get_by_role("button", name=button).click()
    # The payment band leads; the chance of meeting the target follows, with its zig-zag.
    expect(page.locator(".result-sentence").first).to_contain_text(band)
    # (The zig-zag's example under the chart may name the group too, inside a sentence.)
    expect(page.locator(".result-sentence", has_text=re.compile("^" + sentence))).to_have_count(1)
    expect(page.locator(".alert-warning")).to_be_visible()
    expect(page.locator("figure.chart-figure svg:visible")).to_have_count(3)  # wide or narrow
    with page.expect_download() as download:
        page.locator(".simulator-result a.download-link").click()
    with open(download.value.path(), "rb") as sheet:
        assert sheet.read(2) == b"PK"
    # The scenario goes to a comparison, where its copy is changed and compared with it.
    page.locator(".simulator-result a.compare-link").click()
    copy = page.locator("#b-participants")
    expect(copy).to_be_visible()
    expect(copy).to_have_value("9")
    copy.fill("40")
    page.get_by_role("button", name=compare[lang]).click()
    expect(page.locator(".compare-inputs tbody tr").first).to_contain_text("40")
    expect(page.locator("#chart-compare polyline")).to_have_count(2)


def test_result_and_simulator_pages_fit_a_320_pixel_screen(page: Page, live_server):
    from tests.test_assessment_browser import submitted_token

    token = submitted_token(live_server.app)
    page.set_viewport_size({"width": 320, "height": 640})
    for path in (
        f"/da/selvevaluering/{token}/resultat",
        f"/da/selvevaluering/{token}/udskriv",
        f"/sv/sjalvskattning/{token}/dina-svar",
        "/sv/betalningssimulator",
        "/da/betalingssimulator/sammenlign?c-participants=80",
        "/da/selvevaluering/",
    ):
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px"


def test_the_saved_page_copies_the_secret_link_and_says_so(browser, live_server):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(live_server.url + "/da/selvevaluering/")
    page.get_by_label("En kommune").check()
    page.get_by_label("Navn på jeres organisation").fill("Vejle Kommune")
    page.get_by_label("Navn på programmet eller idéen").fill("Tidlig hjælp")
    page.get_by_role("button", name="Start selvevalueringen").click()
    page.get_by_role("button", name="Gem og fortsæt senere").click()
    button = page.get_by_role("button", name="Kopiér linket")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(".copy-status")).to_have_text("Linket er kopieret.")
    link = page.locator(".secret-link a").inner_text()
    assert page.evaluate("navigator.clipboard.readText()") == link
    context.close()


def test_a_text_field_counts_down_as_one_types(page, live_server):
    page.goto(live_server.url + "/sv/sjalvskattning/")
    hint = page.locator("#programme-limit")
    expect(hint).to_have_text("Ni kan skriva upp till 200 tecken.")
    page.locator("#programme").fill("x" * 190)
    expect(hint).to_have_text("Ni har 10 tecken kvar.")
    page.locator("#programme").fill("x" * 203)
    expect(hint).to_have_text("Ni har skrivit 3 tecken för mycket.")


def test_switching_language_on_a_questionnaire_page_keeps_the_typed_answers(page, live_server):
    page.goto(live_server.url + "/da/selvevaluering/")
    page.get_by_label("En kommune").check()
    page.get_by_label("Navn på jeres organisation").fill("Aarhus Kommune")
    page.get_by_label("Navn på programmet eller idéen").fill("Familier i fokus")
    page.get_by_role("button", name="Start selvevalueringen").click()
    first_note = page.locator("textarea[name^=note_]").first
    page.locator("details.note summary").first.click()
    first_note.fill("Referat fra styregruppemødet")
    page.locator(".language-nav").get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page).to_have_url(re.compile(r"/sv/sjalvskattning/[A-Za-z0-9_-]{43}/steg/1$"))
    expect(page.locator("textarea[name^=note_]").first).to_have_value(
        "Referat fra styregruppemødet"
    )

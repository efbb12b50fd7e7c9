"""The header in Chromium on a phone (375 px) and a desktop (1280 px): DKFDS's menu drawer, the
menu without JavaScript, the main menu on one line, and the questionnaire's own header.

The figures the bounds below come from (bench/header.py): at 375 px the header was 261 px tall
before DKFDS's header and is 103 px with it (111 px on a questionnaire page); before the first
question of a questionnaire page there were 13 tab stops and there are 4: the skip link, the link
home, the other language and the task list's link (the page's own language is no link since the
task list came).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.assessment_helpers import BASE, STEP
from tests.test_accessibility import WCAG_21_AA

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
WORDS = {
    "da": {
        "menu": "Menu",
        "close": "Luk menuen",
        "main menu": "Hovedmenu",
        "toolbox": "Værktøjskasse",
        "toolbox path": "/da/vaerktoejskasse/",
        "simulator path": "/da/betalingssimulator",
        "service": "Investeringskompas: selvevaluering",
        "site": "Sociale investeringer",
        "other language": "Svenska",
    },
    "sv": {
        "menu": "Meny",
        "close": "Stäng menyn",
        "main menu": "Huvudmeny",
        "toolbox": "Verktygslåda",
        "toolbox path": "/sv/verktygslada/",
        "simulator path": "/sv/betalningssimulator",
        "service": "Investeringskompass: självskattning",
        "site": "Sociala investeringar",
        "other language": "Dansk",
    },
}
MENU_LINKS = 7
# Upper bounds, with some room over what was measured (see the module's docstring).
HEADER_AT_375 = 120
TAB_STOPS_BEFORE_THE_FIRST_QUESTION = 4
FIRST_QUESTION = "#step-form .question input, #step-form .question textarea"


def step_path(live_server, lang: str) -> str:
    """Step 1 of a new assessment, made in the live server's database."""
    from app.assessment import service

    app = live_server.app
    with app.test_request_context(f"/{lang}/"):
        token = service.start("kommune", lang, "Eksempel Kommune", "Tidlig hjælp", "").token
    return f"{BASE[lang]}/{token}/{STEP[lang]}/1"


def assert_accessible(page: Page, what: str) -> None:
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


def header_height(page: Page) -> float:
    return page.evaluate("document.querySelector('header').getBoundingClientRect().height")


def active_element(page: Page) -> str:
    return page.evaluate("document.activeElement.outerHTML")


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_menu_button_opens_the_drawer_and_closes_it(page: Page, live_server, lang: str):
    words = WORDS[lang]
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/{lang}/")
    assert header_height(page) <= HEADER_AT_375
    button = page.get_by_role("button", name=words["menu"], exact=True)
    drawer = page.get_by_role("dialog", name=words["menu"])
    expect(button).to_be_visible()
    expect(page.locator(".site-header .menu-link")).to_be_hidden()  # the no-JS link, swapped
    expect(drawer).to_be_hidden()
    expect(page.get_by_role("navigation", name=words["main menu"])).to_have_count(0)

    button.click()
    expect(drawer).to_be_visible()
    close = drawer.get_by_role("button", name=words["close"])
    expect(close).to_be_focused()
    links = drawer.get_by_role("navigation", name=words["main menu"]).get_by_role("link")
    expect(links).to_have_count(MENU_LINKS)
    # The focus stays in the drawer: on from its close button, and round from its first stop.
    page.keyboard.press("Tab")
    expect(links.first).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(links.last).to_be_focused()
    page.keyboard.press("Tab")
    expect(close).to_be_focused()
    assert_accessible(page, f"{lang} drawer open")

    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    expect(button).to_be_focused()

    button.click()
    expect(close).to_be_focused()
    close.click()
    expect(drawer).to_be_hidden()
    expect(button).to_be_focused()

    button.click()
    links.filter(has_text=words["toolbox"]).click()
    expect(page).to_have_url(live_server.url + words["toolbox path"])
    expect(page.get_by_role("heading", level=1)).to_have_text(words["toolbox"])
    expect(drawer).to_be_hidden()
    assert page.evaluate("document.body.classList.contains('mobile-nav-active')") is False


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_without_javascript_the_menu_leads_to_the_same_links(
    browser: Browser, live_server, lang: str
):
    words = WORDS[lang]
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/")
    expect(page.locator(".site-header .js-menu-open")).to_be_hidden()
    link = page.locator(".site-header").get_by_role("link", name=words["menu"], exact=True)
    expect(link).to_be_visible()
    drawer_links = page.locator(".mobile-drawer nav a")
    expected = [a.get_attribute("href") for a in drawer_links.all()]
    assert len(expected) == MENU_LINKS
    link.click()
    expect(page).to_have_url(f"{live_server.url}/{lang}/#site-menu")
    footer_menu = page.get_by_role("navigation", name=words["menu"], exact=True)
    links = footer_menu.get_by_role("link")
    expect(links.first).to_be_in_viewport()
    assert [a.get_attribute("href") for a in links.all()] == expected
    links.filter(has_text=words["toolbox"]).click()
    expect(page).to_have_url(live_server.url + words["toolbox path"])
    context.close()


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_main_menu_is_on_one_line_at_1280_pixels(page: Page, live_server, lang: str):
    words = WORDS[lang]
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/{lang}/")
    page.wait_for_load_state("load")  # DKFDS measures the menu again once everything is in
    menu = page.get_by_role("navigation", name=words["main menu"])
    items = menu.locator(".mainmenu > li:not(.more-option)")
    expect(items).to_have_count(MENU_LINKS)
    tops = {round(item.bounding_box()["y"]) for item in items.all() if item.is_visible()}
    assert len([i for i in items.all() if i.is_visible()]) == MENU_LINKS  # none moved to "More"
    assert len(tops) == 1, tops
    expect(menu.locator(".more-option")).to_be_hidden()
    expect(page.locator(".site-header .button-menu-open")).to_have_count(2)
    for opener in page.locator(".site-header .button-menu-open").all():
        expect(opener).to_be_hidden()
    expect(page.locator("#header-search")).to_be_visible()
    # Where DKFDS does move items into its overflow, the button says so in the page's language.
    assert menu.locator(".more-button span").inner_text() == {"da": "Mere", "sv": "Mer"}[lang]


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_pages_do_not_scroll_sideways_at_375_pixels(page: Page, live_server, lang: str):
    words = WORDS[lang]
    library = live_server.app.extensions["library"]
    toolbox_step = words["toolbox path"] + library.list(lang, "steps")[0].slug
    page.set_viewport_size(PHONE)
    for path in (
        f"/{lang}/",
        words["toolbox path"],
        toolbox_step,
        words["simulator path"],
        step_path(live_server, lang),
    ):
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide at 375px"
        assert header_height(page) <= HEADER_AT_375, path
        assert_accessible(page, f"{path} at 375px")


@pytest.mark.parametrize("lang", ["da", "sv"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_a_questionnaire_page_has_the_header_of_a_form_to_fill_in(
    page: Page, live_server, lang: str, viewport: dict[str, int]
):
    words = WORDS[lang]
    page.set_viewport_size(viewport)
    page.goto(live_server.url + step_path(live_server, lang))
    header = page.locator("header")
    expect(header).to_contain_text(words["service"])
    expect(header.get_by_role("link", name=words["site"])).to_have_attribute("href", f"/{lang}/")
    expect(header.get_by_role("button", name=words["other language"])).to_be_visible()
    expect(page.get_by_role("navigation", name=words["main menu"])).to_have_count(0)
    expect(page.get_by_role("link", name=words["toolbox"], exact=True)).to_have_count(0)
    expect(page.locator("#header-search")).to_have_count(0)
    expect(page.locator(".button-menu-open")).to_have_count(0)

    page.evaluate("document.activeElement && document.activeElement.blur()")
    stops = 0
    while stops <= TAB_STOPS_BEFORE_THE_FIRST_QUESTION:
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({FIRST_QUESTION!r})"):
            break
        stops += 1
    assert stops <= TAB_STOPS_BEFORE_THE_FIRST_QUESTION, "the first question is further away"
    assert_accessible(page, f"{lang} questionnaire page at {viewport['width']}px")

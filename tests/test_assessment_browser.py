"""Both questionnaires completed in both languages in Chromium, axe on every page of the way."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect

from tests.test_accessibility import WCAG_21_AA

pytestmark = pytest.mark.browser

WORDS = {
    "da": {
        "start": "/da/selvevaluering/",
        "role": {"kommune": "En kommune", "leverandoer": "En leverandør"},
        "org": "Navn på jeres organisation",
        "programme": "Navn på programmet eller idéen",
        "begin": "Start selvevalueringen",
        "continue": "Gem og fortsæt",
        "later": "Gem og fortsæt senere",
        "saved": "Jeres svar er gemt.",
        "completed": "Udfyldt",
        "go on": "Fortsæt",
        "submit": "Indsend og se resultatet",
        "result": "Jeres resultat",
        "pdf": "Download rapporten som PDF",
    },
    "sv": {
        "start": "/sv/sjalvskattning/",
        "role": {"kommune": "En kommun", "leverandoer": "En utförare"},
        "org": "Namn på er organisation",
        "programme": "Namn på programmet eller idén",
        "begin": "Starta självskattningen",
        "continue": "Spara och fortsätt",
        "later": "Spara och fortsätt senare",
        "saved": "Era svar är sparade.",
        "completed": "Klar",
        "go on": "Fortsätt",
        "submit": "Skicka in och se resultatet",
        "result": "Ert resultat",
        "pdf": "Ladda ner rapporten som PDF",
    },
}


def assert_accessible(page: Page, axe: Axe) -> None:
    results = axe.run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, f"{page.url}:\n{results.generate_report()}"


def answer_page(page: Page) -> None:
    """Give every visible question its highest answer, also those an answer reveals."""
    done: set[str | None] = set()
    while True:
        blocks = [
            b for b in page.locator(".question:visible").all() if b.get_attribute("id") not in done
        ]
        if not blocks:
            return
        for block in blocks:
            done.add(block.get_attribute("id"))
            answer_question(block)


def answer_question(block: Locator) -> None:
    """Give one question its highest answer."""
    number = block.locator('input[inputmode="decimal"]')
    if number.count():
        number.fill("25")  # within every number question's range (years at most 30)
        return
    text = block.locator("textarea.form-input").first
    if block.locator("fieldset").count() == 0 and text.count():
        text.fill("Vi har en plan.")
        return
    options = block.locator("fieldset li:not(.dont-know) input:not([data-exclusive])")
    if block.locator('input[type="checkbox"]').count():
        options.first.check()
        for i in range(options.count()):
            options.nth(i).check()
    else:
        options.last.check()


@pytest.mark.parametrize(
    ("lang", "role"),
    [("da", "kommune"), ("sv", "leverandoer"), ("sv", "kommune"), ("da", "leverandoer")],
)
def test_a_respondent_completes_the_assessment(browser: Browser, live_server, lang: str, role: str):
    words = WORDS[lang]
    axe = Axe()
    check_axe = (lang, role) in (("da", "kommune"), ("sv", "leverandoer"))
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(live_server.url + words["start"])
    if check_axe:
        assert_accessible(page, axe)
    page.get_by_role("button", name=words["begin"]).click()
    expect(page.locator(".error-summary")).to_be_focused()
    if check_axe:
        assert_accessible(page, axe)
    page.get_by_label(words["role"][role]).check()
    page.get_by_label(words["org"]).fill("Eksempel & Co <b>")
    page.get_by_label(words["programme"]).fill("Tidlig hjælp $5")
    page.get_by_role("button", name=words["begin"]).click()
    expect(page.locator(".step-count")).to_contain_text("1")

    # The first page is answered, then saved for later: the task list shows it completed and
    # the link, which opens the task list in a new browser; it goes on at the second page.
    answer_page(page)
    page.get_by_role("button", name=words["later"]).click()
    expect(page.locator(".alert-success")).to_have_text(words["saved"])
    expect(page.locator("#task-1-status")).to_have_text(words["completed"])
    link = page.locator(".secret-link a").inner_text()
    context.close()
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/(oversigt|oversikt)$"))
    if check_axe:
        assert_accessible(page, axe)
    page.get_by_role("link", name=words["go on"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/(trin|steg)/2$"))

    number = 2
    while True:
        if check_axe:
            assert_accessible(page, axe)
        answer_page(page)
        page.get_by_role("button", name=words["continue"], exact=True).click()
        # Wait for the next page itself: checking the old one while it unloads is a race.
        page.wait_for_url(re.compile(rf"/(trin|steg)/{number + 1}$|/(dine-svar|dina-svar)$"))
        if not re.search(r"/(trin|steg)/\d+$", page.url):
            break
        number += 1
        assert number < 20
    if check_axe:
        assert_accessible(page, axe)
    page.get_by_role("button", name=words["submit"]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(words["result"])
    expect(page.locator("figure.radar svg title")).to_have_count(1)
    dimensions = len(live_server.app.extensions["questionnaires"][role].dimensions)
    expect(page.locator(".scores-table tbody tr")).to_have_count(dimensions)
    if check_axe:
        assert_accessible(page, axe)
    with page.expect_download() as download:
        page.get_by_role("link", name=words["pdf"]).click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    context.close()


def test_a_conditional_question_appears_only_after_its_answer(page: Page, live_server):
    app = live_server.app
    questionnaire = app.extensions["questionnaires"]["kommune"]
    child = next(q for q in questionnaire.questions.values() if q.show_if and "in" in q.show_if)
    parent = questionnaire.questions[child.show_if["question"]]
    assert parent.dimension == child.dimension
    number = [d.id for d in questionnaire.dimensions].index(child.dimension) + 1
    page.goto(live_server.url + "/da/selvevaluering/")
    page.get_by_label("En kommune").check()
    page.get_by_label("Navn på jeres organisation").fill("Kommune")
    page.get_by_label("Navn på programmet eller idéen").fill("Program")
    page.get_by_role("button", name="Start selvevalueringen").click()
    page.goto(re.sub(r"/trin/1$", f"/trin/{number}", page.url))
    block = page.locator(f"#question-{child.id}")
    expect(block).to_be_hidden()
    wanted = child.show_if["in"][0]
    page.locator(f'#question-{parent.id} input[value="{wanted}"]').check()
    expect(block).to_be_visible()


def submitted_token(app) -> str:
    """A submitted assessment made directly in the live server's database."""
    from app.assessment import service
    from tests.assessment_helpers import form_value

    with app.test_request_context("/da/"):
        questionnaire = app.extensions["questionnaires"]["kommune"]
        assessment = service.start("kommune", "da", "Kommune <i>", "Program $x$", "")
        answers = {q.id: form_value(q) for q in questionnaire.questions.values() if q.scored}
        service.save_page(assessment, list(answers), answers, {})
        service.submit(assessment)
        return assessment.token


@pytest.mark.parametrize(
    ("lang", "base"), [("da", "/da/selvevaluering"), ("sv", "/sv/sjalvskattning")]
)
def test_the_other_pages_of_the_flow_have_no_wcag_violations(page: Page, live_server, lang, base):
    axe = Axe()
    words = {
        "da": ("dine-svar", "slet", "ny-vurdering", "udskriv", "gemt"),
        "sv": ("dina-svar", "radera", "ny-bedomning", "utskrift", "sparad"),
    }[lang]
    answers, delete, new_version, printable, saved = words
    token = submitted_token(live_server.app)
    for path in (
        f"/{token}/{answers}",
        f"/{token}/{new_version}",
        f"/{token}/{printable}",
        f"/{token}/{delete}",
    ):
        page.goto(live_server.url + base + path)
        assert_accessible(page, axe)
    # A draft: a page with errors, the saved page, check answers with unanswered questions.
    page.goto(live_server.url + base + "/")
    page.locator('input[name="role"]').first.check()
    page.locator("#organisation").fill("Org")
    page.locator("#programme").fill("Prog")
    page.locator("main form[method=post] button[type=submit]").first.click()
    page.locator('button[value="continue"]').click()
    expect(page.locator(".error-summary")).to_be_focused()
    assert_accessible(page, axe)
    draft = re.search(r"/([A-Za-z0-9_-]{43})/", page.url).group(1)
    page.goto(live_server.url + f"{base}/{draft}/{saved}")
    assert_accessible(page, axe)
    page.goto(live_server.url + f"{base}/{draft}/{answers}")
    page.locator("main form[method=post] button[type=submit]").first.click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, axe)
    # Deleting: the confirmation and the page after.
    page.goto(live_server.url + f"{base}/{token}/{delete}")
    page.locator("main form[method=post] button[type=submit]").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, axe)

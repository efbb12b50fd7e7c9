"""axe-core finds no WCAG 2.1 A or AA violation on any page type, in either language."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

PAGE_TYPES = {
    "start": ("/da/", "/sv/"),
    "toolbox": ("/da/vaerktoejskasse/", "/sv/verktygslada/"),
    "step": ("/da/vaerktoejskasse/{step_da}", "/sv/verktygslada/{step_sv}"),
    "cases": ("/da/cases/", "/sv/exempel/"),
    "templates": ("/da/skabeloner/", "/sv/mallar/"),
    "glossary": ("/da/ordliste", "/sv/ordlista"),
    "plain page": ("/da/om", "/sv/om"),
    "privacy": ("/da/privatliv", "/sv/integritet"),
    "accessibility statement": ("/da/tilgaengelighed", "/sv/tillganglighet"),
    "not found": ("/da/findes-ikke", "/sv/finns-inte"),
    "case": ("/da/cases/{case_da}", "/sv/exempel/{case_sv}"),
    "template": ("/da/skabeloner/{template_da}", "/sv/mallar/{template_sv}"),
    "introduction": ("/da/introduktion", "/sv/introduktion"),
    "supplier obligations": ("/da/krav-til-leverandoeren", "/sv/krav-pa-utforaren"),
    "search results": ("/da/soeg?q=målgrupper", "/sv/sok?q=målgrupperna"),
    "empty search": ("/da/soeg?q=", "/sv/sok?q="),
    "search with suggestions": ("/da/soeg?q=remitering", "/sv/sok?q=betalingsmodel"),
    "simulator": ("/da/betalingssimulator", "/sv/betalningssimulator"),
    "simulator with errors": (
        "/da/betalingssimulator?participants=0&success_rate=x",
        "/sv/betalningssimulator?participants=0&success_rate=x",
    ),
    "simulator scenarios compared": (
        "/da/betalingssimulator/sammenlign",
        "/sv/betalningssimulator/jamfor?a-participants=25&a-success_rate=60&a-target_rate=50"
        "&a-payment_rule=threshold&a-payment_if_met=1000000&b-participants=50&b-success_rate=60"
        "&b-target_rate=50&b-payment_rule=per_success&b-payment_per_success=40000"
        "&b-savings_municipality=50000&c-participants=80&c-success_rate=55&c-target_rate=50"
        "&c-payment_rule=per_success&c-payment_per_success=40000",
    ),
    "simulator scenarios compared with errors": (
        "/da/betalingssimulator/sammenlign?a-participants=0&b-success_rate=x",
        "/sv/betalningssimulator/jamfor?a-participants=0&b-success_rate=x",
    ),
    "self-assessment start": ("/da/selvevaluering/", "/sv/sjalvskattning/"),
    "unknown secret link": (
        "/da/selvevaluering/" + "A" * 43,
        "/sv/sjalvskattning/" + "A" * 43 + "/resultat",
    ),
    "simulator with a rate card": (
        "/da/betalingssimulator?participants=40&success_rate=60&target_rate=50"
        "&payment_rule=per_success&payment_per_success=90.000&goal_1=Bolig&goal_payment_1=40.000"
        "&goal_rate_1=50&savings_municipality=150.000",
        "/sv/betalningssimulator?participants=40&success_rate=0,6&target_rate=50"
        "&payment_rule=per_success&payment_per_success=90 000",
    ),
    "simulator with baseline, investor, cohorts, cap and payment goals": (
        "/da/betalingssimulator?participants=&participants_per_year=10&years=3&success_rate=60"
        "&baseline_rate=15&target_rate=50&cost_per_participant=40.000&investor=private"
        "&payment_rule=per_success&payment_cap=2.000.000&minimum_repayment=500.000"
        "&goal_1=Bolig&goal_payment_1=40.000&goal_rate_1=50&goal_baseline_1=10&goal_lag_1=2"
        "&goal_2=Job&goal_payment_2=30.000&goal_rate_2=30&savings_municipality=50.000"
        "&savings_state=10.000&discount_rate=3,5",
        "/sv/betalningssimulator?participants=30&participants_per_year=10&years=3"
        "&success_rate=60&baseline_rate=70&target_rate=50&investor=municipality"
        "&payment_rule=per_success&payment_cap=100&minimum_repayment=200",
    ),
}


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def first_slugs(live_server) -> dict[str, str]:
    library = live_server.app.extensions["library"]
    return {
        f"{kind}_{lang}": library.list(lang, f"{kind}s")[0].slug
        for kind in ("step", "case", "template")
        for lang in ("da", "sv")
    }


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_no_wcag_violations(page: Page, live_server, axe: Axe, page_type: str):
    for path in PAGE_TYPES[page_type]:
        page.goto(live_server.url + path.format(**first_slugs(live_server)))
        results = axe.run(page, options=WCAG_21_AA)
        assert results.violations_count == 0, f"{path}:\n{results.generate_report()}"


def test_no_wcag_violations_on_a_form_with_errors(page: Page, live_server, axe: Axe):
    for path, button in (("/da/om", "Send"), ("/sv/om", "Skicka")):
        page.goto(live_server.url + path)
        page.get_by_role("button", name=button).click()
        page.locator(".error-summary").wait_for()
        results = axe.run(page, options=WCAG_21_AA)
        assert results.violations_count == 0, f"{path}:\n{results.generate_report()}"


def weak_result(app, lang: str, role: str, how: str = "worst") -> str:
    """A submitted assessment with the worst answers: actions, warnings and a capped level."""
    from app.assessment import service
    from tests.assessment_helpers import form_value

    with app.test_request_context(f"/{lang}/"):
        questionnaire = app.extensions["questionnaires"][role]
        assessment = service.start(role, lang, "Kommune <i>", "Program $x$", "")
        answers = {q.id: form_value(q, how) for q in questionnaire.questions.values() if q.scored}
        service.save_page(assessment, list(answers), answers, {})
        service.submit(assessment)
        return assessment.token


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_no_wcag_violations_on_sending_to_the_fund_and_withdrawing(
    page: Page, live_server, axe: Axe, lang: str
):
    """The send page, refused and filled in, the result with its status, and the withdraw page."""
    token = weak_result(live_server.app, lang, "kommune")
    base = {"da": "/da/selvevaluering", "sv": "/sv/sjalvskattning"}[lang]
    send = f"{base}/{token}/" + ("send-til-fonden" if lang == "da" else "skicka-till-fonden")
    withdraw = f"{base}/{token}/" + ("traek-tilbage" if lang == "da" else "dra-tillbaka")
    page.goto(live_server.url + send)
    results = axe.run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, f"{send}:\n{results.generate_report()}"
    page.locator("main form button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    results = axe.run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, f"{send} refused:\n{results.generate_report()}"
    page.locator("#contact_name").fill("Anna Holm")
    page.locator("#contact_email").fill("anna@example.dk")
    page.locator("#consent").check()
    page.locator("main form button[type=submit]").click()
    page.locator(".sending-state").wait_for()
    results = axe.run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, f"sent result:\n{results.generate_report()}"
    page.goto(live_server.url + withdraw)
    assert page.locator("form [name=csrf_token]").count() == 1
    results = axe.run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, f"{withdraw}:\n{results.generate_report()}"


def supplier_draft(app, lang: str, partners: str | None) -> str:
    """A supplier's draft: the first page answered but for the partner count (None: left for
    later, the programme part cannot start yet; "0": completed, the part is not needed), the
    second page begun."""
    from app.assessment import service
    from app.core.answers import clean_answer
    from tests.assessment_helpers import form_value

    with app.test_request_context(f"/{lang}/"):
        questionnaire = app.extensions["questionnaires"]["leverandoer"]
        assessment = service.start("leverandoer", lang, "Forening <i>", "Program $x$", "")
        first, second = questionnaire.dimensions[:2]
        raw = {q.id: form_value(q) for q in first.questions}
        raw["org_partner_count"] = partners or ""
        if partners is None:
            raw.pop(next(q.id for q in first.questions if q.scored))
        raw[second.questions[0].id] = form_value(second.questions[0])
        answers = {qid: clean_answer(questionnaire.questions[qid], v)[0] for qid, v in raw.items()}
        answers = {qid: v for qid, v in answers.items() if v is not None}
        service.save_page(assessment, list(answers), answers, {})
        return assessment.token


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_no_wcag_violations_on_the_task_list(page: Page, live_server, axe: Axe, lang: str):
    """Every status (completed, in progress, not started, cannot start yet, not needed), and the
    notice after saving."""
    base = {"da": "/da/selvevaluering", "sv": "/sv/sjalvskattning"}[lang]
    overview = {"da": "oversigt", "sv": "oversikt"}[lang]
    for partners in (None, "0"):
        token = supplier_draft(live_server.app, lang, partners)
        page.goto(f"{live_server.url}{base}/{token}/{overview}")
        assert page.locator(".task-list-status-muted").count() >= 5
        results = axe.run(page, options=WCAG_21_AA)
        assert results.violations_count == 0, f"{page.url}:\n{results.generate_report()}"
    step = {"da": "trin", "sv": "steg"}[lang]
    page.goto(f"{live_server.url}{base}/{token}/{step}/2")
    page.locator('button[value="save"]').click()
    page.locator(".alert-success").wait_for()
    assert page.locator(".badge-success").count() >= 1
    results = axe.run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, f"{page.url}:\n{results.generate_report()}"


@pytest.mark.parametrize(("lang", "role"), [("da", "kommune"), ("sv", "leverandoer")])
def test_no_wcag_violations_on_a_result_with_actions_and_warnings(
    page: Page, live_server, axe: Axe, lang: str, role: str
):
    token = weak_result(live_server.app, lang, role)
    base = {"da": "/da/selvevaluering", "sv": "/sv/sjalvskattning"}[lang]
    for path in (
        f"{base}/{token}/resultat",
        f"{base}/{token}/" + ("udskriv" if lang == "da" else "utskrift"),
    ):
        page.goto(live_server.url + path)
        assert page.locator(".action").count() >= 1 and page.locator(".flag").count() >= 1
        results = axe.run(page, options=WCAG_21_AA)
        assert results.violations_count == 0, f"{path}:\n{results.generate_report()}"


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_no_wcag_violations_on_the_read_only_link(page: Page, live_server, axe: Axe, lang: str):
    """Made at the secret link, read (a result with actions and warnings, and a draft), revoked."""
    from app.assessment import service

    base = {"da": "/da/selvevaluering", "sv": "/sv/sjalvskattning"}[lang]
    slug = {"da": "laeseadgang", "sv": "lasbehorighet"}[lang]

    def check(what: str) -> None:
        results = axe.run(page, options=WCAG_21_AA)
        assert results.violations_count == 0, f"{what} ({lang}):\n{results.generate_report()}"

    token = weak_result(live_server.app, lang, "kommune")
    page.goto(f"{live_server.url}{base}/{token}/{slug}")
    check("no read-only link yet")
    page.locator("main form button[type=submit]").click()
    page.locator(".secret-link").wait_for()
    check("the read-only link made")
    view_url = page.locator(".secret-link a").get_attribute("href")
    page.goto(view_url)
    assert page.locator(".action").count() >= 1 and page.locator(".flag").count() >= 1
    check("the read-only result")
    with live_server.app.test_request_context(f"/{lang}/"):
        draft = service.start("kommune", lang, "Kommune <i>", "Program", "")
        draft_view = service.share_read_only(draft)
    page.goto(f"{live_server.url}{base}/{slug}/{draft_view}")
    page.locator("#not-submitted-heading").wait_for()
    check("a draft read-only")
    page.goto(f"{live_server.url}{base}/{token}/{slug}")
    page.locator("main form button[type=submit]").click()
    page.locator(".alert-success").wait_for()
    check("the link revoked")
    page.goto(view_url)
    check("a revoked read-only link")


def sent_to_the_fund(app, token: str) -> int:  # type: ignore[no-untyped-def]
    """Mark a submitted assessment as sent to the fund, as the send page does."""
    from sqlalchemy import select

    from app.assessment.sending import copy_summary
    from app.extensions import db
    from app.models import Assessment, Sending

    with app.app_context():
        assessment = db.session.scalar(select(Assessment).where(Assessment.token == token))
        sending = Sending(
            assessment_id=assessment.id,
            contact_name="Anna <b>Holm</b>",
            contact_email="anna@example.dk",
        )
        copy_summary(sending, assessment)  # the figures the list, dashboard and comparison read
        db.session.add(sending)
        db.session.commit()
        return sending.id


def programme_walk(page: Page, live_server, check, lang: str, sendings: list[int]) -> None:  # type: ignore[no-untyped-def]
    """The programmes list, a new programme, the filing form with an error, a programme's page."""
    import uuid

    from tests.advisor_helpers import url

    app = live_server.app
    name = f"Tidlig hjælp {uuid.uuid4().hex[:6]}"
    page.locator(".advisor-nav a").nth(1).click()  # the programmes
    page.locator(".font-lead").wait_for()
    check("programmes")
    page.locator("#new-programme-form button").click()
    page.locator(".error-summary").wait_for()
    check("programmes with errors")
    page.fill("main #name", name)
    page.locator("#new-programme-form button").click()
    page.locator("h1", has_text=name).wait_for()
    check("an empty programme")
    programme_url = page.url
    for index, sending_id in enumerate(sendings):
        page.goto(live_server.url + url(app, "advisor.assessment", lang, sending_id=sending_id))
        if index == 0:
            page.select_option("#programme_id", "new")
            page.locator("#programme-form button").click()
            page.locator(".error-summary").wait_for()
            check("filing with errors")
        page.select_option("#programme_id", label=name)
        page.locator("#programme-form button").click()
        page.locator(".programme-current a", has_text=name).wait_for()
    check("a filed assessment")
    page.goto(programme_url)
    page.locator(".overlay-table").wait_for()
    assert page.locator(".disagreements-table").count() >= 1
    check("a programme")


def advisor_walk(page: Page, live_server, axe: Axe, lang: str) -> None:
    """An advisor's first login in a real browser, with axe on every page of it on the way."""
    import uuid

    import pyotp

    from app.advisor import accounts
    from tests.advisor_helpers import HOME_PATH, LOGIN_PATH, PASSWORD, make_account

    app = live_server.app
    email = f"axe-{uuid.uuid4().hex[:8]}@dsi.dk"
    make_account(app, email, "Alma Xe", lead=True, second_factor=False)
    authority = sent_to_the_fund(app, weak_result(app, lang, "kommune"))
    supplier = sent_to_the_fund(app, weak_result(app, lang, "leverandoer", how="best"))

    def check(what: str) -> None:
        results = axe.run(page, options=WCAG_21_AA)
        assert results.violations_count == 0, f"{lang} {what}:\n{results.generate_report()}"

    def submit(password_or_code: dict[str, str]) -> None:
        for field, value in password_or_code.items():
            page.fill(f"main #{field}", value)
        page.locator("main form button[type=submit]").last.click()

    page.goto(live_server.url + LOGIN_PATH[lang])
    check("login")
    submit({"email": email, "password": "not the password"})
    page.locator(".error-summary").wait_for()
    check("login with errors")
    submit({"password": PASSWORD})
    page.locator(".qr-code svg").wait_for()
    check("setup")
    submit({"code": "000000"})
    page.locator(".error-summary").wait_for()
    check("setup with errors")
    with app.app_context():
        secret = accounts.find(email).totp_secret
    submit({"code": pyotp.TOTP(secret).now()})
    page.locator(".recovery-codes").wait_for()
    check("recovery codes")
    page.locator("main a.button-primary").click()
    page.wait_for_url(live_server.url + HOME_PATH[lang])
    check("home")
    page.locator(".review-table tbody a").first.click()
    page.locator(".sending-facts").wait_for()
    check("a sent assessment")
    programme_walk(page, live_server, check, lang, [authority, supplier])
    page.goto(live_server.url + HOME_PATH[lang])
    page.locator(".advisor-nav a").nth(2).click()
    page.locator(".spread-table").first.wait_for()
    check("the dashboard")
    page.goto(live_server.url + HOME_PATH[lang])
    page.evaluate("document.getElementById('session-warning').hidden = false")
    check("home with the timeout warning")
    page.locator(".advisor-nav a").nth(3).click()  # the audit log: a lead advisor sees it
    page.locator(".audit-table").wait_for()
    check("the audit log")
    page.locator("#logout-form button").click()
    page.wait_for_url(live_server.url + LOGIN_PATH[lang])
    submit({"email": email, "password": PASSWORD})
    page.locator("main #code").wait_for()
    check("second factor")
    submit({"code": "12"})
    page.locator(".error-summary").wait_for()
    check("second factor with errors")


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_no_wcag_violations_on_the_advisor_login_pages(page: Page, live_server, axe: Axe, lang):
    advisor_walk(page, live_server, axe, lang)


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_no_wcag_violations_on_the_review_pages(page: Page, live_server, axe: Axe, lang):
    """The advisor's review panel with its forms and errors, the conflict message, and the
    respondent's review page after a return and during a revision."""
    import uuid

    import pyotp

    from tests.advisor_helpers import LOGIN_PATH, PASSWORD, make_account

    app = live_server.app
    account = make_account(app, f"rev-{uuid.uuid4().hex[:8]}@dsi.dk", "Rita Vik", lead=True)
    token = weak_result(app, lang, "kommune")
    sent_to_the_fund(app, token)

    def check(what: str) -> None:
        results = axe.run(page, options=WCAG_21_AA)
        assert results.violations_count == 0, f"{lang} {what}:\n{results.generate_report()}"

    page.goto(live_server.url + LOGIN_PATH[lang])
    page.fill("main #email", account.email)
    page.fill("main #password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.locator("main #code").wait_for()
    page.fill("main #code", pyotp.TOTP(account.secret).now())
    page.locator("main form button[type=submit]").click()
    page.locator(".review-table tbody a").first.click()
    page.locator(".review-panel").wait_for()
    check("assessment before the review")
    page.locator(".review-panel form button[type=submit]").first.click()
    page.locator("#return-overall").wait_for()
    check("assessment in review, with the comment forms")
    page.locator(".review-comment-form summary").first.click()
    page.locator(".review-comment-form button[type=submit]").first.click()
    page.locator(".error-summary").wait_for()
    check("an empty comment refused")
    page.locator(".review-comment-form textarea").first.fill("Hvor <b>kommer</b> tallet fra?")
    page.locator(".review-comment-form button[type=submit]").first.click()
    page.locator(".review-comment--draft").wait_for()
    check("a draft comment")
    page.locator(".review-comment--draft button").click()  # taken back before it was sent
    page.locator(".review-comment-form").first.wait_for()
    assert page.locator(".review-comment--draft").count() == 0
    page.locator(".review-comment-form summary").first.click()
    page.locator(".review-comment-form textarea").first.fill("Hvor <b>kommer</b> tallet fra?")
    page.locator(".review-comment-form button[type=submit]").first.click()
    page.locator(".review-comment--draft").wait_for()
    page.fill("#return-overall", "Se på målgruppen.")
    page.locator("#return-overall").locator("xpath=ancestor::form").locator("button").click()
    page.locator(".review-status[data-status=returned]").wait_for()
    check("returned")
    base = {"da": "/da/selvevaluering", "sv": "/sv/sjalvskattning"}[lang]
    review = {"da": "gennemgang", "sv": "granskning"}[lang]
    page.goto(f"{live_server.url}{base}/{token}/{review}")
    assert "Hvor <b>kommer</b> tallet fra?" in page.locator("main").inner_text()  # escaped
    check("the respondent's review page")
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server.url}{base}/{token}/{'trin' if lang == 'da' else 'steg'}/1")
    page.locator(".review-on-page").wait_for()
    check("a questionnaire page with the advisor's comment")


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_no_wcag_violations_on_the_audit_log_refused_to_an_advisor(
    page: Page, live_server, axe: Axe, lang
):
    import uuid

    import pyotp

    from tests.advisor_helpers import LOGIN_PATH, PASSWORD, make_account

    app = live_server.app
    email = f"axe-{uuid.uuid4().hex[:8]}@dsi.dk"
    account = make_account(app, email, "Ole Xe")
    page.goto(live_server.url + LOGIN_PATH[lang])
    page.fill("main #email", email)
    page.fill("main #password", PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.locator("main #code").wait_for()
    page.fill("main #code", pyotp.TOTP(account.secret).now())
    page.locator("main form button[type=submit]").last.click()
    page.locator(".advisor-bar").wait_for()
    log = {"da": "/da/raadgiver/log", "sv": "/sv/radgivare/logg"}[lang]
    assert page.locator(f".advisor-bar a[href='{log}']").count() == 0  # no link to what is refused
    response = page.goto(live_server.url + log)
    assert response is not None and response.status == 403
    page.locator(".lead-only").wait_for()
    results = axe.run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, f"{lang} refused:\n{results.generate_report()}"


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_no_wcag_violations_on_the_comparison_with_others(page: Page, live_server, axe: Axe, lang):
    """The respondent's comparison with other sent assessments: as it stands (too few, when this
    runs first), and with at least five others behind it."""
    app = live_server.app
    token = weak_result(app, lang, "leverandoer")
    sent_to_the_fund(app, token)
    base = {"da": "/da/selvevaluering", "sv": "/sv/sjalvskattning"}[lang]
    address = f"{live_server.url}{base}/{token}/" + ("sammenlign" if lang == "da" else "jamfor")
    page.goto(address)
    results = axe.run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, f"{lang} comparison:\n{results.generate_report()}"
    for how in ("best", "best", "best", "best", "best"):
        sent_to_the_fund(app, weak_result(app, lang, "leverandoer", how=how))
    page.goto(address)
    page.locator("#benchmark-chart").wait_for()
    results = axe.run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, f"{lang} comparison:\n{results.generate_report()}"

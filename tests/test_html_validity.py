"""Every page type, in both languages, is valid HTML by the Nu HTML Checker (vnu): 0 errors.

Each page is fetched through the test client the way a visitor reaches it and written to a file;
then vnu checks all of them in one run (one JVM start costs seconds). To cover a new page type, add
one entry to PAGES: a name and a function that fetches it in a language (it may fetch several).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import pytest
from flask import Flask, url_for
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.advisor import accounts
from app.devtools import seed
from app.extensions import db
from app.i18n import LANGUAGES
from app.models import Assessment, Sending
from tests.advisor_helpers import PASSWORD, make_account
from tests.assessment_helpers import TOKEN_RE, answer_all, start
from tests.conftest import ROOT, dispose, empty_tables, make_app
from tests.helpers import check_page

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# A known-bad document checked in the same run: proves vnu read the files and reports errors.
CONTROL = "control-invalid"
CONTROL_HTML = '<!doctype html><html lang="da"><title>x</title><p id="a"></p><p id="a"></p>'


@dataclass
class Site:
    """The site as a visitor reaches it; assessments made on the way are made once and reused."""

    app: Flask
    strict_app: Flask  # CSRF on, and an unexpected error answers the 500 page
    made: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.client = self.app.test_client()
        self.strict = self.strict_app.test_client()

    def url(self, endpoint: str, lang: str, **values: object) -> str:
        """The address of a page in a language."""
        with self.app.test_request_context():
            return url_for(endpoint, lang_code=lang, **values)

    def fetch(self, method: str, url: str, status: int, must_show: str, **kwargs) -> TestResponse:
        """GET or POST a page (with `client=` another client); check the status and a text."""
        client = kwargs.pop("client", self.client)
        response = client.open(url, method=method, **kwargs)
        assert response.status_code == status, f"{method} {url}: {response.status_code}"
        if must_show:
            assert must_show in response.get_data(as_text=True), f"{url}: no {must_show!r}"
        return response

    def get(self, url: str, status: int = 200, must_show: str = "", **kwargs) -> TestResponse:
        return self.fetch("GET", url, status, must_show, **kwargs)

    def post(self, url: str, status: int = 200, must_show: str = "", **kwargs) -> TestResponse:
        return self.fetch("POST", url, status, must_show, **kwargs)

    def content(self, lang: str, kind: str) -> list[str]:
        """The slugs of every page of a kind (steps, cases, templates, pages)."""
        return [page.slug for page in self.app.extensions["library"].list(lang, kind)]

    def questionnaire(self, role: str):  # type: ignore[no-untyped-def]
        return self.app.extensions["questionnaires"][role]

    def once(self, key: tuple, make: Callable[[], str]) -> str:
        if key not in self.made:
            self.made[key] = make()
        return self.made[key]

    def draft(self, lang: str, role: str = "kommune") -> str:
        """A started assessment with no answers."""
        return self.once(("draft", lang, role), lambda: start(self.client, lang, role))

    def answered(self, lang: str, role: str = "kommune", how: str = "best", **given: str) -> str:
        """A draft with every page answered (some answers given by question id)."""

        def make() -> str:
            token = start(self.client, lang, role)
            answer_all(self.client, lang, token, self.questionnaire(role), how, **given)
            return token

        return self.once(("answered", lang, role, how, *given.items()), make)

    def submitted(self, lang: str, how: str = "best", role: str = "kommune") -> str:
        """A submitted assessment."""

        def make() -> str:
            token = start(self.client, lang, role)
            answer_all(self.client, lang, token, self.questionnaire(role), how)
            self.post(self.url("assessment.submit", lang, token=token), 302)
            return token

        return self.once(("submitted", lang, how, role), make)

    def reassessed(self, lang: str) -> str:
        """A submitted re-assessment of a weaker one: its result compares with the previous."""

        def make() -> str:
            old = self.submitted(lang, how="worst")
            moved = self.post(self.url("assessment.new_version", lang, token=old), 302)
            token = TOKEN_RE.search(moved.headers["Location"]).group(1)
            answer_all(self.client, lang, token, self.questionnaire("kommune"), "best")
            self.post(self.url("assessment.submit", lang, token=token), 302)
            return token

        return self.once(("reassessed", lang), make)

    def sent(self, lang: str) -> str:
        """A submitted assessment sent to the fund (a result of its own: its page shows that)."""

        def make() -> str:
            token = start(self.client, lang)
            answer_all(self.client, lang, token, self.questionnaire("kommune"))
            self.post(self.url("assessment.submit", lang, token=token), 302)
            contact = {"contact_name": "Anna", "contact_email": "a@example.dk", "consent": "y"}
            self.post(self.url("assessment.send", lang, token=token), 302, data=contact)
            return token

        return self.once(("sent", lang), make)

    def seeded(self) -> str:
        """Sent assessments made by `flask dev seed`: enough of each role for every figure."""

        def make() -> str:
            with self.app.app_context():
                seed(40, pool_size=6)
            return "seeded"

        return self.once(("seeded",), make)


# Fetches one page type in a language: one response, or a list for a kind with many pages.
Fetch = Callable[[Site, str], TestResponse | list[TestResponse]]

SIMULATOR_EVERY_TABLE = {
    "participants": "40",
    "success_rate": "60",
    "target_rate": "50",
    "dropout_rate": "10",
    "cost_per_participant": "100000",
    "payment_rule": "per_success",
    "payment_per_success": "150000",
    "savings_municipality": "80000",
    "savings_region": "20000",
    "savings_state": "30000",
    "horizon_years": "5",
    "discount_rate": "3",
    "goal_1": "Stabil bolig <b>& job</b>",
    "goal_payment_1": "40000",
    "goal_source_1": "Register",
    "goal_rate_1": "50",
    "goal_2": "Skole",
    "goal_payment_2": "20000",
    "goal_source_2": "Skolen",
    "goal_rate_2": "70",
}


def every_questionnaire_page(role: str, posted_empty: bool = False) -> Fetch:
    """Each dimension page of a questionnaire, answered, or posted with nothing chosen."""

    def fetch(site: Site, lang: str) -> list[TestResponse]:
        dimensions = site.questionnaire(role).dimensions
        token = site.draft(lang, role) if posted_empty else site.answered(lang, role)
        # An empty draft has no routing answers yet, so routed pages are skipped, not refused.
        numbers = [
            n
            for n, d in enumerate(dimensions, start=1)
            if not (posted_empty and d.show_if is not None)
        ]
        urls = [site.url("assessment.step", lang, token=token, number=n) for n in numbers]
        if posted_empty:
            return [
                site.post(url, 400, "error-summary", data={"action": "continue"}) for url in urls
            ]
        return [site.get(url) for url in urls]

    return fetch


def task_lists(site: Site, lang: str) -> list[TestResponse]:
    """The task list of a supplier waiting on the partner count, of one without a partner (the
    programme part not needed), and of a draft with every section completed."""
    waiting = site.draft(lang, "leverandoer")
    without = site.answered(lang, "leverandoer", org_partner_count="0")
    done = site.answered(lang)
    return [
        site.get(site.url("assessment.overview", lang, token=token), must_show=shows)
        for token, shows in (
            (waiting, "task-list-status-muted"),
            (without, "task-5-hint"),
            (done, "badge-success"),
        )
    ]


def every_content_page(kind: str, endpoint: str) -> Fetch:
    """Every Markdown page of a kind."""
    return lambda site, lang: [
        site.get(site.url(endpoint, lang, slug=slug)) for slug in site.content(lang, kind)
    ]


def simulator_from_an_assessment(site: Site, lang: str) -> TestResponse:
    """Prefilled from a draft's answers, with the form that saves the scenario with it."""
    token = site.answered(lang, tg_size="40")
    save = site.url("simulator.save_scenario", lang, token=token)
    return site.get(site.url("simulator.page", lang, assessment=token), must_show=f'"{save}"')


def server_error(site: Site, lang: str) -> TestResponse:
    return site.get(f"/{lang}/vnu-boom", 500, client=site.strict)


def too_large(site: Site, lang: str) -> TestResponse:
    comment = "x" * (site.app.config["MAX_CONTENT_LENGTH"] + 1)
    return site.post(site.url("feedback.submit", lang), 413, data={"comment": comment})


def sent_as(site: Site, lang: str, role: str, organisation: str, **given: str) -> int:
    """A new assessment answered, submitted and sent to the fund; its sending's id."""
    started = site.post(
        site.url("assessment.start", lang),
        302,
        data={"role": role, "organisation": organisation, "programme": "Tidlig hjælp"},
    )
    token = TOKEN_RE.search(started.headers["Location"]).group(1)
    answer_all(site.client, lang, token, site.questionnaire(role), "best", **given)
    site.post(site.url("assessment.submit", lang, token=token), 302)
    contact = {"contact_name": "Anna", "contact_email": "a@example.dk", "consent": "y"}
    site.post(site.url("assessment.send", lang, token=token), 302, data=contact)
    with site.app.app_context():
        return db.session.scalar(
            select(Sending.id).join(Assessment).where(Assessment.token == token)
        )


LOCK_VERSION = re.compile(r'name="lock_version"[^>]*value="(\d+)"')


def programme_pages(site: Site, lang: str, client, step: str) -> list[TestResponse]:  # type: ignore[no-untyped-def]
    """The programmes list and the filing form, with errors, or a programme's page in full."""
    programmes = site.url("advisor.programmes", lang)
    made = site.post(programmes, 302, client=client, data={"name": f"Tidlig <b>hjælp</b> {step}"})
    programme_id = made.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    authority = sent_as(site, lang, "kommune", "Aarhus <i>Kommune</i>")
    page = site.url("advisor.assessment", lang, sending_id=authority)
    shown = site.get(page, client=client, must_show='id="programme-form"')
    file = site.url("advisor.file_sending", lang, sending_id=authority)
    lock = LOCK_VERSION.search(shown.get_data(as_text=True)).group(1)
    if step == "programmes":
        stale = {"programme_id": programme_id, "lock_version": str(int(lock) - 1)}
        return [
            site.get(programmes, client=client, must_show="programmes-table"),
            site.post(programmes, 400, "error-summary", client=client, data={"name": ""}),
            shown,
            site.post(
                file,
                400,
                "error-summary",
                client=client,
                data={"programme_id": "new", "programme_name": "", "lock_version": lock},
            ),
            site.post(file, 409, "programme-conflict", client=client, data=stale),
        ]
    scale = next(
        q
        for q in site.questionnaire("kommune").dimensions[0].questions
        if q.type == "scale" and q.id in site.questionnaire("leverandoer").questions
    )
    again = sent_as(site, lang, "kommune", "Aarhus <i>Kommune</i>")
    supplier = sent_as(site, lang, "leverandoer", "Nærvær & Co", **{scale.id: "1"})
    for sending_id in (authority, again, supplier):
        page = site.url("advisor.assessment", lang, sending_id=sending_id)
        lock = LOCK_VERSION.search(site.get(page, client=client).get_data(as_text=True)).group(1)
        site.post(
            site.url("advisor.file_sending", lang, sending_id=sending_id),
            302,
            client=client,
            data={"programme_id": programme_id, "lock_version": lock},
        )
    programme = site.url("advisor.programme", lang, programme_id=int(programme_id))
    return [
        site.get(programme, client=client, must_show="disagreements-table"),
        site.get(programme, client=client, must_show="changes-table"),
    ]


def advisor(site: Site, lang: str, step: str) -> list[TestResponse]:
    """The advisor login steps, each in a fresh browser session, for an account made once."""
    second_factor = step in (
        "second factor",
        "home",
        "audit log",
        "lead only",
        "dashboard",
        "programmes",
        "programme",
    )
    email = f"vnu-{lang}-{step.replace(' ', '-')}@dsi.dk"
    account = site.once(
        ("advisor", email),
        lambda: make_account(
            site.app, email, "Vera Nu", lead=step == "audit log", second_factor=second_factor
        ),
    )
    client = site.app.test_client()
    login = site.url("advisor.login", lang)
    if step == "login":
        wrong = {"email": email, "password": "wrong"}
        return [
            site.get(login, client=client),
            site.post(login, 400, "error-summary", client=client, data=wrong),
        ]
    site.post(login, 302, client=client, data={"email": email, "password": PASSWORD})
    if step == "second factor":
        page = site.url("advisor.second_factor", lang)
        return [
            site.get(page, client=client),
            site.post(page, 400, "error-summary", client=client, data={"code": "1"}),
        ]
    if step in ("home", "audit log", "lead only", "dashboard", "programmes", "programme"):
        code = pyotp.TOTP(account.secret).now()
        site.post(site.url("advisor.second_factor", lang), 302, client=client, data={"code": code})
        if step in ("programmes", "programme"):
            return programme_pages(site, lang, client, step)
        if step == "lead only":
            return [site.get(site.url("advisor.audit_log_page", lang), 403, client=client)]
        if step == "audit log":
            log = site.url("advisor.audit_log_page", lang)
            return [
                site.get(log, client=client, must_show="audit-table"),
                site.get(log + "?action=export", client=client, must_show="review-total"),
            ]
        if step == "dashboard":
            site.seeded()
            page = site.url("advisor.dashboard", lang)
            return [site.get(page, client=client, must_show="spread-table")]
        home = site.url("advisor.home", lang)
        return [site.get(home, client=client, must_show="Vera Nu")]
    page = site.url("advisor.setup", lang)
    shown = [
        site.get(page, client=client, must_show="<svg"),
        site.post(page, 400, "error-summary", client=client, data={"code": "000000"}),
    ]
    with site.app.app_context():
        code = pyotp.TOTP(accounts.find(email).totp_secret).now()
    return [*shown, site.post(page, 200, "recovery-codes", client=client, data={"code": code})]


def review(site: Site, lang: str) -> list[TestResponse]:
    """The advisor's review of a sent assessment in each state, with errors and a conflict, and
    the respondent's side of it: the review page and a questionnaire page with a comment."""
    email = f"vnu-review-{lang}@dsi.dk"
    account = make_account(site.app, email, "Vera <b>Nu</b>", lead=True)
    advisor = site.app.test_client()
    site.post(site.url("advisor.login", lang), 302, client=advisor,
              data={"email": email, "password": PASSWORD})  # fmt: skip
    code = pyotp.TOTP(account.secret).now()
    site.post(site.url("advisor.second_factor", lang), 302, client=advisor, data={"code": code})
    respondent = site.app.test_client()
    token = start(respondent, lang)
    answer_all(respondent, lang, token, site.questionnaire("kommune"))
    site.post(site.url("assessment.submit", lang, token=token), 302, client=respondent)
    contact = {"contact_name": "Anna <i>", "contact_email": "a@example.dk", "consent": "y"}
    site.post(site.url("assessment.send", lang, token=token), 302, client=respondent, data=contact)
    with site.app.app_context():
        sending = db.session.scalar(
            select(Sending).join(Assessment).where(Assessment.token == token)
        )
        sending_id, lock = sending.id, sending.lock_version
    page = site.url("advisor.assessment", lang, sending_id=sending_id)

    def act(action: str, status: int, data: dict, **query: str) -> TestResponse:
        address = site.url("advisor.review", lang, sending_id=sending_id, action=action, **query)
        return site.post(address, status, client=advisor, data=data)

    shown = [site.get(page, client=advisor, must_show="review-panel")]
    act("start", 302, {"start-lock_version": str(lock)})
    shown.append(site.get(page, client=advisor, must_show="return-overall"))
    shown.append(act("comment", 400, {"c-all-body": ""}))
    shown.append(act("return", 409, {"return-lock_version": str(lock), "return-overall": "x"}))
    act("note", 302, {"note-body": "Intern <b>note</b>"})
    act("return", 302, {"return-lock_version": str(lock + 1), "return-overall": "Se <b>her</b>"})
    shown.append(site.get(page, client=advisor, must_show="Se &lt;b&gt;her&lt;/b&gt;"))
    review_page = site.url("assessment.review", lang, token=token)
    shown.append(site.get(review_page, client=respondent, must_show="Se &lt;b&gt;her&lt;/b&gt;"))
    site.post(review_page, 302, client=respondent, data={"action": "revise"})
    comment_page = site.url("assessment.step", lang, token=token, number=1)
    shown.append(site.get(comment_page, client=respondent))
    return shown


def read_only_pages(site: Site, lang: str) -> list[TestResponse]:
    """The read-only link: made and revoked at the secret link, and read, of a result with actions
    and warnings and of a draft; a revoked link's 404 page."""
    pages = []
    view_link = re.compile(r"/(?:laeseadgang|lasbehorighet)/([\w-]{43})")
    for how in ("worst", None):
        token = start(site.client, lang)
        answer_all(site.client, lang, token, site.questionnaire("kommune"), how or "best")
        if how:
            site.post(site.url("assessment.submit", lang, token=token), 302)
            pages.append(site.get(site.url("read_only.manage", lang, token=token)))
        made = site.post(
            site.url("read_only.share", lang, token=token),
            must_show="data-copy-link",
            follow_redirects=True,
        )
        view_token = view_link.search(made.get_data(as_text=True)).group(1)
        must_show = "action-list" if how else "not-submitted-heading"
        pages += [
            made,
            site.get(site.url("read_only.page", lang, view_token=view_token), 200, must_show),
        ]
    revoked = site.post(site.url("read_only.revoke", lang, token=token), follow_redirects=True)
    gone = site.get(site.url("read_only.page", lang, view_token=view_token), 404)
    return [*pages, revoked, gone]


PAGES: list[tuple[str, Fetch]] = [
    ("start page", lambda s, lang: s.get(s.url("main.home", lang))),
    ("toolbox overview", lambda s, lang: s.get(s.url("main.toolbox", lang))),
    ("toolbox steps", every_content_page("steps", "main.step")),
    ("cases list", lambda s, lang: s.get(s.url("main.cases", lang))),
    ("cases", every_content_page("cases", "main.case")),
    ("templates list", lambda s, lang: s.get(s.url("main.templates", lang))),
    ("templates", every_content_page("templates", "main.template")),
    ("glossary", lambda s, lang: s.get(s.url("main.glossary", lang))),
    ("plain pages", every_content_page("pages", "main.page")),
    (
        "search with results",
        lambda s, lang: s.get(s.url("search.results", lang, q="målgruppe"), must_show="search-hit"),
    ),
    ("search without results", lambda s, lang: s.get(s.url("search.results", lang, q="zzxq"))),
    (
        "search with a suggestion and the other language's results",
        lambda s, lang: s.get(
            s.url(
                "search.results", lang, q="betalningsmodell" if lang == "da" else "betalingsmodel"
            ),
            must_show="search-other-hits",
        ),
    ),
    ("empty search", lambda s, lang: s.get(s.url("search.results", lang, q=""))),
    ("overlong search", lambda s, lang: s.get(s.url("search.results", lang, q="ord " * 100))),
    ("simulator", lambda s, lang: s.get(s.url("simulator.page", lang), must_show="<svg")),
    (
        "simulator with errors",
        lambda s, lang: s.get(
            s.url("simulator.page", lang, participants="0", success_rate="x"), 400, "error-summary"
        ),
    ),
    (
        "simulator with savings and a rate card",
        lambda s, lang: s.get(
            s.url("simulator.page", lang, **SIMULATOR_EVERY_TABLE), must_show="Stabil bolig"
        ),
    ),
    ("simulator opened from an assessment", simulator_from_an_assessment),
    (
        "simulator scenarios compared",
        lambda s, lang: s.get(
            s.url(
                "simulator.compare",
                lang,
                **{
                    f"{letter}-{name}": value
                    for letter in "abc"
                    for name, value in SIMULATOR_EVERY_TABLE.items()
                },
            ),
            must_show="chart-compare",
        ),
    ),
    (
        "simulator scenarios compared with errors",
        lambda s, lang: s.get(
            s.url("simulator.compare", lang, **{"a-participants": "0", "b-success_rate": "x"}),
            400,
            "error-summary",
        ),
    ),
    ("self-assessment start", lambda s, lang: s.get(s.url("assessment.start", lang))),
    (
        "self-assessment start with errors",
        lambda s, lang: s.post(
            s.url("assessment.start", lang), 400, "error-summary", data={"role": "mayor"}
        ),
    ),
    ("questionnaire pages, municipality", every_questionnaire_page("kommune")),
    ("questionnaire pages, supplier", every_questionnaire_page("leverandoer")),
    ("questionnaire pages with errors, municipality", every_questionnaire_page("kommune", True)),
    ("questionnaire pages with errors, supplier", every_questionnaire_page("leverandoer", True)),
    (
        "questionnaire page after a refused CSRF token",
        lambda s, lang: s.post(
            s.url("assessment.step", lang, token=s.draft(lang), number=1),
            400,
            "alert-warning",
            client=s.strict,
            data={"action": "continue"},
        ),
    ),
    (
        "check your answers",
        lambda s, lang: s.get(s.url("assessment.answers", lang, token=s.answered(lang))),
    ),
    (
        "check your answers with missing answers",
        lambda s, lang: s.post(
            s.url("assessment.submit", lang, token=s.draft(lang)), 400, "error-summary"
        ),
    ),
    (
        "task list after saving",
        lambda s, lang: s.post(
            s.url("assessment.step", lang, token=s.draft(lang), number=1),
            must_show="secret-link",
            data={"action": "save"},
            follow_redirects=True,
        ),
    ),
    ("task lists with every status", task_lists),
    (
        "saved",
        lambda s, lang: s.get(
            s.url("assessment.saved", lang, token=s.draft(lang)), must_show="secret-link"
        ),
    ),
    (
        "result",
        lambda s, lang: s.get(s.url("assessment.result", lang, token=s.submitted(lang))),
    ),
    (
        "result with actions, warnings and a capped level",
        lambda s, lang: s.get(
            s.url("assessment.result", lang, token=s.submitted(lang, how="worst")),
            must_show="action-list",
        ),
    ),
    (
        "result, supplier",
        lambda s, lang: s.get(
            s.url("assessment.result", lang, token=s.submitted(lang, role="leverandoer")),
            must_show="supplier-obligations-link",
        ),
    ),
    (
        "result with a previous result",
        lambda s, lang: s.get(
            s.url("assessment.result", lang, token=s.reassessed(lang)), must_show="+100</td>"
        ),
    ),
    (
        "printable result",
        lambda s, lang: s.get(s.url("assessment.printable", lang, token=s.reassessed(lang))),
    ),
    (
        "delete",
        lambda s, lang: s.get(s.url("assessment.delete", lang, token=s.submitted(lang))),
    ),
    (
        "deleted",
        lambda s, lang: s.post(s.url("assessment.delete", lang, token=start(s.client, lang))),
    ),
    (
        "new version",
        lambda s, lang: s.get(s.url("assessment.new_version", lang, token=s.submitted(lang))),
    ),
    (
        "send to the fund",
        lambda s, lang: s.get(
            s.url("assessment.send", lang, token=s.submitted(lang, role="leverandoer")),
            must_show="consent",
        ),
    ),
    (
        "send to the fund with errors",
        lambda s, lang: s.post(
            s.url("assessment.send", lang, token=s.submitted(lang, role="leverandoer")),
            400,
            "error-summary",
            data={"contact_email": "x"},
        ),
    ),
    (
        "result sent to the fund",
        lambda s, lang: s.get(
            s.url("assessment.result", lang, token=s.sent(lang)), must_show="sending-state"
        ),
    ),
    (
        "comparison with others, too few yet",
        lambda s, lang: s.get(
            s.url("assessment.benchmark", lang, token=s.submitted(lang)),
            must_show="benchmark-too-few",
        ),
    ),
    (
        "withdraw from the fund",
        lambda s, lang: s.get(s.url("assessment.withdraw", lang, token=s.sent(lang))),
    ),
    ("read-only link: made, read (a result and a draft), revoked", read_only_pages),
    (
        "saved, mailing the link refused",
        lambda s, lang: s.post(
            s.url("assessment.mail_link", lang, token=s.draft(lang)),
            400,
            "error-summary",
            data={"email": "x"},
        ),
    ),
    (
        "page feedback with errors",
        lambda s, lang: s.post(
            s.url("feedback.submit", lang),
            400,
            "error-summary",
            data={"kind": "pages", "key": "about", "comment": "hej"},
        ),
    ),
    (
        "page after feedback is saved",
        lambda s, lang: s.post(
            s.url("feedback.submit", lang),
            must_show='role="status"',
            data={"kind": "pages", "key": "about", "useful": "yes"},
            follow_redirects=True,
        ),
    ),
    ("not found", lambda s, lang: s.get(f"/{lang}/findes-ikke", 404)),
    (
        "unknown secret link",
        lambda s, lang: s.get(s.url("assessment.result", lang, token="A" * 43), 404),
    ),
    ("too large", too_large),
    (
        "refused CSRF token",
        lambda s, lang: s.post(
            s.url("feedback.submit", lang),
            400,
            client=s.strict,
            data={"kind": "pages", "key": "about", "useful": "yes"},
        ),
    ),
    ("server error", server_error),
    ("advisor login, with errors", lambda s, lang: advisor(s, lang, "login")),
    ("advisor second factor, with errors", lambda s, lang: advisor(s, lang, "second factor")),
    (
        "advisor code setup, with errors, and the recovery codes",
        lambda s, lang: advisor(s, lang, "setup"),
    ),
    ("advisor home", lambda s, lang: advisor(s, lang, "home")),
    ("advisor review, with errors and a conflict, and the respondent's side", review),
    ("advisor audit log, and one with no events", lambda s, lang: advisor(s, lang, "audit log")),
    ("advisor refused the audit log", lambda s, lang: advisor(s, lang, "lead only")),
    ("advisor dashboard", lambda s, lang: advisor(s, lang, "dashboard")),
    (
        "comparison with others",
        lambda s, lang: s.get(
            s.url("assessment.benchmark", lang, token=s.submitted(lang, role="leverandoer")),
            must_show="benchmark-chart",
        ),
    ),
    (
        "advisor programmes and filing, with errors and a conflict",
        lambda s, lang: advisor(s, lang, "programmes"),
    ),
    ("advisor programme page", lambda s, lang: advisor(s, lang, "programme")),
]


@dataclass
class Checked:
    """Per page type: the files written, what could not be fetched or checked, and vnu's errors."""

    files: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def file_name(name: str, lang: str, index: int) -> str:
    return f"{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}-{lang}-{index}.html"


def described(error: Exception) -> str:
    """An assertion's message; for anything else the whole traceback."""
    if isinstance(error, AssertionError):
        return str(error)
    return "".join(traceback.format_exception(error))


def run_vnu(files: list[Path]) -> list[dict]:
    """Check every file in one JVM; vnu's messages (errors only) as dicts."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is missing: run 'make test', which installs a Java runtime")
    if not VNU_JAR.exists():
        pytest.fail(f"{VNU_JAR} is missing: run 'make test', which runs npm ci")
    # Only the quick JIT (half the CPU for a run this short); it needs a larger stack than 1 MB.
    command = [java, "-Xss4m", "-XX:TieredStopAtLevel=1", "-jar", str(VNU_JAR)]
    done = subprocess.run(
        [*command, "--errors-only", "--no-langdetect", "--stdout", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.stdout.strip(), f"vnu printed nothing (exit {done.returncode}): {done.stderr}"
    return json.loads(done.stdout)["messages"]


def fetch_every_page(site: Site, folder: Path, result: Checked) -> dict[str, str]:
    """Write each page type's pages into folder; the page type of each file name."""
    page_types = {}
    for name, fetch in PAGES:
        for lang in LANGUAGES:
            try:
                fetched = fetch(site, lang)
            except Exception as error:
                result.problems[name].append(f"{lang}: {described(error)}")
                continue
            for index, response in enumerate(fetched if isinstance(fetched, list) else [fetched]):
                path = folder / file_name(name, lang, index)
                path.write_text(response.get_data(as_text=True), encoding="utf-8")
                result.files[name].append(path.name)
                page_types[path.name] = name
    return page_types


def strict_app_for(database_url: str) -> Flask:
    """The app as a visitor gets it: CSRF on, and an unexpected error answers the 500 page."""
    app = make_app(database_url, WTF_CSRF_ENABLED=True, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    def boom() -> str:
        raise RuntimeError("an unexpected error, for the 500 page")

    for lang in LANGUAGES:
        app.add_url_rule(f"/{lang}/vnu-boom", f"boom_{lang}", boom)
    return app


@pytest.fixture(scope="module")
def checked(_sqlite_app: Flask, sqlite_url: str, tmp_path_factory) -> Iterator[Checked]:  # type: ignore[no-untyped-def]
    """Fetch every page type in both languages, then check all the files with vnu at once."""
    strict_app = strict_app_for(sqlite_url)
    folder = tmp_path_factory.mktemp("vnu")
    result = Checked()
    try:
        page_types = fetch_every_page(Site(_sqlite_app, strict_app), folder, result)
        (folder / f"{CONTROL}.html").write_text(CONTROL_HTML, encoding="utf-8")
        page_types[f"{CONTROL}.html"] = CONTROL
        with ThreadPoolExecutor(max_workers=1) as pool:
            vnu = pool.submit(run_vnu, sorted(str(folder / name) for name in page_types))
            for file, name in page_types.items():  # the house's page checks, while vnu runs
                if name == CONTROL:
                    continue
                try:
                    check_page((folder / file).read_text(encoding="utf-8"), file)
                except AssertionError as error:
                    result.problems[name].append(described(error))
            messages = vnu.result()
        for message in messages:
            file = message.get("url", "").rsplit("/", 1)[-1]
            where = f"{file}:{message.get('lastLine', '?')}:{message.get('firstColumn', '?')}"
            extract = " ".join(message.get("extract", "").split())[:120]
            text = f"{where}: {message.get('message')} [{extract}]"
            result.errors[page_types.get(file, "vnu itself")].append(text)
        yield result
    finally:
        empty_tables(_sqlite_app)
        dispose(strict_app)


def test_the_checker_reports_a_known_error(checked: Checked):
    assert any("Duplicate ID" in error for error in checked.errors[CONTROL]), checked.errors
    assert not checked.errors["vnu itself"], checked.errors["vnu itself"]


@pytest.mark.parametrize("page_type", [name for name, _ in PAGES])
def test_every_page_type_is_valid_html(checked: Checked, page_type: str):
    problems = checked.problems[page_type]
    assert not problems, f"{page_type}:\n" + "\n".join(problems)
    assert checked.files[page_type], f"{page_type}: no page fetched"
    errors = checked.errors[page_type]
    assert not errors, f"{len(errors)} vnu errors in {page_type}:\n" + "\n".join(errors)

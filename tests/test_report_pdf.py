"""The PDF report as a reader gets it: tagged, numbered, complete, legible, named in their language.

Each language's PDF is made once for the module (WeasyPrint takes about a second), from an
assessment whose organisation, programme and notes hold markup, a formula and an ampersand, with a
saved payment-model scenario, on a site whose PUBLIC_URL is set while the requests carry a forged
Host header.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cached_property
from io import BytesIO

import pytest
from babel.numbers import format_decimal
from bs4 import BeautifulSoup
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from app.core.answers import clean_answer
from app.core.scoring import is_shown
from app.core.simulator import scenario_from_dict, simulate
from app.extensions import db
from app.models import Assessment
from tests.assessment_helpers import BASE, STEP, form_value
from tests.conftest import empty_tables

ORGANISATION = "Kommune <b>fed</b> & $x$"
PROGRAMME = "Tidlig hjælp <b>&</b> $x$ på Ærø"
NOTE = "Vi har <b>data</b> & et notat om $x$."
PUBLIC = "https://socialeinvesteringer.example"
FORGED = "evil.example"
SUBMIT = {"da": "indsend", "sv": "skicka-in"}
SCENARIO = {"da": "scenarie", "sv": "scenario"}
SIMULATOR = {"da": "/da/betalingssimulator", "sv": "/sv/betalningssimulator"}
PAGE_WORDS = {"da": ("Side", "af"), "sv": ("Sida", "av")}
NOTE_LABEL = {"da": "Hvordan ved I det?", "sv": "Hur vet ni det?"}
PDF_STEM = {"da": "investeringskompas", "sv": "investeringskompass"}
SLUG = "tidlig-hjaelp-b-b-x-paa-aeroe"
MIN_PRINT_PT = 8 - 0.01  # 8 pt, give or take the PDF's rounding
# report.css: A4 less 2 × 16 mm of page margin and 2 × 1rem (12 pt) of body padding.
CONTENT_WIDTH_PT = (210 - 2 * 16) / 25.4 * 72 - 2 * 12


@dataclass
class Report:
    """One language's report and what came with it."""

    lang: str
    token: str
    pdf: bytes
    headers: dict[str, str]
    html: str  # exactly what WeasyPrint received
    base_url: str
    simulator_page: str
    scenario: dict
    questionnaire: object
    png_disposition: str
    json_disposition: str

    @cached_property
    def reader(self) -> PdfReader:
        return PdfReader(BytesIO(self.pdf))

    @cached_property
    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.html, "html.parser")

    @cached_property
    def page_texts(self) -> list[str]:
        return [page.extract_text() for page in self.reader.pages]

    @cached_property
    def text(self) -> str:
        """All pages' text with white space made single (lines wrap where the page ends)."""
        return " ".join(" ".join(self.page_texts).split())

    @cached_property
    def first_page(self) -> list[tuple[str, float, float, float]]:
        return printed_text(self.reader.pages[0])

    @cached_property
    def radar_page(self) -> list[tuple[str, float, float, float]]:
        """The text of the page that holds the radar (the verdict and the actions come first)."""
        for page in self.reader.pages:
            drawn = printed_text(page)
            if sum(1 for text, *_ in drawn if text in {"20", "40", "60", "80"}) == 4:
                return drawn
        raise AssertionError("no page holds all four of the radar's tick labels")


def make_report(app: Flask, lang: str) -> Report:
    """Answer every question (a note on each), save a scenario, submit, and download the PDF."""
    import weasyprint

    client = app.test_client()
    base = BASE[lang]
    started = client.post(
        f"{base}/", data={"role": "kommune", "organisation": ORGANISATION, "programme": PROGRAMME}
    )
    token = started.headers["Location"].split("/")[3]
    questionnaire = app.extensions["questionnaires"]["kommune"]
    for number, dimension in enumerate(questionnaire.dimensions, start=1):
        data = {"action": "continue"}
        for q in dimension.questions:
            data[f"q_{q.id}"] = form_value(q, "best")
            data[f"note_{q.id}"] = NOTE
        saved = client.post(f"{base}/{token}/{STEP[lang]}/{number}", data=data)
        assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    scenario = {"participants": "30", "success_rate": "60", "target_rate": "50",
                "dropout_rate": "10", "cost_per_participant": "40000",
                "payment_rule": "per_success", "payment_per_success": "90000",
                "goal_1": "Job <b>&</b>", "goal_payment_1": "50000",
                "goal_source_1": "DREAM & $x$", "goal_rate_1": "40"}  # fmt: skip
    assert client.post(f"{base}/{token}/{SCENARIO[lang]}", data=scenario).status_code == 302
    assert client.post(f"{base}/{token}/{SUBMIT[lang]}").status_code == 302

    received: list[dict] = []
    real_html = weasyprint.HTML

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        received.append(kwargs)
        return real_html(*args, **kwargs)

    forged = {"Host": FORGED}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(weasyprint, "HTML", spy)
        patch.setitem(app.config, "PUBLIC_URL", PUBLIC)
        response = client.get(f"{base}/{token}/rapport.pdf", headers=forged)
        png = client.get(f"{base}/{token}/radar.png", headers=forged)
        answers = client.get(f"{base}/{token}/answers.json", headers=forged)
    assert response.status_code == 200 and len(received) == 1
    simulator = client.get(f"{SIMULATOR[lang]}?assessment={token}")
    with app.app_context():
        saved_scenario = db.session.scalar(
            select(Assessment.scenario).where(Assessment.token == token)
        )
    return Report(
        lang=lang,
        token=token,
        pdf=response.data,
        headers=dict(response.headers),
        html=received[0]["string"],
        base_url=received[0]["base_url"],
        simulator_page=simulator.get_data(as_text=True),
        scenario=saved_scenario,
        questionnaire=questionnaire,
        png_disposition=png.headers["Content-Disposition"],
        json_disposition=answers.headers["Content-Disposition"],
    )


@pytest.fixture(scope="module")
def reports(_sqlite_app: Flask):
    """The Danish and the Swedish report, made once for every test here."""
    made = {lang: make_report(_sqlite_app, lang) for lang in ("da", "sv")}
    yield made
    empty_tables(_sqlite_app)


def pdfinfo(pdf: bytes, tmp_path, *options: str) -> str:
    """pdfinfo's report on the PDF; a missing pdfinfo fails (make test installs it)."""
    program = shutil.which("pdfinfo")
    if program is None:
        pytest.fail("pdfinfo is missing: run 'make test', which installs Debian's poppler-utils")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        [program, *options, str(path)], capture_output=True, text=True, check=True
    )
    return done.stdout


def info_fields(output: str) -> dict[str, str]:
    """`Key:   value` lines as a mapping."""
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in output.splitlines())}


def printed_text(page) -> list[tuple[str, float, float, float]]:  # type: ignore[no-untyped-def]
    """(text, printed size in pt, x, y) of every piece of text drawn on the page."""
    found = []

    def visit(text, cm, tm, _font, size):  # type: ignore[no-untyped-def]
        if not text.strip():
            return
        _a, _b, c, d, e, f = tm
        ca, cb, cc, cd, ce, cf = cm
        # The text matrix, then the current transformation: their product's vertical scale.
        vertical = math.hypot(c * ca + d * cc, c * cb + d * cd)
        x, y = e * ca + f * cc + ce, e * cb + f * cd + cf
        found.append((text.strip(), size * vertical, x, y))

    page.extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_pdf_is_a_tagged_pdf_ua_with_its_title_and_language(reports, lang, tmp_path):
    report = reports[lang]
    info = info_fields(pdfinfo(report.pdf, tmp_path))
    assert info["Tagged"] == "yes"
    heading = {"da": "Jeres resultat", "sv": "Ert resultat"}[lang]
    assert info["Title"].startswith(f"{heading}: {PROGRAMME}")
    assert 3 <= int(info["Pages"]) <= 20
    assert 'pdfuaid:part="1"' in pdfinfo(report.pdf, tmp_path, "-meta")
    assert report.reader.trailer["/Root"]["/Lang"] == lang


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_every_page_says_its_number_in_the_pages_language(reports, lang):
    texts = reports[lang].page_texts
    page, of = PAGE_WORDS[lang]
    for number, content in enumerate(texts, start=1):
        assert f"{page} {number} {of} {len(texts)}" in content, number


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_report_holds_every_answer_and_its_note_per_dimension(reports, lang):
    report = reports[lang]
    section = report.soup.select_one("section.report-answers")
    dimensions = report.questionnaire.dimensions
    assert [h.get_text(strip=True) for h in section.select("h3")] == [
        d.title[lang] for d in dimensions
    ]
    rows = section.select(".answer-row")
    questionnaire = report.questionnaire
    best = {
        q.id: clean_answer(q, form_value(q, "best"), lang)[0]
        for q in questionnaire.questions.values()
    }
    asked = [q for d in dimensions for q in d.questions if is_shown(q, best, questionnaire)]
    assert len(rows) == len(asked)  # every question the best answers route to
    first = dimensions[0].questions[0]
    assert rows[0].select_one("dt").get_text(strip=True) == first.text[lang]
    notes = [" ".join(n.get_text(" ").split()) for n in section.select(".answer-note")]
    assert notes == [f"{NOTE_LABEL[lang]} {NOTE}"] * len(rows)
    text = report.text
    assert text.count(NOTE) == len(rows) and NOTE_LABEL[lang] in text
    assert dimensions[-1].questions[-1].text[lang].split()[0] in text


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_saved_scenario_shows_the_simulators_figures(reports, lang):
    report = reports[lang]
    section = report.soup.select_one("section.scenario")
    inputs = {
        row.th.get_text(strip=True): row.td.get_text(strip=True)
        for row in section.select(".scenario-inputs tr")
    }
    kr = {"da": "kr.", "sv": "kr"}[lang]
    cost = format_decimal(40000, format="#,##0", locale=lang)  # 40.000 / 40 000
    payment = format_decimal(90000, format="#,##0", locale=lang)
    # Each input with its unit, as the simulator shows it beside the field.
    assert {"30", "60 %", "50 %", "10 %", f"{cost} {kr}"} <= set(inputs.values())
    # The saved rate card replaces the single payment per success, so that is not listed as if
    # it counted.
    assert f"{payment} {kr}" not in inputs.values()

    def key_figures(soup: BeautifulSoup) -> list[str]:
        return [" ".join(r.get_text(" ").split()) for r in soup.select(".key-figures tr")]

    simulator = BeautifulSoup(report.simulator_page, "html.parser")
    assert key_figures(section) == key_figures(simulator) != []
    outcome = simulate(scenario_from_dict(report.scenario))
    chance = format_decimal(round(outcome.probability_target_met * 100, 1), locale=lang)
    assert f"{chance} %" in section.select_one(".key-figures").get_text()
    rate_card = section.select("table")[-1]
    assert rate_card.select_one("tbody th").get_text() == "Job <b>&</b>"  # typed text, escaped


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_radar_in_the_pdf_is_drawn_for_labels_of_8_pt_or_more(reports, lang):
    svg = reports[lang].soup.select_one("figure.radar svg")
    width = float(svg["width"].removesuffix("pt"))
    # Wider than the text column, CSS (max-width: 100%) would shrink it, and its labels with it.
    assert width <= CONTENT_WIDTH_PT
    scale = width / float(svg["viewbox"].split()[2])
    sizes = [float(t["font-size"].removesuffix("px")) * scale for t in svg.select("text")]
    assert len(sizes) >= 8 + 5  # the dimension labels and the 20–100 ticks
    assert min(sizes) >= MIN_PRINT_PT, sorted(sizes)[:3]


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_nothing_on_the_first_page_or_the_radars_prints_smaller_than_8_pt(reports, lang):
    for drawn in (reports[lang].first_page, reports[lang].radar_page):
        small = [(text, size) for text, size, x, _y in drawn if x >= 0 and size < MIN_PRINT_PT]
        assert small == []


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_report_opens_with_the_verdict_and_the_three_key_scores(reports, lang):
    first = reports[lang].page_texts[0]
    headings = {
        "da": ("Samlet parathed", "De tre vigtigste scorer", "Gør dette først"),
        "sv": ("Sammantagen beredskap", "De tre viktigaste poängen", "Gör detta först"),
    }
    positions = [first.find(h) for h in headings[lang]]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_first_page_is_filled_down_to_its_bottom(reports, lang):
    report = reports[lang]
    height = float(report.reader.pages[0].mediabox.height)
    footer = 18 / 25.4 * 72  # the bottom margin, where the page number sits
    lines = [y for _text, _s, x, y in report.first_page if x >= 0 and y > footer]
    # Text reaches the bottom fifth of the page: the radar did not push the rest onto page 2.
    assert min(lines) < height / 5, f"page 1 ends {height - min(lines):.0f} pt below its top"


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_what_people_typed_shows_literally_in_the_pdf(reports, lang):
    report = reports[lang]
    text = report.text
    for typed in (ORGANISATION, PROGRAMME, NOTE):
        assert typed in text
    assert not report.soup.select("b"), "typed markup became a tag"


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_links_in_the_pdf_use_the_public_address_whatever_the_host_header(reports, lang):
    report = reports[lang]
    assert report.base_url == f"{PUBLIC}/"
    links = [
        annotation.get_object()["/A"]["/URI"]
        for page in report.reader.pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    ]
    assert links and all(link.startswith(f"{PUBLIC}/{lang}/") for link in links)
    assert FORGED not in report.pdf.decode("latin-1")


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_downloads_are_named_in_the_pages_language(reports, lang):
    report = reports[lang]
    assert report.headers["Content-Disposition"] == (
        f"attachment; filename={PDF_STEM[lang]}-{SLUG}.pdf"
    )
    assert report.headers["Content-Type"] == "application/pdf"
    assert report.png_disposition == f"attachment; filename=radar-{SLUG}.png"
    assert report.json_disposition == f"attachment; filename=svar-{SLUG}.json"
    assert re.fullmatch(r"[\x20-\x7e]+", report.headers["Content-Disposition"])

"""A real spreadsheet program checks every workbook the site gives out: LibreOffice opens it as
written, recalculates its formulas, and gets the figures the pages show.

openpyxl writes formulas without computed values, so what LibreOffice reads back is its own
calculation. One soffice run converts every workbook (it is slow to start); its profile tells it to
recalculate on load, so a stale value could not pass either."""

from __future__ import annotations

import re
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from app.simulator.workbook import workbook_labels
from tests.conftest import empty_tables
from tests.helpers import get_page, text_of
from tests.test_simulator_workbook import NINE_FAMILIES, PAGE, WITH_ECONOMICS, WITH_SAVINGS

SOFFICE = "/usr/bin/soffice"
TEMPLATES = {"da": "/da/skabeloner/", "sv": "/sv/mallar/"}
CALCULATING = ("business-case-ark", "kalkylark", "prisliste", "prislista", "simulator-")
# LibreOffice's "recalculation on file load" for Excel and ODF files: 0 is "always".
RECALCULATE_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


class Book:
    """A workbook as the site wrote it, as LibreOffice computed it, and the page it came from."""

    def __init__(self, data: bytes, computed: Path, lang: str, page=None):  # type: ignore[no-untyped-def]
        self.written = load_workbook(BytesIO(data))
        self.computed = load_workbook(computed, data_only=True) if computed.exists() else None
        self.lang = lang
        self.page = page


def scenario_workbooks(app, client) -> dict:  # type: ignore[no-untyped-def]
    """The simulator's workbook, fetched through each page's own download link."""
    from tests.test_simulator_workbook import saved_scenario_token

    queries = {
        "simulator-da-example": ("da", {}),
        "simulator-sv-example": ("sv", {}),
        "simulator-da-savings": ("da", WITH_SAVINGS),
        "simulator-sv-savings": ("sv", WITH_SAVINGS),
        "simulator-da-threshold": (
            "da",
            {**NINE_FAMILIES, "payment_rule": "threshold", "payment_if_met": "1200000"},
        ),
        "simulator-da-assessment": ("da", {"assessment": saved_scenario_token(app, client)}),
        "simulator-da-economics": ("da", WITH_ECONOMICS),
        "simulator-sv-economics": ("sv", {**WITH_ECONOMICS, "investor": "public_fund"}),
        "simulator-da-municipality": ("da", {**WITH_ECONOMICS, "investor": "municipality"}),
    }
    found = {}
    for name, (lang, query) in queries.items():
        soup = get_page(client, PAGE[lang], query_string=query)
        href = soup.select_one(".simulator-result a.download-link")["href"]
        response = client.get(href)
        assert response.status_code == 200, href
        found[name] = (lang, response.data, soup)
    return found


@pytest.fixture(scope="module")
def books(_sqlite_app, tmp_path_factory) -> dict[str, Book]:  # type: ignore[no-untyped-def]
    """Every template workbook and the simulator's, each after one LibreOffice conversion."""
    if not Path(SOFFICE).exists():
        pytest.fail(f"{SOFFICE} is missing: run 'make test', which installs libreoffice-calc-nogui")
    app, client = _sqlite_app, _sqlite_app.test_client()
    found = {}
    for lang in TEMPLATES:
        for page in app.extensions["library"].list(lang, "templates"):
            if page.download:
                response = client.get(f"{TEMPLATES[lang]}{page.slug}.xlsx")
                assert response.status_code == 200
                found[f"template-{lang}-{page.slug}"] = (lang, response.data, None)
    found.update(scenario_workbooks(app, client))
    empty_tables(app)
    work = tmp_path_factory.mktemp("libreoffice")
    (work / "in").mkdir()
    (work / "profile" / "user").mkdir(parents=True)
    (work / "profile" / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ON_LOAD)
    for name, (_lang, data, _page) in found.items():
        (work / "in" / f"{name}.xlsx").write_bytes(data)
    run = subprocess.run(
        [SOFFICE, "--headless", "--norestore", "--nolockcheck",
         f"-env:UserInstallation={(work / 'profile').as_uri()}",
         "--convert-to", "xlsx", "--outdir", str(work / "out"),
         *sorted(str(p) for p in (work / "in").iterdir())],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert run.returncode == 0 and "Error" not in run.stderr, run.stdout + run.stderr
    return {
        name: Book(data, work / "out" / f"{name}.xlsx", lang, page)
        for name, (lang, data, page) in found.items()
    }


def test_every_workbook_is_one_the_site_gives_out(books):
    templates = [n for n in books if n.startswith("template-")]
    assert len(templates) == 8, "four templates in two languages"
    assert {"simulator-da-savings", "simulator-sv-savings", "simulator-da-assessment"} <= set(books)


def test_libreoffice_opens_every_workbook_as_written_and_computes_every_formula(books):
    for name, book in books.items():
        assert book.computed is not None, f"{name}: LibreOffice produced no file"
        assert book.computed.sheetnames == book.written.sheetnames, name
        formulas = 0
        for sheet in book.written.worksheets:
            computed = book.computed[sheet.title]
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value is None:
                        continue
                    result = computed[cell.coordinate]
                    if cell.data_type == "f":
                        formulas += 1
                        assert result.data_type == "n" and isinstance(result.value, int | float), (
                            f"{name}!{sheet.title}!{cell.coordinate} {cell.value} -> {result.value}"
                        )
                    elif isinstance(cell.value, int | float):
                        assert result.value == pytest.approx(cell.value), (name, cell.coordinate)
                    else:
                        assert result.value == cell.value, (name, cell.coordinate)
        if any(part in name for part in CALCULATING):
            assert formulas >= 5, f"{name}: expected formulas, found {formulas}"


def rows_under(sheet, headings: list[str]) -> list[dict]:  # type: ignore[no-untyped-def]
    """The table rows under the heading row (row 3), as {heading: value}, until an empty row."""
    at = {cell.value: cell.column for cell in sheet[3] if cell.value}
    found = []
    for r in range(4, sheet.max_row + 1):
        if sheet.cell(row=r, column=1).value is None:
            break
        found.append({h: sheet.cell(row=r, column=at[h]).value for h in headings})
    return found


def totals(sheet, column: str) -> dict:  # type: ignore[no-untyped-def]
    """The labels in column A under the table and the figure beside each in the given column."""
    letter = next(cell.column_letter for cell in sheet[3] if cell.value == column)
    return {sheet[f"A{r}"].value: sheet[f"{letter}{r}"].value for r in range(4, sheet.max_row + 1)}


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("template-da-business-case-ark",
         ("Udgift eller gevinst", "Sektor (kommune, region, stat)", "Antal", "Enhedspris (kr.)",
          "I alt (kr.)", "Udgift", "Gevinst", ("Kommune", "Region", "Stat"),
          ("Udgifter i alt", "Gevinster i alt", "Nettogevinst (gevinster minus udgifter)"),
          ("Heraf gevinst for kommunen", "Heraf gevinst for regionen",
           "Heraf gevinst for staten"))),
        ("template-sv-kalkylark",
         ("Kostnad eller vinst", "Sektor (kommun, region, stat)", "Antal", "Enhetskostnad (kr)",
          "Summa (kr)", "Kostnad", "Vinst", ("Kommun", "Region", "Stat"),
          ("Summa kostnader", "Summa vinster", "Nettovinst (vinster minus kostnader)"),
          ("Därav vinst för kommunen", "Därav vinst för regionen", "Därav vinst för staten"))),
    ],
)  # fmt: skip
def test_the_business_cases_totals_are_number_times_unit_price(books, name, words):
    kind, sector, count, price, amount, cost, gain, sectors, sums, shares = words
    sheet = books[name].computed.active
    rows = rows_under(sheet, [kind, sector, count, price, amount])
    assert len(rows) >= 5
    for row in rows:
        assert row[amount] == pytest.approx(row[count] * row[price])
    figures = totals(sheet, amount)
    costs = sum(r[amount] for r in rows if r[kind] == cost)
    gains = sum(r[amount] for r in rows if r[kind] == gain)
    assert costs > 0 and gains > 0
    assert [figures[s] for s in sums] == pytest.approx([costs, gains, gains - costs])
    for place, label in zip(sectors, shares, strict=True):
        expected = sum(r[amount] for r in rows if r[kind] == gain and r[sector] == place)
        assert figures[label] == pytest.approx(expected), label


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("template-da-prisliste-betalingsmaal",
         ("Betaling (kr.)", "Forventet succesrate", "Forventet betaling pr. deltager (kr.)",
          "Forventet betaling pr. deltager i alt")),
        ("template-sv-prislista-betalningsmal",
         ("Betalning (kr)", "Förväntad framgångsgrad", "Förväntad betalning per deltagare (kr)",
          "Summa förväntad betalning per deltagare")),
    ],
)  # fmt: skip
def test_the_rate_cards_expected_payment_is_payment_times_success_rate(books, name, words):
    payment, rate, expected, total = words
    sheet = books[name].computed.active
    rows = rows_under(sheet, [payment, rate, expected])
    assert len(rows) == 5
    for row in rows:
        assert row[expected] == pytest.approx(row[payment] * row[rate])
    assert totals(sheet, expected)[total] == pytest.approx(sum(r[expected] for r in rows))


# --- the simulator: the workbook's computed figures are the page's -------------------------------


def number(text: str) -> tuple[float, float]:
    """A figure as the page writes it ("1.234.567 kr.", "62,4 %", "2 500", "−5,8") and the
    rounding it was written with."""
    plain = text.replace("kr.", "").replace("kr", "").replace("%", "").strip()
    plain = plain.replace("−", "-").replace("\xa0", "").replace("\u202f", "").replace(" ", "")
    plain = plain.replace(".", "").replace(",", ".")
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    return float(plain), 0.5 * 10**-decimals + 1e-9


def same_figure(shown: str, value: object, scale: float = 1.0) -> bool:
    """Whether a computed value, written the page's way, is what the page shows."""
    if shown.strip() == "–":
        return value == "–"
    if "%" in shown:
        scale = 100.0
    figure, tolerance = number(shown)
    return isinstance(value, int | float) and abs(value * scale - figure) <= tolerance


def labelled(sheet) -> dict:  # type: ignore[no-untyped-def]
    """Column A's labels and the value beside each (the scenario sheet is label | value)."""
    return {row[0]: row[1] for row in sheet.iter_rows(max_col=2, values_only=True) if row[0]}


SIMULATOR_BOOKS = [
    "simulator-da-example",
    "simulator-sv-example",
    "simulator-da-savings",
    "simulator-sv-savings",
    "simulator-da-threshold",
    "simulator-da-assessment",
    "simulator-da-economics",
    "simulator-sv-economics",
    "simulator-da-municipality",
]
ECONOMICS_BOOKS = ["simulator-da-economics", "simulator-sv-economics", "simulator-da-municipality"]


@pytest.mark.parametrize("name", SIMULATOR_BOOKS)
def test_the_simulators_workbook_recalculates_to_the_pages_key_figures(books, name):
    book = books[name]
    computed = labelled(book.computed.worksheets[0])
    rows = book.page.select(".key-figures tbody tr")
    assert len(rows) == 10
    for row in rows:
        label, shown = row.th.get_text(strip=True), row.td.get_text(strip=True)
        assert label in computed, f"{name}: the workbook lacks {label!r}"
        assert same_figure(shown, computed[label]), f"{name}: {label}: {shown} ≠ {computed[label]}"


@pytest.mark.parametrize("name", SIMULATOR_BOOKS)
def test_the_simulators_sensitivity_table_is_the_pages(books, name):
    book = books[name]
    shown = [
        [cell.get_text(strip=True) for cell in tr.select("th, td")]
        for tr in book.page.select(".sensitivity-table tbody tr")
    ]
    computed = list(book.computed.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert len(computed) == len(shown) >= 2
    for page_row, sheet_row in zip(shown, computed, strict=True):
        assert page_row[0] == sheet_row[0]
        new_value = sheet_row[1]
        assert same_figure(page_row[1], new_value), (name, page_row, sheet_row)
        assert same_figure(page_row[2], sheet_row[2], scale=100), (name, page_row, sheet_row)
        assert same_figure(page_row[3], sheet_row[3]), (name, page_row, sheet_row)


@pytest.mark.parametrize("name", ["simulator-da-savings", "simulator-sv-savings", *ECONOMICS_BOOKS])
def test_the_simulators_rate_card_is_the_pages_with_expected_payments_computed(books, name):
    book = books[name]
    caption = {"da": "Prisliste", "sv": "Prislista"}[book.lang]
    table = next(t for t in book.page.select("table") if text_of(t, "caption") == caption)
    shown = [
        [cell.get_text(strip=True) for cell in tr.select("th, td")]
        for tr in table.select("tbody tr")
    ]
    computed = list(book.computed.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert len(shown) == 2
    for page_row, sheet_row in zip(shown, computed[: len(shown)], strict=True):
        goal, payment, source, rate, baseline, lag, expected = page_row
        assert sheet_row[0] == goal and (sheet_row[2] or "") == source
        assert same_figure(payment, sheet_row[1]) and same_figure(rate, sheet_row[3])
        assert same_figure(baseline, sheet_row[4]) and same_figure(lag, sheet_row[5])
        assert same_figure(expected, sheet_row[6]), (name, page_row, sheet_row)
    total = computed[len(shown) + 1][6]
    assert total == pytest.approx(sum(row[6] for row in computed[: len(shown)]))


@pytest.mark.parametrize("name", ["simulator-da-savings", "simulator-sv-savings", *ECONOMICS_BOOKS])
def test_the_simulators_net_present_values_are_the_pages(books, name, app):
    book = books[name]
    with app.test_request_context(), force_locale(book.lang):
        labels = workbook_labels()
    sentence = next(
        p.get_text(" ", strip=True)
        for p in book.page.select(".result-sentence")
        if re.match(r"^(Over|Över) \d+ år", p.get_text(strip=True))
    )
    amounts = re.findall(r"[−-]?\d[\d.\s\xa0\u202f]*(?:,\d+)? kr", sentence)
    share = re.search(r"(\d+(?:,\d+)?) %", sentence).group(0)
    computed = labelled(book.computed.worksheets[0])
    assert same_figure(amounts[0], computed[labels["npv_municipality"]]), (sentence, computed)
    assert same_figure(amounts[1], computed[labels["npv_public_sector"]]), (sentence, computed)
    assert same_figure(share, computed[labels["share_outside"]]), (sentence, computed)


def test_the_workbook_from_an_assessment_holds_the_saved_scenario(books):
    book = books["simulator-da-assessment"]
    computed = labelled(book.computed.worksheets[0])
    assert computed["Antal deltagere"] == 9 and computed["Pris pr. deltager"] == 100000
    assert computed["Investering"] == 900000


@pytest.mark.parametrize("name", SIMULATOR_BOOKS)
def test_the_simulators_cash_flow_recalculates_to_the_pages_tables_and_present_values(
    books, name, app
):
    book = books[name]
    with app.test_request_context(), force_locale(book.lang):
        labels = workbook_labels()
    sheet = book.computed[labels["cash_flow_sheet"]]
    start = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == labels["year"])
    rows = [
        row for row in sheet.iter_rows(min_row=start + 1, values_only=True) if row[0] is not None
    ]
    *years, total = rows
    columns = (len(total) - 2) // 2
    # The years as the page shows them, nominal and (when it discounts) today's value.
    for kind, offset in (("nominal", 2), ("today", 2 + columns)):
        table = book.page.select_one(f"#cash-flow-{kind}")
        if table is None:
            assert kind == "today" and all(row[1] == 1 for row in years), name
            continue
        shown = [
            [c.get_text(strip=True) for c in tr.select("td")] for tr in table.select("tbody tr")
        ]
        assert len(shown) == len(years), name
        for page_row, sheet_row in zip(shown, years, strict=True):
            for i, text in enumerate(page_row):
                assert same_figure(text, sheet_row[offset + i]), (name, kind, page_row, sheet_row)
    # The totals are the scenario sheet's investment and, discounted, its present values.
    scenario = labelled(book.computed.worksheets[0])
    assert total[2] == pytest.approx(scenario[labels["investment"]])
    assert total[3] == pytest.approx(scenario[labels["expected_payment"]])
    if labels["present_value_payments"] in scenario:
        assert total[2 + columns] == pytest.approx(scenario[labels["present_value_cost"]])
        assert total[3 + columns] == pytest.approx(scenario[labels["present_value_payments"]])

"""Templates download as spreadsheets that open, with headings in the page's language."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
import yaml
from openpyxl import load_workbook

from app.core.content import ContentError, parse_page
from app.core.sheets import build_workbook, clean_text, columns_of, validate_download
from app.i18n import LANGUAGES
from tests.helpers import get_page


def test_every_template_downloads_and_opens_with_its_headings(app, client):
    library = app.extensions["library"]
    checked = 0
    for lang in LANGUAGES:
        for page in library.list(lang, "templates"):
            if not page.download:
                continue
            path = {"da": "/da/skabeloner/", "sv": "/sv/mallar/"}[lang] + page.slug
            soup = get_page(client, path)
            link = soup.select_one("a.download-link")
            assert link is not None and link["href"] == f"{path}.xlsx"
            response = client.get(link["href"])
            assert response.status_code == 200
            assert response.mimetype.endswith("spreadsheetml.sheet")
            assert f"{page.slug}.xlsx" in response.headers["Content-Disposition"]
            sheet = load_workbook(BytesIO(response.data)).active
            assert sheet.title == page.download["sheet"]
            assert sheet["A1"].value == page.title
            columns = columns_of(page.download)
            headings = [cell.value for cell in sheet[3]][: len(columns)]
            assert headings == [c["heading"] for c in columns]
            checked += 1
    assert checked >= 2 * 2, "expected at least the rate card and business case in both languages"


def test_a_downloaded_sheet_is_built_once_and_then_served_from_memory(app, client):
    page = next(p for p in app.extensions["library"].list("da", "templates") if p.download)
    client.get(f"/da/skabeloner/{page.slug}.xlsx")
    cached = app.extensions["sheets"][("da", page.slug)]
    assert client.get(f"/da/skabeloner/{page.slug}.xlsx").data == cached


def test_text_that_looks_like_a_formula_stays_text():
    data = build_workbook(
        '=HYPERLINK("x")',
        {"sheet": "S", "columns": ["=1+1", "B"], "rows": [["@cmd", 5]], "notes": ["-note"]},
    )
    sheet = load_workbook(BytesIO(data)).active
    assert sheet["A1"].value == '=HYPERLINK("x")' and sheet["A1"].data_type == "s"
    assert sheet["A3"].data_type == "s" and sheet["A4"].data_type == "s"
    assert sheet["B4"].value == 5


def test_a_template_without_a_spreadsheet_has_no_download(client):
    assert client.get("/da/skabeloner/findes-ikke.xlsx").status_code == 404


# --- the business case and the rate card calculate ------------------------------------------------

BUSINESS_CASE = {"da": "/da/skabeloner/business-case-ark.xlsx", "sv": "/sv/mallar/kalkylark.xlsx"}
RATE_CARD = {
    "da": "/da/skabeloner/prisliste-betalingsmaal.xlsx",
    "sv": "/sv/mallar/prislista-betalningsmal.xlsx",
}
KRONER = {"da": '#,##0 "kr."', "sv": '#,##0 "kr"'}


def downloaded(client, url: str):  # type: ignore[no-untyped-def]
    """The downloaded template's sheet and its headings, column letter by heading."""
    response = client.get(url)
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    return sheet, {cell.value: cell.column_letter for cell in sheet[3] if cell.value}


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_business_cases_amount_is_number_times_unit_price_on_every_row(client, lang):
    sheet, at = downloaded(client, BUSINESS_CASE[lang])
    count, price, amount = (
        ("Antal", "Enhedspris (kr.)", "I alt (kr.)")
        if lang == "da"
        else ("Antal", "Enhetskostnad (kr)", "Summa (kr)")
    )
    rows = [r for r in range(4, sheet.max_row + 1) if isinstance(sheet[f"D{r}"].value, int)]
    assert len(rows) >= 5
    for r in rows:
        cell = sheet[f"{at[amount]}{r}"]
        assert cell.data_type == "f" and cell.value == f"={at[count]}{r}*{at[price]}{r}"
        assert cell.number_format == KRONER[lang]
        assert sheet[f"{at[price]}{r}"].number_format == KRONER[lang]
        assert sheet[f"{at[count]}{r}"].number_format == "#,##0"
    labels = {
        sheet[f"A{r}"].value: sheet[f"{at[amount]}{r}"]
        for r in range(rows[-1] + 1, sheet.max_row + 1)
    }
    net = {
        "da": "Nettogevinst (gevinster minus udgifter)",
        "sv": "Nettovinst (vinster minus kostnader)",
    }
    costs = {"da": "Udgifter i alt", "sv": "Summa kostnader"}[lang]
    first, last = rows[0], rows[-1] + 1  # the empty row under the table is in every sum
    assert labels[costs].value.startswith(f"=SUMIFS({at[amount]}{first}:{at[amount]}{last},")
    assert labels[net[lang]].data_type == "f"


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_rate_cards_success_rates_are_percentages_and_payments_kroner(client, lang):
    sheet, at = downloaded(client, RATE_CARD[lang])
    payment, rate, expected = (
        ("Betaling (kr.)", "Forventet succesrate", "Forventet betaling pr. deltager (kr.)")
        if lang == "da"
        else ("Betalning (kr)", "Förväntad framgångsgrad", "Förväntad betalning per deltagare (kr)")
    )
    for r in range(4, 9):
        assert sheet[f"{at[rate]}{r}"].number_format == "0.0 %"
        assert 0 < sheet[f"{at[rate]}{r}"].value < 1
        assert sheet[f"{at[payment]}{r}"].number_format == KRONER[lang]
        assert sheet[f"{at[expected]}{r}"].value == f"={at[payment]}{r}*{at[rate]}{r}"
    notes = " ".join(str(sheet[f"A{r}"].value) for r in range(10, sheet.max_row + 1))
    assert "0,6 = 60" not in notes and "60 %" in notes, "the notes describe the percent format"


def structure(download: dict) -> tuple:
    """What must agree between the languages: formats, names, formulas, choice counts, totals."""
    columns = tuple(
        (c.get("id"), c.get("format"), c.get("formula"), len(c.get("choices") or ()))
        for c in columns_of(download)
    )
    totals = tuple(
        (t.get("id"), t.get("sum"), tuple(t.get("where") or ()), t.get("formula"))
        for t in download.get("totals") or ()
    )
    return columns, totals, len(download.get("notes") or ())


def test_both_languages_templates_have_the_same_columns_formulas_and_totals(app):
    library = app.extensions["library"]
    for page in library.list("da", "templates"):
        other = library.by_key("sv", "templates", page.key)
        assert (page.download is None) == (other.download is None), page.key
        if page.download:
            assert structure(page.download) == structure(other.download), page.key


# --- the format content editors write -------------------------------------------------------------


def test_a_declared_format_and_formula_become_number_formats_and_formulas():
    download = {
        "sheet": "S",
        "columns": [
            "Item",
            {"heading": "When", "format": "date"},
            {"heading": "Count", "id": "n", "format": "integer"},
            {"heading": "Share", "id": "share", "format": "percent"},
            {"heading": "Price", "id": "price", "format": "kroner"},
            {"heading": "Total", "id": "total", "format": "kroner", "formula": "n × price × share"},
        ],
        "rows": [
            ["a", datetime.date(2026, 1, 31), 2, 0.5, 100],
            ["b", datetime.date(2026, 2, 1), 3, 1, 10],
        ],
        "totals": [
            {"label": "All", "id": "all", "sum": "total"},
            {"label": "Half", "formula": "all / 2"},
        ],
    }
    assert validate_download(download, "x.md") is None
    for lang, kroner, date in (
        ("da", '#,##0 "kr."', "dd-mm-yyyy"),
        ("sv", '#,##0 "kr"', "yyyy-mm-dd"),
    ):
        sheet = load_workbook(BytesIO(build_workbook("T", download, lang))).active
        assert sheet["B4"].number_format == date and sheet["B4"].is_date
        assert sheet["C4"].number_format == "#,##0" and sheet["D4"].number_format == "0.0 %"
        assert sheet["E4"].number_format == kroner and sheet["F4"].number_format == kroner
        assert sheet["F4"].value == "=C4*E4*D4" and sheet["F5"].value == "=C5*E5*D5"
        assert sheet["A7"].value == "All" and sheet["F7"].value == "=SUM(F4:F6)"
        assert sheet["A8"].value == "Half" and sheet["F8"].value == "=F7/2"


GOOD = {
    "sheet": "S",
    "columns": ["Item", {"heading": "Count", "id": "n", "format": "integer"},
                {"heading": "Price", "id": "p", "format": "kroner"},
                {"heading": "Total", "id": "t", "formula": "n * p"}],
    "rows": [["a", 2, 100]],
    "totals": [{"label": "All", "sum": "t"}],
}  # fmt: skip


def changed(**fields) -> dict:
    """GOOD with some fields replaced; `column_3` replaces the fourth column."""
    download = {**GOOD, "columns": list(GOOD["columns"])}
    for name, value in fields.items():
        if name.startswith("column_"):
            download["columns"][int(name[7:])] = value
        else:
            download[name] = value
    return download


KIND = {"heading": "Kind", "id": "k", "choices": ["A", "B"]}
RATE = {"heading": "Rate", "id": "n", "format": "percent"}


def total(formula: str) -> dict:
    """The fourth column with another formula."""
    return changed(column_3={"heading": "Total", "formula": formula})


@pytest.mark.parametrize(
    ("download", "reason"),
    [
        (changed(total=[]), "'download' has an unknown field 'total'"),
        (changed(column_1={"heading": "N", "fromat": "integer"}), "unknown field 'fromat'"),
        (changed(column_1={"heading": "N", "format": "money"}), "'format' 'money' is not one of"),
        (changed(column_1={"heading": "N", "id": "N"}), "'id' must be lower-case"),
        (total("n * price"), "uses 'price', which is not the id"),
        (total("n * (p"), "a bracket is not closed"),
        (total("n * p;SUM(A1)"), "cannot read ';SUM(A1)'"),
        (total("n p"), "unexpected 'p'"),
        (total("hyperlink(p)"), "unexpected '('"),
        (total("n *"), "the formula ends too early"),
        (total("t * 2"), "uses 't'"),
        (changed(rows=[["a", 2, 100, 200]]), "row 1 must have 3 entries, one per column without"),
        (changed(rows=[["a", 2.5, 100]]), "row 1, column 'Count': write a whole number"),
        (changed(rows=[["a", "two", 100]]), "row 1, column 'Count': write a number"),
        (changed(column_1=RATE, rows=[["a", 60, 1]]), "0.6 is 60 %"),
        (changed(totals=[{"label": "All", "sum": "x"}]), "'sum' 'x' is not the id of a number"),
        (changed(totals=[{"label": "All"}]), "needs either 'sum'"),
        (
            changed(totals=[{"label": "Z", "formula": "all"}]),
            "uses 'all', which is not the id of a",
        ),
        (
            changed(
                column_0=KIND,
                rows=[["A", 2, 100]],
                totals=[{"label": "X", "sum": "t", "where": {"k": "C"}}],
            ),
            "'where' value for 'k' must be one of",
        ),
        (changed(column_0=KIND), "'a' is not one of the column's choices"),
        (changed(column_0={**KIND, "choices": ["A,B"]}), "'choices' must be a list of words"),
    ],
)
def test_a_broken_download_block_is_refused_with_the_file_and_the_reason(download, reason):
    assert validate_download(GOOD, "x.md") is None
    front = yaml.safe_dump(
        {"key": "k", "title": "T", "summary": "S", "order": 1, "download": download}
    )
    text = f"---\n{front}---\n\nText.\n"
    with pytest.raises(ContentError) as error:
        parse_page(text, kind="templates", lang="da", slug="t", source="da/templates/t.md")
    assert str(error.value).startswith("da/templates/t.md: ")
    assert reason in str(error.value)


# --- no text breaks a workbook or becomes a formula -----------------------------------------------


def test_characters_an_xlsx_cannot_hold_are_removed_from_every_text():
    nasty = "".join(chr(c) for c in range(32)) + "\ufffe\uffff"
    download = {
        "sheet": "S",
        "columns": ["A" + nasty, "B"],
        "rows": [["x\x01y", "\x1b=1+1"]],
        "notes": ["n\x00"],
    }
    sheet = load_workbook(BytesIO(build_workbook("T\x02", download))).active
    assert sheet["A1"].value == "T" and set(sheet["A3"].value) == {"A", "\t", "\n"}
    assert sheet["A4"].value == "xy" and sheet["A6"].value == "n"
    assert sheet["B4"].value == "=1+1" and sheet["B4"].data_type == "s"


def test_every_character_openpyxl_refuses_is_removed():
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    refused = "".join(chr(c) for c in range(0x10000) if ILLEGAL_CHARACTERS_RE.match(chr(c)))
    assert refused and clean_text(refused) == ""


def test_a_word_a_total_counts_is_quoted_inside_its_formula():
    download = {
        "sheet": "S",
        "columns": [
            "Item",
            {"heading": "Kind", "id": "k"},
            {"heading": "N", "id": "n", "format": "integer"},
        ],
        "rows": [['Say "hi"', 'a"b', 2]],
        "totals": [{"label": "Quoted", "sum": "n", "where": {"k": 'a"b'}}],
    }
    assert validate_download(download, "x.md") is None
    sheet = load_workbook(BytesIO(build_workbook("T", download))).active
    assert sheet["A6"].value == "Quoted" and sheet["C6"].value == '=SUMIFS(C4:C5,B4:B5,"a""b")'

"""Templates download as spreadsheets that open, with headings in the page's language."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from app.core.sheets import build_workbook
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
            headings = [cell.value for cell in sheet[3]][: len(page.download["columns"])]
            assert headings == page.download["columns"]
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

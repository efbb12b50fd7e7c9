"""Spreadsheet templates: a template page's `download` block turned into an XLSX file."""

from __future__ import annotations

from io import BytesIO
from typing import Any

FORMULA_START = ("=", "+", "-", "@")


def build_workbook(title: str, download: dict[str, Any]) -> bytes:
    """An XLSX file with the page title, the column headings, the example rows and the notes."""
    from openpyxl import Workbook  # imported here: only a download pays for it
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = download["sheet"]
    put(sheet, 1, 1, title).font = Font(bold=True, size=14)
    header_row = 3
    for col, heading in enumerate(download["columns"], start=1):
        cell = put(sheet, header_row, col, heading)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        sheet.column_dimensions[cell.column_letter].width = max(18, min(45, len(heading) + 6))
    for r, row in enumerate(download.get("rows", []), start=header_row + 1):
        for col, value in enumerate(row, start=1):
            put(sheet, r, col, value).alignment = Alignment(wrap_text=True, vertical="top")
    notes_row = header_row + len(download.get("rows", [])) + 2
    for i, note in enumerate(download.get("notes", [])):
        put(sheet, notes_row + i, 1, note).font = Font(italic=True)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def put(sheet: Any, row: int, col: int, value: Any) -> Any:
    """Write a value; text that looks like a formula stays text (no formula injection)."""
    cell = sheet.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
    return cell


def validate_download(download: Any, source: str) -> str | None:
    """The reason a `download` block is unusable, or None when it is fine."""
    if not isinstance(download, dict):
        return "'download' must be a mapping"
    sheet = download.get("sheet")
    if not isinstance(sheet, str) or not 0 < len(sheet) <= 31 or set(sheet) & set("[]:*?/\\"):
        return "'download.sheet' must be a name of 1–31 characters without []:*?/\\"
    columns = download.get("columns")
    if not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns):
        return "'download.columns' must be a list of headings"
    for i, row in enumerate(download.get("rows", []) or [], start=1):
        if not isinstance(row, list) or len(row) != len(columns):
            return f"'download.rows' row {i} must have {len(columns)} entries"
        if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in row):
            return f"'download.rows' row {i} may hold only text and numbers"
    notes = download.get("notes", []) or []
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        return "'download.notes' must be a list of text lines"
    return None


def build_scenario_workbook(labels: dict[str, str], rows: list[tuple], card: list[dict]) -> bytes:
    """A payment-model scenario: its figures on one sheet, its rate card on another."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = labels["sheet"][:31]
    put(sheet, 1, 1, labels["title"]).font = Font(bold=True, size=14)
    put(sheet, 3, 1, labels["input"]).font = Font(bold=True)
    put(sheet, 3, 2, labels["value"]).font = Font(bold=True)
    for r, (name, value) in enumerate(rows, start=4):
        put(sheet, r, 1, name)
        put(sheet, r, 2, value)
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 22
    cards = workbook.create_sheet(labels["card_sheet"][:31])
    headings = ["goal", "goal_payment", "data_source", "goal_rate", "goal_expected"]
    for col, key in enumerate(headings, start=1):
        put(cards, 1, col, labels[key]).font = Font(bold=True)
        cards.column_dimensions[cards.cell(row=1, column=col).column_letter].width = 26
    for r, row in enumerate(card, start=2):
        values = [
            row["goal"],
            row["payment"],
            row["data_source"],
            row["success_rate"],
            row["expected_payment"],
        ]
        for col, value in enumerate(values, start=1):
            put(cards, r, col, value)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

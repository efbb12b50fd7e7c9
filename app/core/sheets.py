"""Spreadsheets: a template page's `download` block as an XLSX file, and the writer every workbook
of the site goes through.

Only this code writes formulas (a `Formula`); text from a content file or a visitor is always
written as text, without the characters XML 1.0 cannot hold, so no input can turn into a formula or
break a file. Content editors declare formulas in a small language of column names, numbers,
+ − × / and brackets, which is checked here and translated into cell references.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

# What XML 1.0 cannot hold: openpyxl's ILLEGAL_CHARACTERS_RE (C0 controls but tab, newline and
# carriage return), plus lone surrogates and the two non-characters U+FFFE and U+FFFF.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_CELL_TEXT = 32_767  # the most a cell holds in Excel

FORMATS = ("text", "integer", "number", "kroner", "percent", "date")
NUMERIC = ("integer", "number", "kroner", "percent")
# Number formats in the file's own notation: Excel and LibreOffice show "," and "." in the reader's
# locale. Danish writes "kr." and dates 31-01-2026, Swedish "kr" and 2026-01-31.
CURRENCY = {"da": "kr.", "sv": "kr"}
DATE_FORMAT = {"da": "dd-mm-yyyy", "sv": "yyyy-mm-dd"}

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
TOKEN_RE = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[a-z][a-z0-9_]*)|(?P<op>[-+*/()×−·]))"
)
SAME_OPERATOR = {"×": "*", "·": "*", "−": "-"}
REFERENCE_RE = re.compile(r"\{([a-z0-9_.]+)\}")


def number_format(kind: str | None, lang: str) -> str | None:
    """The cell format for a kind of figure in a language (None: as the program sees fit)."""
    formats = {
        "integer": "#,##0",
        "number": "#,##0.0",
        "kroner": f'#,##0 "{CURRENCY.get(lang, "kr.")}"',
        "percent": "0.0 %",
        "date": DATE_FORMAT.get(lang, "yyyy-mm-dd"),
        "factor": "0.000",  # a present-value factor; not offered to content files
    }
    return formats.get(kind or "")


# --- the writer --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A formula this code wrote, never a person; `{name}` stands for the cell named so."""

    text: str


@dataclass(frozen=True)
class Cell:
    """A value (text, number, date or Formula), its number format, a name, and a style."""

    value: Any = None
    format: str | None = None  # one of FORMATS
    name: str | None = None  # formulas elsewhere in the workbook refer to it as {name}
    style: str | None = None  # title, heading, total, note or wrap


@dataclass
class Sheet:
    """One sheet as rows of cells, built from the top down."""

    title: str
    rows: list[list[Cell | None]] = field(default_factory=list)
    widths: tuple[int, ...] = ()
    freeze_below: int | None = None  # the row under which the sheet stays frozen
    choices: list[tuple[int, int, int, tuple[str, ...]]] = field(default_factory=list)

    def add(self, *cells: Cell | None) -> int:
        """Append a row (an empty one without cells) and return its number, counted from 1."""
        self.rows.append(list(cells))
        return len(self.rows)

    @property
    def next_row(self) -> int:
        """The number the next added row gets."""
        return len(self.rows) + 1


def column_letter(number: int) -> str:
    """A column's letters: 1 is A, 27 is AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def clean_text(text: str) -> str:
    """Text without the characters an XLSX file cannot hold, cut to what a cell holds."""
    return NOT_IN_XML.sub("", text)[:MAX_CELL_TEXT]


def put(sheet: Any, row: int, col: int, value: Any) -> Any:
    """Write a value; only a Formula becomes a formula, and text that looks like one stays text."""
    cell = sheet.cell(row=row, column=col)
    if isinstance(value, Formula):
        cell.value = "=" + value.text
        return cell
    if isinstance(value, str):
        value = clean_text(value)
    elif isinstance(value, float) and not math.isfinite(value):
        value = "–"  # no number to show; NaN or infinity would make the file need repair
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text, even when it starts with = + - @
    return cell


def write_workbook(sheets: list[Sheet], lang: str) -> bytes:
    """The sheets as an XLSX file, with `{name}` in formulas turned into cell references."""
    from openpyxl import Workbook  # imported here: only a download pays for it
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    where: dict[str, tuple[str, str]] = {}
    for sheet in sheets:
        for r, row in enumerate(sheet.rows, start=1):
            for c, cell in enumerate(row, start=1):
                if cell is not None and cell.name:
                    if cell.name in where:
                        raise ValueError(f"two cells are named {cell.name!r}")
                    where[cell.name] = (sheet.title[:31], f"${column_letter(c)}${r}")

    def resolve(formula: Formula, on: str) -> Formula:
        def reference(match: re.Match) -> str:
            title, address = where[match.group(1)]
            return address if title == on else "'" + title.replace("'", "''") + "'!" + address

        return Formula(REFERENCE_RE.sub(reference, formula.text))

    styles = {
        "title": {"font": Font(bold=True, size=14)},
        "heading": {
            "font": Font(bold=True),
            "fill": PatternFill("solid", fgColor="DDE6F0"),
            "alignment": Alignment(wrap_text=True, vertical="top"),
        },
        "total": {"font": Font(bold=True), "border": Border(top=Side(style="thin"))},
        "note": {"font": Font(italic=True)},
        "wrap": {"alignment": Alignment(wrap_text=True, vertical="top")},
    }
    workbook = Workbook()
    workbook.remove(workbook.active)
    for spec in sheets:
        title = spec.title[:31]  # the most a sheet's name may hold
        sheet = workbook.create_sheet(title)
        for r, row in enumerate(spec.rows, start=1):
            for c, cell in enumerate(row, start=1):
                if cell is None:
                    continue
                value = (
                    resolve(cell.value, title) if isinstance(cell.value, Formula) else cell.value
                )
                written = put(sheet, r, c, value)
                shown = number_format(cell.format, lang)
                if shown and not isinstance(value, str):
                    written.number_format = shown
                for attribute, style in styles.get(cell.style or "", {}).items():
                    setattr(written, attribute, style)
        for c, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[column_letter(c)].width = width
        if spec.freeze_below:
            sheet.freeze_panes = sheet.cell(row=spec.freeze_below + 1, column=1)
        for c, first, last, options in spec.choices:
            rule = DataValidation(type="list", formula1='"' + ",".join(options) + '"')
            rule.add(f"{column_letter(c)}{first}:{column_letter(c)}{last}")
            sheet.add_data_validation(rule)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- templates: the `download` block of a template page ----------------------------------------

COLUMN_FIELDS = ("heading", "id", "format", "formula", "choices")
TOTAL_FIELDS = ("label", "id", "sum", "where", "formula")
DOWNLOAD_FIELDS = ("sheet", "columns", "rows", "totals", "notes")


def columns_of(download: dict[str, Any]) -> list[dict[str, Any]]:
    """The columns as mappings: a plain heading is a text column without a name."""
    return [{"heading": c} if isinstance(c, str) else c for c in download["columns"]]


def build_workbook(title: str, download: dict[str, Any], lang: str = "da") -> bytes:
    """An XLSX file with the page title, the headings, the example rows, totals and notes."""
    return write_workbook([template_sheet(title, download)], lang)


def template_sheet(title: str, download: dict[str, Any]) -> Sheet:
    """A template's sheet: formula columns per row, totals below, then the notes."""
    columns = columns_of(download)
    letters = {c["id"]: column_letter(i) for i, c in enumerate(columns, start=1) if "id" in c}
    sheet = Sheet(
        download["sheet"],
        widths=tuple(max(18, min(45, len(c["heading"]) + 6)) for c in columns),
    )
    sheet.add(Cell(title, style="title"))
    sheet.add()
    header = sheet.add(*(Cell(c["heading"], style="heading") for c in columns))
    sheet.freeze_below = header
    for values in download.get("rows") or []:
        r = sheet.next_row
        given = iter(values)
        cells = []
        for c in columns:
            if "formula" in c:
                refs = {name: f"{letter}{r}" for name, letter in letters.items()}
                formula = Formula(expression_formula(c["formula"], refs))
                cells.append(Cell(formula, format=c.get("format", "number")))
            else:
                cells.append(Cell(next(given), format=c.get("format"), style="wrap"))
        sheet.add(*cells)
    # One empty row inside every total's range: a row inserted there is counted too.
    first, last = header + 1, sheet.add()
    for i, c in enumerate(columns, start=1):
        if c.get("choices"):
            sheet.choices.append((i, first, last, tuple(c["choices"])))
    totals = download.get("totals") or []
    placed: dict[str, tuple[str, str]] = {}  # a total's id: its column's id and its cell
    for total in totals:
        r = sheet.next_row
        if "sum" in total:
            column = total["sum"]
            formula = sum_formula(letters, column, first, last, total.get("where") or {})
        else:
            names = [v for kind, v in parse_expression(total["formula"]) if kind == "name"]
            column = placed[names[0]][0]
            formula = expression_formula(
                total["formula"], {name: cell for name, (_col, cell) in placed.items()}
            )
        at = _position(columns, column)
        row: list[Cell | None] = [None] * len(columns)
        row[0] = Cell(total["label"], style="total")
        row[at] = Cell(Formula(formula), format=columns[at].get("format", "number"), style="total")
        sheet.add(*row)
        if "id" in total:
            placed[total["id"]] = (column, f"{letters[column]}{r}")
    notes = download.get("notes") or []
    if notes and totals:
        sheet.add()
    for note in notes:
        sheet.add(Cell(note, style="note"))
    return sheet


def _position(columns: list[dict[str, Any]], name: str) -> int:
    """The index of the column with this id."""
    return next(i for i, c in enumerate(columns) if c.get("id") == name)


def sum_formula(letters: dict[str, str], column: str, first: int, last: int, where: dict) -> str:
    """SUM of a column's rows, or SUMIFS where other columns hold the given values."""
    target = f"{letters[column]}{first}:{letters[column]}{last}"
    if not where:
        return f"SUM({target})"
    conditions = "".join(
        f",{letters[name]}{first}:{letters[name]}{last},{quoted(str(value))}"
        for name, value in where.items()
    )
    return f"SUMIFS({target}{conditions})"


def quoted(text: str) -> str:
    """Text as a string inside a formula."""
    return '"' + text.replace('"', '""') + '"'


def parse_expression(text: str) -> list[tuple[str, str]]:
    """The tokens of a formula over names (numbers, names, + − × / and brackets), or ValueError."""
    tokens: list[tuple[str, str]] = []
    text, pos = text.rstrip(), 0
    while pos < len(text):
        match = TOKEN_RE.match(text, pos)
        if not match:
            raise ValueError(f"cannot read {text[pos:].strip()[:12]!r}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        tokens.append((kind, SAME_OPERATOR.get(value, value)))
        pos = match.end()
    rest = _expression(tokens, 0)
    if rest != len(tokens):
        raise ValueError(f"unexpected {tokens[rest][1]!r}")
    return tokens


def _expression(tokens: list[tuple[str, str]], i: int) -> int:
    """Read `factor (operator factor)*` from i and return where it ends (Excel does precedence)."""
    i = _factor(tokens, i)
    while i < len(tokens) and tokens[i][1] in "+-*/":
        i = _factor(tokens, i + 1)
    return i


def _factor(tokens: list[tuple[str, str]], i: int) -> int:
    """Read a number, a name, a bracketed expression, or a minus before one of them."""
    if i >= len(tokens):
        raise ValueError("the formula ends too early")
    kind, value = tokens[i]
    if kind in ("num", "name"):
        return i + 1
    if value == "-":
        return _factor(tokens, i + 1)
    if value == "(":
        end = _expression(tokens, i + 1)
        if end >= len(tokens) or tokens[end][1] != ")":
            raise ValueError("a bracket is not closed")
        return end + 1
    raise ValueError(f"unexpected {value!r}")


def expression_formula(text: str, references: dict[str, str]) -> str:
    """A checked formula over names, with each name replaced by its cell reference."""
    return "".join(references[v] if k == "name" else v for k, v in parse_expression(text))


def validate_download(download: Any, source: str) -> str | None:
    """The reason a `download` block is unusable, or None when it is fine (content/README.md)."""
    if not isinstance(download, dict):
        return "'download' must be a mapping"
    unknown = sorted(set(download) - set(DOWNLOAD_FIELDS))
    if unknown:
        return _unknown("'download'", unknown, DOWNLOAD_FIELDS)
    sheet = download.get("sheet")
    if not isinstance(sheet, str) or not 0 < len(sheet) <= 31 or set(sheet) & set("[]:*?/\\"):
        return "'download.sheet' must be a name of 1–31 characters without []:*?/\\"
    columns = download.get("columns")
    if not isinstance(columns, list) or not columns:
        return "'download.columns' must be a list of headings"
    reason = _check_columns(columns)
    if reason:
        return reason
    columns = columns_of(download)
    reason = _check_rows(download.get("rows", []), columns)
    if reason:
        return reason
    reason = _check_totals(download.get("totals", []), columns)
    if reason:
        return reason
    notes = download.get("notes", []) or []
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        return "'download.notes' must be a list of text lines"
    return None


BAD_ID = "'id' must be lower-case letters, digits and _, starting with a letter"


def _unknown(where: str, unknown: list[str], allowed: tuple[str, ...]) -> str:
    """A message about a misspelt or unknown field."""
    return f"{where} has an unknown field {unknown[0]!r}; it may have {', '.join(allowed)}"


def _check_columns(columns: list[Any]) -> str | None:
    """The first problem with the columns: headings, names, formats, formulas and choices."""
    numeric: set[str] = set()  # ids a formula may use: number columns and formula columns
    seen: set[str] = set()
    for i, column in enumerate(columns, start=1):
        where = f"'download.columns' entry {i}"
        if isinstance(column, str):
            if not column.strip():
                return f"{where} is an empty heading"
            continue
        if not isinstance(column, dict):
            return f"{where} must be a heading, or a mapping with a 'heading'"
        unknown = sorted(set(column) - set(COLUMN_FIELDS))
        if unknown:
            return _unknown(where, unknown, COLUMN_FIELDS)
        heading = column.get("heading")
        if not isinstance(heading, str) or not heading.strip():
            return f"{where} needs a 'heading' (text)"
        where = f"'download.columns' entry {i} ({heading!r})"
        name = column.get("id")
        if name is not None:
            if not isinstance(name, str) or not NAME_RE.match(name):
                return f"{where}: {BAD_ID}"
            if name in seen:
                return f"{where}: 'id' {name!r} is used by an earlier column"
        kind = column.get("format")
        if kind is not None and kind not in FORMATS:
            return f"{where}: 'format' {kind!r} is not one of {', '.join(FORMATS)}"
        if "formula" in column:
            if kind is not None and kind not in NUMERIC:
                return f"{where}: a formula column's 'format' must be one of {', '.join(NUMERIC)}"
            if "choices" in column:
                return f"{where}: a formula column cannot have 'choices'"
            reason = _check_formula(column["formula"], numeric, "a number column to its left")
            if reason:
                return f"{where}: {reason}"
        choices = column.get("choices")
        if choices is not None and (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(c, str) and c.strip() and not set(c) & set(',"') for c in choices)
        ):
            return f"{where}: 'choices' must be a list of words without commas or quotation marks"
        if name is not None:
            seen.add(name)
            if kind in NUMERIC or "formula" in column:
                numeric.add(name)
    return None


def _check_formula(text: Any, known: set[str], what: str) -> str | None:
    """Why a formula over names cannot be used, or None: it must parse and use only known names."""
    if not isinstance(text, str) or not text.strip():
        return "'formula' must be text such as 'count * price'"
    try:
        tokens = parse_expression(text)
    except ValueError as error:
        return f"'formula' {text!r}: {error}"
    for kind, value in tokens:
        if kind == "name" and value not in known:
            return f"'formula' {text!r} uses {value!r}, which is not the id of {what}"
    return None


def _check_rows(rows: Any, columns: list[dict[str, Any]]) -> str | None:
    """The first problem with the example rows: their length and each value against its column."""
    if not isinstance(rows, list):
        return "'download.rows' must be a list of rows"
    entered = [c for c in columns if "formula" not in c]
    one_per = ", one per column without a formula" if len(entered) < len(columns) else ""
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, list) or len(row) != len(entered):
            return f"'download.rows' row {i} must have {len(entered)} entries{one_per}"
        for value, column in zip(row, entered, strict=True):
            problem = _value_problem(value, column)
            if problem:
                return f"'download.rows' row {i}, column {column['heading']!r}: {problem}"
    return None


def _value_problem(value: Any, column: dict[str, Any]) -> str | None:
    """What is wrong with one example value under its column, or None."""
    kind = column.get("format")
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "date":
        if not isinstance(value, datetime.date):
            return "write a date as 2026-01-31, without quotation marks"
    elif kind in NUMERIC:
        if not number:
            return f"write a number (the column's format is {kind})"
        if kind == "integer" and not float(value).is_integer():
            return "write a whole number"
        if kind == "percent" and not 0 <= value <= 1:
            return "write a percentage as a share from 0 to 1 (0.6 is 60 %)"
    elif not (isinstance(value, str) or number):
        return "write text or a number"
    choices = column.get("choices")
    if choices and value not in choices:
        return f"{value!r} is not one of the column's choices {choices}"
    return None


def _check_totals(totals: Any, columns: list[dict[str, Any]]) -> str | None:
    """The first problem with the totals: each sums a number column or adds up totals above it."""
    if not isinstance(totals, list):
        return "'download.totals' must be a list of totals"
    by_id = {c["id"]: c for c in columns if "id" in c}
    summable = {n for n, c in by_id.items() if c.get("format") in NUMERIC or "formula" in c}
    placed: dict[str, str] = {}  # a total's id: the column it stands in
    for i, total in enumerate(totals, start=1):
        where = f"'download.totals' entry {i}"
        if not isinstance(total, dict):
            return f"{where} must be a mapping with a 'label'"
        unknown = sorted(set(total) - set(TOTAL_FIELDS))
        if unknown:
            return _unknown(where, unknown, TOTAL_FIELDS)
        label = total.get("label")
        if not isinstance(label, str) or not label.strip():
            return f"{where} needs a 'label' (text)"
        where = f"'download.totals' entry {i} ({label!r})"
        name = total.get("id")
        if name is not None and (not isinstance(name, str) or not NAME_RE.match(name)):
            return f"{where}: {BAD_ID}"
        if name is not None and (name in by_id or name in placed):
            return f"{where}: 'id' {name!r} is already the id of a column or a total"
        if ("sum" in total) == ("formula" in total):
            return f"{where} needs either 'sum' (a column's id) or 'formula' (over totals above it)"
        if "sum" in total:
            column = total["sum"]
            if column not in summable:
                return f"{where}: 'sum' {column!r} is not the id of a number or formula column"
            if column == columns[0].get("id"):
                return f"{where}: 'sum' cannot name the first column, which holds the labels"
            conditions = total.get("where") or {}
            if not isinstance(conditions, dict):
                return f"{where}: 'where' must map column ids to the value to count"
            for other, value in conditions.items():
                if other not in by_id or other == column:
                    return f"{where}: 'where' names {other!r}, which is not another column's id"
                choices = by_id[other].get("choices")
                if not isinstance(value, str) or (choices and value not in choices):
                    allowed = f" one of {choices}" if choices else " text"
                    return f"{where}: 'where' value for {other!r} must be{allowed}"
        else:
            if "where" in total:
                return f"{where}: 'where' goes with 'sum', not with 'formula'"
            reason = _check_formula(total["formula"], set(placed), "a total above it")
            if reason:
                return f"{where}: {reason}"
            used = {v for k, v in parse_expression(total["formula"]) if k == "name"}
            if not used:
                return f"{where}: 'formula' must use at least one total above it"
            if len({placed[u] for u in used}) > 1:
                return f"{where}: 'formula' adds up totals of different columns"
            column = placed[next(iter(used))]
        if name is not None:
            placed[name] = column
    return None

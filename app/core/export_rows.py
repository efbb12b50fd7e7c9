"""The advisors' exports as rows and files: the list of sent assessments and the audit log.

Pure: plain records in, rows of cells and CSV or XLSX bytes out; the words (headings, labels) come
from the caller in the page's language.

Every text cell is neutralised: one that begins with = + - @, a tab or a carriage return gets a
leading apostrophe, so that no spreadsheet reads a respondent's note as a formula (OWASP, CSV
injection). Numbers and dates this code writes stay numbers and dates.

CSV is written the way Danish and Swedish Excel opens it with a double click: UTF-8 with a byte
order mark (without it Excel reads the letters æ, ø, å, ä, ö as cp1252), ';' between cells (the
list separator of both locales, where ',' is the decimal sign), a decimal comma, CRLF line ends,
and dates as ISO 8601 (2026-12-01), which both locales read as dates.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import IO, Any

from app.core.questionnaire import (
    DONT_KNOW,
    DONT_KNOW_LABEL,
    YES_PARTLY_NO_LABELS,
    Question,
    Questionnaire,
)
from app.core.sheets import clean_text, column_letter

# What a spreadsheet may take for the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CSV_SEPARATOR = ";"
BATCH = 500  # rows per chunk of a streamed CSV


def utc(moment: datetime) -> datetime:
    """A moment in UTC without a time zone (as SQLite gives it back; spreadsheets have none)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def neutralise(value: Any) -> Any:
    """A cell's value as written: text without XML-illegal characters and never a formula."""
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# --- answers -------------------------------------------------------------------------------------


def answer_label(question: Question, value: Any, lang: str) -> Any:
    """An answer as the respondent chose it: the option's label, a number, or the text typed.

    A value no option has (a questionnaire changed since) is written as stored.
    """
    if value is None or value == "" or value == []:
        return None
    if value == DONT_KNOW:
        return DONT_KNOW_LABEL[lang]
    if question.type == "yes_partly_no":
        return YES_PARTLY_NO_LABELS.get(str(value), {}).get(lang, str(value))
    if question.type == "scale":
        steps = question.steps
        step = int(value) if str(value).isdigit() else 0
        return f"{step}: {steps[step - 1][lang]}" if 0 < step <= len(steps) else str(value)
    if question.type == "single":
        labels = {o.value: o.label[lang] for o in question.options}
        return labels.get(str(value), str(value))
    if question.type == "multiple":
        labels = {o.value: o.label[lang] for o in question.options}
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in chosen)
    if question.type == "number" and isinstance(value, int | float):
        return value  # a figure, so that the spreadsheet can compute with it
    return str(value)


def answer_rows(
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    notes: dict[str, str],
    lang: str,
    shown: Callable[[Question], bool],
) -> list[list[Any]]:
    """One respondent's answers page by page, to take to a meeting: the page, the question, the
    answer as chosen and the note on how they know. Questions the answers routed away are left
    out; a shown question left unanswered has an empty answer."""
    rows: list[list[Any]] = []
    for number, dimension in enumerate(questionnaire.dimensions, start=1):
        for question in dimension.questions:
            if not shown(question):
                continue
            rows.append(
                [
                    f"{number}. {dimension.title[lang]}",
                    question.text[lang],
                    answer_label(question, answers.get(question.id), lang),
                    notes.get(question.id) or None,
                ]
            )
    return rows


# --- the list of sent assessments ----------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One sending as the fund has it: the list's columns and the fund's copy's answers."""

    sending_id: int
    assessment_id: int
    questionnaire_id: str
    organisation: str
    programme: str
    fund_programme: str
    status: str
    advisor: str
    sent_at: datetime
    version: int
    overall_score: float | None
    overall_level: str | None
    requirements_unmet: int
    high_flags: int
    # dimension id -> (score, level); a dimension without a score has (None, None)
    dimensions: dict[str, tuple[float | None, str | None]] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


# The fixed columns, in order; their headings come from the caller (ListWords.headings).
LIST_COLUMNS = (
    "sending",
    "assessment",
    "organisation",
    "programme",
    "fund_programme",
    "role",
    "status",
    "advisor",
    "sent_at",
    "version",
    "overall_score",
    "overall_level",
    "requirements_unmet",
    "high_flags",
)


@dataclass(frozen=True)
class ListWords:
    """The words of the list export in one language."""

    headings: dict[str, str]  # a LIST_COLUMNS key -> heading
    roles: dict[str, str]
    statuses: dict[str, str]
    levels: dict[str, str]
    dimension_score: Callable[[str], str]  # a dimension's title -> its score column's heading
    dimension_level: Callable[[str], str]
    note: Callable[[str], str]  # a question id -> its note column's heading


def rounded(score: float | None) -> float | None:
    """A score to one decimal, as the pages compute it."""
    return None if score is None else round(float(score), 1)


@dataclass
class ListLayout:
    """The columns of the list export: the fixed ones, then per dimension, then per question."""

    lang: str
    words: ListWords
    dimensions: list[str]
    questions: list[str]
    by_role: dict[str, dict[str, Question]]
    headings: list[str]

    @classmethod
    def of(cls, questionnaires: Sequence[Questionnaire], lang: str, words: ListWords) -> ListLayout:
        """The columns for every questionnaire given (a question both ask is one column)."""
        dimensions: dict[str, str] = {}
        questions: dict[str, None] = {}
        for questionnaire in questionnaires:
            for dimension in questionnaire.dimensions:
                dimensions.setdefault(dimension.id, dimension.title[lang])
                for question in dimension.questions:
                    questions.setdefault(question.id)
        headings = [words.headings[key] for key in LIST_COLUMNS]
        for title in dimensions.values():
            headings += [words.dimension_score(title), words.dimension_level(title)]
        for qid in questions:
            headings += [qid, words.note(qid)]
        return cls(
            lang,
            words,
            list(dimensions),
            list(questions),
            {q.id: q.questions for q in questionnaires},
            headings,
        )

    def row(self, record: Record) -> list[Any]:
        """One sending's cells, in the order of the headings."""
        w = self.words
        cells: list[Any] = [
            record.sending_id,
            record.assessment_id,
            record.organisation,
            record.programme,
            record.fund_programme,
            w.roles.get(record.questionnaire_id, record.questionnaire_id),
            w.statuses.get(record.status, record.status),
            record.advisor,
            record.sent_at,
            record.version,
            rounded(record.overall_score),
            w.levels.get(record.overall_level or "", record.overall_level),
            record.requirements_unmet,
            record.high_flags,
        ]
        for dimension in self.dimensions:
            score, level = record.dimensions.get(dimension, (None, None))
            cells += [rounded(score), w.levels.get(level or "", level)]
        questions = self.by_role.get(record.questionnaire_id, {})
        for qid in self.questions:
            value = record.answers.get(qid)
            question = questions.get(qid)
            shown = answer_label(question, value, self.lang) if question else value
            cells += [shown, record.notes.get(qid) or None]
        return cells


# --- writers -------------------------------------------------------------------------------------


def csv_value(value: Any) -> str:
    """A cell as CSV text in Danish and Swedish notation (decimal comma, ISO dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return f"{value:.10g}".replace(".", ",")
    if isinstance(value, datetime):
        return utc(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return neutralise(str(value))


def csv_chunks(headings: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The CSV file in pieces of BATCH rows, the byte order mark first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headings])
    pending = 1
    first = True
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
        pending += 1
        if pending >= BATCH:
            yield ((BOM if first else "") + buffer.getvalue()).encode("utf-8")
            first = False
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield ((BOM if first else "") + buffer.getvalue()).encode("utf-8")


def xlsx_value(value: Any) -> Any:
    """A cell's value as openpyxl writes it: text neutralised, no time zone, no NaN."""
    if isinstance(value, datetime):
        return utc(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return neutralise(value)


@dataclass
class Table:
    """A sheet of the workbook: its name, headings, rows, and column widths."""

    title: str
    headings: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: dict[int, float] = field(default_factory=dict)


def write_xlsx(out: IO[bytes], tables: Sequence[Table]) -> None:
    """The tables as an XLSX workbook, one sheet each, row by row (openpyxl's write-only mode:
    rows go to a temporary file as they come, so a long export never sits in memory)."""
    from openpyxl import Workbook  # only an export pays for the import
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(table.title[:31])
        sheet.freeze_panes = "A2"
        for number, width in table.widths.items():
            sheet.column_dimensions[column_letter(number)].width = width

        def cell(value: Any, sheet: Any = sheet) -> Any:
            written = WriteOnlyCell(sheet, value=xlsx_value(value))
            if isinstance(written.value, str):
                written.data_type = "s"  # text stays text, whatever it begins with
            elif isinstance(written.value, datetime):
                written.number_format = "yyyy-mm-dd hh:mm"
            return written

        header = []
        for heading in table.headings:
            written = cell(heading)
            written.font = bold
            header.append(written)
        sheet.append(header)
        for row in table.rows:
            sheet.append([cell(v) for v in row])
    workbook.save(out)


# --- the audit log -------------------------------------------------------------------------------


def detail_text(detail: dict[str, Any] | None) -> str:
    """An audit event's details as one line ("format: csv; rows: 12"), keys in order."""
    if not detail:
        return ""

    def shown(value: Any) -> str:
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k}: {shown(v)}" for k, v in sorted(value.items())) + "}"
        if isinstance(value, list | tuple):
            return "[" + ", ".join(shown(v) for v in value) + "]"
        if isinstance(value, bool):
            return "true" if value else "false"  # as stored (JSON)
        return str(value)

    return "; ".join(f"{key}: {shown(value)}" for key, value in sorted(detail.items()))

"""A real spreadsheet program opens the advisors' exports: LibreOffice reads the CSV the way Danish
Excel does (';', UTF-8, decimal comma, formulas evaluated) and the XLSX with recalculation on, and
a note typed as a formula stays text while the figures come out as the site's numbers.

Two control files in the same runs prove that LibreOffice would have run a formula: an
unneutralised =1+1 in a CSV, and a real formula in an XLSX, both come back as 2.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app.extensions import db
from app.models import Sending
from tests.advisor_helpers import Clock, full_login, make_account, url
from tests.conftest import empty_tables
from tests.test_export import FORMULAS, write_notes
from tests.test_review_pages import sent
from tests.test_spreadsheets_libreoffice import RECALCULATE_ON_LOAD, SOFFICE

# LibreOffice's CSV import options: ';' and '"', UTF-8 (76), from line 1, Danish number
# recognition (1030), detect special numbers, and evaluate formulas (as Excel does on opening).
CSV_IMPORT = "CSV:59,34,76,1,,1030,false,true,false,false,false,-1,true"
CONTROL_CSV = b"\xef\xbb\xbfa;b\r\n=1+1;x\r\n"


def convert(work: Path, files: dict[str, bytes], infilter: str | None = None) -> dict[str, Path]:
    """Each file as LibreOffice opens it and saves it again as XLSX (one soffice run)."""
    source, out = work / "in", work / "out"
    source.mkdir(parents=True)
    for name, data in files.items():
        (source / name).write_bytes(data)
    profile = work / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ON_LOAD)
    run = subprocess.run(
        [SOFFICE, "--headless", "--norestore", "--nolockcheck",
         f"-env:UserInstallation={profile.as_uri()}",
         *([f"--infilter={infilter}"] if infilter else []),
         "--convert-to", "xlsx", "--outdir", str(out),
         *(str(source / name) for name in files)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert run.returncode == 0 and "Error" not in run.stderr, run.stdout + run.stderr
    return {name: out / (Path(name).stem + ".xlsx") for name in files}


def sheet_rows(path: Path, computed: bool = True) -> list[dict]:
    """The first sheet as {heading: cell}, LibreOffice's computed values or its formulas."""
    sheet = load_workbook(path, data_only=computed).active
    rows = list(sheet.iter_rows())
    headings = [c.value for c in rows[0]]
    return [dict(zip(headings, row, strict=False)) for row in rows[1:]]


@pytest.fixture(scope="module")
def exported(_sqlite_app, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A sending with formulas in its notes, exported as CSV (da) and XLSX (sv), and as LibreOffice
    reads each; with the figures the site stored. Made once: soffice is slow to start."""
    app, client, clock = _sqlite_app, _sqlite_app.test_client(), Clock()
    tmp_path = tmp_path_factory.mktemp("export-libreoffice")
    if not Path(SOFFICE).exists():
        pytest.fail(f"{SOFFICE} is missing: run 'make test', which installs libreoffice-calc-nogui")
    sending_id = sent(app, client)
    write_notes(app, sending_id, FORMULAS)
    with app.app_context():
        sending = db.session.get(Sending, sending_id)
        sending.assessment.organisation = "=1+1"
        db.session.commit()
        figures = {
            "overall": sending.overall_score,
            "unmet": sending.requirements_unmet,
            "high": sending.high_flags,
            "dimensions": {
                d["id"]: d["score"] for d in sending.assessment.result["dimensions"] if d["score"]
            },
            "titles": sending.assessment.result["labels"]["dimensions"],
            "tg_size": sending.assessment.answers["tg_size"],
        }
    advisor = app.test_client()
    full_login(advisor, app, make_account(app, lead=True), clock)
    csv_data = advisor.get(url(app, "advisor.export_csv", "da")).data
    xlsx_data = advisor.get(url(app, "advisor.export_xlsx", "sv")).data
    log_data = advisor.get(url(app, "advisor.audit_log_csv", "da")).data
    control = Workbook()
    control.active.append(["a", "b"])
    control.active.append(["=1+1", "x"])
    control.save(tmp_path / "control.xlsx")
    csvs = convert(
        tmp_path / "csv",
        {"list.csv": csv_data, "log.csv": log_data, "control.csv": CONTROL_CSV},
        CSV_IMPORT,
    )
    books = convert(
        tmp_path / "xlsx",
        {"list.xlsx": xlsx_data, "control.xlsx": (tmp_path / "control.xlsx").read_bytes()},
    )
    empty_tables(app)
    return {**csvs, **books}, figures


def test_libreoffice_would_run_a_formula_left_as_it_was_typed(exported):
    files, _figures = exported
    assert sheet_rows(files["control.csv"])[0]["a"].value == 2
    assert sheet_rows(files["control.xlsx"])[0]["a"].value == 2


@pytest.mark.parametrize(("name", "note"), [("list.csv", "note"), ("list.xlsx", "anteckning")])
def test_libreoffice_reads_every_neutralised_cell_as_text(exported, name, note):
    files, _figures = exported
    computed = sheet_rows(files[name])[0]
    written = sheet_rows(files[name], computed=False)[0]
    assert computed["Organisation"].value == "'=1+1" and written["Organisation"].data_type == "s"
    for qid, typed in FORMULAS.items():
        cell = written[f"{qid}: {note}"]
        assert cell.data_type == "s", (name, qid, cell.value)
        assert computed[f"{qid}: {note}"].value == "'" + typed.replace("\r", "\n"), (name, qid)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        (
            "list.csv",
            ("Score (0–100)", "Krav, der ikke er opfyldt", "Alvorlige advarsler", "score"),
        ),
        (
            "list.xlsx",
            ("Poäng (0–100)", "Krav som inte är uppfyllda", "Allvarliga varningar", "poäng"),
        ),
    ],
)
def test_libreoffice_reads_the_sites_figures_as_numbers(exported, name, words):
    files, figures = exported
    score, unmet, high, per_dimension = words
    row = sheet_rows(files[name])[0]
    lang = "da" if name.endswith(".csv") else "sv"
    assert row[score].value == pytest.approx(figures["overall"], abs=0.05)
    assert row[unmet].value == figures["unmet"] and row[high].value == figures["high"]
    assert figures["dimensions"]
    for dimension, value in figures["dimensions"].items():
        title = figures["titles"][dimension][lang]
        cell = row[f"{title}: {per_dimension}"]
        assert cell.data_type == "n" and cell.value == pytest.approx(value, abs=0.05), title
    assert row["tg_size"].value == figures["tg_size"]  # a number answer is a number too


def test_libreoffice_opens_the_audit_log_export(exported):
    files, _figures = exported
    rows = sheet_rows(files["log.csv"])
    actions = [r["Hvad"].value for r in rows]
    assert "Logget ind" in actions and "Sendt til fonden af respondenten" in actions
    assert all(r["Hvem"].data_type == "s" for r in rows)

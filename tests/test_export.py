"""An advisor exports the filtered list of sent assessments as CSV and XLSX, in both languages.

The export holds every sending the filters match, with the fund's copy of every answer (as the
option's words) and every note; nothing a respondent has not sent. A note that a spreadsheet would
run as a formula comes out as text. Run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.core.export_rows import neutralise
from app.extensions import db
from app.models import Assessment, AuditEvent, Sending, SendingVersion
from tests.advisor_helpers import full_login, make_account, url
from tests.test_review_pages import sent
from tests.test_sending import submitted

# Answers given through the questionnaire's pages, and what the export shows for each.
GIVEN = {"org_delivery": "in_house", "wc_statistics": "partly", "wc_definition": "2",
         "org_skills": ["finance", "data_evaluation"], "tg_size": "40",
         "wc_notes": "Vi har et notat."}  # fmt: skip
# Notes that a spreadsheet would read as a formula, and how the export writes them.
FORMULAS = {
    "wc_statistics": '=HYPERLINK("http://x")',
    "org_delivery": "+1",
    "wc_definition": "-2",
    "org_skills": "@SUM(A1)",
    "tg_size": "\tx",
    "wc_notes": "\rx",
}
HEADINGS = {
    "da": ("Sending nr.", "Organisation", "Rolle", "Status", "Niveau", "org_delivery: note"),
    "sv": ("Inskickning nr", "Organisation", "Roll", "Status", "Nivå", "org_delivery: anteckning"),
}
FILE_STEM = {"da": "vurderinger", "sv": "bedomningar"}
SHEET = {"da": "Sendte vurderinger", "sv": "Inskickade bedömningar"}


def expected_answers(app, lang: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What the export shows for GIVEN, read from the questionnaire's own words."""
    questions = app.extensions["questionnaires"]["kommune"].questions
    option = {o.value: o.label[lang] for o in questions["org_delivery"].options}
    skills = {o.value: o.label[lang] for o in questions["org_skills"].options}
    return {
        "org_delivery": option["in_house"],
        "wc_statistics": {"da": "Delvist", "sv": "Delvis"}[lang],
        "wc_definition": "2: " + questions["wc_definition"].steps[1][lang],
        "org_skills": f"{skills['finance']}, {skills['data_evaluation']}",
        "tg_size": 40,
        "wc_notes": "Vi har et notat.",
    }


def write_notes(app, sending_id: int, notes: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Notes on the version the fund has, as the respondent typed them (the form keeps = + - @)."""
    with app.app_context():
        assessment = db.session.get(Sending, sending_id).assessment
        assessment.notes = notes
        db.session.commit()


def logged_in_advisor(app, clock, lang: str = "da", **account):  # type: ignore[no-untyped-def]
    client = app.test_client()
    full_login(client, app, make_account(app, **account), clock, lang)
    return client


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte order mark, for Excel"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def xlsx_rows(data: bytes) -> tuple[list[dict[str, object]], object]:
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]], sheet


def given_answers(app, client, lang: str) -> int:  # type: ignore[no-untyped-def]
    from tests.assessment_helpers import answer_all, start
    from tests.test_sending import CONTACT, SEND
    from tests.test_sending import url as respondent_url

    token = start(client, lang, "kommune")
    answer_all(client, lang, token, app.extensions["questionnaires"]["kommune"], **GIVEN)
    submit = "indsend" if lang == "da" else "skicka-in"
    client.post(respondent_url(lang, token, submit))
    assert client.post(respondent_url(lang, token, SEND), data=CONTACT).status_code == 302
    with app.app_context():
        return db.session.scalar(
            select(Sending.id).join(Assessment).where(Assessment.token == token)
        )


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_export_holds_every_answer_and_note_of_a_sent_assessment_and_nothing_unsent(
    db_app, db_client, clock, lang
):
    sending_id = given_answers(db_app, db_client, lang)
    write_notes(
        db_app,
        sending_id,
        {"org_delivery": "Se referat fra byrådsmødet", "tg_size": "Tal fra 2025"},
    )
    unsent = submitted(db_app, db_client, lang, "leverandoer")  # submitted, never sent
    with db_app.app_context():
        hidden = db.session.scalar(select(Assessment).where(Assessment.token == unsent))
        hidden.organisation, hidden.notes = "Usendt Forening", {"org_delivery": "HEMMELIG NOTE"}
        db.session.commit()
    advisor = logged_in_advisor(db_app, clock, lang)
    home = advisor.get(url(db_app, "advisor.home", lang)).get_data(as_text=True)
    csv_link, xlsx_link = (
        url(db_app, "advisor.export_csv", lang),
        url(db_app, "advisor.export_xlsx", lang),
    )
    assert f'href="{csv_link}"' in home and f'href="{xlsx_link}"' in home

    got = advisor.get(csv_link)
    today = datetime.now(UTC).date().isoformat()
    assert got.status_code == 200 and got.mimetype == "text/csv"
    assert (
        got.headers["Content-Disposition"]
        == f'attachment; filename="{FILE_STEM[lang]}-{today}.csv"'
    )
    assert got.headers["Cache-Control"] == "no-store"
    rows = csv_rows(got.data)
    assert b"Usendt Forening" not in got.data and b"HEMMELIG" not in got.data
    assert len(rows) == 1
    row = rows[0]
    assert set(HEADINGS[lang]) <= set(row)
    assert row[HEADINGS[lang][0]] == str(sending_id)
    expected = expected_answers(db_app, lang)
    for qid, shown in expected.items():
        assert row[qid] == str(shown), qid
    assert row[HEADINGS[lang][-1]] == "Se referat fra byrådsmødet"

    book = advisor.get(xlsx_link)
    assert book.mimetype.endswith("spreadsheetml.sheet")
    assert (
        book.headers["Content-Disposition"]
        == f'attachment; filename="{FILE_STEM[lang]}-{today}.xlsx"'
    )
    assert b"HEMMELIG" not in book.data
    sheet_rows, sheet = xlsx_rows(book.data)
    assert sheet.title == SHEET[lang] and len(sheet_rows) == 1
    for qid, shown in expected.items():
        assert sheet_rows[0][qid] == shown, qid
    assert sheet_rows[0][HEADINGS[lang][-1]] == "Se referat fra byrådsmødet"
    with db_app.app_context():
        score = db.session.get(Sending, sending_id).overall_score
    score_heading = {"da": "Score (0–100)", "sv": "Poäng (0–100)"}[lang]
    assert sheet_rows[0][score_heading] == pytest.approx(score, abs=0.05)
    assert row[score_heading] == f"{round(score, 1):g}".replace(".", ",")


def test_a_formula_in_a_note_or_an_answer_comes_out_as_text_in_csv_and_xlsx(
    db_app, db_client, clock
):
    sending_id = sent(db_app, db_client)
    write_notes(db_app, sending_id, FORMULAS)
    with db_app.app_context():
        assessment = db.session.get(Sending, sending_id).assessment
        assessment.organisation = "=1+1"
        db.session.commit()
    advisor = logged_in_advisor(db_app, clock)
    row = csv_rows(advisor.get(url(db_app, "advisor.export_csv")).data)[0]
    sheet_rows, sheet = xlsx_rows(advisor.get(url(db_app, "advisor.export_xlsx")).data)
    assert row["Organisation"] == sheet_rows[0]["Organisation"] == "'=1+1"
    for qid, typed in FORMULAS.items():
        assert row[f"{qid}: note"] == "'" + typed, qid
        # XML reads a carriage return as a line feed; the apostrophe stays first either way.
        assert sheet_rows[0][f"{qid}: note"] == "'" + typed.replace("\r", "\n"), qid
    assert not [c.coordinate for r in sheet.iter_rows() for c in r if c.data_type == "f"]


def test_neutralising_leaves_plain_text_and_numbers_alone():
    assert neutralise("Se bilag 3") == "Se bilag 3"
    assert neutralise(" =1") == " =1"  # no spreadsheet reads a formula after a space
    assert neutralise(-2) == -2  # a number the site wrote, not a formula
    assert neutralise("a\x00b") == "ab"  # characters an XLSX file cannot hold go
    assert [neutralise(t) for t in ("=", "+", "-", "@", "\t", "\r")] == [
        "'=", "'+", "'-", "'@", "'\t", "'\r"]  # fmt: skip


def test_the_filters_of_the_list_apply_to_every_row_of_the_export(db_app, db_client, clock):
    municipality = sent(db_app, db_client, "da", "kommune")
    supplier = sent(db_app, db_client, "da", "leverandoer")
    with db_app.app_context():
        db.session.get(Sending, supplier).status = "in_review"
        db.session.commit()
    advisor = logged_in_advisor(db_app, clock)
    number = "Sending nr."

    def exported(**args: str) -> list[str]:
        rows = csv_rows(advisor.get(url(db_app, "advisor.export_csv", **args)).data)
        return [r[number] for r in rows]

    assert sorted(exported()) == sorted([str(municipality), str(supplier)])
    assert exported(role="leverandoer") == [str(supplier)]
    assert exported(status="sent") == [str(municipality)]
    assert exported(text="findes-ikke") == []
    rows, _sheet = xlsx_rows(advisor.get(url(db_app, "advisor.export_xlsx", role="kommune")).data)
    assert [r[number] for r in rows] == [municipality]
    # The links on the list keep its filters, and leave out the page.
    page = advisor.get(url(db_app, "advisor.home", role="leverandoer", page="1")).get_data(
        as_text=True
    )
    assert 'href="/da/raadgiver/eksport.csv?role=leverandoer"' in page


def test_every_export_is_in_the_audit_log_with_its_filters_and_row_count(db_app, db_client, clock):
    sent(db_app, db_client)
    account = make_account(db_app)
    advisor = db_app.test_client()
    full_login(advisor, db_app, account, clock)
    advisor.get(url(db_app, "advisor.export_csv", role="kommune", unmet="1")).close()
    advisor.get(url(db_app, "advisor.export_xlsx", lang="sv")).close()
    with db_app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
        ).all()
        seen = [(e.actor, e.assessment_id, e.detail) for e in events]
    actor = f"advisor:{account.id}"
    assert seen == [
        (actor, None, {"what": "list", "format": "csv", "rows": 0,
                       "filters": {"role": "kommune", "unmet": True}}),
        (actor, None, {"what": "list", "format": "xlsx", "rows": 1, "filters": {}}),
    ]  # fmt: skip


def test_the_export_holds_the_version_the_fund_has_not_a_revision_in_progress(
    db_app, db_client, clock
):
    sending_id = sent(db_app, db_client)
    write_notes(db_app, sending_id, {"org_delivery": "Sendt note"})
    with db_app.app_context():
        sending = db.session.get(Sending, sending_id)
        live = sending.assessment
        db.session.add(
            SendingVersion(
                sending_id=sending.id,
                number=1,
                questionnaire_version=live.questionnaire_version,
                answers=dict(live.answers),
                notes=dict(live.notes),
                result=live.result,
            )
        )
        sending.status, sending.revising = "returned", True
        live.status, live.notes = "draft", {"org_delivery": "Kladde under revision"}
        db.session.commit()
    advisor = logged_in_advisor(db_app, clock)
    data = advisor.get(url(db_app, "advisor.export_csv")).data
    assert csv_rows(data)[0]["org_delivery: note"] == "Sendt note"
    assert b"Kladde under revision" not in data


def test_a_withdrawn_sending_keeps_its_line_but_not_its_answers(db_app, db_client, clock):
    sending_id = sent(db_app, db_client)
    write_notes(db_app, sending_id, {"org_delivery": "Trukket note"})
    with db_app.app_context():
        db.session.get(Sending, sending_id).status = "withdrawn"
        db.session.commit()
    advisor = logged_in_advisor(db_app, clock)
    data = advisor.get(url(db_app, "advisor.export_csv")).data
    rows = csv_rows(data)
    assert [r["Status"] for r in rows] == ["Trukket tilbage"]
    assert b"Trukket note" not in data and rows[0]["org_delivery"] == ""


def test_the_exports_need_a_full_login(app, client):
    sent(app, client)
    for endpoint in ("advisor.export_csv", "advisor.export_xlsx"):
        response = app.test_client().get(url(app, endpoint))
        assert response.status_code == 302 and "/raadgiver/log-ind" in response.headers["Location"]


def test_a_spreadsheet_too_long_for_one_request_is_refused_with_the_csv_offered(
    app, client, clock, monkeypatch
):
    from app.advisor import exports

    sent(app, client, "da", "kommune")
    sent(app, client, "da", "kommune")
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 1)
    advisor = logged_in_advisor(app, clock)
    refused = advisor.get(url(app, "advisor.export_xlsx", role="kommune"))
    assert refused.status_code == 302 and "role=kommune" in refused.headers["Location"]
    page = advisor.get(refused.headers["Location"]).get_data(as_text=True)
    assert "2 vurderinger passer: et regneark kan højst rumme 1." in page
    assert advisor.get(url(app, "advisor.export_csv", role="kommune")).status_code == 200

"""A lead advisor reads and exports the audit log; an ordinary advisor is refused. Both languages.

Run on SQLite and PostgreSQL: the log is filtered and paginated in the database.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from app.advisor.exports import action_names
from app.extensions import db
from app.models import AuditEvent
from tests.advisor_helpers import full_login, make_account, url
from tests.helpers import check_page, text_of
from tests.test_review_pages import sent

HEADING = {"da": "Hændelseslog", "sv": "Händelselogg"}
LOGGED_IN = {"da": "Logget ind", "sv": "Inloggad"}
SENT = {"da": "Sendt til fonden af respondenten", "sv": "Skickad till fonden av den svarande"}
REFUSED = {"da": "Kun for ledende rådgivere", "sv": "Bara för ledande rådgivare"}


def lead(app, clock, lang: str = "da", name: str = "Lis Leder"):  # type: ignore[no-untyped-def]
    client = app.test_client()
    account = make_account(app, "lis@dsi.dk", name, lead=True)
    full_login(client, app, account, clock, lang)
    return client, account


def page_rows(client, address: str) -> tuple[object, list[list[str]]]:  # type: ignore[no-untyped-def]
    response = client.get(address)
    assert response.status_code == 200, address
    soup = check_page(response.get_data(as_text=True), address)
    rows = [
        [" ".join(td.get_text(" ").split()) for td in tr.select("td")]
        for tr in soup.select(".audit-table tbody tr")
    ]
    return soup, rows


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_a_lead_sees_logins_and_a_sending_newest_first_with_names(db_app, db_client, clock, lang):
    assessment_id = None
    sent(db_app, db_client, lang)
    with db_app.app_context():
        assessment_id = db.session.scalar(db.select(AuditEvent.assessment_id))
    client, _account = lead(db_app, clock, lang)
    home = client.get(url(db_app, "advisor.home", lang)).get_data(as_text=True)
    log = url(db_app, "advisor.audit_log_page", lang)
    assert f'href="{log}"' in home  # the link in the advisor bar
    soup, rows = page_rows(client, log)
    assert text_of(soup, "h1") == HEADING[lang]
    who_what = [(r[1], r[2]) for r in rows]
    assert who_what[0] == ("Lis Leder", LOGGED_IN[lang])  # newest first
    respondent = {"da": "Respondent", "sv": "Den svarande"}[lang]
    assert (respondent, SENT[lang]) in who_what
    sent_row = next(r for r in rows if r[2] == SENT[lang])
    assert sent_row[3] == str(assessment_id)


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_an_ordinary_advisor_is_refused_the_log_and_its_export(db_app, clock, lang):
    client = db_app.test_client()
    full_login(client, db_app, make_account(db_app), clock, lang)
    home = client.get(url(db_app, "advisor.home", lang)).get_data(as_text=True)
    assert f'href="{url(db_app, "advisor.audit_log_page", lang)}"' not in home
    for endpoint in ("advisor.audit_log_page", "advisor.audit_log_csv"):
        response = client.get(url(db_app, endpoint, lang))
        assert response.status_code == 403 and response.mimetype == "text/html"
        soup = check_page(response.get_data(as_text=True), endpoint)
        assert text_of(soup, "h1") == REFUSED[lang]
    with db_app.app_context():
        assert not db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "export")
        ).all()


def test_the_log_filters_by_action_assessment_and_date_and_pages_by_fifty(db_app, clock):
    now = datetime.now(UTC)
    with db_app.app_context():
        for i in range(60):
            db.session.add(
                AuditEvent(actor="respondent", action="sent", assessment_id=1000 + i % 3,
                           at=now - timedelta(days=10 + i), detail={})
            )  # fmt: skip
        db.session.commit()
    client, _account = lead(db_app, clock)
    log = url(db_app, "advisor.audit_log_page")
    soup, rows = page_rows(client, log + "?action=sent")
    assert len(rows) == 50 and "60 hændelser passer." in text_of(soup, ".review-total")
    older = soup.select_one(".pagination a[rel=next]")["href"]
    _soup, rest = page_rows(client, older)
    assert len(rest) == 10
    _soup, one = page_rows(client, log + "?assessment=1001&action=sent")
    assert len(one) == 20 and {r[3] for r in one} == {"1001"}
    day = (now - timedelta(days=12)).date().isoformat()
    _soup, dated = page_rows(client, f"{log}?date_from={day}&date_to={day}")
    assert len(dated) == 1
    _soup, logins = page_rows(client, log + "?action=login")
    assert [r[2] for r in logins] == ["Logget ind"]
    # Anything that does not parse filters nothing, and is not an error.
    assert (
        client.get(log + "?action=x&assessment=abc&date_from=2026-99-01&page=x").status_code == 200
    )


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_the_log_exports_as_csv_with_its_filters_and_is_itself_recorded(
    db_app, db_client, clock, lang
):
    sent(db_app, db_client, lang)
    client, account = lead(db_app, clock, lang)
    page = client.get(url(db_app, "advisor.audit_log_page", lang, action="sent"))
    export = url(db_app, "advisor.audit_log_csv", lang, action="sent")
    assert f'href="{export}"' in page.get_data(as_text=True)
    got = client.get(export)
    assert got.status_code == 200 and got.mimetype == "text/csv"
    stem = {"da": "haendelseslog", "sv": "haendelselogg"}[lang]
    assert got.headers["Content-Disposition"].startswith(f'attachment; filename="{stem}-')
    rows = list(csv.reader(io.StringIO(got.data.decode("utf-8-sig")), delimiter=";"))
    headings = {
        "da": ["Tidspunkt (UTC)", "Hvem", "Aktør", "Hvad", "Vurdering nr.", "Detaljer"],
        "sv": ["Tidpunkt (UTC)", "Vem", "Aktör", "Vad", "Bedömning nr", "Detaljer"],
    }
    assert rows[0] == headings[lang]
    assert [r[3] for r in rows[1:]] == [SENT[lang]]
    all_rows = client.get(url(db_app, "advisor.audit_log_csv", lang)).data.decode("utf-8-sig")
    assert LOGGED_IN[lang] in all_rows and "Lis Leder" in all_rows
    with db_app.app_context():
        exports = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
        ).all()
        recorded = [(e.actor, e.detail) for e in exports]
    assert recorded[0] == (
        f"advisor:{account.id}",
        {"what": "audit_log", "format": "csv", "rows": 1, "filters": {"action": "sent"}},
    )
    # The first export is in the second; the second holds nothing after itself.
    assert all_rows.count("what: audit_log") == 1


def test_a_detail_that_looks_like_a_formula_is_neutralised_in_the_log_export(db_app, clock):
    with db_app.app_context():
        db.session.add(AuditEvent(actor="=cmd", action="=2+2", detail={}))
        db.session.commit()
    client, _account = lead(db_app, clock)
    text = client.get(url(db_app, "advisor.audit_log_csv")).data.decode("utf-8-sig")
    assert ";'=cmd;'=cmd;'=2+2;" in text


def test_every_action_the_site_records_has_words_in_both_languages(app):
    recorded = {
        "sent", "withdrawn", "deleted", "login", "logout", "login_failed", "second_factor_set_up",
        "account_created", "account_disabled", "password_reset", "export", "review_started",
        "assigned", "comment_added", "note_added", "returned", "resubmitted", "feedback_given",
        "programme_set",
    }  # fmt: skip
    words = {}
    for lang in ("da", "sv"):
        with app.test_request_context(f"/{lang}/"):
            from flask import g

            g.lang = lang
            words[lang] = action_names()
        assert recorded <= set(words[lang]), recorded - set(words[lang])
    assert all(words["da"][a] != words["sv"][a] for a in recorded)

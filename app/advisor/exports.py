"""The advisors' exports (the filtered list as CSV or XLSX) and the audit log a lead reads.

Thin: the rows are built in app/core/export_rows.py, the queries are in app/review/export.py and
app/review/audit_log.py. Every route is on the advisor blueprint and needs a full login; the audit
log is a lead advisor's only. Every export leaves an audit event (who, which filters, how many
rows, which format) before its first byte is sent.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import (
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import format_number
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.advisor.routes import bp, level_choices
from app.assessment import service
from app.assessment.sending import audit
from app.core import export_rows
from app.extensions import db
from app.i18n import localized_route
from app.models import AuditEvent
from app.review import audit_log, export
from app.review.listing import read_filters

CSV_TYPE = "text/csv"  # Flask adds "; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Column widths of the list's workbook: organisation and programme, then the rest.
WIDTHS = {3: 30, 4: 30, 5: 20, 6: 18, 7: 18, 8: 20, 9: 17}


def role_names() -> dict[str, str]:
    return {"kommune": _("Municipality or region"), "leverandoer": _("Supplier")}


def status_names() -> dict[str, str]:
    return {
        "sent": _("Sent"),
        "in_review": _("In review"),
        "returned": _("Returned for revision"),
        "resubmitted": _("Sent again"),
        "feedback": _("Feedback given"),
        "withdrawn": _("Withdrawn"),
    }


def action_names() -> dict[str, str]:
    """Every action the audit log records, in plain words."""
    return {
        "sent": _("Sent to the fund by the respondent"),
        "withdrawn": _("Withdrawn by the respondent"),
        "deleted": _("Assessment deleted"),
        "review_started": _("Review started"),
        "assigned": _("Assigned to an advisor"),
        "comment_added": _("Comment written"),
        "comment_removed": _("Draft comment removed"),
        "note_added": _("Internal note written"),
        "returned": _("Returned for revision"),
        "revision_started": _("Revision begun by the respondent"),
        "resubmitted": _("Sent again after revision"),
        "feedback_given": _("Feedback given"),
        "programme_set": _("Filed under a programme"),
        "export": _("Exported"),
        "login": _("Logged in"),
        "logout": _("Logged out"),
        "login_failed": _("Login failed"),
        "second_factor_set_up": _("Second factor set up"),
        "account_created": _("Account created"),
        "account_disabled": _("Account disabled"),
        "password_reset": _("Password reset"),
    }


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def actor_of() -> str:
    return f"advisor:{current_user.id}"


# --- the list of sent assessments ----------------------------------------------------------------


def list_words() -> export_rows.ListWords:
    """The list export's words in the page's language."""
    return export_rows.ListWords(
        headings={
            "sending": _("Sending no."),
            "assessment": _("Assessment no."),
            "organisation": _("Organisation"),
            "programme": _("Programme"),
            "fund_programme": _("Programme at the fund"),
            "role": _("Role"),
            "status": _("Status"),
            "advisor": _("Assigned advisor"),
            "sent_at": _("Sent (UTC)"),
            "version": _("Version"),
            "overall_score": _("Score (0–100)"),
            "overall_level": _("Level"),
            "requirements_unmet": _("Unmet requirements"),
            "high_flags": _("High warnings"),
        },
        roles=role_names(),
        statuses=status_names(),
        levels=dict(level_choices(g.lang)),
        dimension_score=lambda title: _("%(dimension)s: score", dimension=title),
        dimension_level=lambda title: _("%(dimension)s: level", dimension=title),
        note=lambda qid: _("%(question)s: note", question=qid),
    )


def list_export(kind: str) -> tuple[export_rows.ListLayout, Iterator[list], str]:
    """The columns, the rows (read as they are written) and the file name of a list export.

    The audit event is committed first: an export that fails on the way is still recorded.
    """
    filters = read_filters(request.args)
    questionnaires = service.questionnaires()
    asked = [questionnaires[filters.role]] if filters.role else list(questionnaires.values())
    layout = export_rows.ListLayout.of(asked, g.lang, list_words())
    rows = export.count(filters)
    audit(
        "export",
        None,
        actor=actor_of(),
        what="list",
        format=kind,
        rows=rows,
        filters=filters.query_args(page=1),
    )
    db.session.commit()
    stem = _("assessments")  # vurderinger / bedomningar: a file name has no å, ä or ö
    name = f"{stem}-{today()}.{kind}"
    return layout, (layout.row(r) for r in export.records(filters)), name


def attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def csv_response(headings: list[str], rows: Iterator[list], name: str) -> Response:
    """A CSV file streamed as it is read from the database."""
    chunks = export_rows.csv_chunks(headings, rows)
    return Response(stream_with_context(chunks), mimetype=CSV_TYPE, headers=attachment(name))


def xlsx_response(tables: list[export_rows.Table], name: str) -> Response:
    """An XLSX file: written to a temporary file row by row, then sent from it in pieces."""
    spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (closed below)
    try:
        export_rows.write_xlsx(spooled, tables)
    except BaseException:
        spooled.close()
        raise
    size = spooled.tell()
    spooled.seek(0)

    def pieces() -> Iterator[bytes]:
        try:
            while piece := spooled.read(64 * 1024):
                yield piece
        finally:
            spooled.close()

    headers = {**attachment(name), "Content-Length": str(size)}
    return Response(pieces(), mimetype=XLSX_TYPE, headers=headers)


@localized_route(bp, "/{advisor}/{export}.csv")
@login_required
def export_csv():
    """Every sending the list's filters match, as CSV for Excel in Danish or Swedish."""
    layout, rows, name = list_export("csv")
    return csv_response(layout.headings, rows, name)


# A workbook is written whole before it is sent (about 4 ms a sending with every answer,
# measured on 1,000 seeded ones); beyond this many the request would come near a worker's
# timeout, so the advisor is asked to narrow the list or take the CSV, which streams.
XLSX_MAX_ROWS = 2000


@localized_route(bp, "/{advisor}/{export}.xlsx")
@login_required
def export_xlsx():
    """Every sending the list's filters match, as an XLSX workbook."""
    filters = read_filters(request.args)
    matched = export.count(filters)
    if matched > XLSX_MAX_ROWS:
        flash(
            _(
                "%(num)s assessments match: a spreadsheet holds at most %(max)s. Narrow the "
                "list with the filters, or export it as CSV, which has no limit.",
                num=format_number(matched),
                max=format_number(XLSX_MAX_ROWS),
            ),
            "error",
        )
        return redirect(url_for(".home", **filters.query_args(page=1)))
    layout, rows, name = list_export("xlsx")
    table = export_rows.Table(_("Sent assessments"), layout.headings, rows, WIDTHS)
    return xlsx_response([table], name)


# --- the audit log -------------------------------------------------------------------------------


def lead_only() -> tuple[str, int] | None:
    """The refusal page for an advisor who is not a lead, or None for a lead."""
    if current_user.role == "lead":
        return None
    return render_template("views/advisor/lead_only.html"), 403


def actor_name(actor: str, names: dict[int, str]) -> str:
    """Who acted, in plain words: the advisor's name, or what kind of actor it was."""
    number = audit_log.advisor_id(actor)
    if number is not None:
        return names.get(number) or _("Advisor no. %(id)d (account removed)", id=number)
    return {
        "respondent": _("Respondent"),
        "system": _("System (command line)"),
        "unknown": _("Unknown (no such account)"),
    }.get(actor, actor)


@localized_route(bp, "/{advisor}/{audit_log}")
@login_required
def audit_log_page():
    """The audit log, newest first, 50 events a page, with filters."""
    refused = lead_only()
    if refused:
        return refused
    actions = action_names()
    filters = audit_log.read_log_filters(request.args, actions)
    page = audit_log.log_page(filters)
    names = audit_log.advisor_names(e.actor for e in page.events)
    return render_template(
        "views/advisor/audit_log.html",
        page=page,
        filters=filters,
        actions=actions,
        actor=lambda event: actor_name(event.actor, names),
        detail=export_rows.detail_text,
        utc=export_rows.utc,
    )


@localized_route(bp, "/{advisor}/{audit_log}.csv")
@login_required
def audit_log_csv():
    """The filtered audit log as CSV, itself recorded in the log."""
    refused = lead_only()
    if refused:
        return refused
    actions = action_names()
    filters = audit_log.read_log_filters(request.args, actions)
    up_to = audit_log.last_id()  # the export's own event comes after what it holds
    rows = audit_log.count(filters, up_to)
    audit(
        "export",
        None,
        actor=actor_of(),
        what="audit_log",
        format="csv",
        rows=rows,
        filters=filters.query_args(page=1),
    )
    db.session.commit()
    names = audit_log.advisor_names()
    headings = [
        _("Time (UTC)"),
        _("Who"),
        _("Actor"),
        _("What"),
        _("Assessment no."),
        _("Details"),
    ]

    def row(event: AuditEvent) -> list:
        return [
            event.at,
            actor_name(event.actor, names),
            event.actor,
            actions.get(event.action, event.action),
            event.assessment_id,
            export_rows.detail_text(event.detail),
        ]

    stem = _("audit-log")  # revisionslog / granskningslogg
    name = f"{stem}-{today()}.csv"
    return csv_response(headings, (row(e) for e in audit_log.every_event(filters, up_to)), name)

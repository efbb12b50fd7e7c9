"""`flask purge`: delete what the privacy notice promises to delete (run it daily)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask import Flask
from sqlalchemy import delete, or_, select

from app.assessment import service
from app.extensions import db
from app.models import Assessment, AuditEvent, PageFeedback, Sending

DRAFT_DAYS = 90
SUBMITTED_YEARS = 3
SUBMITTED_DAYS = SUBMITTED_YEARS * 365
FEEDBACK_DAYS = 365
# The audit log (who did what to a sent assessment, and advisors' logins) is kept for five years.
AUDIT_YEARS = 5
AUDIT_DAYS = AUDIT_YEARS * 365


def expired_assessments(now: datetime) -> list[Assessment]:
    """Drafts untouched for 90 days and submitted assessments older than three years.

    A draft that is the revision of an assessment the fund was sent is kept as long as that
    sending: three years from when it was first sent, not 90 days from the last change, so that an
    unfinished revision never takes the version the fund has with it early.
    """
    sent = select(Sending.assessment_id)
    first_sent = (
        select(Sending.sent_at).where(Sending.assessment_id == Assessment.id).scalar_subquery()
    )
    return list(
        db.session.scalars(
            select(Assessment).where(
                or_(
                    (Assessment.status == "draft")
                    & (Assessment.updated_at < now - timedelta(days=DRAFT_DAYS))
                    & Assessment.id.not_in(sent),
                    (Assessment.status == "draft")
                    & Assessment.id.in_(sent)
                    & (first_sent < now - timedelta(days=SUBMITTED_DAYS)),
                    (Assessment.status == "submitted")
                    & (Assessment.submitted_at < now - timedelta(days=SUBMITTED_DAYS)),
                )
            )
        )
    )


def purge(now: datetime) -> tuple[int, int, int]:
    """Delete expired assessments (with what was drawn for them and their sendings to the fund),
    year-old page feedback and audit events older than five years.

    A sent assessment is kept exactly as long as one never sent: the fund keeps nothing longer.
    """
    assessments = expired_assessments(now)
    for assessment in assessments:
        service.delete(assessment, actor="system")
    feedback = db.session.execute(
        delete(PageFeedback).where(PageFeedback.created_at < now - timedelta(days=FEEDBACK_DAYS))
    )
    audit = db.session.execute(
        delete(AuditEvent).where(AuditEvent.at < now - timedelta(days=AUDIT_DAYS))
    )
    db.session.commit()
    return len(assessments), feedback.rowcount, audit.rowcount


def init_app(app: Flask) -> None:
    """Register the command."""

    @app.cli.command("purge")
    def purge_command() -> None:
        """Delete expired assessments, page feedback and audit events."""
        assessments, feedback, audit = purge(datetime.now(UTC))
        click.echo(
            f"Deleted {assessments} assessment(s), {feedback} feedback answer(s) "
            f"and {audit} audit event(s)."
        )

"""`flask purge`: delete what the privacy notice promises to delete (run it daily)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask import Flask
from sqlalchemy import delete, or_, select

from app.assessment import service
from app.extensions import db
from app.models import Assessment, PageFeedback

DRAFT_DAYS = 90
SUBMITTED_YEARS = 3
SUBMITTED_DAYS = SUBMITTED_YEARS * 365
FEEDBACK_DAYS = 365


def expired_assessments(now: datetime) -> list[Assessment]:
    """Drafts untouched for 90 days and submitted assessments older than three years."""
    return list(
        db.session.scalars(
            select(Assessment).where(
                or_(
                    (Assessment.status == "draft")
                    & (Assessment.updated_at < now - timedelta(days=DRAFT_DAYS)),
                    (Assessment.status == "submitted")
                    & (Assessment.submitted_at < now - timedelta(days=SUBMITTED_DAYS)),
                )
            )
        )
    )


def purge(now: datetime) -> tuple[int, int]:
    """Delete expired assessments (with what was drawn for them) and year-old page feedback."""
    assessments = expired_assessments(now)
    for assessment in assessments:
        service.delete(assessment, actor="system")
    feedback = db.session.execute(
        delete(PageFeedback).where(PageFeedback.created_at < now - timedelta(days=FEEDBACK_DAYS))
    )
    db.session.commit()
    return len(assessments), feedback.rowcount


def init_app(app: Flask) -> None:
    """Register the command."""

    @app.cli.command("purge")
    def purge_command() -> None:
        """Delete expired assessments and page feedback."""
        assessments, feedback = purge(datetime.now(UTC))
        click.echo(f"Deleted {assessments} assessment(s) and {feedback} feedback answer(s).")

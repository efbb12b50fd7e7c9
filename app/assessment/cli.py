"""`flask purge-assessments`: delete what the start page promises to delete (run it daily)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask import Flask
from sqlalchemy import or_, select

from app.assessment import service
from app.extensions import db
from app.models import Assessment

DRAFT_DAYS = 90
SUBMITTED_DAYS = 3 * 365


def expired(now: datetime) -> list[Assessment]:
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


def init_app(app: Flask) -> None:
    """Register the command."""

    @app.cli.command("purge-assessments")
    def purge_assessments() -> None:
        """Delete expired assessments and everything drawn for them."""
        gone = expired(datetime.now(UTC))
        for assessment in gone:
            service.delete(assessment)
        click.echo(f"Deleted {len(gone)} expired assessment(s).")

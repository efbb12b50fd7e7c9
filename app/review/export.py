"""The sendings an export holds: every one the list's filters match, read in batches.

The rows come from the database BATCH at a time (yield_per: a server-side cursor on PostgreSQL),
each with the fund's copy of its answers and notes (app/review/fund_copy.py): never a
respondent's revision in progress. A withdrawn sending keeps its line in the list, as on the list
page, but the fund no longer sees its answers and notes, so the export leaves them out.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import defer, selectinload

from app.core.export_rows import Record
from app.extensions import db
from app.models import Advisor, Assessment, Programme, Sending
from app.review.fund_copy import fund_copy
from app.review.listing import SORTS, Filters
from app.review.listing import _conditions as conditions

BATCH = 500


def count(f: Filters) -> int:
    """How many sendings the filters match (every page of the list)."""
    query = select(func.count()).select_from(Sending).join(Assessment).where(*conditions(f))
    return db.session.scalar(query) or 0


def records(f: Filters) -> Iterator[Record]:
    """Every sending the filters match, in the list's order, as export records."""
    query = (
        select(Sending, Assessment, Advisor.name, Programme.name)
        .join(Assessment, Sending.assessment_id == Assessment.id)
        .outerjoin(Advisor, Sending.assigned_advisor_id == Advisor.id)
        .outerjoin(Programme, Sending.programme_id == Programme.id)
        .where(*conditions(f))
        .order_by(SORTS[f.sort], Sending.id.desc())
        # The stored result is the costliest column to read (a large JSON document) and the
        # export needs none of it: the per-dimension scores come from their own rows.
        .options(defer(Assessment.result), selectinload(Sending.scores))
        .execution_options(yield_per=BATCH)
    )
    for sending, assessment, advisor_name, programme_name in db.session.execute(query):
        yield record(sending, assessment, advisor_name or "", programme_name or "")


def record(sending: Sending, assessment: Assessment, advisor: str, programme: str) -> Record:
    """One sending with the version of its answers the fund has."""
    seen = sending.status != "withdrawn"
    copy = fund_copy(sending) if seen else assessment
    # Copied from the version the fund has when it was sent (app/assessment/sending.py).
    dimensions = {row.dimension: (row.score, row.level) for row in sending.scores}
    return Record(
        sending_id=sending.id,
        assessment_id=assessment.id,
        questionnaire_id=assessment.questionnaire_id,
        organisation=assessment.organisation,
        programme=assessment.programme,
        fund_programme=programme,
        status=sending.status,
        advisor=advisor,
        sent_at=sending.sent_at,
        version=sending.version,
        overall_score=sending.overall_score,
        overall_level=sending.overall_level,
        requirements_unmet=sending.requirements_unmet,
        high_flags=sending.high_flags,
        dimensions=dimensions if seen else {},
        answers=dict(copy.answers or {}) if seen else {},
        notes=dict(copy.notes or {}) if seen else {},
    )

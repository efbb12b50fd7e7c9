"""The version of a sent assessment that the fund has: what advisors read, list and export.

While a returned assessment is being revised (sending.revising), its respondent edits the live
assessment; the fund keeps reading the version it was sent, copied to sending_version. At any
other time the live assessment is that version (a submitted assessment never changes).
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Assessment, Sending, SendingVersion


def kept_version(sending: Sending, number: int) -> SendingVersion | None:
    """A version kept when the respondent reopened it, by number."""
    return db.session.scalar(
        select(SendingVersion).where(
            SendingVersion.sending_id == sending.id, SendingVersion.number == number
        )
    )


def as_assessment(sending: Sending, kept: SendingVersion) -> Assessment:
    """A kept version as an unsaved Assessment, so that every result view can show it.

    It is never added to the session. Its drawings are stored under the version's prefix
    (drawing_prefix), apart from the live assessment's.
    """
    live = sending.assessment
    copy = Assessment(
        id=live.id,
        token=live.token,
        questionnaire_id=live.questionnaire_id,
        questionnaire_version=kept.questionnaire_version,
        lang=live.lang,
        organisation=live.organisation,
        programme=live.programme,
        email="",
        answers=kept.answers,
        notes=kept.notes,
        status="submitted",
        result=kept.result,
        scenario=kept.scenario,
        submitted_at=kept.submitted_at,
    )
    copy.drawing_prefix = f"v{kept.number}-"  # type: ignore[attr-defined]
    return copy


def fund_copy(sending: Sending) -> Assessment:
    """The version the fund has now (live, unless the respondent is revising it)."""
    if sending.revising:
        kept = kept_version(sending, sending.version)
        if kept is not None:
            return as_assessment(sending, kept)
    return sending.assessment


def version_copy(sending: Sending, number: int) -> Assessment | None:
    """Any version the fund was sent, by number (the current one may be live)."""
    if number == sending.version and not sending.revising:
        return sending.assessment
    kept = kept_version(sending, number)
    return as_assessment(sending, kept) if kept is not None else None

"""Programmes: making one, filing a sent assessment under one, and reading one's assessments.

A programme's assessments are always read as the fund has them (fund_copy and version_copy),
never from a draft that a respondent is revising. Withdrawn sendings are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.assessment.sending import audit
from app.core.programme import NEW_PROGRAMME, Entry
from app.extensions import db
from app.models import Programme, Sending, SendingVersion
from app.review.fund_copy import fund_copy, version_copy


class Conflict(Exception):
    """Someone else changed the sending after the advisor read it."""


@dataclass(frozen=True)
class Listed:
    """A programme in the list, with how many sent assessments it holds and the latest date."""

    programme: Programme
    count: int
    latest: datetime | None


def listed() -> list[Listed]:
    """Every programme by name, with its sent (not withdrawn) assessments counted in one query."""
    shown = (Sending.programme_id == Programme.id) & (Sending.status != "withdrawn")
    rows = db.session.execute(
        select(Programme, func.count(Sending.id), func.max(Sending.sent_at))
        .outerjoin(Sending, shown)
        .group_by(Programme.id)
        .order_by(func.lower(Programme.name), Programme.id)
    ).all()
    return [Listed(programme, count, latest) for programme, count, latest in rows]


def every_programme() -> list[Programme]:
    """Every programme, by name (for the filing form's choices)."""
    return list(db.session.scalars(select(Programme).order_by(Programme.name, Programme.id)))


def create(name: str, advisor_id: int) -> Programme:
    """A new programme (added to the session; the caller commits)."""
    programme = Programme(name=name.strip(), created_by_id=advisor_id)
    db.session.add(programme)
    db.session.flush()
    return programme


def file(sending: Sending, choice: str, new_name: str, read_version: int, advisor_id: int) -> None:
    """File the sending under a programme ("" takes it out; NEW_PROGRAMME makes one from new_name).

    read_version is the sending's lock_version when the advisor's page was drawn: if it has
    moved since, or moves while this is saved, nothing is saved and Conflict is raised.
    """
    if read_version != sending.lock_version:
        raise Conflict()
    if choice == NEW_PROGRAMME:
        programme_id: int | None = create(new_name, advisor_id).id
    else:
        programme_id = int(choice) if choice else None
    if programme_id != sending.programme_id:
        sending.programme_id = programme_id
        audit(
            "programme_set",
            sending.assessment_id,
            actor=f"advisor:{advisor_id}",
            programme_id=programme_id,
        )
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise Conflict() from error


def sendings_of(programme: Programme) -> list[Sending]:
    """The programme's sent assessments that are not withdrawn, oldest first."""
    return list(
        db.session.scalars(
            select(Sending)
            .where(Sending.programme_id == programme.id, Sending.status != "withdrawn")
            .options(selectinload(Sending.assessment))
            .order_by(Sending.sent_at, Sending.id)
        )
    )


def entries(sendings: list[Sending]) -> list[Entry]:
    """Every version the fund was sent of each sending, as plain entries.

    The current version is the fund's copy; the earlier ones are the kept versions. A version's
    date is when it was sent; entries are ordered within a sending by number.
    """
    found = []
    for sending in sendings:
        dates = _version_dates(sending)
        for number in range(1, sending.version + 1):
            copy = (
                fund_copy(sending) if number == sending.version else version_copy(sending, number)
            )
            if copy is None or not copy.result:
                continue
            found.append(
                Entry(
                    sending_id=sending.id,
                    role=copy.questionnaire_id,
                    organisation=copy.organisation,
                    sent_at=dates.get(number, sending.sent_at),
                    version=number,
                    result=copy.result,
                    answers=copy.answers or {},
                )
            )
    return found


def _version_dates(sending: Sending) -> dict[int, datetime]:
    """When each kept version was sent; the current one is dated by the sending."""
    rows = db.session.execute(
        select(SendingVersion.number, SendingVersion.sent_at).where(
            SendingVersion.sending_id == sending.id
        )
    ).all()
    dates = dict(rows)
    if not sending.revising:
        dates.pop(sending.version, None)
    return dates

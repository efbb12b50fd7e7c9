"""A respondent's decisions about the fund: send a submitted assessment, withdraw it, mail a link.

The fund sees an assessment only once its respondent sends it. A sending can be withdrawn while
no review has started (status "sent"); a withdrawn one may be sent again. Every change leaves an
audit event that names no person. Secret links are mailed only to the respondent's own address:
the one typed on the send page or on the save page. Advisors are told of a new sending by the
assessment's number only: their pages come behind a login, never behind the secret link.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from app import mail
from app.extensions import db
from app.models import Advisor, Assessment, AuditEvent, Sending, SendingFlag, SendingScore
from app.urls import public_url

# While a sending has this status, no advisor has begun on it and its respondent may withdraw.
WITHDRAWABLE = "sent"


class CannotSend(Exception):
    """The assessment is not submitted, or is with the fund already."""


@dataclass(frozen=True)
class StatusView:
    """What the respondent reads about a sending at the secret link."""

    status: str
    sent_at: datetime
    changed_at: datetime
    revising: bool = False
    version: int = 1

    @property
    def withdrawable(self) -> bool:
        return self.status == WITHDRAWABLE

    @property
    def with_the_fund(self) -> bool:
        return self.status != "withdrawn"


def status_label(status: str) -> str:
    """A sending's status in plain words, in the current language."""
    return {
        "sent": _("Sent. No advisor has started on it yet."),
        "in_review": _("In review by an advisor."),
        "returned": _("Returned to you for revision."),
        "resubmitted": _("Sent again after revision."),
        "feedback": _("Feedback given. The review is closed."),
        "withdrawn": _("Withdrawn. The fund no longer sees it."),
    }[status]


def audit(action: str, assessment_id: int | None, actor: str = "respondent", **detail: Any) -> None:
    """Add an audit event to the session (committed with the change it records); an event about
    many assessments at once (an export of the list) has no assessment_id."""
    db.session.add(
        AuditEvent(actor=actor, action=action, assessment_id=assessment_id, detail=detail)
    )


def current(assessment: Assessment) -> Sending | None:
    """The assessment's sending, if it was ever sent."""
    return db.session.scalar(select(Sending).where(Sending.assessment_id == assessment.id))


def status_of(token: str) -> StatusView | None:
    """The sending behind a secret link, in one query (the result page is otherwise stored)."""
    row = db.session.execute(
        select(
            Sending.status, Sending.sent_at, Sending.updated_at, Sending.revising, Sending.version
        )
        .join(Assessment, Sending.assessment_id == Assessment.id)
        .where(Assessment.token == token)
    ).first()
    return StatusView(*row) if row else None


def summary(assessment: Assessment) -> dict[str, Any]:
    """The frozen result's figures that the advisors' list filters and sorts by."""
    result = assessment.result or {}
    gate = result.get("gate") or {}
    return {
        "role": assessment.questionnaire_id,
        "overall_level": result.get("overall_level"),
        "overall_score": result.get("overall"),
        "requirements_unmet": int(gate.get("requirements_unmet", 0)),
        "high_flags": int(gate.get("high_flags", 0)),
    }


def whole_point(score: float | None) -> int | None:
    """A score to the whole point, half up (the dashboard counts scores per point)."""
    return None if score is None else math.floor(score + 0.5)


def dimension_scores(assessment: Assessment) -> list[SendingScore]:
    """The frozen result's score and level per dimension, as rows the list and dashboard read."""
    return [
        SendingScore(
            dimension=d["id"],
            score=d.get("score"),
            level=d.get("level"),
            status=d.get("status", "scored"),
            point=whole_point(d.get("score")),
        )
        for d in (assessment.result or {}).get("dimensions", [])
    ]


def flag_codes(assessment: Assessment) -> set[tuple[str, str]]:
    """The frozen result's warnings and unmet requirements, as (kind, code) for the dashboard."""
    result = assessment.result or {}
    flags = {("flag", f["id"]) for f in result.get("flags", [])}
    unmet = {
        ("requirement", r["id"])
        for r in result.get("requirements", [])
        if not r.get("met") and r.get("applicable", True)
    }
    return flags | unmet


def copy_summary(sending: Sending, assessment: Assessment) -> None:
    """Copy the figures the list filters by from the version the fund now has."""
    for column, value in summary(assessment).items():
        setattr(sending, column, value)
    # Updated in place: the rows are unique per dimension.
    fresh = {row.dimension: row for row in dimension_scores(assessment)}
    for row in list(sending.scores):
        new = fresh.pop(row.dimension, None)
        if new is None:
            sending.scores.remove(row)
        else:
            row.score, row.level, row.status = new.score, new.level, new.status
            row.point = new.point
    sending.scores.extend(fresh.values())
    # The same for the warnings and unmet requirements: rows unique per kind and code.
    wanted = flag_codes(assessment)
    for row in list(sending.flags):
        if (row.kind, row.code) in wanted:
            wanted.discard((row.kind, row.code))
        else:
            sending.flags.remove(row)
    sending.flags.extend(SendingFlag(kind=kind, code=code) for kind, code in sorted(wanted))
    # What the dashboard groups by without a join: the role, and whether the sending counts.
    for row in [*sending.scores, *sending.flags]:
        row.role, row.counted = sending.role, sending.status != "withdrawn"
    # A change to the rows alone must still move the stamp the dashboard's kept figures go by.
    sending.updated_at = datetime.now(UTC)


def send(assessment: Assessment, name: str, email: str, lang: str) -> Sending:
    """Send a submitted assessment to the fund (again, if it was withdrawn), then mail about it.

    The respondent gets a confirmation with the secret link, at the address typed on the send
    page; every active lead advisor gets the assessment's number, without the link.
    """
    if not assessment.submitted:
        raise CannotSend()
    sending = current(assessment)
    now = datetime.now(UTC)
    if sending is None:
        sending = Sending(assessment_id=assessment.id)
        db.session.add(sending)
    elif sending.status != "withdrawn":
        raise CannotSend()
    sending.contact_name = name
    sending.contact_email = email
    sending.status = "sent"
    sending.sent_at = now
    sending.assigned_advisor_id = None
    copy_summary(sending, assessment)
    audit("sent", assessment.id, lang=lang)
    db.session.commit()
    mail_confirmation(assessment, sending, lang)
    mail_lead_advisors(assessment, lang)
    return sending


def withdraw(assessment: Assessment) -> bool:
    """Withdraw a sending no advisor has started on; False when it is too late (or not sent).

    One conditional UPDATE: an advisor who starts the review at the same moment wins or loses
    as a whole, and the lock version moves on so an advisor's page open since then is told.
    """
    done = db.session.execute(
        update(Sending)
        .where(Sending.assessment_id == assessment.id, Sending.status == WITHDRAWABLE)
        .values(
            status="withdrawn",
            # The fund no longer needs to reach the respondent about it.
            contact_name="",
            contact_email="",
            assigned_advisor_id=None,
            updated_at=datetime.now(UTC),
            lock_version=Sending.lock_version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.rollback()
        return False
    # The dashboard no longer counts it (the rows stay, for a sending made again).
    sending_id = select(Sending.id).where(Sending.assessment_id == assessment.id).scalar_subquery()
    for model in (SendingScore, SendingFlag):
        db.session.execute(
            update(model)
            .where(model.sending_id == sending_id)
            .values(counted=False)
            .execution_options(synchronize_session=False)
        )
    audit("withdrawn", assessment.id)
    db.session.commit()
    return True


def dependent_tables() -> list[Any]:
    """The tables whose rows belong to a sending (a foreign key sending_id to sending.id)."""
    return [
        table
        for table in db.metadata.sorted_tables
        if "sending_id" in table.c
        and any(fk.column.table.name == "sending" for fk in table.c.sending_id.foreign_keys)
    ]


def forget(assessment: Assessment, actor: str) -> None:
    """Before an assessment is deleted: drop its sending and keep only that it happened.

    The audit events of a deleted assessment lose their details; who did what and when stays.
    Assessments never sent leave no trace: the fund never knew of them.
    """
    sending = current(assessment)
    if sending is None:
        return
    # Everything kept about the sending (comments, notes, versions, scores) goes with it: deleted
    # here, table by table, not left to the foreign keys' cascade, which SQLite enforces only
    # when asked to. A table added later that points at sending is covered the day it is added.
    for table in dependent_tables():
        db.session.execute(table.delete().where(table.c.sending_id == sending.id))
    db.session.expire(sending)
    db.session.delete(sending)
    db.session.execute(
        update(AuditEvent).where(AuditEvent.assessment_id == assessment.id).values(detail={})
    )
    audit("deleted", assessment.id, actor=actor)


# --- mails -----------------------------------------------------------------------------------


def result_link(assessment: Assessment, lang: str) -> str:
    """The secret link to the result page, in the language of the mail."""
    return public_url("assessment.result", token=assessment.token, lang_code=lang)


def mail_confirmation(assessment: Assessment, sending: Sending, lang: str) -> bool:
    """Tell the respondent, at the address they typed, that the fund has the assessment."""
    with force_locale(lang):
        subject = _("Your self-assessment has been sent to the fund")
        body = "\n\n".join(
            [
                _("Dear %(name)s,", name=sending.contact_name),
                _(
                    "The self-assessment of “%(programme)s” for %(organisation)s has been sent "
                    "to the fund. An advisor will review it. The advisor may return it to you "
                    "with comments, or give you feedback.",
                    programme=assessment.programme,
                    organisation=assessment.organisation,
                ),
                _(
                    "You can follow its status, and withdraw it until the review starts, at "
                    "your secret link:"
                ),
                result_link(assessment, lang),
                _("Anyone who has the link can open the assessment. Keep it like a password."),
            ]
        )
    return mail.send(sending.contact_email, subject, body)


def mail_lead_advisors(assessment: Assessment, lang: str) -> int:
    """Tell every active lead advisor of a new sending, by number; no secret link, ever."""
    leads = db.session.scalars(
        select(Advisor).where(Advisor.role == "lead", Advisor.active.is_(True))
    ).all()
    with force_locale(lang):
        subject = _("New self-assessment sent to the fund (no. %(id)d)", id=assessment.id)
        body = "\n\n".join(
            [
                _(
                    "A self-assessment has been sent to the fund and waits for an advisor: "
                    "no. %(id)d, “%(programme)s” for %(organisation)s.",
                    id=assessment.id,
                    programme=assessment.programme,
                    organisation=assessment.organisation,
                ),
                _(
                    "Find it by its number in the advisors' workspace after logging in. "
                    "Assign it to an advisor there."
                ),
            ]
        )
    return sum(mail.send(lead.email, subject, body) for lead in leads)


def mail_link(assessment: Assessment, email: str, lang: str, link: str) -> bool:
    """Mail the secret link to the address the respondent typed on the save page."""
    with force_locale(lang):
        subject = _("Your secret link to the self-assessment")
        body = "\n\n".join(
            [
                _(
                    "You asked us to send you the link to the self-assessment of "
                    "“%(programme)s” for %(organisation)s. Use it to come back and continue:",
                    programme=assessment.programme,
                    organisation=assessment.organisation,
                ),
                link,
                _("Anyone who has the link can open the assessment. Keep it like a password."),
                _("If you did not ask for this mail, you can delete it."),
            ]
        )
    return mail.send(email, subject, body)

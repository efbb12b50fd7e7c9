"""The review of a sent assessment: who may do what, in which status, and who is told.

    sent ─start→ in_review ─return→ returned ─(respondent revises, resubmits)→ resubmitted
                    │  ↑                                                         │
                    │  └──────────────────────── start ──────────────────────────┘
                    └─feedback→ feedback (closed)

Every change checks the lock version the advisor's page was drawn with: when another advisor
(or the respondent) changed the sending meanwhile, the change is refused with Conflict and the
page says so, instead of overwriting. Comments are drafts until the assessment is returned with
them; internal notes are never released. Every change leaves an audit event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm.exc import StaleDataError

from app import mail
from app.assessment.sending import audit, copy_summary, result_link
from app.extensions import db
from app.models import (
    Advisor,
    Assessment,
    RenderedFile,
    ReviewComment,
    Sending,
    SendingVersion,
)

# Where a review can begin: a new sending, or a revision sent again.
STARTABLE = ("sent", "resubmitted")
# Where an advisor writes comments and decides.
OPEN = ("in_review",)
COMMENT_LIMIT = 5000


class Conflict(Exception):
    """The sending changed since the advisor's page was drawn."""


class NotAllowed(Exception):
    """Not in this status, or not for this advisor."""


def actor(advisor: Advisor) -> str:
    return f"advisor:{advisor.id}"


def _check(sending: Sending, seen: int | None) -> None:
    if seen is None or sending.lock_version != seen:
        raise Conflict()


def _commit() -> None:
    """Commit; a concurrent change that slipped in after the check is still a conflict."""
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise Conflict() from error


def _touch(sending: Sending) -> None:
    # The lock version moves on with every change, also when only comments were released.
    sending.updated_at = datetime.now(UTC)


# --- the advisor's side ----------------------------------------------------------------------


def start_review(sending: Sending, advisor: Advisor, seen: int | None) -> None:
    """Begin (or resume, after a resubmission) the review; it is the advisor's unless assigned."""
    _check(sending, seen)
    if sending.status not in STARTABLE:
        raise NotAllowed()
    sending.status = "in_review"
    if sending.assigned_advisor_id is None:
        sending.assigned_advisor_id = advisor.id
    _touch(sending)
    audit("review_started", sending.assessment_id, actor=actor(advisor), version=sending.version)
    _commit()


def assign(sending: Sending, lead: Advisor, advisor_id: int | None, seen: int | None) -> None:
    """A lead advisor gives the sending to an advisor (or to nobody); the advisor is mailed."""
    if lead.role != "lead":
        raise NotAllowed()
    _check(sending, seen)
    if sending.status == "withdrawn":
        raise NotAllowed()
    chosen = db.session.get(Advisor, advisor_id) if advisor_id is not None else None
    if advisor_id is not None and (chosen is None or not chosen.active):
        raise NotAllowed()
    sending.assigned_advisor_id = advisor_id
    _touch(sending)
    audit("assigned", sending.assessment_id, actor=actor(lead), advisor_id=advisor_id)
    _commit()
    if chosen is not None and chosen.id != lead.id:
        mail_assigned(chosen, sending, "assigned")


def add_comment(
    sending: Sending, advisor: Advisor, kind: str, body: str, question_id: str | None = None
) -> ReviewComment:
    """A comment for the respondent (a draft until returned), or an internal note.

    Comments are written while the review is open; a note at any time the fund has it. Adding
    one changes nothing another advisor could have changed, so it takes no lock.
    """
    if kind not in ("comment", "note"):
        raise NotAllowed()
    if sending.status == "withdrawn" or (kind == "comment" and sending.status not in OPEN):
        raise NotAllowed()
    comment = ReviewComment(
        sending_id=sending.id,
        version=sending.version,
        kind=kind,
        question_id=question_id or None,
        body=body.strip(),
        advisor_id=advisor.id,
        released=False,
    )
    db.session.add(comment)
    db.session.flush()
    audit(
        "comment_added" if kind == "comment" else "note_added",
        sending.assessment_id,
        actor=actor(advisor),
        question=question_id or None,
        comment_id=comment.id,
    )
    db.session.commit()
    return comment


def remove_draft_comment(sending: Sending, advisor: Advisor, comment_id: int) -> None:
    """Take back a comment the respondent has not seen yet (its writer only)."""
    comment = db.session.get(ReviewComment, comment_id)
    if (
        comment is None
        or comment.sending_id != sending.id
        or comment.released
        or comment.kind != "comment"
        or comment.advisor_id != advisor.id
    ):
        raise NotAllowed()
    db.session.delete(comment)
    audit("comment_removed", sending.assessment_id, actor=actor(advisor), comment_id=comment_id)
    db.session.commit()


def draft_comments(sending: Sending) -> list[ReviewComment]:
    """The comments on this version that go to the respondent when it is returned."""
    return list(
        db.session.scalars(
            select(ReviewComment)
            .where(
                ReviewComment.sending_id == sending.id,
                ReviewComment.kind == "comment",
                ReviewComment.released.is_(False),
            )
            .order_by(ReviewComment.id)
        )
    )


def return_for_revision(
    sending: Sending, advisor: Advisor, seen: int | None, overall: str = ""
) -> int:
    """Return the assessment with its comments; the respondent is mailed. The count released.

    At least one comment, on a question or on the whole, must say what to revise.
    """
    _check(sending, seen)
    if sending.status not in OPEN:
        raise NotAllowed()
    if overall.strip():
        db.session.add(
            ReviewComment(
                sending_id=sending.id,
                version=sending.version,
                kind="comment",
                question_id=None,
                body=overall.strip(),
                advisor_id=advisor.id,
                released=False,
            )
        )
        db.session.flush()
    drafts = draft_comments(sending)
    if not drafts:
        db.session.rollback()
        raise NotAllowed()
    for comment in drafts:
        comment.released = True
    sending.status = "returned"
    sending.revising = False
    _touch(sending)
    audit(
        "returned",
        sending.assessment_id,
        actor=actor(advisor),
        version=sending.version,
        comments=len(drafts),
    )
    _commit()
    mail_respondent(sending, "returned")
    return len(drafts)


def give_feedback(sending: Sending, advisor: Advisor, seen: int | None, body: str) -> None:
    """Close the review with a word to the respondent, who is mailed."""
    _check(sending, seen)
    if sending.status not in OPEN or not body.strip():
        raise NotAllowed()
    db.session.add(
        ReviewComment(
            sending_id=sending.id,
            version=sending.version,
            kind="feedback",
            question_id=None,
            body=body.strip(),
            advisor_id=advisor.id,
            released=True,
        )
    )
    # Comments not returned are not sent with the feedback: they stay the advisor's drafts.
    sending.status = "feedback"
    _touch(sending)
    audit("feedback_given", sending.assessment_id, actor=actor(advisor), version=sending.version)
    _commit()
    mail_respondent(sending, "feedback")


# --- the respondent's side -------------------------------------------------------------------


def revisable(sending: Sending | None) -> bool:
    return sending is not None and sending.status == "returned" and not sending.revising


def reopen(assessment: Assessment, sending: Sending) -> None:
    """The respondent begins to revise: the sent version is kept, the assessment is a draft again.

    Same secret link, same answers to start from. The fund goes on reading the kept version.
    """
    if not revisable(sending) or not assessment.submitted:
        raise NotAllowed()
    db.session.add(
        SendingVersion(
            sending_id=sending.id,
            number=sending.version,
            questionnaire_version=assessment.questionnaire_version,
            answers=dict(assessment.answers),
            notes=dict(assessment.notes),
            result=assessment.result or {},
            scenario=assessment.scenario,
            submitted_at=assessment.submitted_at,
            sent_at=sending.updated_at or sending.sent_at,
        )
    )
    sending.revising = True
    _touch(sending)
    assessment.status = "draft"
    assessment.result = None
    assessment.submitted_at = None
    # The live assessment's drawings were of the version the fund keeps; they are drawn anew.
    db.session.execute(
        delete(RenderedFile).where(
            RenderedFile.assessment_id == assessment.id, ~RenderedFile.name.startswith("v")
        )
    )
    audit("revision_started", assessment.id, version=sending.version)
    _commit()


def resendable(assessment: Assessment, sending: Sending | None) -> bool:
    return (
        sending is not None
        and sending.status == "returned"
        and sending.revising
        and assessment.submitted
    )


def resend(assessment: Assessment, sending: Sending) -> None:
    """Send the revised, submitted assessment again: a new version for the fund."""
    if not resendable(assessment, sending):
        raise NotAllowed()
    sending.version += 1
    sending.revising = False
    sending.status = "resubmitted"
    copy_summary(sending, assessment)
    _touch(sending)
    audit("resubmitted", assessment.id, version=sending.version)
    _commit()
    if sending.assigned_advisor is not None and sending.assigned_advisor.active:
        mail_assigned(sending.assigned_advisor, sending, "resubmitted")
    else:
        for lead in active_leads():
            mail_assigned(lead, sending, "resubmitted")


def released_comments(sending_id: int) -> list[ReviewComment]:
    """What the respondent may read: returned comments and feedback, never an internal note."""
    return list(
        db.session.scalars(
            select(ReviewComment)
            .where(
                ReviewComment.sending_id == sending_id,
                ReviewComment.kind.in_(("comment", "feedback")),
                ReviewComment.released.is_(True),
            )
            .order_by(ReviewComment.version, ReviewComment.id)
        )
    )


def comments_for(sending_id: int, kinds: Iterable[str]) -> list[ReviewComment]:
    """The advisor's view: every comment, note and feedback of the given kinds, oldest first."""
    return list(
        db.session.scalars(
            select(ReviewComment)
            .where(ReviewComment.sending_id == sending_id, ReviewComment.kind.in_(tuple(kinds)))
            .order_by(ReviewComment.version, ReviewComment.id)
        )
    )


def kept_versions(sending_id: int) -> list[SendingVersion]:
    return list(
        db.session.scalars(
            select(SendingVersion)
            .where(SendingVersion.sending_id == sending_id)
            .order_by(SendingVersion.number)
        )
    )


# --- mails -----------------------------------------------------------------------------------


def active_leads() -> list[Advisor]:
    return list(
        db.session.scalars(select(Advisor).where(Advisor.role == "lead", Advisor.active.is_(True)))
    )


def mail_respondent(sending: Sending, event: str) -> bool:
    """Tell the respondent, at the address they typed when sending, that the fund has answered.

    The secret link goes only to that address: it is the respondent's own.
    """
    assessment = sending.assessment
    lang = assessment.lang
    with force_locale(lang):
        if event == "returned":
            subject = _("Your self-assessment has been returned with comments")
            lead = _(
                "An advisor at the fund has read the self-assessment of “%(programme)s” for "
                "%(organisation)s and returned it to you with comments. Read them, revise your "
                "answers and send it again.",
                programme=assessment.programme,
                organisation=assessment.organisation,
            )
        else:
            subject = _("The fund's feedback on your self-assessment")
            lead = _(
                "An advisor at the fund has given feedback on the self-assessment of "
                "“%(programme)s” for %(organisation)s. The review is closed.",
                programme=assessment.programme,
                organisation=assessment.organisation,
            )
        body = "\n\n".join(
            [
                _("Dear %(name)s,", name=sending.contact_name),
                lead,
                _("Read it at your secret link:"),
                result_link(assessment, lang),
                _("Anyone who has the link can open the assessment. Keep it like a password."),
            ]
        )
    return mail.send(sending.contact_email, subject, body)


def mail_assigned(advisor: Advisor, sending: Sending, event: str) -> bool:
    """Tell an advisor of work: by the assessment's number, never with the secret link."""
    assessment = sending.assessment
    # Advisors' mails are in Danish unless the assessment is Swedish.
    with force_locale(assessment.lang):
        if event == "assigned":
            subject = _("A self-assessment was assigned to you (no. %(id)d)", id=assessment.id)
            text = _(
                "The self-assessment no. %(id)d, “%(programme)s” for %(organisation)s, is "
                "now yours to review.",
                id=assessment.id,
                programme=assessment.programme,
                organisation=assessment.organisation,
            )
        else:
            subject = _("A revised self-assessment was sent again (no. %(id)d)", id=assessment.id)
            text = _(
                "The respondent has revised the self-assessment no. %(id)d, “%(programme)s” "
                "for %(organisation)s, and sent version %(version)d.",
                id=assessment.id,
                programme=assessment.programme,
                organisation=assessment.organisation,
                version=sending.version,
            )
        body = "\n\n".join(
            [text, _("Find it by its number in the advisors' workspace after logging in.")]
        )
    return mail.send(advisor.email, subject, body)

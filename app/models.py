"""Database models."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import ClassVar

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware."""
    return datetime.now(UTC)


class PageFeedback(db.Model):
    """A reader's answer to 'was this page useful?' on one page in one language."""

    __tablename__ = "page_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_key: Mapped[str] = mapped_column(String(100), index=True)
    lang: Mapped[str] = mapped_column(String(2))
    useful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def new_token() -> str:
    """A secret link token: 32 random bytes (256 bits), URL-safe."""
    return secrets.token_urlsafe(32)


class Assessment(db.Model):
    """One self-assessment: answers while in draft, and a frozen result once submitted."""

    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, index=True, default=new_token)
    # The read-only link's own token (app/assessment/read_only.py): None until the respondent
    # makes one, None again when they revoke it. Never derived from the secret token.
    view_token: Mapped[str | None] = mapped_column(
        String(43), unique=True, index=True, nullable=True
    )
    questionnaire_id: Mapped[str] = mapped_column(String(40))
    questionnaire_version: Mapped[int] = mapped_column(Integer)
    lang: Mapped[str] = mapped_column(String(2))
    organisation: Mapped[str] = mapped_column(String(200))
    programme: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    notes: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # A payment-model scenario saved from the simulator (inputs only; outputs are recomputed).
    scenario: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    previous: Mapped[Assessment | None] = relationship(remote_side=[id])
    # Not a column: whether a returned sending of it is being revised, when the query that loaded
    # it already said so (service.find_draft); None when unknown.
    revising_known = None  # bool | None (no annotation: the ORM maps annotated attributes)

    @property
    def submitted(self) -> bool:
        """A submitted assessment is read-only."""
        return self.status == "submitted"


class RenderedFile(db.Model):
    """A chart or report drawn once for a submitted (immutable) result, kept for repeat views."""

    __tablename__ = "rendered_file"
    __table_args__ = (UniqueConstraint("assessment_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(40))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Advisor(UserMixin, db.Model):
    """A fund advisor's account, made on the command line (`flask advisors create`).

    session_epoch is raised on logout, on disabling and on a new password: every session carries
    the epoch it began in, so all of an account's sessions end at once. It is Flask-Login's user
    (app/advisor/accounts.py loads it).
    """

    __tablename__ = "advisor"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="advisor")  # advisor | lead
    password_hash: Mapped[str] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    # The 30-second step of the last code accepted: a code is good once (RFC 6238, 5.2).
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Hashes of the one-time recovery codes that are still unused.
    recovery_codes: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    @property
    def is_active(self) -> bool:  # Flask-Login's name for it
        return bool(self.active)


SENDING_STATUSES = ("sent", "in_review", "returned", "resubmitted", "feedback", "withdrawn")


class Sending(db.Model):
    """An assessment that its respondent chose to send to the fund, and where its review stands.

    The summary columns (role, level, score, counts) are copied from the frozen result when it is
    sent, so that the advisors' list filters and sorts in the database.
    """

    __tablename__ = "sending"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), unique=True, index=True
    )
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(20), default="sent", index=True)
    assigned_advisor_id: Mapped[int | None] = mapped_column(
        ForeignKey("advisor.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # The programme an advisor filed it under (the authority's and its suppliers' assessments).
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # Which version the fund has: 1 when first sent, one more for each revision sent again.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Returned, and its respondent has reopened it to revise (the fund keeps the sent version).
    revising: Mapped[bool] = mapped_column(Boolean, default=False)
    role: Mapped[str] = mapped_column(String(40), index=True)
    overall_level: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    overall_score: Mapped[float | None] = mapped_column(nullable=True, index=True)
    requirements_unmet: Mapped[int] = mapped_column(Integer, default=0, index=True)
    high_flags: Mapped[int] = mapped_column(Integer, default=0, index=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # Indexed: the dashboard's cache is keyed on the latest change (app/review/dashboard.py).
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, index=True
    )
    # Optimistic locking: a save that read an older version is told of the conflict.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    assessment: Mapped[Assessment] = relationship()
    assigned_advisor: Mapped[Advisor | None] = relationship()
    programme: Mapped[Programme | None] = relationship(back_populates="sendings")
    scores: Mapped[list[SendingScore]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    flags: Mapped[list[SendingFlag]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__: ClassVar[dict] = {"version_id_col": lock_version}


class Programme(db.Model):
    """A programme the fund follows: the assessments of an authority and its suppliers."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("advisor.id", ondelete="SET NULL"), nullable=True
    )

    sendings: Mapped[list[Sending]] = relationship(back_populates="programme")


class SendingScore(db.Model):
    """One dimension's score and level of the version the fund has, for filters and the dashboard.

    Copied from the frozen result on sending (like the summary columns of `sending`), so that no
    list or chart opens a stored result.
    """

    __tablename__ = "sending_score"
    __table_args__ = (
        UniqueConstraint("sending_id", "dimension"),
        Index("ix_sending_score_dimension_level", "dimension", "level"),
        Index("ix_sending_score_dimension_score", "dimension", "score"),
        # The dashboard's spreads: one GROUP BY answered from this index alone.
        Index("ix_sending_score_portfolio", "counted", "role", "dimension", "point"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sending_id: Mapped[int] = mapped_column(
        ForeignKey("sending.id", ondelete="CASCADE"), index=True
    )
    dimension: Mapped[str] = mapped_column(String(40))
    score: Mapped[float | None] = mapped_column(nullable=True)
    level: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # scored | not_enough_answers | not_applicable (app/core/scoring.py)
    status: Mapped[str] = mapped_column(String(20), default="scored")
    # Copied from the sending, so that the dashboard counts without a join: its role, whether it
    # counts (not withdrawn), and the score to the whole point (half up).
    role: Mapped[str] = mapped_column(String(40), default="")
    counted: Mapped[bool] = mapped_column(Boolean, default=True)
    point: Mapped[int | None] = mapped_column(Integer, nullable=True)


FLAG_KINDS = ("flag", "requirement")


class SendingFlag(db.Model):
    """A warning that fired, or a requirement not met, in the version the fund has.

    Copied from the frozen result on sending, like SendingScore, so that the dashboard counts the
    most frequent ones with one GROUP BY on an index instead of opening every stored result.
    kind is "flag" (code: the warning's id) or "requirement" (code: the unmet requirement's id).
    """

    __tablename__ = "sending_flag"
    __table_args__ = (
        UniqueConstraint("sending_id", "kind", "code"),
        Index("ix_sending_flag_kind_code", "kind", "code"),
        Index("ix_sending_flag_portfolio", "counted", "role", "kind", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sending_id: Mapped[int] = mapped_column(
        ForeignKey("sending.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    code: Mapped[str] = mapped_column(String(80))
    # Copied from the sending, as on SendingScore.
    role: Mapped[str] = mapped_column(String(40), default="")
    counted: Mapped[bool] = mapped_column(Boolean, default=True)


class SendingVersion(db.Model):
    """A version the fund had before the respondent revised it, kept as it was sent.

    When an advisor returns an assessment, its respondent edits the same assessment again (same
    secret link); the version the fund saw is copied here first, so that advisors keep seeing what
    was sent, comments stay with the version they were made on, and the change can be shown.
    """

    __tablename__ = "sending_version"
    __table_args__ = (UniqueConstraint("sending_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sending_id: Mapped[int] = mapped_column(
        ForeignKey("sending.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    questionnaire_version: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    notes: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    scenario: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


COMMENT_KINDS = ("comment", "note", "feedback")


class ReviewComment(db.Model):
    """An advisor's words on a sent assessment.

    kind: "comment" goes to the respondent when the assessment is returned (question_id names the
    question, or None for the whole); "note" is internal and never shown to the respondent;
    "feedback" is the closing word. version is the sending's version it was written on.
    """

    __tablename__ = "review_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    sending_id: Mapped[int] = mapped_column(
        ForeignKey("sending.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10), index=True)
    question_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    advisor_id: Mapped[int | None] = mapped_column(
        ForeignKey("advisor.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A comment is a draft until the assessment is returned with it; then the respondent sees it.
    released: Mapped[bool] = mapped_column(Boolean, default=False)

    advisor: Mapped[Advisor | None] = relationship()


class AuditEvent(db.Model):
    """Who did what, when: status changes, comments, notes, exports and logins.

    assessment_id is kept without a foreign key, so that the log outlives a deleted assessment
    and keeps only that something happened to it.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # advisor:<id>, respondent, system
    action: Mapped[str] = mapped_column(String(40), index=True)
    assessment_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

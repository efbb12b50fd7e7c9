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
    role: Mapped[str] = mapped_column(String(40), index=True)
    overall_level: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    overall_score: Mapped[float | None] = mapped_column(nullable=True, index=True)
    requirements_unmet: Mapped[int] = mapped_column(Integer, default=0, index=True)
    high_flags: Mapped[int] = mapped_column(Integer, default=0, index=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    # Optimistic locking: a save that read an older version is told of the conflict.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    assessment: Mapped[Assessment] = relationship()
    assigned_advisor: Mapped[Advisor | None] = relationship()

    __mapper_args__: ClassVar[dict] = {"version_id_col": lock_version}


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

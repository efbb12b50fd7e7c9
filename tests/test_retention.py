"""What the privacy notice promises to delete is deleted by `flask purge`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Assessment, PageFeedback
from tests.assessment_helpers import answer_all, start


def age(app, token: str, field: str, days: int) -> None:
    with app.app_context():
        row = db.session.scalar(select(Assessment).where(Assessment.token == token))
        setattr(row, field, datetime.now(UTC) - timedelta(days=days))
        db.session.commit()


def test_expired_assessments_and_old_feedback_are_purged(db_app, db_client):
    old_draft, fresh_draft, old_result = (start(db_client) for _ in range(3))
    answer_all(db_client, "da", old_result, db_app.extensions["questionnaires"]["kommune"])
    db_client.post(f"/da/selvevaluering/{old_result}/indsend")
    age(db_app, old_draft, "updated_at", 91)
    age(db_app, fresh_draft, "updated_at", 89)
    age(db_app, old_result, "submitted_at", 3 * 365 + 1)
    with db_app.app_context():
        now = datetime.now(UTC)
        db.session.add_all(
            [
                PageFeedback(page_key="pages/about", lang="da", useful=True, comment="",
                             created_at=now - timedelta(days=366)),
                PageFeedback(page_key="pages/about", lang="da", useful=False, comment="",
                             created_at=now - timedelta(days=10)),
            ]
        )  # fmt: skip
        db.session.commit()
    output = db_app.test_cli_runner().invoke(args=["purge"]).output
    assert output.strip() == ("Deleted 2 assessment(s), 1 feedback answer(s) and 0 audit event(s).")
    with db_app.app_context():
        left = set(db.session.scalars(select(Assessment.token)))
        assert left == {fresh_draft}
        assert [f.useful for f in db.session.scalars(select(PageFeedback))] == [False]


def test_a_sent_assessment_is_purged_with_its_sending_and_old_audit_events_go_too(
    db_app, db_client
):
    from app.models import AuditEvent, Sending

    token = start(db_client)
    answer_all(db_client, "da", token, db_app.extensions["questionnaires"]["kommune"])
    db_client.post(f"/da/selvevaluering/{token}/indsend")
    contact = {"contact_name": "Anna", "contact_email": "anna@example.dk", "consent": "y"}
    assert (
        db_client.post(f"/da/selvevaluering/{token}/send-til-fonden", data=contact).status_code
        == 302
    )
    age(db_app, token, "submitted_at", 3 * 365 + 1)
    with db_app.app_context():
        now = datetime.now(UTC)
        db.session.add_all(
            [
                AuditEvent(actor="advisor:1", action="login", at=now - timedelta(days=5 * 365 + 1)),
                AuditEvent(actor="advisor:1", action="login", at=now - timedelta(days=5 * 365 - 1)),
            ]
        )
        db.session.commit()
    output = db_app.test_cli_runner().invoke(args=["purge"]).output
    assert output.strip() == "Deleted 1 assessment(s), 0 feedback answer(s) and 1 audit event(s)."
    with db_app.app_context():
        assert db.session.scalars(select(Sending)).all() == []
        left = [(e.actor, e.action, e.detail) for e in db.session.scalars(select(AuditEvent))]
    assert sorted(left) == [
        ("advisor:1", "login", {}),
        ("respondent", "sent", {}),
        ("system", "deleted", {}),
    ]

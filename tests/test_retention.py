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
    assert output.strip() == "Deleted 2 assessment(s) and 1 feedback answer(s)."
    with db_app.app_context():
        left = set(db.session.scalars(select(Assessment.token)))
        assert left == {fresh_draft}
        assert [f.useful for f in db.session.scalars(select(PageFeedback))] == [False]

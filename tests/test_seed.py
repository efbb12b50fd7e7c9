"""`flask dev seed`: realistic sent assessments, scored for real, that the advisor pages show."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Assessment, Sending, SendingFlag, SendingScore
from tests.advisor_helpers import full_login, make_account, url
from tests.helpers import check_page


def test_seed_makes_sent_assessments_with_scores_and_findings(db_app, clock):
    done = db_app.test_cli_runner().invoke(
        args=["dev", "seed", "--assessments", "60", "--pool", "8"]
    )
    assert done.exit_code == 0, done.output
    assert "Added 60 sent assessments" in done.output
    with db_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Sending)) == 60
        roles = set(db.session.scalars(select(Sending.role)))
        statuses = set(db.session.scalars(select(Sending.status)))
        assert roles == {"kommune", "leverandoer"}
        assert {"sent", "feedback", "withdrawn"} <= statuses
        assert db.session.scalar(select(func.count()).select_from(SendingScore)) >= 60 * 8
        assert db.session.scalar(select(func.count()).select_from(SendingFlag)) > 0
        sending = db.session.scalars(select(Sending).where(Sending.status != "withdrawn")).first()
        # The summary columns agree with the stored result, as the real scoring made it.
        assert sending.overall_score == sending.assessment.result["overall"]
        assert {s.dimension for s in sending.scores} == {
            d["id"] for d in sending.assessment.result["dimensions"]
        }
        span = db.session.execute(select(func.min(Sending.sent_at), func.max(Sending.sent_at)))
        first, last = span.one()
        assert (last - first).days > 180  # spread over the months
        sending_id = sending.id
        organisation = sending.assessment.organisation
    # Ids given by the seed: an assessment made afterwards still gets a free one.
    with db_app.app_context():
        later = Assessment(questionnaire_id="kommune", questionnaire_version=2, lang="da",
                           organisation="Ny", programme="Ny")  # fmt: skip
        db.session.add(later)
        db.session.commit()
    advisor = db_app.test_client()
    full_login(advisor, db_app, make_account(db_app), clock)
    page = advisor.get(url(db_app, "advisor.assessment", sending_id=sending_id))
    assert page.status_code == 200
    soup = check_page(page.get_data(as_text=True), "seeded")
    assert organisation in soup.get_text() and soup.select_one("figure.radar svg")
    dashboard = advisor.get(url(db_app, "advisor.dashboard"))
    assert dashboard.status_code == 200


def test_seed_is_refused_in_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    done = app.test_cli_runner().invoke(args=["dev", "seed", "--assessments", "5"])
    assert done.exit_code != 0
    assert "APP_ENV=production" in done.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Sending)) == 0

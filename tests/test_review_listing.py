"""The advisors' list of sent assessments: filters, sort and pages done by the database.

Run on SQLite and on PostgreSQL (they differ in LIKE and in time zones).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Assessment, Sending
from app.review.listing import Filters, read_filters, sent_assessments

DAY = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def make(n: int, **sending) -> None:  # type: ignore[no-untyped-def]
    """n submitted assessments, each sent to the fund a day apart."""
    for i in range(n):
        assessment = Assessment(
            questionnaire_id=sending.get("role", "kommune"),
            questionnaire_version=2,
            lang="da",
            organisation=sending.pop("organisation", None) or f"Kommune {i}",
            programme=f"Program {i}",
            status="submitted",
            result={},
        )
        db.session.add(assessment)
        db.session.flush()
        db.session.add(
            Sending(
                assessment_id=assessment.id,
                contact_name="Kontakt",
                contact_email="k@example.dk",
                status=sending.get("status", "sent"),
                role=sending.get("role", "kommune"),
                overall_level=sending.get("level", "developing"),
                overall_score=sending.get("score", 50.0 + i),
                requirements_unmet=sending.get("unmet", 0),
                high_flags=sending.get("high", 0),
                sent_at=DAY + timedelta(days=i),
            )
        )
    db.session.commit()


def test_the_list_pages_in_the_database_and_counts_every_status(db_app):
    with db_app.app_context():
        make(30)
        make(2, status="in_review")
        first = sent_assessments(Filters(), per_page=10)
        assert (first.total, first.pages, len(first.rows)) == (32, 4, 10)
        last = sent_assessments(Filters(page=4), per_page=10)
        assert len(last.rows) == 2
        assert first.counts["sent"] == 30 and first.counts["in_review"] == 2
        assert first.counts["feedback"] == 0
        # Newest first by default; a page past the end shows the last page.
        dates = [s.sent_at for s, _a in first.rows]
        assert dates == sorted(dates, reverse=True)
        assert sent_assessments(Filters(page=99), per_page=10).page == 4


def test_filters_narrow_the_list_and_the_counts_ignore_only_the_status(db_app):
    with db_app.app_context():
        make(3, role="kommune", high=1)
        make(2, role="leverandoer", unmet=2, status="returned", level="idea")
        assert sent_assessments(Filters(role="leverandoer")).total == 2
        assert sent_assessments(Filters(high_flags=True)).total == 3
        assert sent_assessments(Filters(unmet=True, level="idea")).total == 2
        narrowed = sent_assessments(Filters(role="kommune", status="returned"))
        assert narrowed.total == 0 and narrowed.counts["sent"] == 3
        second_day = sent_assessments(
            Filters(sent_from=date(2026, 11, 3), sent_to=date(2026, 11, 3))
        )
        assert second_day.total == 2  # one of each batch was sent on the second day


def test_text_search_finds_organisation_or_programme_and_treats_wildcards_as_text(db_app):
    with db_app.app_context():
        make(1, organisation="Rudersdal Kommune")
        make(1, organisation="100% Kommune_x")
        assert sent_assessments(Filters(text="rudersdal")).total == 1
        assert sent_assessments(Filters(text="Program 0")).total == 2
        assert sent_assessments(Filters(text="%")).total == 1
        assert sent_assessments(Filters(text="_x")).total == 1


def test_query_arguments_that_do_not_parse_are_left_out():
    # Read filters from a query string: anything that does not parse is left out.
    f = read_filters(
        MultiDict(
            {
                "sort": "score_asc",
                "page": "x",
                "sent_from": "2026-13-40",
                "status": "nope",
                "role": "admin",
                "advisor": "9" * 20,
            }
        )
    )
    assert f == Filters(sort="score_asc")
    assert f.query_args(page=2) == {"sort": "score_asc", "page": 2}


def test_sorted_by_score_lowest_first(db_app):
    with db_app.app_context():
        make(5)
        scores = [s.overall_score for s, _a in sent_assessments(Filters(sort="score_asc")).rows]
        assert scores == sorted(scores)

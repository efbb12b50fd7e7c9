"""The advisors' list of sent assessments: filters, sort and pages done by the database.

Run on SQLite and on PostgreSQL (they differ in LIKE and in time zones).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Assessment, Sending, SendingScore
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


def scored(levels: dict[str, str], role: str = "kommune") -> None:
    """One sent assessment whose dimensions have these levels."""
    make(1, role=role)
    sending = db.session.scalars(select(Sending).order_by(Sending.id.desc())).first()
    sending.scores.extend(
        SendingScore(dimension=d, level=level, score=50.0) for d, level in levels.items()
    )
    db.session.commit()


LEVELS = ("idea", "exploring", "developing", "ready_to_design", "investment_ready")


def test_a_dimension_at_a_level_at_most_or_at_least_narrows_the_list(db_app):
    with db_app.app_context():
        scored({"measurement": "idea", "organisation": "investment_ready"})
        scored({"measurement": "exploring", "organisation": "idea"})
        scored({"measurement": "developing"}, role="leverandoer")
        scored({"payment_model": "idea"})

        def total(**args: str) -> int:
            filters = read_filters(MultiDict(args), {"measurement", "organisation"}, LEVELS)
            return sent_assessments(filters).total

        assert total(dimension="measurement", dimension_level="idea") == 1
        assert total(dimension="measurement", dimension_level="exploring",
                     dimension_match="at_most") == 2  # fmt: skip
        assert total(dimension="measurement", dimension_level="exploring",
                     dimension_match="at_least") == 2  # fmt: skip
        assert total(dimension="organisation", dimension_level="idea") == 1
        # Combined with another filter, and with the counts per status beside it.
        both = read_filters(
            MultiDict({"dimension": "measurement", "dimension_level": "developing",
                       "dimension_match": "at_most", "role": "kommune"}),
            {"measurement"}, LEVELS,
        )  # fmt: skip
        page = sent_assessments(both)
        assert page.total == 2 and page.counts["sent"] == 2
        # An unknown dimension or level filters nothing.
        assert total(dimension="nope", dimension_level="idea") == 4
        assert total(dimension="measurement", dimension_level="top") == 4


def test_the_level_filter_keeps_itself_in_the_links():
    f = read_filters(
        MultiDict({"dimension": "measurement", "dimension_level": "idea",
                   "dimension_match": "at_most"}),
        {"measurement"}, LEVELS,
    )  # fmt: skip
    assert f.query_args(page=2) == {
        "dimension": "measurement",
        "dimension_level": "idea",
        "dimension_match": "at_most",
        "page": 2,
    }


def test_the_counts_per_status_are_counted_once_and_again_after_any_change(db_app):
    from sqlalchemy import event

    from app.assessment.sending import audit

    counted: list[str] = []

    def note(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if "GROUP BY sending.status" in statement:
            counted.append(statement)

    with db_app.app_context():
        event.listen(db.engine, "before_cursor_execute", note)
        try:
            make(3)
            assert sent_assessments(Filters()).counts["sent"] == 3
            assert sent_assessments(Filters(page=2, sort="score_asc")).counts["sent"] == 3
            assert len(counted) == 1  # another page or order: the same counts, kept
            row = db.session.scalars(select(Sending)).first()
            row.status = "in_review"  # a change to a row moves its updated_at
            db.session.commit()
            assert sent_assessments(Filters()).counts["in_review"] == 1
            db.session.delete(db.session.scalars(select(Sending)).first())
            audit("deleted", None, actor="system")  # a deletion always leaves an audit event
            db.session.commit()
            assert sum(sent_assessments(Filters()).counts.values()) == 2
            assert len(counted) == 3
        finally:
            event.remove(db.engine, "before_cursor_execute", note)

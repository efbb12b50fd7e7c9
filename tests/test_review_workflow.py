"""An advisor reviews a sent assessment and returns it; its respondent revises it and sends it
again; the advisor sees what changed and gives feedback. Mails arrive at a local SMTP server.

Checked on the way: comments stay with the version they were written on, internal notes never
reach the respondent, the fund keeps reading what it was sent while the respondent revises, and
two advisors changing the same assessment are told of each other instead of overwriting.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Sending
from tests.advisor_helpers import full_login, make_account, url
from tests.assessment_helpers import BASE, answer_all, form_value
from tests.helpers import check_page, text_of
from tests.mail_helpers import body
from tests.test_review_pages import sent
from tests.test_sending import url as respondent_url

REVIEW = {"da": "gennemgang", "sv": "granskning"}
SUBMIT = {"da": "indsend", "sv": "skicka-in"}
WORDS = {
    "da": {"start": "Start gennemgangen", "returned": "Sendt tilbage til jer", "note": "Kun"},
    "sv": {"start": "Börja granskningen", "returned": "Skickad tillbaka till er", "note": "Bara"},
}


def first_scale_question(app, role: str = "kommune"):  # type: ignore[no-untyped-def]
    questionnaire = app.extensions["questionnaires"][role]
    return next(q for q in questionnaire.dimensions[0].questions if q.type == "scale" and q.scored)


def token_of(app, sending_id: int) -> str:
    with app.app_context():
        return db.session.get(Sending, sending_id).assessment.token


def lock_of(app, sending_id: int) -> str:
    with app.app_context():
        return str(db.session.get(Sending, sending_id).lock_version)


def act(advisor, app, lang: str, sending_id: int, action: str, data=None, **query):  # type: ignore[no-untyped-def]
    address = url(app, "advisor.review", lang, sending_id=sending_id, action=action, **query)
    return advisor.post(address, data=data or {})


def advisor_page(advisor, app, lang: str, sending_id: int):  # type: ignore[no-untyped-def]
    response = advisor.get(url(app, "advisor.assessment", lang, sending_id=sending_id))
    assert response.status_code == 200
    return check_page(response.get_data(as_text=True), "advisor assessment")


def actions(app, assessment_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.assessment_id == assessment_id)
                .order_by(AuditEvent.id)
            )
        )


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_return_revise_resend_and_feedback(db_app, db_client, db_inbox, clock, lang):
    app, respondent = db_app, db_client
    sending_id = sent(app, respondent, lang)
    token = token_of(app, sending_id)
    question = first_scale_question(app)
    account = make_account(app)
    advisor = app.test_client()
    full_login(advisor, app, account, clock, lang)

    # The advisor starts the review: it becomes theirs.
    page = advisor_page(advisor, app, lang, sending_id)
    assert WORDS[lang]["start"] in page.get_text()
    assert (
        act(
            advisor,
            app,
            lang,
            sending_id,
            "start",
            {"start-lock_version": lock_of(app, sending_id)},
        ).status_code
        == 302
    )
    page = advisor_page(advisor, app, lang, sending_id)
    assert text_of(page, ".review-status") and "Anna Berg" in text_of(page, ".review-assigned")

    # A comment on a question, an internal note, then the return with a word on the whole.
    prefix = f"c-{question.id}-"
    assert (
        act(
            advisor,
            app,
            lang,
            sending_id,
            "comment",
            {prefix + "body": "Hvor kommer tallet fra?"},
            question=question.id,
        ).status_code
        == 302
    )
    assert (
        act(
            advisor, app, lang, sending_id, "note", {"note-body": "Intern: ring til kommunen"}
        ).status_code
        == 302
    )
    page = advisor_page(advisor, app, lang, sending_id)
    assert "Hvor kommer tallet fra?" in page.get_text() and "Intern: ring" in page.get_text()
    returned = act(
        advisor,
        app,
        lang,
        sending_id,
        "return",
        {"return-lock_version": lock_of(app, sending_id), "return-overall": "Se på målgruppen."},
    )
    assert returned.status_code == 302

    # The respondent is mailed at their own address, with the secret link.
    mails = db_inbox.to("anna@example.dk")
    assert mails and token in body(mails[-1])
    status = check_page(
        respondent.get(respondent_url(lang, token, "resultat")).get_data(as_text=True), ""
    )
    assert WORDS[lang]["returned"] in text_of(status, ".sending-status")
    review = check_page(
        respondent.get(respondent_url(lang, token, REVIEW)).get_data(as_text=True), ""
    )
    text = review.get_text()
    assert "Hvor kommer tallet fra?" in text and "Se på målgruppen." in text
    assert "Intern: ring" not in text  # an internal note never reaches the respondent

    # Revising at the same link: the fund keeps reading version 1 meanwhile.
    assert (
        respondent.post(respondent_url(lang, token, REVIEW), data={"action": "revise"}).status_code
        == 302
    )
    answers = respondent.get(
        respondent_url(lang, token, "dine-svar" if lang == "da" else "dina-svar")
    )
    assert "Se på målgruppen." in text_of(
        check_page(answers.get_data(as_text=True), ""), ".review-on-page"
    )
    step = respondent.get(f"{BASE[lang]}/{token}/{'trin' if lang == 'da' else 'steg'}/1")
    assert "Hvor kommer tallet fra?" in step.get_data(
        as_text=True
    )  # the comment beside the question
    worst = form_value(question, "worst")
    answer_all(
        respondent, lang, token, app.extensions["questionnaires"]["kommune"], **{question.id: worst}
    )
    page = advisor_page(advisor, app, lang, sending_id)
    assert "Ændret siden" not in page.get_text() and "Ändrat sedan" not in page.get_text()
    assert respondent.post(respondent_url(lang, token, SUBMIT)).status_code == 302
    assert (
        respondent.post(respondent_url(lang, token, REVIEW), data={"action": "resend"}).status_code
        == 302
    )

    # The assigned advisor is told; the page shows version 2 and what changed.
    assert db_inbox.to(account.email)
    page = advisor_page(advisor, app, lang, sending_id)
    assert text_of(page, ".review-version") == "2"
    changes = page.select(".review-changes tbody tr")
    assert len(changes) == 1 and question.text[lang] in changes[0].get_text()
    review = check_page(
        respondent.get(respondent_url(lang, token, REVIEW)).get_data(as_text=True), ""
    )
    assert question.text[lang] in review.select_one("table").get_text()

    # Feedback closes the review, and the respondent is told.
    assert (
        act(
            advisor,
            app,
            lang,
            sending_id,
            "start",
            {"start-lock_version": lock_of(app, sending_id)},
        ).status_code
        == 302
    )
    assert (
        act(
            advisor,
            app,
            lang,
            sending_id,
            "feedback",
            {
                "feedback-lock_version": lock_of(app, sending_id),
                "feedback-body": "Klar til ansøgning.",
            },
        ).status_code
        == 302
    )
    assert len(db_inbox.to("anna@example.dk")) >= 3
    review = check_page(
        respondent.get(respondent_url(lang, token, REVIEW)).get_data(as_text=True), ""
    )
    assert "Klar til ansøgning." in review.get_text()
    with app.app_context():
        assessment_id = db.session.get(Sending, sending_id).assessment_id
    from app.advisor.exports import action_names

    with app.test_request_context():
        assert set(actions(app, assessment_id)) <= set(action_names())  # each has words in the log
    assert actions(app, assessment_id) == [
        "sent",
        "review_started",
        "comment_added",
        "note_added",
        "returned",
        "revision_started",
        "resubmitted",
        "review_started",
        "feedback_given",
    ]


def test_two_advisors_on_one_assessment_are_told_instead_of_overwriting(app, client, clock):
    sending_id = sent(app, client)
    first, second = app.test_client(), app.test_client()
    full_login(first, app, make_account(app), clock)
    full_login(second, app, make_account(app, email="bo@dsi.dk", name="Bo Lind"), clock)
    seen = lock_of(app, sending_id)  # both have the page open
    assert (
        act(first, app, "da", sending_id, "start", {"start-lock_version": seen}).status_code == 302
    )
    act(first, app, "da", sending_id, "comment", {"c-all-body": "x"})
    clash = act(
        second,
        app,
        "da",
        sending_id,
        "return",
        {"return-lock_version": seen, "return-overall": "Mit udkast"},
    )
    assert clash.status_code == 409
    page = check_page(clash.get_data(as_text=True), "conflict")
    assert "Nogen anden har ændret vurderingen imens" in text_of(page, ".conflict")
    assert page.select_one("#return-overall").get_text() == "Mit udkast"  # what was typed is kept
    with app.app_context():
        assert db.session.get(Sending, sending_id).status == "in_review"  # nothing overwritten
    # Saved again on what is shown now, it goes through.
    again = act(
        second,
        app,
        "da",
        sending_id,
        "return",
        {"return-lock_version": lock_of(app, sending_id), "return-overall": "Mit udkast"},
    )
    assert again.status_code == 302


def test_a_return_needs_a_comment_and_an_empty_comment_is_refused(app, client, clock):
    sending_id = sent(app, client)
    advisor = app.test_client()
    full_login(advisor, app, make_account(app), clock)
    act(advisor, app, "da", sending_id, "start", {"start-lock_version": lock_of(app, sending_id)})
    empty = act(
        advisor, app, "da", sending_id, "return", {"return-lock_version": lock_of(app, sending_id)}
    )
    assert empty.status_code == 400
    assert "Skriv, hvad" in text_of(check_page(empty.get_data(as_text=True), ""), ".error-summary")
    question = first_scale_question(app)
    blank = act(
        advisor,
        app,
        "da",
        sending_id,
        "comment",
        {f"c-{question.id}-body": "  "},
        question=question.id,
    )
    assert blank.status_code == 400
    page = check_page(blank.get_data(as_text=True), "")
    assert page.select_one(f"#c-{question.id}-body") is not None and page.select_one(
        ".error-summary"
    )
    assert (
        act(
            advisor, app, "da", sending_id, "comment", {"c-x-body": "y"}, question="nope"
        ).status_code
        == 404
    )


def test_only_a_lead_advisor_assigns_and_the_assigned_advisor_is_mailed(app, client, clock, inbox):
    sending_id = sent(app, client)
    lead, plain = app.test_client(), app.test_client()
    bo = make_account(app, email="bo@dsi.dk", name="Bo Lind")
    full_login(lead, app, make_account(app, lead=True), clock)
    full_login(plain, app, bo, clock)
    assert "assign-advisor" not in [
        f.get("name") for f in advisor_page(plain, app, "da", sending_id).select("select")
    ]
    refused = act(
        plain,
        app,
        "da",
        sending_id,
        "assign",
        {"assign-lock_version": lock_of(app, sending_id), "assign-advisor": str(bo.id)},
    )
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.get(Sending, sending_id).assigned_advisor_id is None
    done = act(
        lead,
        app,
        "da",
        sending_id,
        "assign",
        {"assign-lock_version": lock_of(app, sending_id), "assign-advisor": str(bo.id)},
    )
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Sending, sending_id).assigned_advisor_id == bo.id
    assert any("tildelt" in m["Subject"] for m in inbox.to(bo.email))


def test_a_respondent_cannot_revise_what_was_not_returned_nor_see_another_review(app, client):
    sending_id = sent(app, client)
    token = token_of(app, sending_id)
    assert (
        client.post(respondent_url("da", token, REVIEW), data={"action": "revise"}).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(Sending, sending_id).assessment.submitted  # still as sent
    other = app.test_client()
    unknown = "A" * 43
    assert other.get(respondent_url("da", unknown, REVIEW)).status_code == 404


def returned_and_reopened(app, client, clock) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """A sent assessment with a comment and a note, returned, and reopened by its respondent."""
    sending_id = sent(app, client)
    advisor = app.test_client()
    full_login(advisor, app, make_account(app, email=f"x{sending_id}@dsi.dk"), clock)
    act(advisor, app, "da", sending_id, "start", {"start-lock_version": lock_of(app, sending_id)})
    act(advisor, app, "da", sending_id, "note", {"note-body": "Intern"})
    act(
        advisor,
        app,
        "da",
        sending_id,
        "return",
        {"return-lock_version": lock_of(app, sending_id), "return-overall": "Ret målgruppen"},
    )
    token = token_of(app, sending_id)
    client.post(respondent_url("da", token, REVIEW), data={"action": "revise"})
    return sending_id, token


def test_deleting_a_reviewed_assessment_leaves_only_that_it_happened(db_app, db_client, clock):
    from app.models import ReviewComment, SendingScore, SendingVersion

    sending_id, token = returned_and_reopened(db_app, db_client, clock)
    with db_app.app_context():
        assert db.session.scalars(select(SendingVersion)).all()
        assessment_id = db.session.get(Sending, sending_id).assessment_id
    delete_page = respondent_url("da", token, "slet")
    assert db_client.post(delete_page, data={"confirm": "y"}).status_code in (200, 302)
    with db_app.app_context():
        for model in (Sending, ReviewComment, SendingVersion, SendingScore):
            assert db.session.scalars(select(model)).all() == [], model.__name__
        details = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.assessment_id == assessment_id)
        ).all()
    assert all(detail == {} for detail in details)
    assert actions(db_app, assessment_id)[-1] == "deleted"


def test_an_unfinished_revision_is_kept_as_long_as_the_sending(db_app, db_client, clock):
    from datetime import UTC, datetime, timedelta

    from app.retention import purge

    sending_id, _token = returned_and_reopened(db_app, db_client, clock)
    with db_app.app_context():
        sending = db.session.get(Sending, sending_id)
        sending.assessment.updated_at = datetime.now(UTC) - timedelta(days=200)
        db.session.commit()
        purge(datetime.now(UTC))
        assert db.session.get(Sending, sending_id) is not None  # not a 90-day draft
        purge(datetime.now(UTC) + timedelta(days=3 * 365 + 1))
        assert db.session.get(Sending, sending_id) is None


def test_a_withdrawn_sending_takes_no_review_action_and_an_unsent_one_has_no_review(
    app, client, clock
):
    from tests.test_sending import WITHDRAW, submitted

    sending_id = sent(app, client)
    token = token_of(app, sending_id)
    assert client.post(respondent_url("da", token, WITHDRAW)).status_code == 302
    advisor = app.test_client()
    full_login(advisor, app, make_account(app), clock)
    for action in ("start", "note", "comment", "return", "feedback", "assign", "remove"):
        assert act(advisor, app, "da", sending_id, action, {"note-body": "x"}).status_code == 404
    never_sent = submitted(app, client)
    answer = client.get(respondent_url("da", never_sent, REVIEW))
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/resultat")


def test_a_withdrawn_sending_leaves_the_dashboards_counts_and_comes_back_when_sent_again(
    db_app, db_client
):
    from app.models import SendingFlag, SendingScore
    from tests.test_sending import CONTACT, SEND, WITHDRAW

    sending_id = sent(db_app, db_client)
    token = token_of(db_app, sending_id)

    def counted() -> set[bool]:
        with db_app.app_context():
            return {
                row.counted
                for model in (SendingScore, SendingFlag)
                for row in db.session.scalars(select(model).where(model.sending_id == sending_id))
            }

    assert counted() == {True}
    assert db_client.post(respondent_url("da", token, WITHDRAW)).status_code == 302
    assert counted() == {False}
    assert db_client.post(respondent_url("da", token, SEND), data=CONTACT).status_code == 302
    assert counted() == {True}


def test_hostile_comments_are_cleaned_refused_or_escaped_never_a_500(db_app, db_client, clock):
    from app.models import ReviewComment

    sending_id = sent(db_app, db_client)
    advisor = db_app.test_client()
    full_login(advisor, db_app, make_account(db_app), clock)
    act(
        advisor,
        db_app,
        "da",
        sending_id,
        "start",
        {"start-lock_version": lock_of(db_app, sending_id)},
    )
    question = first_scale_question(db_app)
    field = f"c-{question.id}-body"
    long = act(advisor, db_app, "da", sending_id, "comment", {field: "x" * 5001},
               question=question.id)  # fmt: skip
    assert long.status_code == 400
    page = check_page(long.get_data(as_text=True), "")
    assert "højst 5000 tegn" in text_of(page, ".error-summary")
    assert page.select_one(f"#{field}").get_text() == "x" * 5001  # what was typed is kept
    hostile = 'Se\x00 her <script>alert(1)</script> =HYPERLINK("x")'
    saved = act(
        advisor, db_app, "da", sending_id, "comment", {field: hostile}, question=question.id
    )
    assert saved.status_code == 302  # PostgreSQL would refuse the NUL: it never gets that far
    with db_app.app_context():
        bodies = db.session.scalars(select(ReviewComment.body)).all()
    assert bodies == ['Se her <script>alert(1)</script> =HYPERLINK("x")']
    html = advisor.get(url(db_app, "advisor.assessment", "da", sending_id=sending_id)).get_data(
        as_text=True
    )
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html
    for action in ("return", "feedback", "assign", "start"):
        junk = {f"{action}-lock_version": "9" * 30, "return-overall": "\x00", "assign-advisor": "x"}
        assert act(advisor, db_app, "da", sending_id, action, junk).status_code in (302, 400, 409)

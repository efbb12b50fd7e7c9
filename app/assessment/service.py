"""What happens to an assessment: start, save a page, submit once, re-assess, delete."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from app.assessment import sending
from app.core.questionnaire import Questionnaire
from app.core.scoring import as_plain, is_shown, score_assessment
from app.core.simulator import scenario_facts, scenario_from_dict
from app.errors import DATABASE_DOWN, UnknownLink, cannot_store
from app.extensions import db
from app.models import Assessment, RenderedFile, Sending, new_token
from app.transactions import STANDS_ALONE, autocommit

TOKEN_FORM = re.compile(r"[A-Za-z0-9_-]{43}")


def questionnaires() -> dict[str, Questionnaire]:
    """The questionnaires loaded at start-up."""
    return current_app.extensions["questionnaires"]


def is_token(text: str) -> bool:
    """Whether the text has the form of a secret link's token (43 URL-safe characters)."""
    return bool(TOKEN_FORM.fullmatch(text))


FIND = select(Assessment).where(Assessment.token == bindparam("token"))


def find(token: str) -> Assessment:
    """The assessment behind a secret link; the unknown-link page for any other token.

    A text that cannot be a token is refused before the query: no database sees it.
    """
    assessment = None
    if is_token(token):
        assessment = db.session.scalar(FIND, {"token": token})
    if assessment is None:
        raise UnknownLink()
    assessment.revising_known = None  # not asked here (the instance may be a session's older one)
    return assessment


# Built once: composing the statement costs about as much as running it on a warm connection.
FIND_DRAFT = (
    select(Assessment, Sending.revising)
    .outerjoin(Sending, Sending.assessment_id == Assessment.id)
    .where(Assessment.token == bindparam("token"))
)


def find_draft(token: str) -> Assessment:
    """find(), and in the same query whether a returned sending of it is being revised: a
    questionnaire page then needs no second query to know there are no advisor's comments."""
    row = None
    if is_token(token):
        row = db.session.execute(FIND_DRAFT, {"token": token}).first()
    if row is None:
        raise UnknownLink()
    assessment, revising = row
    assessment.revising_known = bool(revising)
    return assessment


FIND_BY_VIEW_TOKEN = select(Assessment).where(Assessment.view_token == bindparam("token"))


def find_by_view_token(view_token: str) -> Assessment:
    """The assessment behind a read-only link; the unknown-link page for any other token.

    A revoked link finds nothing (the column is empty), nor does a secret link's token: the
    two are looked up in different columns.
    """
    assessment = None
    if is_token(view_token):
        assessment = db.session.scalar(FIND_BY_VIEW_TOKEN, {"token": view_token})
    if assessment is None:
        raise UnknownLink()
    assessment.revising_known = None
    return assessment


def share_read_only(assessment: Assessment) -> str:
    """The assessment's read-only token, made now if it has none (a new one after a revoke).

    Two requests at once make one token: the UPDATE changes the row only while it has none.
    """
    db.session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.view_token.is_(None))
        # Not a change to the assessment: the draft's days before deletion count on (retention).
        .values(view_token=new_token(), updated_at=Assessment.updated_at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()  # expires the instance: the token is read back below
    return assessment.view_token


def revoke_read_only(assessment: Assessment) -> None:
    """End the read-only link: its token opens nothing from now on, and is never given again."""
    db.session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id)
        .values(view_token=None, updated_at=Assessment.updated_at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def questionnaire_of(assessment: Assessment) -> Questionnaire:
    """The questionnaire an assessment is answered on."""
    return questionnaires()[assessment.questionnaire_id]


def start(role: str, lang: str, organisation: str, programme: str, email: str) -> Assessment:
    """A new draft on the current version of the role's questionnaire."""
    questionnaire = questionnaires()[role]
    token = new_token()
    assessment = Assessment(
        token=token,
        questionnaire_id=role,
        questionnaire_version=questionnaire.version,
        lang=lang,
        organisation=organisation.strip(),
        programme=programme.strip(),
        email=(email or "").strip(),
        answers={},
        notes={},
    )
    db.session.add(assessment)
    db.session.commit()
    # The caller leads on by the link: known without reading the new row back.
    set_committed_value(assessment, "token", token)
    return assessment


def save_page(
    assessment: Assessment,
    question_ids: list[str],
    page_answers: dict[str, Any],
    page_notes: dict[str, str],
) -> dict[str, Any]:
    """Replace one page's answers and notes; answers to questions now hidden are dropped.

    Returns the answers as saved, so the caller need not read the row back after the commit.
    """
    answers = {k: v for k, v in assessment.answers.items() if k not in question_ids}
    answers.update({k: v for k, v in page_answers.items() if v is not None})
    questionnaire = questionnaire_of(assessment)
    for qid in list(answers):
        question = questionnaire.questions.get(qid)
        if question is None or not is_shown(question, answers, questionnaire):
            del answers[qid]
    notes = {k: v for k, v in assessment.notes.items() if k not in question_ids}
    notes.update({k: v.strip() for k, v in page_notes.items() if v and v.strip()})
    # One UPDATE of one row, whole by itself: on the step page's connection, outside a
    # transaction, it commits alone (app/transactions.py).
    db.session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id)
        .values(answers=answers, notes=notes)
        .execution_options(synchronize_session=False, **{STANDS_ALONE: True})
    )
    db.session.commit()
    return answers


def save_scenario(assessment: Assessment, scenario: dict[str, Any]) -> None:
    """Keep a checked payment-model scenario with a draft."""
    assessment.scenario = scenario
    db.session.commit()


def missing_answers(assessment: Assessment) -> list[str]:
    """Shown scored questions that have no answer yet (not even "don't know")."""
    questionnaire = questionnaire_of(assessment)
    return [
        q.id
        for q in questionnaire.questions.values()
        if q.scored
        and is_shown(q, assessment.answers, questionnaire)
        and q.id not in assessment.answers
    ]


def labels(questionnaire: Questionnaire) -> dict[str, Any]:
    """The names a stored result needs to be shown later, whatever the files say by then."""
    return {
        "title": questionnaire.title,
        "dimensions": {d.id: d.title for d in questionnaire.dimensions},
        "dimension_steps": {d.id: list(d.steps) for d in questionnaire.dimensions},
        "levels": {lv.id: lv.title for lv in questionnaire.levels},
        "level_descriptions": {lv.id: lv.description for lv in questionnaire.levels},
        "level_order": [lv.id for lv in questionnaire.levels],
    }


# Built once, like FIND. The session's copy of the row is not brought up to date by the UPDATE
# (synchronize_session): the commit right after expires it anyway.
SUBMIT = (
    update(Assessment)
    .where(Assessment.id == bindparam("assessment_id"), Assessment.status == "draft")
    .values(status="submitted", result=bindparam("result"), submitted_at=bindparam("submitted_at"))
    .execution_options(synchronize_session=False, **{STANDS_ALONE: True})
)


def submit(assessment: Assessment) -> bool:
    """Freeze the result; a second submit changes nothing. True when this call submitted it.

    The row is not read back: the caller leads on by the link, and the committed instance loads
    its new state if it is asked for it (which read back a 40 kB result for nothing).
    """
    questionnaire = questionnaire_of(assessment)
    facts = scenario_facts(scenario_from_dict(assessment.scenario)) if assessment.scenario else None
    result = as_plain(score_assessment(questionnaire, assessment.answers, facts))
    result["labels"] = labels(questionnaire)
    # One conditional UPDATE, whole by itself: of two submits at once, one changes the row. The
    # commit expires the instance, so what it shows next is read back when it is asked for.
    done = db.session.execute(
        SUBMIT,
        {"assessment_id": assessment.id, "result": result, "submitted_at": datetime.now(UTC)},
    )
    db.session.commit()
    return done.rowcount == 1


def new_version(previous: Assessment) -> Assessment:
    """A new draft that starts from a submitted assessment's answers, on today's questionnaire."""
    questionnaire = questionnaires()[previous.questionnaire_id]
    answers = {k: v for k, v in previous.answers.items() if k in questionnaire.questions}
    draft = Assessment(
        questionnaire_id=previous.questionnaire_id,
        questionnaire_version=questionnaire.version,
        lang=previous.lang,
        organisation=previous.organisation,
        programme=previous.programme,
        email=previous.email,
        answers=answers,
        notes=dict(previous.notes),
        scenario=previous.scenario,
        previous_id=previous.id,
    )
    db.session.add(draft)
    db.session.commit()
    return draft


def delete(assessment: Assessment, actor: str = "respondent") -> None:
    """Remove an assessment and everything drawn for it; later versions keep their own data.

    A sending to the fund goes with it; the audit log keeps only that it was deleted.
    """
    sending.forget(assessment, actor)
    # Later versions compared themselves with this one: their kept pages must be drawn anew.
    later = select(Assessment.id).where(Assessment.previous_id == assessment.id)
    db.session.execute(RenderedFile.__table__.delete().where(RenderedFile.assessment_id.in_(later)))
    db.session.execute(
        update(Assessment).where(Assessment.previous_id == assessment.id).values(previous_id=None)
    )
    db.session.execute(
        RenderedFile.__table__.delete().where(RenderedFile.assessment_id == assessment.id)
    )
    db.session.delete(assessment)
    db.session.commit()


def versioned(name: str) -> str:
    """A stored file's name tied to this release's templates and drawing code.

    Results never change, but the way they are shown can: after a release that changes a
    template, a translation or a chart, files are drawn anew instead of served stale.
    """
    return f"{name}@{current_app.config['RENDER_VERSION']}"


def stored_file(token: str, name: str) -> bytes | None:
    """A file already drawn for the assessment behind this link, in one query (no ORM objects)."""
    query = (
        select(RenderedFile.content)
        .join(Assessment, RenderedFile.assessment_id == Assessment.id)
        .where(Assessment.token == token, RenderedFile.name == versioned(name))
    )
    with autocommit(db.engine).connect() as connection:  # a read: no BEGIN and ROLLBACK
        return connection.execute(query).scalar()


# Built once: a repeat view of a result only binds the token and the name.
_STORED_PAGE_WITH_SENDING = (
    select(
        RenderedFile.content,
        RenderedFile.id,
        Sending.status,
        Sending.sent_at,
        Sending.updated_at,
        Sending.revising,
        Sending.version,
    )
    .select_from(RenderedFile)
    .join(Assessment, RenderedFile.assessment_id == Assessment.id)
    .outerjoin(Sending, Sending.assessment_id == Assessment.id)
    .where(Assessment.token == bindparam("token"), RenderedFile.name == bindparam("name"))
)


def stored_page_with_sending(
    token: str, name: str
) -> tuple[bytes | None, int | None, tuple | None]:
    """A stored page, its row's id (new whenever it is drawn anew) and, if the assessment was
    sent, its StatusView fields: one query.

    A repeat view of a result is this one lookup on a plain connection, no ORM session.
    """
    with autocommit(db.engine).connect() as connection:  # a read: no BEGIN and ROLLBACK
        row = connection.execute(
            _STORED_PAGE_WITH_SENDING, {"token": token, "name": versioned(name)}
        ).first()
    if row is None:
        return None, None, None
    return row[0], row[1], (tuple(row[2:]) if row[2] is not None else None)


def rendered(assessment: Assessment, name: str, draw) -> bytes:  # type: ignore[no-untyped-def]
    """A chart or report of a submitted result: drawn on first request, then read from storage."""
    stored_name = versioned(name)
    found = db.session.scalar(
        select(RenderedFile.content).where(
            RenderedFile.assessment_id == assessment.id, RenderedFile.name == stored_name
        )
    )
    if found is not None:
        return found
    content = draw()
    try:
        # Drawings of an earlier release are no longer shown.
        db.session.execute(
            RenderedFile.__table__.delete().where(
                RenderedFile.assessment_id == assessment.id,
                RenderedFile.name.startswith(f"{name}@"),
            )
        )
        db.session.add(RenderedFile(assessment_id=assessment.id, name=stored_name, content=content))
        db.session.commit()
    except IntegrityError:  # another worker stored it first: theirs is the same picture
        db.session.rollback()
    except DATABASE_DOWN as error:
        # A database that can be read but not written (read-only, full): the result is shown,
        # drawn anew next time instead of kept.
        db.session.rollback()
        if not cannot_store(error):
            raise
    return content

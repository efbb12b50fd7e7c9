"""The respondent's side of a review, at the secret link: status, comments, revise, send again.

The respondent reads only what was released to them (returned comments and the feedback), never
an advisor's internal note. A returned assessment is revised at the same link: the fund keeps
the version it was sent (app/review/workflow.py).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.assessment import sending, service
from app.assessment.forms import ReviseForm
from app.assessment.routes import TOKEN, bp
from app.core.changes import changes
from app.extensions import db
from app.i18n import localized_route
from app.models import Assessment, ReviewComment, Sending
from app.review import workflow
from app.review.fund_copy import version_copy


def comments_by_version(comments: list[ReviewComment]) -> list[tuple[int, dict[str | None, list]]]:
    """Released comments per version, newest version first, then per question (None: whole)."""
    versions: dict[int, dict[str | None, list]] = {}
    for comment in comments:
        if comment.kind == "comment":
            versions.setdefault(comment.version, {}).setdefault(comment.question_id, []).append(
                comment
            )
    return sorted(versions.items(), reverse=True)


def version_changes(sending_row: Sending) -> list[tuple[int, list[Any]]]:
    """For each version after the first, what changed from the one before it."""
    found = []
    questionnaire = service.questionnaire_of(sending_row.assessment)
    order = [q.id for q in questionnaire.questions.values()]
    for number in range(sending_row.version, 1, -1):
        after, before = version_copy(sending_row, number), version_copy(sending_row, number - 1)
        if after is not None and before is not None:
            found.append(
                (number, changes(order, before.answers, after.answers, before.notes, after.notes))
            )
    return found


def review_comments_on(assessment: Assessment) -> dict[str | None, list[str]]:
    """While a returned assessment is revised: the comments it was returned with, by question.

    Nothing for a page drawn without the database (the stand-in the 503 page shows again).
    """
    if not isinstance(assessment, Assessment) or assessment.submitted:
        return {}
    if assessment.revising_known is False:  # the query that found it said so (find_draft)
        return {}
    row = sending.current(assessment)
    if row is None or not row.revising:
        return {}
    by_question: dict[str | None, list[str]] = {None: []}
    for comment in workflow.released_comments(row.id):
        if comment.kind == "comment" and comment.version == row.version:
            by_question.setdefault(comment.question_id, []).append(comment.body)
    return by_question


@localized_route(bp, f"/{{assessment}}/{TOKEN}/{{review}}", methods=["GET", "POST"])
def review(token: str):
    """Where the review stands, the advisors' comments and feedback, and what to do next."""
    assessment = service.find(token)
    row = sending.current(assessment)
    if row is None or row.status == "withdrawn":
        return redirect(url_for("assessment.result", token=token))
    form = ReviseForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        action = request.form.get("action")
        try:
            if action == "revise":
                workflow.reopen(assessment, row)
                flash(
                    _(
                        "You can now change your answers. The fund keeps the version it has "
                        "until you send the revision."
                    ),
                    "success",
                )
                return redirect(url_for("assessment.answers", token=token))
            if action == "resend":
                workflow.resend(assessment, row)
                flash(_("The revision is sent to the fund."), "success")
                return redirect(url_for(".review", token=token))
            abort(400)
        except workflow.NotAllowed:
            db.session.rollback()
            flash(_("That cannot be done now. The page shows where the review stands."), "error")
            return redirect(url_for(".review", token=token))
        except workflow.Conflict:
            db.session.rollback()
            flash(_("The fund changed the review a moment ago. Look again and try once more."))
            return redirect(url_for(".review", token=token))
    questionnaire = service.questionnaire_of(assessment)
    released = workflow.released_comments(row.id)
    return render_template(
        "views/assessment/review.html",
        assessment=assessment,
        sending=row,
        questionnaire=questionnaire,
        status_label=sending.status_label,
        comments=comments_by_version(released),
        feedback=[c for c in released if c.kind == "feedback"],
        changed=version_changes(row),
        answers_of=lambda number: (version_copy(row, number) or assessment).answers,
        can_revise=workflow.revisable(row) and assessment.submitted,
        can_resend=workflow.resendable(assessment, row),
        form=form,
    )

"""One sent assessment, as an advisor reads and reviews it.

Thin: the rules are in app/review/workflow.py. The page shows the version the fund has
(app/review/fund_copy.py), never a draft its respondent is revising. Each action posts to its own
address; a change that meets another advisor's change is refused and the page says so, with
what was typed kept.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from app.advisor.review_forms import (
    AssignForm,
    CommentForm,
    FeedbackForm,
    NoteForm,
    RemoveForm,
    ReturnForm,
    StartForm,
)
from app.advisor.routes import bp
from app.assessment import service
from app.assessment.report import render_result, scenario_report
from app.core.changes import changes
from app.core.scoring import is_shown
from app.extensions import db
from app.i18n import localized_route
from app.models import Advisor, Sending
from app.review import workflow
from app.review.fund_copy import fund_copy, version_copy

ACTIONS = "any(start,assign,comment,note,return,feedback,remove)"


def the_sending(sending_id: int) -> Sending:
    """A sending the fund has; a withdrawn or unknown one is not found."""
    sending = db.session.get(Sending, sending_id)
    if sending is None or sending.status == "withdrawn":
        abort(404)
    return sending


def advisor_choices() -> list[tuple[str, str]]:
    advisors = db.session.scalars(
        select(Advisor).where(Advisor.active.is_(True)).order_by(Advisor.name)
    ).all()
    return [("", _("Nobody yet"))] + [(str(a.id), a.name) for a in advisors]


def blank_forms(sending: Sending) -> dict[str, Any]:
    """Every form of the page, empty, with the lock version the page is drawn with."""
    lock = str(sending.lock_version)
    assign = AssignForm(formdata=None, lock_version=lock, prefix="assign")
    assign.advisor.choices = advisor_choices()
    assign.advisor.data = str(sending.assigned_advisor_id or "")
    return {
        "start": StartForm(formdata=None, lock_version=lock, prefix="start"),
        "assign": assign,
        "note": NoteForm(formdata=None, prefix="note"),
        "return": ReturnForm(formdata=None, lock_version=lock, prefix="return"),
        "feedback": FeedbackForm(formdata=None, lock_version=lock, prefix="feedback"),
        "remove": RemoveForm(formdata=None),
    }


def comment_form(question_id: str | None, formdata: Any = None) -> CommentForm:
    """A comment form per question (its own ids), and one on the whole assessment."""
    return CommentForm(formdata=formdata, prefix=f"c-{question_id or 'all'}")


def changes_since_last(sending: Sending, questionnaire: Any, shown: Any) -> list[Any]:
    """What the respondent changed since the version before this one (empty for version 1)."""
    if sending.version < 2:
        return []
    before = version_copy(sending, sending.version - 1)
    if before is None:
        return []
    order = [q.id for q in questionnaire.questions.values()]
    return changes(order, before.answers, shown.answers, before.notes, shown.notes)


def review_page(
    sending: Sending,
    forms: dict[str, Any] | None = None,
    comment_forms: dict[str | None, CommentForm] | None = None,
    conflict: bool = False,
    status: int = 200,
):  # type: ignore[no-untyped-def]
    """The assessment's page with its review: drawn afresh, or again with a refused form."""
    shown = fund_copy(sending)
    questionnaire = service.questionnaire_of(shown)
    all_forms = {**blank_forms(sending), **(forms or {})}
    comments = workflow.comments_for(sending.id, ("comment", "feedback"))
    by_question: dict[str | None, list[Any]] = {}
    for comment in comments:
        if comment.kind == "comment":
            by_question.setdefault(comment.question_id, []).append(comment)
    typed = comment_forms or {}
    page = render_result(
        shown,
        g.lang,
        "views/advisor/assessment.html",
        sending=sending,
        questionnaire=questionnaire,
        is_shown=lambda q: is_shown(q, shown.answers, questionnaire),
        scenario=scenario_report(shown.scenario) if shown.scenario else None,
        forms=all_forms,
        comment_form=lambda qid: typed.get(qid) or comment_form(qid),
        comments_by_question=by_question,
        feedback=[c for c in comments if c.kind == "feedback"],
        notes=workflow.comments_for(sending.id, ("note",)),
        changed=changes_since_last(sending, questionnaire, shown),
        versions=workflow.kept_versions(sending.id),
        conflict=conflict,
        error_forms=[f for f in [*all_forms.values(), *typed.values()] if f.errors],
        can_comment=sending.status in workflow.OPEN,
        is_lead=current_user.role == "lead",
        me=current_user.id,
    )
    return page, status


@localized_route(bp, "/{advisor}/<int:sending_id>")
@login_required
def assessment(sending_id: int):
    """One sent assessment: result, warnings, actions, scenario, answers with notes, review."""
    return review_page(the_sending(sending_id))


@localized_route(bp, f"/{{advisor}}/<int:sending_id>/<{ACTIONS}:action>", methods=["POST"])
@login_required
def review(sending_id: int, action: str):
    """One review action; back to the page with a message, or the page again with what was typed."""
    sending = the_sending(sending_id)
    advisor = current_user._get_current_object()
    back = redirect(url_for(".assessment", sending_id=sending.id))
    try:
        if action in ("comment", "note"):
            question = request.args.get("question") or None
            if (
                question is not None
                and question not in service.questionnaire_of(sending.assessment).questions
            ):
                abort(404)
            form = comment_form(question, request.form) if action == "comment" else None
            form = form or NoteForm(prefix="note")
            if not form.validate_on_submit():
                if action == "comment":
                    return review_page(sending, comment_forms={question: form}, status=400)
                return review_page(sending, forms={"note": form}, status=400)
            workflow.add_comment(sending, advisor, action, form.body.data or "", question)
            flash(
                _("The comment is saved. The respondent reads it when you return the assessment.")
                if action == "comment"
                else _("The internal note is saved."),
                "success",
            )
            return back
        if action == "remove":
            form = RemoveForm()
            text = (form.comment_id.data or "") if form.validate_on_submit() else ""
            if not text.isdigit() or len(text) > 9:
                abort(400)
            workflow.remove_draft_comment(sending, advisor, int(text))
            flash(_("The comment is removed."), "success")
            return back
        if action == "start":
            form = StartForm(prefix="start")
            if not form.validate_on_submit():
                abort(400)
            workflow.start_review(sending, advisor, form.seen())
            flash(_("The review has started."), "success")
            return back
        if action == "assign":
            form = AssignForm(prefix="assign")
            form.advisor.choices = advisor_choices()
            if not form.validate_on_submit():
                return review_page(sending, forms={"assign": form}, status=400)
            chosen = form.advisor.data or ""
            workflow.assign(sending, advisor, int(chosen) if chosen else None, form.seen())
            flash(_("The assignment is saved."), "success")
            return back
        if action == "return":
            form = ReturnForm(prefix="return")
            if not form.validate_on_submit():
                return review_page(sending, forms={"return": form}, status=400)
            if not (form.overall.data or "").strip() and not workflow.draft_comments(sending):
                form.overall.errors = [
                    _("Write what the respondent should revise: a comment on a question, or here.")
                ]
                return review_page(sending, forms={"return": form}, status=400)
            count = workflow.return_for_revision(
                sending, advisor, form.seen(), form.overall.data or ""
            )
            flash(
                ngettext(
                    "The assessment is returned with %(num)d comment. The respondent is told "
                    "by mail.",
                    "The assessment is returned with %(num)d comments. The respondent is told "
                    "by mail.",
                    count,
                ),
                "success",
            )
            return back
        form = FeedbackForm(prefix="feedback")  # action == "feedback"
        if not form.validate_on_submit():
            return review_page(sending, forms={"feedback": form}, status=400)
        workflow.give_feedback(sending, advisor, form.seen(), form.body.data or "")
        flash(_("The feedback is given and the review is closed."), "success")
        return back
    except workflow.Conflict:
        db.session.rollback()
        db.session.refresh(sending)
        typed = {action: form} if action in ("assign", "return", "feedback") else {}
        for kept in typed.values():  # saved again, it is a decision made on what is shown now
            kept.lock_version.data = str(sending.lock_version)
        return review_page(sending, forms=typed, conflict=True, status=409)
    except workflow.NotAllowed:
        db.session.rollback()
        flash(_("That cannot be done in the assessment's present status."), "error")
        return back

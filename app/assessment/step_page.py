"""A questionnaire page drawn once per language and release, then filled in per request.

A step page is the same for every respondent but for a few places: the secret link in its URLs,
the CSRF token, the organisation and programme, and what each answer shows (which inputs are
checked, what a box holds, whether a note is open). Drawing the page with Jinja takes most of a
request; so it is drawn once as a skeleton, with those places as marks (forms.mark), and each GET
fills the marks in from the respondent's stored answers with one pass of a regular expression.

Only the plain page takes this way: a page with errors, a notice, flashed messages or an advisor's
comments is drawn in full (routes.render_step). tests/test_step_page.py checks that a filled
skeleton is byte for byte the page drawn in full, for answers of every kind.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from flask import current_app, g, render_template
from markupsafe import escape

from app.assessment.forms import (
    AnswerField,
    NoteField,
    build_dimension_form,
    mark,
    stored_number_text,
    stored_values,
)
from app.core.questionnaire import Dimension, Questionnaire
from app.public import Store

# A stand-in for the secret link while the skeleton is drawn: 43 characters, like a real one, of
# a letter no real token is made of alone. Replaced by the request's own token.
STAND_IN_TOKEN = "T" * 43
STAND_IN_CSRF = mark("k", "csrf")
LINK_MARK = mark("L", "link")  # where the stand-in link stood, in a split skeleton
MARK_RE = re.compile("\x00([a-zA-Z]):([^:\x00]*):([^\x00]*)\x00")
# Skeletons one process keeps: pages × languages × the routing variants seen (hidden questions).
STORE_SIZE = 512


def skeletons() -> Store[Any]:
    """This app's skeletons (one LRU per app, like the public pages'): split step pages, and the
    start page as a string."""
    return current_app.extensions.setdefault("step_skeletons", Store[Any](STORE_SIZE))


def draw(
    questionnaire: Questionnaire,
    dimension: Dimension,
    context: dict[str, Any],
    alternates: dict[str, str],
    has_programme: bool,
) -> str:
    """The page with marks where the respondent's own things go."""
    stand_in = SimpleNamespace(
        token=STAND_IN_TOKEN,
        questionnaire_id=questionnaire.id,
        programme=mark("p", "programme") if has_programme else "",
        organisation=mark("p", "organisation"),
    )
    form = build_dimension_form(dimension, {}, {})
    for field in form:
        if isinstance(field, AnswerField | NoteField):
            field.skeleton = True
        if isinstance(field, NoteField):
            field.data = mark("N", field.name.removeprefix("note_"))
    csrf = getattr(form, "csrf_token", None)
    g.alternates = alternates
    html = render_template(
        "views/assessment/step.html",
        assessment=stand_in,
        questionnaire=questionnaire,
        dimension=dimension,
        form=form,
        advisor_comments={},
        notice=None,
        **context,
    )
    if csrf is not None:
        html = html.replace(str(escape(csrf.current_token)), STAND_IN_CSRF)
    return html


def split(skeleton: str) -> tuple[str, ...]:
    """The skeleton cut once at its marks: text, then kind, question and value of a mark, then
    text again, and so on (the secret link's stand-in is a mark of its own, kind "L").

    Filling it is then one join, rather than a scan of the whole page for its marks and another
    for the stand-in link on every request.
    """
    return tuple(MARK_RE.split(skeleton.replace(STAND_IN_TOKEN, LINK_MARK)))


def fill(
    parts: tuple[str, ...], token: str, csrf_token: str, assessment: Any, dimension: Dimension
) -> str:
    """The split skeleton with this respondent's link, token, names and stored answers."""
    answers = assessment.answers
    notes = assessment.notes
    questions = {q.id: q for q in dimension.questions}
    chosen: dict[str, list[str]] = {}

    def one(kind: str, question_id: str, value: str) -> str:
        if kind == "c":
            if question_id not in chosen:
                chosen[question_id] = stored_values(answers.get(question_id))
            return " checked" if value in chosen[question_id] else ""
        if kind == "L":
            return token
        if kind == "t":
            shown = stored_values(answers.get(question_id))
            return str(escape(shown[0])) if shown else ""
        if kind == "n":
            return str(escape(stored_number_text(questions[question_id], answers.get(question_id))))
        if kind == "N":
            return str(escape(notes.get(question_id) or ""))
        if kind == "o":
            return " open" if notes.get(question_id) else ""
        if kind == "p":
            return str(escape(getattr(assessment, question_id) or ""))
        if kind == "k":
            return str(escape(csrf_token))
        raise ValueError(f"unknown mark {kind!r} in a step skeleton")

    out = [parts[0]]
    for at in range(1, len(parts), 4):
        out.append(one(parts[at], parts[at + 1], parts[at + 2]))
        out.append(parts[at + 3])
    return "".join(out)

"""The rows of "check your answers", drawn in Python rather than by a Jinja macro per answer.

The page lists every asked answer with its question, its note and a change link. Drawn by the
macros of views/assessment/_answer.html, that took some 20 ms of a 26 ms request, for a list whose
questions, option labels and headings are the same for every respondent of a questionnaire: only
the answers, the notes and the link differ. So the fixed parts are escaped and joined once per
questionnaire and language (QuestionnaireParts), and a request joins them with its own answers,
every piece of the respondent's text escaped.

Each dimension's rows fold in a <details>, its summary counting the answers, the unanswered and
the notes (on a phone the whole list is 16,000 px long): open where a required answer is missing.

`value_html` is the macro `answer_value` and `note_html` is `answer_note`, written out; the macros
still draw the report, the review and the advisors' pages. tests/test_answer_rows.py checks that
both give the same bytes for answers of every kind, and that the page is byte for byte the one the
macros drew: a change to either macro must be made here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import format_decimal
from jinja2.filters import do_int
from markupsafe import Markup, escape

from app.core.questionnaire import DONT_KNOW, Question, Questionnaire
from app.core.scoring import is_shown
from app.i18n import request_translations


@dataclass(frozen=True)
class QuestionParts:
    """One question's fixed HTML on the page, escaped, in one language."""

    question: Question
    opening: str  # the row up to the answer: <div …><dt>question</dt><dd>
    change_anchor: str  # after the page's change URL: #question-id">
    change_tail: str  # after the word "Change": the question for screen readers, and the end
    options: tuple[tuple[str, str], ...]  # value and escaped label, in the question's order
    steps: tuple[str, ...]  # a scale's escaped step texts
    unit: str  # a number's escaped unit


@dataclass(frozen=True)
class DimensionParts:
    heading: str  # the section's opening, its heading, and the <details> up to its open flag
    summary: str  # after the open flag: the opening of the summary, up to the counts
    list_opening: str  # after the counts: the rest of the summary, and the opening of the list
    questions: tuple[QuestionParts, ...]


SECTION_END = "\n</dl>\n</details>\n</div>"


@dataclass(frozen=True)
class Words:
    """The page's few translated words, as the templates put them (a translation is not escaped)."""

    not_answered: str
    not_answered_optional: str
    dont_know: str
    yes: str
    partly: str
    no: str
    note_label: str
    change: str
    ngettext: Callable[[str, str, int], str]

    def counts(self, answered: int, missing: int, notes: int) -> str:
        """What a folded section holds: "12 answers, 1 not answered, 3 notes"."""
        shown = [self.ngettext("%(num)d answer", "%(num)d answers", answered) % {"num": answered}]
        if missing:
            text = self.ngettext("%(num)d not answered", "%(num)d not answered", missing)
            shown.append(f'<span class="not-answered">{text % {"num": missing}}</span>')
        if notes:
            shown.append(self.ngettext("%(num)d note", "%(num)d notes", notes) % {"num": notes})
        return ", ".join(shown)


def questionnaire_parts(questionnaire: Questionnaire, lang: str) -> tuple[DimensionParts, ...]:
    """The fixed parts for this questionnaire and language, made once per app."""
    store = current_app.extensions.setdefault("answer_row_parts", {})
    key = (id(questionnaire), lang)
    kept = store.get(key)
    if kept is None or kept[0] is not questionnaire:  # the object is kept, so its id stays its own
        kept = (questionnaire, build_parts(questionnaire, lang))
        store[key] = kept
    return kept[1]


def build_parts(questionnaire: Questionnaire, lang: str) -> tuple[DimensionParts, ...]:
    def text(value: Any) -> str:
        return str(escape(value))

    dimensions = []
    for dimension in questionnaire.dimensions:
        questions = []
        for q in dimension.questions:
            qid, question_text = text(q.id), text(q.text[lang])
            questions.append(
                QuestionParts(
                    question=q,
                    opening=(
                        f'\n  <div class="summary-row" id="answer-{qid}">'
                        f"\n    <dt>{question_text}</dt>\n    <dd>"
                    ),
                    change_anchor=f'#question-{qid}">',
                    change_tail=f'<span class="sr-only"> {question_text}</span></a></dd>',
                    options=tuple((o.value, text(o.label[lang])) for o in q.options),
                    steps=tuple(text(step[lang]) for step in q.steps),
                    unit=text(q.unit[lang]) if q.unit else "",
                )
            )
        did, title = text(dimension.id), text(dimension.title[lang])
        dimensions.append(
            DimensionParts(
                f'\n<div class="answers-section" id="section-{did}">\n<h2>{title}</h2>'
                '\n<details class="answers-fold"',
                "><summary>",
                f'<span class="sr-only">: {title}</span></summary>\n<dl class="summary-list">',
                tuple(questions),
            )
        )
    return tuple(dimensions)


def words() -> Words:
    """This request's words, from its catalogue (as the templates' _() finds it)."""
    gettext = request_translations().ugettext
    return Words(
        f'<span class="not-answered">{gettext("Not answered")}</span>',
        f'<span class="not-answered-optional">{gettext("Not answered (optional)")}</span>',
        gettext("Don't know"),
        gettext("Yes"),
        gettext("Partly"),
        gettext("No"),
        gettext("How do you know?"),
        gettext("Change"),
        request_translations().ungettext,
    )


def value_html(parts: QuestionParts, value: Any, said: Words) -> str:
    """One answer as the respondent reads it back: the macro answer_value."""
    q = parts.question
    if value is None:
        return said.not_answered if q.scored else said.not_answered_optional
    if value == DONT_KNOW:
        return said.dont_know
    kind = q.type
    if kind == "yes_partly_no":
        if value == "yes":
            return said.yes
        if value == "partly":
            return said.partly
        return said.no if value == "no" else ""
    if kind == "scale":
        return f"{escape(value)}: {parts.steps[do_int(value) - 1]}"
    if kind == "single":
        return "".join(label for option, label in parts.options if option == value)
    if kind == "multiple":
        return ", ".join(label for option, label in parts.options if option in value)
    if kind == "number":
        return f"{escape(format_decimal(value))} {parts.unit}"
    return str(escape(value))


def note_html(note: str | None, said: Words) -> str:
    """The respondent's note under an answer: the macro answer_note."""
    if not note:
        return ""
    label = f'<span class="note-label">{said.note_label}</span>'
    return f'<p class="answer-note">{label} {escape(note)}</p>'


def answer_rows(
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    notes: dict[str, str],
    lang: str,
    change_urls: dict[int, str] | None,
) -> Markup:
    """Every asked answer, dimension by dimension, as answers.html shows them.

    `change_urls` holds each page's change link by page number; None leaves the links out (a
    submitted assessment's answers are read, not changed).
    """
    said = words()
    out: list[str] = []
    for number, dimension in enumerate(questionnaire_parts(questionnaire, lang), start=1):
        asked = [p for p in dimension.questions if is_shown(p.question, answers, questionnaire)]
        if not asked:
            continue
        answered = sum(answers.get(p.question.id) is not None for p in asked)
        missing = sum(answers.get(p.question.id) is None and p.question.scored for p in asked)
        noted = sum(bool(notes.get(p.question.id)) for p in asked)
        out.append(dimension.heading)
        out.append(" open" if missing else "")
        out.extend((dimension.summary, said.counts(answered, missing, noted)))
        out.append(dimension.list_opening)
        change = None
        if change_urls is not None:
            url = escape(change_urls[number])
            change = (f'\n    <dd class="summary-action"><a href="{url}', said.change)
        for parts in asked:
            qid = parts.question.id
            out.append(parts.opening)
            out.append(value_html(parts, answers.get(qid), said))
            out.append(note_html(notes.get(qid), said))
            out.append("</dd>")
            if change is not None:
                out.extend((change[0], parts.change_anchor, change[1], parts.change_tail))
            out.append("\n  </div>")
        out.append(SECTION_END)
    return Markup("".join(out))  # noqa: S704  (every piece above is escaped or a translation)

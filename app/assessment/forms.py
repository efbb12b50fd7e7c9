"""Forms of the self-assessment: the start page, and one page per dimension built from the data."""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField, EmailField, Field, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from app.boundary import SiteForm
from app.core.answers import MAX_TEXT, AnswerError, clean_answer, number_kind
from app.core.questionnaire import Dimension, Question, Questionnaire
from app.core.scoring import is_shown
from app.i18n import current_language
from app.messages import ERROR_TEXTS, error_text

ROLES = ("kommune", "leverandoer")


def stripped(text: str | None) -> str | None:
    """The text without spaces around it: a name of only spaces is no name."""
    return text.strip() if isinstance(text, str) else text


class StartForm(SiteForm):
    """Who is answering, and for which programme."""

    role = RadioField(
        _l("Who are you answering for?"),
        choices=[
            SelectChoice("kommune", _l("A municipality, region or other public authority")),
            SelectChoice("leverandoer", _l("A supplier, such as an NGO or a social enterprise")),
        ],
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Choose who you are answering for.")),
            AnyOf(ROLES, message=_l("Choose who you are answering for.")),
        ],
    )
    organisation = StringField(
        _l("Name of your organisation"),
        filters=[stripped],
        validators=[
            DataRequired(message=_l("Enter the name of your organisation.")),
            Length(max=200, message=_l("Write at most %(max)d characters.", max=200)),
        ],
    )
    programme = StringField(
        _l("Name of the programme or idea"),
        description=_l("A working title is fine, for example “Early help for families”."),
        filters=[stripped],
        validators=[
            DataRequired(message=_l("Enter a name for the programme or idea.")),
            Length(max=200, message=_l("Write at most %(max)d characters.", max=200)),
        ],
    )
    email = EmailField(
        _l("E-mail (optional)"),
        description=_l(
            "Only used if you ask a fund advisor to contact you. We send no newsletters."
        ),
        validators=[
            Optional(),
            Email(
                message=_l("Enter an e-mail address like name@example.dk."),
                check_deliverability=False,
            ),
            Length(max=254, message=_l("Write at most %(max)d characters.", max=254)),
        ],
    )


def email_validators(required: str) -> list:
    """An address a person typed: required, of the form name@host, at most 254 characters."""
    return [
        DataRequired(message=required),
        Email(
            message=_l("Enter an e-mail address like name@example.dk."), check_deliverability=False
        ),
        Length(max=254, message=_l("Write at most %(max)d characters.", max=254)),
    ]


class SendForm(SiteForm):
    """Who the fund may contact about a sent assessment, and the respondent's consent."""

    contact_name = StringField(
        _l("Contact person's name"),
        filters=[stripped],
        validators=[
            DataRequired(message=_l("Enter the name of the person the fund can contact.")),
            Length(max=200, message=_l("Write at most %(max)d characters.", max=200)),
        ],
    )
    contact_email = EmailField(
        _l("Contact person's e-mail"),
        description=_l("We send a confirmation with your secret link to this address."),
        filters=[stripped],
        validators=email_validators(_l("Enter the e-mail address the fund can write to.")),
    )
    consent = BooleanField(
        _l("I want to send the assessment to the fund, and I have read what the fund will see."),
        validators=[
            DataRequired(message=_l("Tick the box to confirm that you want to send it.")),
        ],
    )


class MailLinkForm(SiteForm):
    """The address to mail a secret link to: typed here, never taken from elsewhere."""

    email = EmailField(
        _l("Your e-mail address"),
        description=_l("We use it only to send this one mail."),
        filters=[stripped],
        validators=email_validators(_l("Enter the e-mail address to send the link to.")),
    )


class AnswerField(Field):
    """One question's answer, read from the form and checked by the same rules as the API.

    On a skeleton (app/assessment/step_page.py) the answer-dependent parts are drawn as marks that
    each request fills in from its own stored answers.
    """

    skeleton = False

    def __init__(self, question: Question, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.question = question

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.process_errors = []
        self.answer = None if data is unset_value else data
        self.posted = formdata is not None
        self.raw = [v for v in formdata.getlist(self.name) if v != ""] if self.posted else []
        self.data = self.raw_data = self.raw

    @property
    def anchor(self) -> str:
        """The id of the first input, where the error summary leads."""
        return self.id if self.question.type in ("number", "text") else f"{self.id}-0"

    def current_values(self) -> list[str]:
        """What to show as chosen: the posted values after an error, else the stored answer."""
        return self.raw if self.posted else stored_values(self.answer)

    def number_text(self) -> str:
        """The number shown in a number box, written the page's way (never "don't know")."""
        if self.skeleton:
            return mark("n", self.question.id)
        if not self.posted:
            return stored_number_text(self.question, self.answer)
        shown = [v for v in self.raw if v != DONT_KNOW_VALUE]
        return shown[0] if shown else ""

    def checked_attr(self, value: str) -> str:
        """` checked` on the input of a chosen value."""
        if self.skeleton:
            return mark("c", self.question.id, value)
        return Markup(" checked") if value in self.current_values() else ""

    def text_value(self) -> str:
        """What a text question's box holds."""
        if self.skeleton:
            return mark("t", self.question.id)
        chosen = self.current_values()
        return chosen[0] if chosen else ""

    def pre_validate(self, form: SiteForm) -> None:
        if not self.posted:
            return
        values = self.raw
        raw: Any
        if self.question.type == "multiple":
            raw = DONT_KNOW_VALUE if values == [DONT_KNOW_VALUE] else values
        elif self.question.type == "number" and DONT_KNOW_VALUE in values:
            if len(values) > 1:
                raise ValidationError(error_text(AnswerError("dont_know_with_others")))
            raw = DONT_KNOW_VALUE
        elif len(values) > 1:
            raise ValidationError(error_text(AnswerError("invalid_choice")))
        else:
            raw = values[0] if values else None
        answer, error = clean_answer(self.question, raw, current_language())
        if error:
            raise ValidationError(error_text(error))
        self.answer = answer


DONT_KNOW_VALUE = "dont_know"


def mark(kind: str, question_id: str, value: str = "") -> Markup:
    """A place in a skeleton page that a stored answer fills in (step_page.fill)."""
    # The ids and values are the questionnaire files', and a mark never reaches a page: fill()
    # puts " checked", "" or escaped text in its place.
    return Markup(f"\x00{kind}:{question_id}:{value}\x00")  # noqa: S704


def stored_values(answer: Any) -> list[str]:
    """A stored answer as the values of its inputs."""
    if answer is None:
        return []
    if isinstance(answer, list):
        return [str(v) for v in answer]
    return [str(answer)]


def stored_number_text(question: Question, answer: Any) -> str:
    """A stored number written the page's way ("0,6" or "60 %"), never "don't know"."""
    if isinstance(answer, int | float):
        text = format_decimal(answer, format="0.####")
        percent = number_kind(question) == "percent"
        return f"{text} %" if percent and 0 < answer < 1 else text
    shown = [v for v in stored_values(answer) if v != DONT_KNOW_VALUE]
    return shown[0] if shown else ""


class NoteField(TextAreaField):
    """A question's "how do you know?" note; folded away unless it holds something."""

    skeleton = False

    def open_attr(self) -> str:
        if self.skeleton:
            return mark("o", self.name.removeprefix("note_"))
        return Markup(" open") if self.data or self.errors else ""


class DimensionForm(SiteForm):
    """The questions of one dimension; build_dimension_form adds the fields."""

    def answer_fields(self) -> list[AnswerField]:
        """The answer fields, in page order (not the notes)."""
        return [f for f in self if isinstance(f, AnswerField)]

    def answers(self) -> dict[str, Any]:
        """The page's checked answers by question id (None where unanswered)."""
        return {f.question.id: f.answer for f in self.answer_fields()}

    def notes(self) -> dict[str, str]:
        """The page's notes by question id."""
        return {
            f.question.id: self[f"note_{f.question.id}"].data or "" for f in self.answer_fields()
        }

    def all_shown_answered(self, questionnaire: Questionnaire, stored: dict[str, Any]) -> bool:
        """Mark every shown scored question left unanswered; True when there is none."""
        merged = {k: v for k, v in {**stored, **self.answers()}.items() if v is not None}
        complete = True
        for field in self.answer_fields():
            question = field.question
            if field.errors:  # already refused, for instance a number out of range
                complete = False
                continue
            unanswered = question.scored and field.answer is None
            if unanswered and is_shown(question, merged, questionnaire):
                field.errors = [str(ERROR_TEXTS["required"])]
                complete = False
        return complete


def build_dimension_form(
    dimension: Dimension, answers: dict[str, Any], notes: dict[str, str], formdata: Any = None
) -> DimensionForm:
    """A form with an answer field and a note field for every question of the dimension."""
    data = {f"q_{q}": a for q, a in answers.items()}
    data.update({f"note_{q}": n for q, n in notes.items()})
    return dimension_form_class(dimension)(formdata=formdata, data=data)


# The form class of each dimension, made once: WTForms builds a class's field list on its first
# use, and making the class anew took about a tenth of every questionnaire request. Keyed by the
# dimension object itself (held in the value, so that its id is never reused for another).
_FORM_CLASSES: dict[int, tuple[Dimension, type[DimensionForm]]] = {}


def dimension_form_class(dimension: Dimension) -> type[DimensionForm]:
    kept = _FORM_CLASSES.get(id(dimension))
    if kept is not None and kept[0] is dimension:
        return kept[1]

    class Form(DimensionForm):
        pass

    for question in dimension.questions:
        setattr(Form, f"q_{question.id}", AnswerField(question, label=question.id))
        setattr(
            Form,
            f"note_{question.id}",
            NoteField(
                _l("How do you know? (optional)"),
                description=_l("Evidence, a document or a person others can ask."),
                validators=[
                    Length(
                        max=MAX_TEXT, message=_l("Write at most %(max)d characters.", max=MAX_TEXT)
                    )
                ],
            ),
        )
    if len(_FORM_CLASSES) > 256:  # questionnaires reloaded many times (tests): start afresh
        _FORM_CLASSES.clear()
    _FORM_CLASSES[id(dimension)] = (dimension, Form)
    return Form


class ReadOnlyLinkForm(SiteForm):
    """Make or revoke the read-only link: nothing to fill in (CSRF only)."""


class ReviseForm(SiteForm):
    """Revise a returned assessment, or send the revision: the button says which (CSRF only)."""

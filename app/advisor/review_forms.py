"""The forms an advisor reviews with. Each change of status carries the lock version read."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.boundary import SiteForm
from app.review.workflow import COMMENT_LIMIT


class LockedForm(SiteForm):
    """A change of the sending: refused when it changed since the page was drawn."""

    lock_version = HiddenField()

    def seen(self) -> int | None:
        text = self.lock_version.data or ""
        return int(text) if text.isdigit() and len(text) < 10 else None


class StartForm(LockedForm):
    pass


class AssignForm(LockedForm):
    advisor = SelectField(_l("Assigned advisor"), choices=[], validate_choice=True)


class CommentForm(SiteForm):
    body = TextAreaField(
        _l("Comment to the respondent"),
        description=_l("The respondent reads it when you return the assessment."),
        validators=[
            DataRequired(message=_l("Write the comment.")),
            Length(max=COMMENT_LIMIT, message=_l("Write at most %(max)d characters.")),
        ],
    )


class NoteForm(SiteForm):
    body = TextAreaField(
        _l("Internal note"),
        description=_l("Only the fund's advisors read it. The respondent never sees it."),
        validators=[
            DataRequired(message=_l("Write the note.")),
            Length(max=COMMENT_LIMIT, message=_l("Write at most %(max)d characters.")),
        ],
    )


class ReturnForm(LockedForm):
    overall = TextAreaField(
        _l("Comment on the whole assessment"),
        description=_l(
            "Optional when you have commented on questions. The respondent reads every comment "
            "when you return it."
        ),
        validators=[
            Optional(),
            Length(max=COMMENT_LIMIT, message=_l("Write at most %(max)d characters.")),
        ],
    )


class FeedbackForm(LockedForm):
    body = TextAreaField(
        _l("Feedback to the respondent"),
        description=_l("This closes the review. The respondent is told by mail."),
        validators=[
            DataRequired(message=_l("Write the feedback.")),
            Length(max=COMMENT_LIMIT, message=_l("Write at most %(max)d characters.")),
        ],
    )


class RemoveForm(SiteForm):
    comment_id = HiddenField()

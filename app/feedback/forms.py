"""The 'was this page useful?' form."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from app.boundary import SiteForm


class FeedbackForm(SiteForm):
    """A yes/no answer and an optional comment about one content page.

    No CSRF token: the form sits on every public page, which holds nothing per visitor (see
    app/public.py). Its POST is checked for coming from this site instead (app/feedback/routes.py).
    """

    class Meta(SiteForm.Meta):
        csrf = False

    kind = HiddenField(validators=[DataRequired(message=_l("The page is missing."))])
    key = HiddenField(validators=[DataRequired(message=_l("The page is missing."))])
    useful = RadioField(
        _l("Was this page useful?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        # WTForms' own "Not a valid choice" has no Danish translation: check choices ourselves.
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Choose yes or no.")),
            AnyOf(["yes", "no"], message=_l("Choose yes or no.")),
        ],
    )
    comment = TextAreaField(
        _l("What could be better? (optional)"),
        description=_l("Do not write personal information. We read every comment."),
        validators=[
            Length(max=1000, message=_l("Write at most %(max)d characters.", max=1000)),
        ],
    )

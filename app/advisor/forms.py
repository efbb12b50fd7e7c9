"""The advisor forms: the login steps, and filing a sent assessment under a programme."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.boundary import SiteForm
from app.core.programme import NEW_PROGRAMME


class LoginForm(SiteForm):
    """No length limits shown: an overlong address or password simply does not match."""

    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Enter your password.")),
        ],
    )
    next = HiddenField()


class CodeForm(SiteForm):
    code = StringField(
        _l("Code"),
        description=_l(
            "The 6 digits your authenticator app shows now, or one of your recovery codes."
        ),
        validators=[
            DataRequired(message=_l("Enter the code.")),
        ],
    )


class SetupForm(SiteForm):
    code = StringField(
        _l("Code from the app"),
        description=_l("The 6 digits the app shows after you have added the account."),
        validators=[
            DataRequired(message=_l("Enter the code.")),
        ],
    )


PROGRAMME_NAME_MAX = 200  # Programme.name's column


def _programme_name(label: object, required: bool, description: object = "") -> StringField:
    checks = [
        Length(
            max=PROGRAMME_NAME_MAX,
            message=_l("Write at most %(max)d characters.", max=PROGRAMME_NAME_MAX),
        )
    ]
    if required:
        checks.insert(0, DataRequired(message=_l("Enter a name for the programme.")))
    return StringField(
        label,
        description=description,
        validators=checks,
        filters=[lambda v: v.strip() if v else v],
    )


class ProgrammeForm(SiteForm):
    """A new programme: its name."""

    name = _programme_name(_l("Name of the programme"), required=True)


class FilingForm(SiteForm):
    """File a sent assessment under a programme, a new one, or none.

    lock_version carries the sending's version as the page read it (optimistic locking); the
    choices are set by the view. The name is needed only when a new programme is chosen.
    """

    programme_id = SelectField(_l("Programme"), choices=[], validate_choice=False)
    programme_name = _programme_name(
        _l("Name of the new programme"),
        required=False,
        description=_l("Only when you choose a new programme above."),
    )
    lock_version = HiddenField()

    def validate_programme_id(self, field: SelectField) -> None:
        known = {str(value) for value, _label in field.choices}
        if field.data not in known:
            raise ValidationError(_l("Choose a programme from the list."))

    def validate_programme_name(self, field: StringField) -> None:
        if self.programme_id.data == NEW_PROGRAMME and not field.data:
            raise ValidationError(_l("Enter a name for the new programme."))

    def read_version(self) -> int | None:
        """The lock version the page was drawn with, or None if it was tampered with."""
        value = self.lock_version.data or ""
        return int(value) if value.isdigit() else None

"""The advisor login forms: the password step and the code steps."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired

from app.boundary import SiteForm


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

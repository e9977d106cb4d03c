"""Forms for signing in, joining a cohort and changing a password."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])


class JoinForm(FlaskForm):
    """A new trainee joins a cohort with its code."""

    code = StringField(_l("Cohort code"), validators=[DataRequired(REQUIRED), Length(max=32)])
    name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(REQUIRED),
            Email(_l("Please give a valid email address.")),
            Length(max=254),
        ],
    )
    gender = RadioField(
        _l("Gender (optional, for the lab's statistics)"),
        choices=[
            SelectChoice("f", _l("Woman")),
            SelectChoice("m", _l("Man")),
            SelectChoice("", _l("I prefer not to say")),
        ],
        default="",
        validate_choice=True,
    )
    password = PasswordField(
        _l("Password (at least 8 characters)"),
        validators=[
            DataRequired(REQUIRED),
            Length(min=8, message=_l("At least 8 characters, please.")),
        ],
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The two passwords differ."))],
    )


class CodeForm(FlaskForm):
    """A signed-in trainee joins one more cohort."""

    code = StringField(_l("Cohort code"), validators=[DataRequired(REQUIRED), Length(max=32)])


class PasswordForm(FlaskForm):
    """Change one's password."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    new = PasswordField(
        _l("New password (at least 8 characters)"),
        validators=[
            DataRequired(REQUIRED),
            Length(min=8, message=_l("At least 8 characters, please.")),
        ],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(REQUIRED), EqualTo("new", _l("The two passwords differ."))],
    )

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    ValidationError,
)

from puja_indah.core.forms import BaseForm
from puja_indah.core.passwords import MAX_LENGTH, password_problems


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    submit = SubmitField(_l("Sign in"))


class PolicyPassword:
    """Lists every rule of the password policy the new password breaks."""

    def __init__(self, email_field: str | None = None) -> None:
        self.email_field = email_field

    def __call__(self, form: Any, field: Any) -> None:
        email = getattr(form, "account_email", "")
        problems = password_problems(field.data or "", email=email)
        if problems:
            raise ValidationError(" ".join(problems))


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), PolicyPassword()])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class ScopeForm(BaseForm):
    membership = SelectField(_l("Work as"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Switch"))


class LanguageForm(BaseForm):
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice("id", "Bahasa Indonesia"), SelectChoice("en", "English")],
    )
    submit = SubmitField(_l("Apply"))


INVALID_CHOICE = _l("Choose one of the listed options.")


def _squash(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


class TokenForm(BaseForm):
    """A new personal access token. The view fills `membership` (the user's own memberships,
    the active one first chosen) and `days` (tokens.EXPIRY_CHOICES)."""

    name = StringField(
        _l("Token name"),
        filters=[_squash],
        validators=[
            DataRequired(message=_l("Give the token a name, e.g. the program that will use it.")),
            Length(max=80, message=_l("At most %(max)d characters.")),
        ],
    )
    scope = RadioField(
        _l("Access"),
        choices=[
            SelectChoice("read", _l("Read only")),
            SelectChoice("write", _l("Read and write")),
        ],
        default="read",
        validators=[InputRequired(message=_l("Choose read only or read and write."))],
        invalid_choice_message=_l("Choose read only or read and write."),
    )
    days = SelectField(
        _l("Valid for"),
        coerce=int,
        default=90,
        validators=[InputRequired()],
        invalid_choice_message=INVALID_CHOICE,
    )
    membership = SelectField(
        _l("Works as"),
        coerce=int,
        validators=[InputRequired()],
        invalid_choice_message=INVALID_CHOICE,
    )
    submit = SubmitField(_l("Make token"))


class RevokeTokenForm(BaseForm):
    submit = SubmitField(_l("Revoke"))


__all__ = [
    "ChangePasswordForm",
    "Email",
    "LanguageForm",
    "LoginForm",
    "RevokeTokenForm",
    "ScopeForm",
    "TokenForm",
]

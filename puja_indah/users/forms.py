"""Forms of the users feature. Every field is bounded and every message is our own (translated in
users/i18n/id.po); the choices are filled by the view from what the actor may grant."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SearchField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from puja_indah.core.forms import BaseForm
from puja_indah.core.models import Role

NOT_A_CHOICE = _l("Choose one of the options in the list.")


def _strip(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def _role_of(form: Any) -> Role | None:
    value = form.role.data
    return Role(value) if value in {r.value for r in Role} else None


class UserFilterForm(BaseForm):
    """The list's search box and filters (a GET form: no CSRF token, nothing changes)."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Name or e-mail"),
        validators=[Optional(), Length(max=100, message=_l("At most %(max)d characters."))],
    )
    role = SelectField(_l("Role"), choices=[], default="", invalid_choice_message=NOT_A_CHOICE)
    agency = SelectField(_l("Agency"), choices=[], default="", invalid_choice_message=NOT_A_CHOICE)
    submit = SubmitField(_l("Search"))


class _GrantFields(BaseForm):
    """Role with the agency (officer, lead) or region (monitor) it applies to."""

    role = SelectField(
        _l("Role"),
        choices=[],
        default="",
        validators=[DataRequired()],
        invalid_choice_message=NOT_A_CHOICE,
    )
    agency = SelectField(_l("Agency"), choices=[], default="", invalid_choice_message=NOT_A_CHOICE)
    region = SelectField(_l("Region"), choices=[], default="", invalid_choice_message=NOT_A_CHOICE)

    def validate_agency(self, field: Any) -> None:
        role = _role_of(self)
        if role is not None and role.scope_level == "agency" and not field.data:
            raise ValidationError(_l("Choose the agency for this role."))

    def validate_region(self, field: Any) -> None:
        if _role_of(self) is Role.REGION_MONITOR and not field.data:
            raise ValidationError(_l("Choose the region for this role."))


class CreateUserForm(_GrantFields):
    name = StringField(
        _l("Full name"),
        filters=[_strip],
        validators=[
            DataRequired(),
            Length(max=120, message=_l("At most %(max)d characters.")),
        ],
    )
    email = EmailField(
        _l("E-mail"),
        filters=[_strip],
        validators=[
            DataRequired(),
            Length(max=254, message=_l("At most %(max)d characters.")),
            Email(message=_l("Enter a valid e-mail address, for example nama@bombanakab.go.id.")),
        ],
    )
    submit = SubmitField(_l("Create account"))


class AddRoleForm(_GrantFields):
    submit = SubmitField(_l("Add role"))


class ActionForm(BaseForm):
    """A button that posts: lock, unlock, reset password, remove a role (CSRF only)."""

    submit = SubmitField(_l("Confirm"))

"""Forms of the users feature. Every field is bounded and every message is our own (translated in
users/i18n/id.po); the choices are filled by the view from what the actor may grant."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SearchField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from puja_indah.agencies.forms import optional_int
from puja_indah.core.forms import BaseForm
from puja_indah.core.models import Role
from puja_indah.core.region_filter import PlainSelect, show_agencies_button

NOT_A_CHOICE = _l("Choose one of the options in the list.")


def _strip(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def _id_select(label: Any, **kwargs: Any) -> SelectField:
    """An agency or region: an id or nothing; anything else is "not one of the options"."""
    return SelectField(
        label,
        choices=[],
        coerce=optional_int,
        invalid_value_message=NOT_A_CHOICE,
        invalid_choice_message=NOT_A_CHOICE,
        **kwargs,
    )


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
    # A national administrator chooses a region, then one of its agencies (core/region_filter.py).
    region = _id_select(_l("Region"), widget=PlainSelect())
    agency = _id_select(_l("Agency"))
    submit = SubmitField(_l("Search"))


class _GrantFields(BaseForm):
    """Role with the agency (officer, lead) or region (monitor) it applies to.

    A national administrator's one region select serves both: the region a monitor watches, and
    the region whose agencies the agency select offers ("Show its agencies" re-renders the form
    with them, without JavaScript); other scopes have no region button."""

    role = SelectField(
        _l("Role"),
        choices=[],
        default="",
        validators=[DataRequired()],
        invalid_choice_message=NOT_A_CHOICE,
    )
    region = _id_select(_l("Region"), widget=PlainSelect())
    show_agencies = show_agencies_button()
    agency = _id_select(_l("Agency"))

    def chosen_role(self) -> Role | None:
        return _role_of(self)

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

"""Forms of the reference lists. Every field is bounded by its column and every message is an
English msgid translated in `i18n/id.po`."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp

from puja_indah.core.forms import BaseForm

INVALID_CHOICE = _l("Choose one of the listed options.")
MAX_ORDER = 9999


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def collapse(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def required() -> DataRequired:
    return DataRequired(message=_l("Fill in this field."))


def max_length(size: int) -> Length:
    return Length(max=size, message=_l("Use at most %(max)d characters."))


def order_field() -> IntegerField:
    return IntegerField(
        _l("Order"),
        default=0,
        validators=[
            InputRequired(message=_l("Enter a whole number from 0 to 9999.")),
            NumberRange(min=0, max=MAX_ORDER, message=_l("Enter a whole number from 0 to 9999.")),
        ],
        render_kw={"inputmode": "numeric"},
        description=_l("Lists are sorted by this number, smallest first."),
    )


class AffairForm(BaseForm):
    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[
            required(),
            max_length(20),
            Regexp(
                r"^[0-9A-Za-z][0-9A-Za-z._-]*$",
                message=_l("Use letters, digits, dots or dashes, without spaces."),
            ),
        ],
        description=_l("As coded by Permendagri 90/2019, e.g. 1.02."),
    )
    name = StringField(_l("Name"), filters=[collapse], validators=[required(), max_length(200)])
    basic_service = BooleanField(
        _l("Basic service (wajib pelayanan dasar)"),
        description=_l("Basic-service affairs count separately in the innovation index."),
    )
    sort_order = order_field()
    active = BooleanField(
        _l("Active"),
        default=True,
        description=_l("Inactive rows stay on existing innovations but are no longer offered."),
    )
    submit = SubmitField(_l("Save"))


class ThemeForm(BaseForm):
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(message=_l("Enter a year from 2000 to 2200.")),
            NumberRange(min=2000, max=2200, message=_l("Enter a year from 2000 to 2200.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    name = StringField(_l("Name"), filters=[collapse], validators=[required(), max_length(200)])
    active = BooleanField(
        _l("Active"),
        default=True,
        description=_l("Inactive rows stay on existing innovations but are no longer offered."),
    )
    is_demo = BooleanField(
        _l("Demo data"),
        description=_l("Clear this once the theme is taken from the year's official guideline."),
    )
    submit = SubmitField(_l("Save"))


class InitiatorKindForm(BaseForm):
    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[
            required(),
            max_length(40),
            Regexp(
                r"^[0-9A-Za-z][0-9A-Za-z._-]*$",
                message=_l("Use letters, digits, dots or dashes, without spaces."),
            ),
        ],
    )
    name = StringField(_l("Name"), filters=[collapse], validators=[required(), max_length(120)])
    sort_order = order_field()
    active = BooleanField(
        _l("Active"),
        default=True,
        description=_l("Inactive rows stay on existing innovations but are no longer offered."),
    )
    submit = SubmitField(_l("Save"))


class DeleteForm(BaseForm):
    submit = SubmitField(_l("Delete"))


def optional_year(value: Any) -> int | None:
    if value is None or value == "" or value == "None":
        return None
    text = str(value).strip()
    if not text.isdigit() or len(text) > 4:
        raise ValueError("not a year")
    return int(text)


class YearFilterForm(BaseForm):
    class Meta:
        csrf = False

    year = SelectField(
        _l("Year"),
        coerce=optional_year,
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
    )

"""The audit list's filters: a GET form (no CSRF token, nothing changes). Dates are WITA days."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SearchField, SelectField, SubmitField
from wtforms.validators import Length, Optional, ValidationError

from puja_indah.agencies.forms import optional_int
from puja_indah.core.forms import BaseForm
from puja_indah.core.region_filter import PlainSelect

NOT_A_CHOICE = _l("Choose one of the options in the list.")
NOT_A_DATE = _l("Enter a date as day/month/year, for example 17/08/2026.")
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def _within_range(form: Any, field: Any) -> None:
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(_l("Enter a date between the years 2000 and 2099."))


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    action = SelectField(_l("Action"), choices=[], default="", invalid_choice_message=NOT_A_CHOICE)
    object_type = SelectField(
        _l("Object type"), choices=[], default="", invalid_choice_message=NOT_A_CHOICE
    )
    actor = SearchField(
        _l("Actor e-mail contains"),
        validators=[Optional(), Length(max=100, message=_l("At most %(max)d characters."))],
    )
    # Browsers send the ISO form (YYYY-MM-DD) from a date picker; typed dates are accepted too.
    date_from = DateField(
        _l("From date"),
        format=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
        validators=[Optional(), _within_range],
        invalid_value_message=NOT_A_DATE,
    )
    date_to = DateField(
        _l("To date"),
        format=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
        validators=[Optional(), _within_range],
        invalid_value_message=NOT_A_DATE,
    )
    # A national scope chooses a region, then one of its agencies (core/region_filter.py).
    region = SelectField(
        _l("Region"),
        choices=[],
        coerce=optional_int,
        widget=PlainSelect(),
        invalid_value_message=NOT_A_CHOICE,
        invalid_choice_message=NOT_A_CHOICE,
    )
    agency = SelectField(
        _l("Agency"),
        choices=[],
        coerce=optional_int,
        invalid_value_message=NOT_A_CHOICE,
        invalid_choice_message=NOT_A_CHOICE,
    )
    submit = SubmitField(_l("Filter"))

    def validate_date_to(self, field: Any) -> None:
        start = self.date_from.data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(_l("The end date is before the start date."))

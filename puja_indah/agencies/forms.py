"""Forms of the agencies feature. Every field is bounded by its column size and every message is
an English msgid translated in `i18n/id.po` (WTForms ships no Indonesian)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from puja_indah.core.forms import BaseForm
from puja_indah.core.region_filter import PlainSelect, show_agencies_button

# Text columns have no size of their own; a description longer than this is not a description.
MAX_DESCRIPTION = 5000
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
INVALID_CHOICE = _l("Choose one of the listed options.")


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def collapse(value: Any) -> Any:
    """Trim and collapse inner runs of whitespace (numbers and titles typed or pasted)."""
    return " ".join(value.split()) if isinstance(value, str) else value


def optional_int(value: Any) -> int | None:
    """Coerce a select's value: empty means none; anything else must be a whole number."""
    if value is None or value == "" or value == "None":
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.isdigit() or len(text) > 12:
        raise ValueError("not an id")
    return int(text)


def required() -> DataRequired:
    return DataRequired(message=_l("Fill in this field."))


def max_length(size: int) -> Length:
    return Length(max=size, message=_l("Use at most %(max)d characters."))


def id_select(label: Any, **kwargs: Any) -> SelectField:
    return SelectField(
        label,
        coerce=optional_int,
        invalid_value_message=INVALID_CHOICE,
        invalid_choice_message=INVALID_CHOICE,
        **kwargs,
    )


class ListFilterForm(BaseForm):
    """The GET filter of the agency and decree lists (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search name or code"), filters=[strip], validators=[max_length(100)])
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("", _l("All")),
            SelectChoice("active", _l("Active")),
            SelectChoice("inactive", _l("Inactive")),
        ],
        default="",
        invalid_choice_message=INVALID_CHOICE,
    )
    region = id_select(_l("Region"))

    def value(self, name: str) -> Any:
        """A filter's value, or None when it is empty or invalid (a bad filter is ignored)."""
        field = self[name]
        return None if field.errors else (field.data or None)


class AgencyForm(BaseForm):
    # Only a national administrator chooses the region, and only when creating an agency: first
    # the region, then "Show its agencies" offers its agencies as parent (core/region_filter.py).
    # DataRequired, not InputRequired: an old form with only a parent gets the parent's region.
    region_id = id_select(
        _l("Region"),
        validators=[DataRequired(message=_l("Choose a region."))],
        widget=PlainSelect(),
    )
    show_agencies = show_agencies_button()
    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[
            required(),
            max_length(32),
            Regexp(
                CODE_PATTERN,
                message=_l("Use letters, digits, dots, dashes or underscores, without spaces."),
            ),
        ],
        description=_l("Short and unique within the region, e.g. BKD or PKM-RUMBIA."),
    )
    name = StringField(_l("Name"), filters=[collapse], validators=[required(), max_length(200)])
    short_name = StringField(
        _l("Short name"), filters=[collapse], validators=[required(), max_length(40)]
    )
    parent_id = id_select(
        _l("Parent agency"),
        description=_l("Only for units (UPTD) that sit below an agency, e.g. a Puskesmas."),
    )
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class DecreeForm(BaseForm):
    region_id = id_select(_l("Region"), validators=[InputRequired(message=_l("Choose a region."))])
    number = StringField(
        _l("Decree number"),
        filters=[collapse],
        validators=[required(), max_length(60)],
        description=_l("As written on the decree, e.g. 193 Tahun 2018."),
    )
    signed_on = DateField(
        _l("Date signed"),
        validators=[Optional()],
        invalid_value_message=_l("Enter a date as YYYY-MM-DD."),
        description=_l("Leave empty when the date is not known."),
    )
    title = TextAreaField(
        _l("Title"),
        filters=[collapse],
        validators=[required(), max_length(300)],
        render_kw={"rows": 2},
    )
    pdf = FileField(
        _l("Scanned decree (PDF)"),
        description=_l("Optional. A PDF file of at most 10 MB."),
        render_kw={"accept": "application/pdf,.pdf"},
    )
    submit = SubmitField(_l("Save"))


class AppointmentForm(BaseForm):
    agency_id = id_select(
        _l("Appointed agency"), validators=[InputRequired(message=_l("Choose an agency."))]
    )
    innovation_name = StringField(
        _l("Assigned innovation"),
        filters=[collapse],
        validators=[max_length(200)],
        description=_l("Leave empty for a coordinating agency such as Diskominfos."),
    )
    innovation_description = TextAreaField(
        _l("Description of the innovation"),
        filters=[strip],
        validators=[max_length(MAX_DESCRIPTION)],
        render_kw={"rows": 4},
    )
    must_implement = BooleanField(_l("Duty 1: implement the assigned innovation"), default=True)
    must_replicate = BooleanField(
        _l("Duty 2: replicate innovations that already work elsewhere"), default=True
    )
    submit = SubmitField(_l("Save"))


class DeleteForm(BaseForm):
    submit = SubmitField(_l("Remove from the decree"))


class ImportForm(BaseForm):
    file = FileField(
        _l("File (CSV or XLSX)"),
        validators=[FileRequired(message=_l("Choose a file to import."))],
        render_kw={
            "accept": ".csv,.xlsx,text/csv,"
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
    )
    replace = BooleanField(
        _l("Also remove the appointments of this decree that the file does not name"),
        default=False,
    )
    submit = SubmitField(_l("Import"))


def web_address(form: Any, field: Any) -> None:
    if field.data and not field.data.lower().startswith(("http://", "https://")):
        raise ValidationError(_l("Start the address with https:// or http://."))


OUT_OF_DATE = _l(
    "This form is incomplete or out of date. Reload the page and enter your changes again."
)


class AgencyProfileForm(BaseForm):
    address = TextAreaField(
        _l("Office address"),
        filters=[collapse],
        validators=[max_length(300)],
        render_kw={"rows": 2},
    )
    phone = StringField(
        _l("Phone"),
        filters=[strip],
        validators=[
            max_length(40),
            Regexp(
                r"^[0-9+()\-\s./]*$",
                message=_l("Use digits, spaces and + ( ) - only."),
            ),
        ],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    email = StringField(
        _l("E-mail"),
        filters=[strip],
        validators=[
            Optional(),
            max_length(254),
            Email(message=_l("Enter a valid e-mail address."), granular_message=False),
        ],
        render_kw={"inputmode": "email", "autocomplete": "email"},
    )
    website = StringField(
        _l("Website"),
        filters=[strip],
        validators=[
            Optional(),
            max_length(200),
            web_address,
            URL(message=_l("Enter a valid web address.")),
        ],
        render_kw={"inputmode": "url"},
    )
    office_hours = StringField(
        _l("Office hours"),
        filters=[collapse],
        validators=[max_length(120)],
        description=_l("e.g. Senin–Jumat 08.00–16.00 WITA"),
    )
    head_name = StringField(
        _l("Head of the agency"), filters=[collapse], validators=[max_length(120)]
    )
    innovation_contact = StringField(
        _l("Innovation contact person"),
        filters=[collapse],
        validators=[max_length(120)],
        description=_l("Name and phone number of the officer who answers about innovations."),
    )
    # The version the form was opened at, and the values it showed (to name the other's changes).
    version = HiddenField(
        validators=[InputRequired(message=OUT_OF_DATE), Regexp(r"^\d{1,9}$", message=OUT_OF_DATE)]
    )
    opened = HiddenField(validators=[Length(max=4000, message=OUT_OF_DATE)])
    submit = SubmitField(_l("Save"))


PROFILE_FIELDS = (
    "address",
    "phone",
    "email",
    "website",
    "office_hours",
    "head_name",
    "innovation_contact",
)

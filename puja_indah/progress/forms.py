"""Forms of the progress feature. Every field is bounded and every message is an English msgid
translated in `i18n/id.po`."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from puja_indah.core.forms import BaseForm

MAX_DESCRIPTION = 5000
INVALID_CHOICE = _l("Choose one of the listed options.")
OUT_OF_DATE = _l(
    "This form is incomplete or out of date. Reload the page and enter your changes again."
)


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def collapse(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def ids(value: Any) -> int:
    """Coerce a chosen document id; anything but a short whole number is not a choice."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 10:
        raise ValueError("not an id")
    return int(text)


def optional_int(value: Any) -> int | None:
    if value is None or value == "" or value == "None":
        return None
    return ids(value)


def max_length(size: int) -> Length:
    return Length(max=size, message=_l("Use at most %(max)d characters."))


def web_address(form: Any, field: Any) -> None:
    if field.data and not field.data.lower().startswith(("http://", "https://")):
        raise ValidationError(_l("Start the address with https:// or http://."))


class MilestoneForm(BaseForm):
    happened_on = DateField(
        _l("Date"),
        validators=[InputRequired(message=_l("Enter a date as YYYY-MM-DD."))],
        invalid_value_message=_l("Enter a date as YYYY-MM-DD."),
    )
    title = StringField(
        _l("Title"),
        filters=[collapse],
        validators=[DataRequired(message=_l("Fill in this field.")), max_length(200)],
        description=_l("What happened, e.g. Trial at three Puskesmas finished."),
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip],
        validators=[max_length(MAX_DESCRIPTION)],
        render_kw={"rows": 4},
    )
    progress = IntegerField(
        _l("Progress (%)"),
        validators=[
            InputRequired(message=_l("Enter a whole number from 0 to 100.")),
            NumberRange(min=0, max=100, message=_l("Enter a whole number from 0 to 100.")),
        ],
        render_kw={"min": 0, "max": 100, "inputmode": "numeric"},
        description=_l("How far the innovation has come at this date, from 0 to 100."),
    )
    public = BooleanField(
        _l("Public"),
        description=_l("Shown in the public catalogue once the innovation is published."),
    )
    evidence_ids = SelectMultipleField(
        _l("Attached documents"),
        coerce=ids,
        choices=[],
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
        validate_choice=True,
        description=_l("Documents of this innovation's evidence (hold Ctrl to choose several)."),
    )
    new_link_title = StringField(
        _l("New linked document: title"),
        filters=[collapse],
        validators=[max_length(200)],
        description=_l("Optional. Adds a document that is only a link (no file) and attaches it."),
    )
    new_link_url = StringField(
        _l("New linked document: address"),
        filters=[strip],
        validators=[
            Optional(),
            max_length(500),
            web_address,
            URL(message=_l("Enter a valid web address.")),
        ],
        render_kw={"inputmode": "url"},
    )
    # The version the form was opened at, and the values it showed (to name the other's changes).
    version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$", message=OUT_OF_DATE)])
    opened = HiddenField(validators=[Length(max=20000, message=OUT_OF_DATE)])
    submit = SubmitField(_l("Save"))


class DeleteForm(BaseForm):
    submit = SubmitField(_l("Delete milestone"))


class RollUpFilterForm(BaseForm):
    """The region filter of national scopes (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    region = SelectField(
        _l("Region"),
        coerce=optional_int,
        invalid_choice_message=INVALID_CHOICE,
    )

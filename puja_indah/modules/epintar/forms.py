"""e-pintar's forms. Every field is bounded by its column size; every message is an English msgid
translated in `i18n/id.po`."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from puja_indah.core.forms import BaseForm
from puja_indah.modules.epintar.models import FeedbackRole, SchoolLevel

MAX_COMMENT = 1000
MAX_BODY = 5000
INVALID_CHOICE = _l("Choose one of the listed options.")


def collapse(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def max_length(size: int) -> Length:
    return Length(max=size, message=_l("Use at most %(max)d characters."))


def level_label(value: Any) -> str:
    labels = {
        "paud": _l("PAUD / TK (early childhood)"),
        "sd": _l("SD (primary)"),
        "smp": _l("SMP (junior secondary)"),
        "sma": _l("SMA (senior secondary)"),
        "smk": _l("SMK (vocational)"),
        "slb": _l("SLB (special needs)"),
    }
    key = getattr(value, "value", value)
    return str(labels.get(key, key or "–"))


def role_label(value: Any) -> str:
    labels = {"parent": _l("Parent"), "student": _l("Student"), "other": _l("Other")}
    key = getattr(value, "value", value)
    return str(labels.get(key, key or "–"))


def optional_int(value: Any) -> int | None:
    if value is None or value == "" or value == "None":
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.isdigit() or len(text) > 9:
        raise ValueError("not an id")
    return int(text)


class SchoolForm(BaseForm):
    npsn = StringField(
        _l("NPSN"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter the school's NPSN.")),
            Regexp(r"^\d{8}$", message=_l("The NPSN has exactly 8 digits, e.g. 40404040.")),
        ],
        description=_l("Nomor Pokok Sekolah Nasional: 8 digits."),
        render_kw={"inputmode": "numeric", "maxlength": 8, "autocomplete": "off"},
    )
    name = StringField(
        _l("School name"),
        filters=[collapse],
        validators=[DataRequired(message=_l("Enter the school's name.")), max_length(200)],
    )
    level = SelectField(
        _l("School level"),
        choices=[SelectChoice(level.value, "") for level in SchoolLevel],
        validators=[InputRequired(message=_l("Choose a level."))],
        invalid_choice_message=INVALID_CHOICE,
    )
    district = StringField(
        _l("District (kecamatan)"),
        filters=[collapse],
        validators=[DataRequired(message=_l("Enter the district.")), max_length(80)],
    )
    address = StringField(_l("Address"), filters=[collapse], validators=[max_length(300)])
    active = BooleanField(_l("Active (shown on the public school pages)"), default=True)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.level.choices = [
            SelectChoice(level.value, level_label(level)) for level in SchoolLevel
        ]


class AnnouncementForm(BaseForm):
    school_id = SelectField(_l("For"), coerce=optional_int, invalid_choice_message=INVALID_CHOICE)
    title = StringField(
        _l("Title"),
        filters=[collapse],
        validators=[DataRequired(message=_l("Enter a title.")), max_length(200)],
    )
    body = TextAreaField(
        _l("Text"),
        filters=[strip],
        validators=[DataRequired(message=_l("Write the announcement.")), max_length(MAX_BODY)],
        description=_l("Plain text; line breaks are kept."),
        render_kw={"rows": 6},
    )
    expires_on = DateField(
        _l("Shown until"),
        validators=[Optional()],
        description=_l("Optional. After this date the announcement is no longer shown."),
    )
    submit = SubmitField(_l("Save"))


class FeedbackForm(BaseForm):
    rating = RadioField(
        _l("Your rating"),
        coerce=int,
        choices=[SelectChoice(n, str(n)) for n in range(1, 6)],
        validators=[InputRequired(message=_l("Choose a rating from 1 to 5."))],
        invalid_choice_message=_l("Choose a rating from 1 to 5."),
    )
    comment = TextAreaField(
        _l("Comment"),
        filters=[strip],
        validators=[max_length(MAX_COMMENT)],
        render_kw={"rows": 4, "maxlength": MAX_COMMENT},
    )
    sender_name = StringField(
        _l("Your name (optional)"), filters=[collapse], validators=[max_length(120)]
    )
    sender_role = RadioField(
        _l("You are"),
        choices=[SelectChoice(r.value, "") for r in FeedbackRole],
        validators=[InputRequired(message=_l("Choose who you are."))],
        invalid_choice_message=INVALID_CHOICE,
    )
    # A field people never see: bots fill every field they find (see the view).
    website = StringField(_l("Leave this field empty"), validators=[max_length(200)])
    submit = SubmitField(_l("Send feedback"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sender_role.choices = [SelectChoice(r.value, role_label(r)) for r in FeedbackRole]


class ActionForm(BaseForm):
    """CSRF only: the action is in the URL."""


class ModerationForm(BaseForm):
    decision = SelectField(
        _l("Decision"),
        choices=[SelectChoice("approved", ""), SelectChoice("hidden", "")],
        validators=[InputRequired(message=_l("Choose approve or hide."))],
        invalid_choice_message=INVALID_CHOICE,
    )


class DistrictFilter(BaseForm):
    class Meta:
        csrf = False

    kecamatan = SelectField(_l("District"), invalid_choice_message=INVALID_CHOICE)

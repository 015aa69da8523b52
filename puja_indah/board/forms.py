"""Forms of the board: the GET form that sorts and filters (no CSRF: it changes nothing) and the
region's settings form. Every field is bounded; every message is translated in `i18n/id.po`."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from puja_indah.board.models import MAX_STALE_DAYS, MIN_STALE_DAYS
from puja_indah.core.forms import BaseForm

INVALID_CHOICE = _l("Choose one of the listed options.")

SORT_KEYS = (
    "agency",
    "innovation",
    "stage",
    "progress",
    "replications",
    "evidence",
    "score",
    "activity",
)


def optional_int(value: Any) -> int | None:
    if value is None or value == "" or value == "None":
        return None
    text = str(value).strip()
    if not text.isdigit() or len(text) > 10:
        raise ValueError("not an id")
    return int(text)


DUTY_CHOICES = [
    SelectChoice("", _l("any")),
    SelectChoice("done", _l("done")),
    SelectChoice("under_way", _l("under way")),
    SelectChoice("missing", _l("missing")),
]


class BoardFilterForm(BaseForm):
    class Meta:
        csrf = False

    region = SelectField(_l("Region"), coerce=optional_int, invalid_choice_message=INVALID_CHOICE)
    sort = SelectField(
        _l("Sort by"),
        choices=[
            SelectChoice("agency", _l("Agency")),
            SelectChoice("innovation", _l("Assigned innovation")),
            SelectChoice("stage", _l("Stage")),
            SelectChoice("progress", _l("Progress")),
            SelectChoice("replications", _l("Replications")),
            SelectChoice("evidence", _l("Mandatory evidence")),
            SelectChoice("score", _l("Self-assessed score")),
            SelectChoice("activity", _l("Last activity")),
        ],
        default="agency",
        validators=[Optional()],
        invalid_choice_message=INVALID_CHOICE,
    )
    order = SelectField(
        _l("Order"),
        choices=[SelectChoice("asc", _l("ascending")), SelectChoice("desc", _l("descending"))],
        default="asc",
        validators=[Optional()],
        invalid_choice_message=INVALID_CHOICE,
    )
    stage = SelectField(
        _l("Stage"),
        choices=[
            SelectChoice("", _l("any")),
            SelectChoice("inisiatif", _l("Initiative")),
            SelectChoice("uji_coba", _l("Trial")),
            SelectChoice("penerapan", _l("Implementation")),
            SelectChoice("none", _l("no innovation linked")),
        ],
        default="",
        validators=[Optional()],
        invalid_choice_message=INVALID_CHOICE,
    )
    implement = SelectField(
        _l("Duty 1: implement"),
        choices=DUTY_CHOICES,
        default="",
        validators=[Optional()],
        invalid_choice_message=INVALID_CHOICE,
    )
    replicate = SelectField(
        _l("Duty 2: replicate"),
        choices=DUTY_CHOICES,
        default="",
        validators=[Optional()],
        invalid_choice_message=INVALID_CHOICE,
    )
    module = SelectField(
        _l("Service module"),
        default="",
        validators=[Optional()],
        invalid_choice_message=INVALID_CHOICE,
    )
    stale = BooleanField(_l("Stale only"))


class SettingsForm(BaseForm):
    stale_after_days = IntegerField(
        _l("Stale after (days without activity)"),
        validators=[
            InputRequired(_l("Enter a number of days.")),
            NumberRange(
                MIN_STALE_DAYS,
                MAX_STALE_DAYS,
                _l("Enter a number of days from 1 to 365."),
            ),
        ],
    )
    version = HiddenField()
    submit = SubmitField(_l("Save"))

"""Forms of the replication log. Every field is bounded by its column size; every message is an
English msgid translated in `i18n/id.po`."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, InputRequired, Length, Optional

from puja_indah.core.forms import BaseForm

MAX_TEXT = 5000
INVALID_CHOICE = _l("Choose one of the listed options.")
NEW_REPLICA = "new"


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def collapse(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def optional_int(value: Any) -> int | None:
    if value is None or value == "" or value == "None":
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.isdigit() or len(text) > 9:
        raise ValueError("not an id")
    return int(text)


def max_length(size: int) -> Length:
    return Length(max=size, message=_l("Use at most %(max)d characters."))


def required() -> DataRequired:
    return DataRequired(message=_l("Fill in this field."))


def web_link() -> URL:
    return URL(
        require_tld=False, message=_l("Enter a web address starting with http:// or https://.")
    )


def mode_choices() -> list[SelectChoice]:
    return [
        SelectChoice("adopt", _l("Adopt (take it over as it is)")),
        SelectChoice("adapt", _l("Adapt (change it to fit our region)")),
    ]


def date_field(label: Any, **kwargs: Any) -> DateField:
    return DateField(label, invalid_value_message=_l("Enter a date as YYYY-MM-DD."), **kwargs)


class SourceSearchForm(BaseForm):
    """GET search over published innovations (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Innovation, agency or region"), filters=[collapse], validators=[max_length(100)]
    )


class ReplicationForm(BaseForm):
    source_innovation_id = HiddenField(filters=[strip], validators=[max_length(12)])
    source_name = StringField(
        _l("Name of the innovation"), filters=[collapse], validators=[max_length(200)]
    )
    source_region_name = StringField(
        _l("Region it comes from"),
        filters=[collapse],
        validators=[max_length(120)],
        description=_l("e.g. Kota Makassar"),
    )
    source_agency_name = StringField(
        _l("Agency that runs it"), filters=[collapse], validators=[max_length(200)]
    )
    source_url = StringField(
        _l("Link"),
        filters=[strip],
        validators=[Optional(), max_length(500), web_link()],
        description=_l("A page describing the innovation (http or https)."),
    )
    mode = SelectField(
        _l("Mode"),
        choices=mode_choices(),
        validators=[InputRequired(message=INVALID_CHOICE)],
        invalid_choice_message=INVALID_CHOICE,
    )
    replica_id = SelectField(
        _l("Our replica"), invalid_choice_message=INVALID_CHOICE, default=NEW_REPLICA
    )
    replica_name = StringField(
        _l("Name of our replica"),
        filters=[collapse],
        validators=[max_length(200)],
        description=_l("For a new draft; the source's name when left empty. It can be renamed."),
    )
    started_on = date_field(
        _l("Date of interest"),
        validators=[InputRequired(message=_l("Enter a date as YYYY-MM-DD."))],
    )
    lessons = TextAreaField(
        _l("Lessons"), filters=[strip], validators=[max_length(MAX_TEXT)], render_kw={"rows": 3}
    )
    submit = SubmitField(_l("Save"))


class EditReplicationForm(BaseForm):
    version = HiddenField(validators=[max_length(12)])
    opened = HiddenField(validators=[max_length(20000)])
    source_name = StringField(
        _l("Name of the innovation"), filters=[collapse], validators=[max_length(200)]
    )
    source_region_name = StringField(
        _l("Region it comes from"), filters=[collapse], validators=[max_length(120)]
    )
    source_agency_name = StringField(
        _l("Agency that runs it"), filters=[collapse], validators=[max_length(200)]
    )
    source_url = StringField(
        _l("Link"), filters=[strip], validators=[Optional(), max_length(500), web_link()]
    )
    mode = SelectField(
        _l("Mode"),
        choices=mode_choices(),
        validators=[InputRequired(message=INVALID_CHOICE)],
        invalid_choice_message=INVALID_CHOICE,
    )
    lessons = TextAreaField(
        _l("Lessons"), filters=[strip], validators=[max_length(MAX_TEXT)], render_kw={"rows": 5}
    )
    submit = SubmitField(_l("Save"))


class StatusForm(BaseForm):
    version = HiddenField(validators=[max_length(12)])
    to_status = SelectField(
        _l("New status"),
        validators=[InputRequired(message=INVALID_CHOICE)],
        invalid_choice_message=INVALID_CHOICE,
    )
    changed_on = date_field(
        _l("Date of the change"),
        validators=[InputRequired(message=_l("Enter a date as YYYY-MM-DD."))],
    )
    note = TextAreaField(
        _l("Note"),
        filters=[strip],
        validators=[max_length(2000)],
        description=_l("Required when the replication is stopped: say why."),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Change status"))


class LinkDocumentForm(BaseForm):
    evidence_id = SelectField(
        _l("One of our documents"),
        coerce=optional_int,
        validators=[InputRequired(message=_l("Choose one of your documents."))],
        invalid_choice_message=_l("Choose one of your documents."),
    )
    submit_link = SubmitField(_l("Link document"))


class NewDocumentForm(BaseForm):
    title = StringField(_l("Title"), filters=[collapse], validators=[required(), max_length(200)])
    document_number = StringField(
        _l("Document number"), filters=[collapse], validators=[max_length(120)]
    )
    document_date = date_field(_l("Document date"), validators=[Optional()])
    link_url = StringField(
        _l("Link"),
        filters=[strip],
        validators=[required(), max_length(500), web_link()],
        description=_l("Where the signed document can be read (http or https)."),
    )
    submit_new = SubmitField(_l("Add and link"))


class UnlinkForm(BaseForm):
    link_id = HiddenField(validators=[max_length(12)])
    submit_unlink = SubmitField(_l("Remove link"))


def status_label(status: Any) -> str:
    labels = {
        "minat": _l("Interest"),
        "perjanjian": _l("Agreement"),
        "uji_coba": _l("Trial"),
        "diterapkan": _l("Applied"),
        "dihentikan": _l("Stopped"),
    }
    value = getattr(status, "value", status)
    return str(labels.get(value, value or "–"))


def mode_label(mode: Any) -> str:
    labels = {"adopt": _l("Adopt"), "adapt": _l("Adapt")}
    value = getattr(mode, "value", mode)
    return str(labels.get(value, value or "–"))

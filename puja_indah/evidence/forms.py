"""Forms of the evidence vault. Every field is bounded by its column size and every message is an
English msgid translated in `i18n/id.po`."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, DataRequired, InputRequired, Length, Optional, Regexp

from puja_indah.core.forms import BaseForm

OUT_OF_DATE = _l(
    "This form is incomplete or out of date. Reload the page and enter your changes again."
)
# The fields a document's edit form changes (and the stale-form check compares).
METADATA_FIELDS = ("title", "document_number", "document_date", "subject", "link_url")


def collapse(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def max_length(size: int) -> Length:
    return Length(max=size, message=_l("Use at most %(max)d characters."))


def web_address(form: Any, field: Any) -> None:
    from wtforms.validators import ValidationError

    if field.data and not field.data.lower().startswith(("http://", "https://")):
        raise ValidationError(_l("Start the address with https:// or http://."))


class DocumentFields(BaseForm):
    title = StringField(
        _l("Title"),
        filters=[collapse],
        validators=[DataRequired(message=_l("Fill in this field.")), max_length(200)],
        description=_l("What the document proves, e.g. SK Tim Inovasi 2025."),
    )
    document_number = StringField(
        _l("Document number"),
        filters=[collapse],
        validators=[max_length(120)],
        description=_l("As written on the document, e.g. 800/123/2025."),
    )
    document_date = DateField(
        _l("Document date"),
        validators=[Optional()],
        invalid_value_message=_l("Enter a date as YYYY-MM-DD."),
    )
    subject = TextAreaField(
        _l("Subject"),
        filters=[collapse],
        validators=[max_length(300)],
        render_kw={"rows": 2},
    )
    link_url = StringField(
        _l("Link"),
        filters=[strip],
        validators=[
            Optional(),
            max_length(500),
            web_address,
            URL(message=_l("Enter a valid web address.")),
        ],
        description=_l("Optional: where the document or video can be seen online."),
        render_kw={"inputmode": "url"},
    )


class NewDocumentForm(DocumentFields):
    file = FileField(_l("File"))
    submit = SubmitField(_l("Save document"))


class EditDocumentForm(DocumentFields):
    # The version the form was opened at, and the values it showed (to name the other's changes).
    version = HiddenField(
        validators=[InputRequired(message=OUT_OF_DATE), Regexp(r"^\d{1,9}$", message=OUT_OF_DATE)]
    )
    opened = HiddenField(validators=[Length(max=4000, message=OUT_OF_DATE)])
    submit = SubmitField(_l("Save"))


class VersionForm(BaseForm):
    file = FileField(_l("New version"), validators=[FileRequired(message=_l("Choose a file."))])
    submit = SubmitField(_l("Upload new version"))


class DeleteForm(BaseForm):
    submit = SubmitField(_l("Delete document"))


class PublicForm(BaseForm):
    # "1" to publish, anything else to withdraw: a missing value never publishes.
    public = HiddenField()
    submit = SubmitField(_l("Save"))

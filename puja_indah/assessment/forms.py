"""Forms of the self-assessment and the region index panel. Every field is bounded and every
message is an English msgid translated in `i18n/id.po`.

The claim forms have one block of fields per indicator of the year, so their classes are built
per catalogue (`claim_form_class`, `region_form_class`): field `ind_<number>` of an indicator.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    DateField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from puja_indah.core.forms import BaseForm

MAX_NOTE = 2000
MAX_WHAT_IF_ROWS = 50
BLANK_WHAT_IF_ROWS = 3
INVALID_CHOICE = _l("Choose one of the listed options.")
LEVEL_CHOICES = [
    SelectChoice(0, _l("0 — not claimed")),
    SelectChoice(1, "P1"),
    SelectChoice(2, "P2"),
    SelectChoice(3, "P3"),
]


class NestingForm(BaseForm):
    """A form with nested forms or lists of them: those containers take no filters (WTForms
    refuses them), their own fields get BaseForm's."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            if issubclass(unbound_field.field_class, (FieldList, FormField)):
                return unbound_field.bind(form=form, **options)
            return super().bind_field(form, unbound_field, options)  # type: ignore[misc]


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def collapse(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def whole_number(value: Any) -> int:
    """A version or an id as sent by the form: digits only, else a ValueError (→ message)."""
    if isinstance(value, int):
        return value
    text = str(value or "0").strip()
    if not text.isdigit() or len(text) > 9:
        raise ValueError("not a whole number")
    return int(text)


def max_length(size: int) -> Length:
    return Length(max=size, message=_l("Use at most %(max)d characters."))


def level_field(label: Any = "", **kwargs: Any) -> RadioField:
    return RadioField(
        label,
        choices=LEVEL_CHOICES,
        coerce=int,
        default=0,
        validators=[InputRequired(message=_l("Choose a level."))],
        **kwargs,
    )


def _version_field() -> HiddenField:
    return HiddenField(default="0", filters=[strip])


def _check_version(form: BaseForm, field: Any) -> None:
    try:
        field.data = whole_number(field.data)
    except ValueError:
        raise ValidationError(_l("The form was damaged: reload the page.")) from None


class _DocumentFields(BaseForm):
    """The evidence fields of a document: number, date, subject, link."""

    class Meta:
        csrf = False

    doc_number = StringField(
        _l("Document number"), filters=[collapse], validators=[max_length(120)]
    )
    doc_date = DateField(
        _l("Document date"),
        validators=[Optional()],
        format="%Y-%m-%d",
        render_kw={"type": "date"},
    )
    doc_subject = StringField(_l("Subject"), filters=[collapse], validators=[max_length(300)])
    doc_link = StringField(
        _l("Link"),
        filters=[strip],
        validators=[
            Optional(),
            max_length(500),
            URL(require_tld=True, message=_l("Enter a full web address (https://…).")),
        ],
    )

    def document_given(self) -> bool:
        return bool(
            self.doc_number.data
            or self.doc_subject.data
            or self.doc_link.data
            or self.doc_date.data
        )


class ClaimRowForm(_DocumentFields):
    """One SID indicator's claim: level, note, documents attached, a new document (described,
    and optionally with its file: checked against the indicator's file types when saved)."""

    level = level_field()
    doc_file = FileField(_l("File"))
    note = TextAreaField(_l("Note"), filters=[strip], validators=[max_length(MAX_NOTE)])
    version = _version_field()
    evidence = SelectMultipleField(
        _l("Attached documents"),
        coerce=int,
        choices=[],
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def upload(self) -> FileStorage | None:
        """The file chosen for the new document, if any."""
        data = self.doc_file.data
        return data if isinstance(data, FileStorage) and data.filename else None

    def document_given(self) -> bool:
        return super().document_given() or self.upload() is not None

    def validate_version(self, field: Any) -> None:
        _check_version(self, field)

    def validate_doc_number(self, field: Any) -> None:
        if self.document_given() and not (field.data and self.doc_subject.data):
            raise ValidationError(_l("A new document needs its number and its subject."))


class RegionRowForm(_DocumentFields):
    """One SPD indicator's claim of the region, with its evidence described inline."""

    level = level_field()
    note = TextAreaField(_l("Note"), filters=[strip], validators=[max_length(MAX_NOTE)])
    version = _version_field()

    def validate_version(self, field: Any) -> None:
        _check_version(self, field)


def _form_class(
    name: str, row: type[BaseForm], numbers: Sequence[int], **extra: Any
) -> type[BaseForm]:
    fields: dict[str, Any] = {f"ind_{number}": FormField(row) for number in numbers}
    fields.update(extra)
    return type(name, (NestingForm,), fields)


def claim_form_class(numbers: Sequence[int]) -> type[BaseForm]:
    return _form_class(
        "ClaimForm",
        ClaimRowForm,
        numbers,
        save=SubmitField(_l("Save claims")),
        preview=SubmitField(_l("Recalculate without saving")),
    )


def region_form_class(numbers: Sequence[int]) -> type[BaseForm]:
    return _form_class("RegionClaimForm", RegionRowForm, numbers, save=SubmitField(_l("Save")))


# --- the region panel and its what-if ------------------------------------------------------------


def optional_int(value: Any) -> int | None:
    if value is None or value == "" or value == "None":
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.isdigit() or len(text) > 12:
        raise ValueError("not an id")
    return int(text)


class RegionChoiceForm(BaseForm):
    """The GET choice of a region (reviewers and administrators)."""

    class Meta:
        csrf = False

    region = SelectField(
        _l("Region"),
        coerce=optional_int,
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
    )


def parse_levels(text: str) -> dict[int, int]:
    """ "16:3, 17:2" → {16: 3, 17: 2}; ValueError for anything else."""
    levels: dict[int, int] = {}
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        number, sep, level = part.partition(":")
        number, level = number.strip(), level.strip()
        if not sep or not number.isdigit() or not level.isdigit() or len(number) > 3:
            raise ValueError(part)
        if int(level) > 3:
            raise ValueError(part)
        levels[int(number)] = int(level)
    return levels


class AddRowForm(BaseForm):
    """A hypothetical innovation: a name, its main affair, all indicators at one level and
    optional per-indicator levels."""

    class Meta:
        csrf = False

    name = StringField(_l("Name"), filters=[collapse], validators=[max_length(100)])
    affair = SelectField(
        _l("Main affair"),
        coerce=optional_int,
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
    )
    level = SelectField(
        _l("All indicators at"),
        choices=[SelectChoice("", _l("— not used —")), *LEVEL_CHOICES],
        coerce=optional_int,
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
    )
    levels = StringField(
        _l("Levels per indicator"),
        filters=[strip],
        validators=[max_length(300)],
        description=_l("For example 16:3, 17:2, 35:1 (indicator:level)."),
    )

    def used(self) -> bool:
        return bool(self.name.data or self.affair.data or self.level.data is not None)

    def validate_levels(self, field: Any) -> None:
        try:
            parse_levels(field.data or "")
        except ValueError as error:
            raise ValidationError(
                _l("Write indicator:level pairs, levels 0 to 3; “%(part)s” is not one.")
                % {"part": str(error)[:40]}
            ) from None

    def validate_name(self, field: Any) -> None:
        if (self.used() or self.levels.data) and not field.data:
            raise ValidationError(_l("Give the hypothetical innovation a name."))


class RelevelRowForm(BaseForm):
    """Re-level an existing innovation: one indicator, or all of them, to a level."""

    class Meta:
        csrf = False

    innovation = SelectField(
        _l("Innovation"),
        coerce=optional_int,
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
    )
    indicator = SelectField(
        _l("Indicator"),
        coerce=optional_int,
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
    )
    level = SelectField(
        _l("Level"),
        choices=LEVEL_CHOICES,
        coerce=int,
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
    )


def _bounded_list(row: type[BaseForm]) -> FieldList:
    return FieldList(FormField(row), min_entries=0, max_entries=MAX_WHAT_IF_ROWS)


class WhatIfForm(NestingForm):
    """The what-if: its whole state travels in the form (no server session); nothing is saved."""

    add = _bounded_list(AddRowForm)
    relevel = _bounded_list(RelevelRowForm)
    remove = SelectMultipleField(
        _l("Remove"),
        coerce=int,
        choices=[],
        invalid_choice_message=INVALID_CHOICE,
        invalid_value_message=INVALID_CHOICE,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    compute = SubmitField(_l("Compute what-if"))

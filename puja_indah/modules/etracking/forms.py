"""Forms of the desk screens. Every field is bounded; every message is an English msgid
translated in `i18n/id.po`. Choices (file types, agencies, checklist items) are filled by the
view from the process version and the desk's region."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from puja_indah.core.forms import BaseForm
from puja_indah.modules.etracking.engine import MAX_INTERNAL_NUMBER, MAX_REASON

INVALID_CHOICE = _l("Choose one of the listed options.")
# A thousand-grouped number the Indonesian way ("1.500.000,50") or plain digits ("1500000,5").
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d{1,2})?$")
_PLAIN = re.compile(r"^\d{1,16}(,\d{1,2})?$")
ONE_TIME_FORM_ID = r"^[A-Za-z0-9_-]{20,64}$"


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def optional_int(value: Any) -> int | None:
    if value is None or value == "" or value == "None":
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.isdigit() or len(text) > 9:
        raise ValueError("not an id")
    return int(text)


def parse_rupiah(text: str) -> Decimal:
    """An amount typed the Indonesian way: "1.500.000", "1.500.000,50", "1500000", with an
    optional "Rp". Raises ValueError for anything else (negatives, letters, "1.5", "1,2,3")."""
    cleaned = "".join(text.split())
    if cleaned[:2].lower() == "rp":
        cleaned = cleaned[2:].lstrip(".")
    if not (_GROUPED.match(cleaned) or _PLAIN.match(cleaned)):
        raise ValueError(text)
    digits = cleaned.replace(".", "").replace(",", ".")
    if len(digits.split(".")[0]) > 16:
        raise ValueError(text)
    try:
        return Decimal(digits)
    except InvalidOperation as error:  # pragma: no cover - the patterns allow only digits
        raise ValueError(text) from error


class KindStepForm(BaseForm):
    """Step one of intake (a GET form, changes nothing): which type of file."""

    class Meta:
        csrf = False

    kind = SelectField(
        _l("File type"), coerce=optional_int, validate_choice=False, validators=[Optional()]
    )


class IntakeForm(BaseForm):
    token = HiddenField(validators=[DataRequired(), Regexp(ONE_TIME_FORM_ID)])
    file_kind_id = HiddenField(filters=[optional_int])
    submitter_agency_id = SelectField(
        _l("Submitting agency"),
        coerce=optional_int,
        validators=[Optional()],
        validate_choice=True,
    )
    applicant_name = StringField(
        _l("Applicant's name"),
        filters=[strip],
        validators=[Length(max=200, message=_l("Use at most %(max)d characters."))],
    )
    internal_number = StringField(
        _l("Internal number"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter the internal number.")),
            Length(max=MAX_INTERNAL_NUMBER, message=_l("Use at most %(max)d characters.")),
        ],
        description=_l("The number on the submitted file, e.g. the SPM number."),
    )
    amount = StringField(
        _l("Amount (Rp)"),
        filters=[strip],
        validators=[Length(max=40, message=_l("Use at most %(max)d characters."))],
        description=_l("Indonesian format, e.g. 1.500.000 or 1.500.000,50. Not shown publicly."),
    )
    ticked = SelectMultipleField(
        _l("Documents received"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )
    submit = SubmitField(_l("Register file"))

    amount_required = True
    amount_value: Decimal | None = None

    def validate_amount(self, field: Any) -> None:
        self.amount_value = None
        if not field.data:
            if self.amount_required:
                raise ValidationError(_l("Enter the amount."))
            return
        if field.data.lstrip().startswith("-"):
            raise ValidationError(_l("The amount cannot be negative."))
        try:
            self.amount_value = parse_rupiah(field.data)
        except ValueError:
            raise ValidationError(
                _l("Enter the amount in rupiah, e.g. 1.500.000 or 1.500.000,50.")
            ) from None


class ActionForm(BaseForm):
    action = HiddenField(validators=[DataRequired()])
    seen_sequence = HiddenField(filters=[optional_int], validators=[DataRequired()])
    reason = TextAreaField(
        _l("Reason"),
        filters=[strip],
        validators=[Length(max=MAX_REASON, message=_l("Use at most %(max)d characters."))],
    )


class BatchForm(BaseForm):
    """CSRF and the list of "file_id:seen_sequence" values ticked in the queue."""

    files = SelectMultipleField(validate_choice=False)
    submit = SubmitField(_l("Advance selected"))


class OpenForm(BaseForm):
    """Open a file by its public code (a GET form, changes nothing)."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Tracking code"),
        filters=[strip],
        validators=[Length(max=200, message=_l("Use at most %(max)d characters."))],
        description=_l(
            "As printed on the receipt, e.g. 7K3M-9QXA-2B5D-8. Spaces and dashes do not matter."
        ),
    )
    submit = SubmitField(_l("Open"))

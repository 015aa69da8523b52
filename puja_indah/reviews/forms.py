"""Forms of the reviewer workspace: the filter (GET, no CSRF) and one decision per indicator.
Every field is bounded; every message is an English msgid translated in `i18n/id.po`."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Regexp, ValidationError

from puja_indah.core.forms import BaseForm
from puja_indah.core.region_filter import PlainSelect
from puja_indah.reviews.models import MAX_NOTE, Verdict

INVALID_CHOICE = _l("Choose one of the listed options.")
OUT_OF_DATE = _l(
    "This form is incomplete or out of date. Reload the page and enter your changes again."
)


def optional_id(value: Any) -> int | None:
    """A chosen id, or None for "all"; anything but a short whole number is not a choice."""
    text = str(value if value is not None else "").strip()
    if text in ("", "None"):
        return None
    if not text.isdigit() or len(text) > 9:
        raise ValueError("not an id")
    return int(text)


def code(value: Any) -> str | None:
    """A chosen code, or None for "all" (the empty choice), as an absent field is."""
    return None if value is None or value == "" else str(value)


def level(value: Any) -> int:
    """A level 0–3 as sent; anything else becomes -1, which no choice has, so the field says
    "choose one of the indicator's levels" rather than a generic coercion message."""
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() and len(text) == 1 else -1


class WorkspaceFilter(BaseForm):
    class Meta:
        csrf = False

    q = StringField(
        _l("Name contains"),
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
        validators=[Length(max=100, message=_l("Use at most %(max)d characters."))],
    )
    year = SelectField(
        _l("Assessment year"), coerce=optional_id, invalid_choice_message=INVALID_CHOICE
    )
    region = SelectField(
        _l("Region"),
        coerce=optional_id,
        invalid_choice_message=INVALID_CHOICE,
        widget=PlainSelect(),
    )
    agency = SelectField(_l("Agency"), coerce=optional_id, invalid_choice_message=INVALID_CHOICE)
    stage = SelectField(coerce=code, label=_l("Stage"), invalid_choice_message=INVALID_CHOICE)
    affair = SelectField(_l("Urusan"), coerce=optional_id, invalid_choice_message=INVALID_CHOICE)
    status = SelectField(
        coerce=code, label=_l("Review status"), invalid_choice_message=INVALID_CHOICE
    )
    sort = SelectField(coerce=code, label=_l("Sort by"), invalid_choice_message=INVALID_CHOICE)
    direction = SelectField(coerce=code, label=_l("Order"), invalid_choice_message=INVALID_CHOICE)

    def value(self, name: str) -> Any:
        """A filter's value, or None when it is empty or was refused."""
        field = self[name]
        return None if field.errors else (field.data or None)


class DecisionForm(BaseForm):
    """One indicator's decision; the page renders one per indicator with the prefix `ind<N>`."""

    verdict = RadioField(
        _l("Verdict"),
        choices=[
            SelectChoice(Verdict.VALID.value, _l("Valid")),
            SelectChoice(Verdict.NEEDS_REVISION.value, _l("Needs revision")),
        ],
        validators=[InputRequired(message=_l("Choose a verdict: valid or needs revision."))],
    )
    accepted_level = SelectField(
        _l("Level accepted"),
        coerce=level,
        invalid_choice_message=_l("Choose one of the indicator's levels."),
    )
    note = TextAreaField(
        _l("Note to the agency"),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[Length(max=MAX_NOTE, message=_l("Use at most %(max)d characters."))],
        render_kw={"rows": 3, "maxlength": MAX_NOTE},
        description=_l("Required when the claim needs revision: say what to change."),
    )
    version = HiddenField(
        validators=[InputRequired(message=OUT_OF_DATE), Regexp(r"^\d{1,9}$", message=OUT_OF_DATE)]
    )
    submit = SubmitField(_l("Save decision"))

    def validate_note(self, field: Any) -> None:
        if self.verdict.data == Verdict.NEEDS_REVISION.value and not field.data:
            raise ValidationError(_l("Say what needs revising: a note is required."))

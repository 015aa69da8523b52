"""Forms of the desk's settings screens. They only carry what was typed (and the CSRF token);
every rule is checked by `settings_services`, which names the field an error belongs to."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from puja_indah.core.forms import BaseForm, without_nul
from puja_indah.modules.etracking.settings_services import MAX_STAGES

MAX_KINDS = 40

ZONES = (
    SelectChoice("Asia/Jakarta", _l("WIB (Asia/Jakarta)")),
    SelectChoice("Asia/Makassar", _l("WITA (Asia/Makassar)")),
    SelectChoice("Asia/Jayapura", _l("WIT (Asia/Jayapura)")),
)
WEEKDAYS = (
    SelectChoice("0", _l("Monday")),
    SelectChoice("1", _l("Tuesday")),
    SelectChoice("2", _l("Wednesday")),
    SelectChoice("3", _l("Thursday")),
    SelectChoice("4", _l("Friday")),
    SelectChoice("5", _l("Saturday")),
    SelectChoice("6", _l("Sunday")),
)
ROLES = (
    SelectChoice("agency_officer", _l("Officer")),
    SelectChoice("agency_lead", _l("Lead")),
)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes; unknown values are the service's to refuse, not a WTForms error."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        pass


class CalendarForm(BaseForm):
    opens = TimeField(_l("Opens at"))
    closes = TimeField(_l("Closes at"))
    weekdays = CheckboxesField(_l("Working days"), choices=list(WEEKDAYS), coerce=int)
    zone = SelectField(_l("Time zone"), choices=list(ZONES), validate_choice=False)
    # The calendar's version when the page was loaded (0: none saved yet): optimistic locking.
    version = HiddenField()


class LeaveForm(BaseForm):
    day = DateField(_l("Date"))
    name = StringField(_l("Name"), filters=[_strip])


class ConfirmForm(BaseForm):
    """CSRF only: the row is in the URL."""


class _Plain(Form):
    """Sub-forms of a FieldList: the outer form carries the CSRF token."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            filters = [without_nul, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, filters=filters, **options)


class StageForm(_Plain):
    code = StringField(_l("Code"), filters=[_strip])
    name = StringField(_l("Stage name"), filters=[_strip])
    public_label = StringField(_l("Public label"), filters=[_strip])
    roles = CheckboxesField(_l("Roles allowed"), choices=list(ROLES))
    sla_minutes = StringField(_l("SLA (working minutes)"), filters=[_strip])
    may_return = BooleanField(_l("May return to the submitter"))
    terminal = BooleanField(_l("Terminal stage"))
    remove = BooleanField(_l("Remove this stage"))


class FileKindForm(_Plain):
    code = StringField(_l("Code"), filters=[_strip])
    name = StringField(_l("File type"), filters=[_strip])
    checklist = TextAreaField(_l("Checklist (one document per line)"), render_kw={"rows": 6})
    remove = BooleanField(_l("Remove this file type"))


class ProcessForm(BaseForm):
    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            # Lists take no filters (their entries' fields have theirs, see `_Plain`).
            if unbound_field.field_class in (FieldList, FormField):
                return unbound_field.bind(form=form, **options)
            filters = [without_nul, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, filters=filters, **options)

    # The version number the page showed: a save over a newer one is refused.
    based_on = HiddenField()
    stages = FieldList(FormField(StageForm), max_entries=MAX_STAGES)
    # One optional new stage per save, put before the chosen stage (choices set by the view).
    new_stage = FormField(StageForm)
    new_stage_before = SelectField(
        _l("Place the new stage before"), coerce=int, validate_choice=False
    )
    kinds = FieldList(FormField(FileKindForm), max_entries=MAX_KINDS)
    new_code = StringField(_l("Code"), filters=[_strip])
    new_name = StringField(_l("File type"), filters=[_strip])
    new_checklist = TextAreaField(_l("Checklist (one document per line)"), render_kw={"rows": 4})
    note = TextAreaField(_l("What changed (note of the new version)"), filters=[_strip])

"""e-minduk's forms. Every field is bounded; the NIK's own rules are nik.py's (the service
checks them, so a message can say exactly which digits are wrong)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectMultipleField, StringField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from puja_indah.core.forms import BaseForm


class ChecklistField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RequestForm(BaseForm):
    kind = HiddenField()
    # Emptiness is refused by the service, with the engine's and nik.py's own messages.
    applicant_name = StringField(_l("Applicant's name"), validators=[Length(max=200)])
    nik = StringField(
        _l("NIK (16 digits)"),
        validators=[Length(max=40)],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 40},
    )
    phone = StringField(
        _l("Phone (optional)"),
        validators=[Length(max=40)],
        render_kw={"inputmode": "tel", "autocomplete": "off", "maxlength": 40},
    )
    # Choices are the chosen kind's checklist; the engine refuses anything else.
    ticked = ChecklistField(_l("Documents received"), choices=[], validate_choice=False)


class BatchForm(BaseForm):
    """CSRF only: the chosen request ids come as a list of checkboxes (`request_ids`)."""

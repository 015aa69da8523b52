"""The export form every screen's export menu posts (CSRF-protected; the values are checked again,
in the asker's scope, by services.validate)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.validators import Length

from puja_indah.core.forms import BaseForm

TOO_LONG = _l("The value is too long.")


class ExportForm(BaseForm):
    kind = HiddenField(validators=[Length(max=30, message=TOO_LONG)])
    format = SelectField(_l("Format"), choices=[], validate_choice=False)
    region_id = HiddenField(validators=[Length(max=12, message=TOO_LONG)])
    year = HiddenField(validators=[Length(max=6, message=TOO_LONG)])
    innovation_id = HiddenField(validators=[Length(max=12, message=TOO_LONG)])
    submit = SubmitField(_l("Export"))

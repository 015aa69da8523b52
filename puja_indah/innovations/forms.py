"""Forms of the innovations feature: the IID profile, a stage move, publication and the list's
filters. Every field is bounded; every message is an English msgid translated in `i18n/id.po`."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.fields.numeric import IntegerField
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional, Regexp

from puja_indah.agencies.forms import (
    INVALID_CHOICE,
    OUT_OF_DATE,
    collapse,
    id_select,
    max_length,
    optional_int,
    required,
    strip,
    web_address,
)
from puja_indah.core.forms import BaseForm
from puja_indah.core.region_filter import PlainSelect
from puja_indah.innovations.models import (
    DESIGN_SECTIONS,
    InnovationForm,
    InnovationKind,
    Origin,
    Stage,
)

# Text sizes: a rancang bangun section may be long; other texts are a few paragraphs.
MAX_SECTION = 6000
MAX_TEXT = 4000
MAX_SNAPSHOT = 200_000

STAGE_LABELS = {
    Stage.INITIATIVE: _l("Initiative (inisiatif)"),
    Stage.TRIAL: _l("Trial (uji coba)"),
    Stage.IMPLEMENTATION: _l("Implementation (penerapan)"),
}
ORIGIN_LABELS = {
    Origin.ASSIGNED: _l("Assigned by the decree"),
    Origin.OWN: _l("The agency's own initiative"),
    Origin.REPLICATION: _l("Replication of an innovation from elsewhere"),
}
KIND_LABELS = {InnovationKind.DIGITAL: _l("Digital"), InnovationKind.NON_DIGITAL: _l("Non-digital")}
FORM_LABELS = {
    InnovationForm.GOVERNANCE: _l("Regional governance"),
    InnovationForm.PUBLIC_SERVICE: _l("Public service"),
    InnovationForm.OTHER: _l("Other regional innovation"),
}
STATUS_LABELS = {"draft": _l("Draft"), "complete": _l("Complete")}
YES_NO = {"yes": _l("Yes"), "no": _l("No")}

NONE = SelectChoice("", "—")


def _choices(labels: dict[Any, Any], blank: bool = True) -> list[SelectChoice]:
    items = [SelectChoice(str(key), label) for key, label in labels.items()]
    return [NONE, *items] if blank else items


def text(label: Any, size: int = MAX_TEXT, rows: int = 3, **kwargs: Any) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip],
        validators=[max_length(size)],
        render_kw={"rows": rows},
        **kwargs,
    )


def _select(label: Any, labels: dict[Any, Any], **kwargs: Any) -> SelectField:
    return SelectField(
        label,
        choices=_choices(labels),
        default="",
        invalid_choice_message=INVALID_CHOICE,
        **kwargs,
    )


def _date(label: Any, **kwargs: Any) -> DateField:
    return DateField(
        label,
        validators=[Optional()],
        invalid_value_message=_l("Enter a date as YYYY-MM-DD."),
        **kwargs,
    )


class ProfileForm(BaseForm):
    name = StringField(
        _l("Name of the innovation"),
        filters=[collapse],
        validators=[required(), max_length(200)],
        description=_l("Unique within the region."),
    )
    # Only when creating: the stage the innovation is at when it is registered.
    stage = SelectField(
        _l("Current stage"),
        choices=_choices(STAGE_LABELS, blank=False),
        default=Stage.INITIATIVE.value,
        invalid_choice_message=INVALID_CHOICE,
    )
    origin = SelectField(
        _l("Origin"),
        choices=_choices(ORIGIN_LABELS, blank=False),
        default=Origin.OWN.value,
        invalid_choice_message=INVALID_CHOICE,
    )
    appointment_id = id_select(
        _l("Decree appointment it fulfils"),
        description=_l("For an assigned innovation: the appointment of your agency's decree."),
    )
    summary = text(_l("What it does (summary)"), rows=3)
    initiator_kind_id = id_select(_l("Initiator type"))
    initiator_name = StringField(
        _l("Initiator name"), filters=[collapse], validators=[max_length(200)]
    )
    kind = _select(_l("Kind (jenis)"), KIND_LABELS)
    form = _select(_l("Form (bentuk)"), FORM_LABELS)
    theme_id = id_select(_l("Theme"), description=_l("From the theme list of the year."))
    affair_id = id_select(_l("Main government affair (urusan)"))
    other_affair_ids = SelectMultipleField(
        _l("Other related affairs"),
        coerce=optional_int,
        validate_choice=True,
        invalid_choice_message=INVALID_CHOICE,
        render_kw={"size": 6},
    )
    trial_date = _date(_l("Trial date"))
    implementation_date = _date(_l("Implementation date"))
    developed_further = _select(_l("Has it been developed further?"), YES_NO)
    developed_note = text(_l("How it was developed further"), rows=2)
    design_legal_basis = text(_l("Legal basis"), MAX_SECTION, 4)
    design_problem = text(_l("Problem"), MAX_SECTION, 4)
    design_strategic_issues = text(_l("Strategic issues"), MAX_SECTION, 4)
    design_method = text(_l("Method of renewal"), MAX_SECTION, 4)
    design_advantages = text(_l("Advantages and novelty"), MAX_SECTION, 4)
    design_how_it_works = text(_l("How it works"), MAX_SECTION, 4)
    goals = text(_l("Goals"))
    benefits = text(_l("Benefits"))
    results_before = text(_l("Situation before the innovation"))
    results_after = text(_l("Results after the innovation"))
    budget_note = text(_l("Budget (document and source)"), rows=2)
    business_profile = text(_l("Business profile"), rows=2)
    ip_note = text(_l("Intellectual property (HAKI)"), rows=2)
    awards = text(_l("Awards"), rows=2)
    video_url = StringField(
        _l("Video (link)"),
        filters=[strip],
        validators=[
            Optional(),
            max_length(500),
            web_address,
            URL(message=_l("Enter a valid web address.")),
        ],
        render_kw={"inputmode": "url"},
    )
    challenges = text(_l("Challenges and failures"))
    success_conditions = text(_l("Conditions for success"))
    lessons = text(_l("Lessons learned"))
    replication_prerequisites = text(_l("Prerequisites for replication"))

    version = HiddenField(
        validators=[InputRequired(message=OUT_OF_DATE), Regexp(r"^\d{1,9}$", message=OUT_OF_DATE)]
    )
    opened = HiddenField(validators=[Length(max=MAX_SNAPSHOT, message=OUT_OF_DATE)])
    save_draft = SubmitField(_l("Save draft"))
    save_complete = SubmitField(_l("Submit as complete"))


# The profile's fields in IID order, as the form, the snapshot and the conflict report use them.
PROFILE_FIELDS = (
    "name",
    "origin",
    "appointment_id",
    "summary",
    "initiator_kind_id",
    "initiator_name",
    "kind",
    "form",
    "theme_id",
    "affair_id",
    "other_affair_ids",
    "trial_date",
    "implementation_date",
    "developed_further",
    "developed_note",
    *DESIGN_SECTIONS,
    "goals",
    "benefits",
    "results_before",
    "results_after",
    "budget_note",
    "business_profile",
    "ip_note",
    "awards",
    "video_url",
    "challenges",
    "success_conditions",
    "lessons",
    "replication_prerequisites",
)


class StageForm(BaseForm):
    to_stage = SelectField(
        _l("New stage"),
        choices=_choices(STAGE_LABELS),
        default="",
        validators=[InputRequired(message=_l("Choose a stage."))],
        invalid_choice_message=INVALID_CHOICE,
    )
    changed_on = DateField(
        _l("Date of the change"),
        validators=[InputRequired(message=_l("Enter the date of the change."))],
        invalid_value_message=_l("Enter a date as YYYY-MM-DD."),
    )
    note = text(
        _l("Note"), 1000, 3, description=_l("Required when correcting to an earlier stage.")
    )
    version = HiddenField(
        validators=[InputRequired(message=OUT_OF_DATE), Regexp(r"^\d{1,9}$", message=OUT_OF_DATE)]
    )
    opened = HiddenField(validators=[Length(max=MAX_SNAPSHOT, message=OUT_OF_DATE)])
    submit = SubmitField(_l("Record the change"))


class PublishForm(BaseForm):
    version = HiddenField(
        validators=[InputRequired(message=OUT_OF_DATE), Regexp(r"^\d{1,9}$", message=OUT_OF_DATE)]
    )
    publish = SubmitField(_l("Publish"))
    unpublish = SubmitField(_l("Unpublish"))


SORT_LABELS = {"name": _l("Name"), "updated": _l("Last updated"), "stage": _l("Stage")}
MIN_YEAR, MAX_YEAR = 2000, 2200


class FilterForm(BaseForm):
    """The list's GET filters (no CSRF: they change nothing). A bad value is reported beside its
    field and ignored."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[strip], validators=[max_length(100)])
    region = id_select(_l("Region"), widget=PlainSelect())
    agency = id_select(_l("Agency"))
    stage = _select(_l("Stage"), STAGE_LABELS)
    form = _select(_l("Form (bentuk)"), FORM_LABELS)
    kind = _select(_l("Kind (jenis)"), KIND_LABELS)
    affair = id_select(_l("Affair (urusan)"))
    theme = id_select(_l("Theme"))
    year = IntegerField(
        _l("Theme year"),
        invalid_value_message=_l("Enter a year as four digits."),
        validators=[
            Optional(),
            NumberRange(
                min=MIN_YEAR, max=MAX_YEAR, message=_l("Enter a year between %(min)s and %(max)s.")
            ),
        ],
        description=_l("The year of the theme list the innovation is reported under."),
    )
    status = _select(_l("Profile"), STATUS_LABELS)
    sort = SelectField(
        _l("Sort by"),
        choices=_choices(SORT_LABELS, blank=False),
        default="name",
        invalid_choice_message=INVALID_CHOICE,
    )

    def value(self, name: str) -> Any:
        field = self[name]
        return None if field.errors else (field.data if field.data not in ("", None) else None)


DESIGN_LABEL = _l("Rancang bangun")


def label_of(name: str) -> str:
    """The label of a profile field (for messages and the conflict report)."""
    if name == "design":
        return str(DESIGN_LABEL)
    if name == "stage":
        return str(_l("Stage"))
    if name == "status":
        return str(_l("Profile"))
    if name == "published":
        return str(_l("Published"))
    unbound = getattr(ProfileForm, name, None)
    args = getattr(unbound, "args", None)
    return str(args[0]) if args else name

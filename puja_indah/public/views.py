"""The public catalogue: published innovations of every region, readable without signing in.

The pages are named cross-agency reads of published rows only (see public/queries.py); an
unpublished or unknown innovation answers the same 404, and so does a document file that is not
public, deleted, of another innovation or without a file. Rate-limited per address: the catalogue
is open to the internet.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from puja_indah.core.forms import BaseForm
from puja_indah.core.permissions import MAX_ID, public
from puja_indah.evidence.downloads import stored_file_response
from puja_indah.evidence.services import download_name
from puja_indah.extensions import limiter
from puja_indah.innovations.models import InnovationForm, InnovationKind, Stage
from puja_indah.public import queries
from puja_indah.replications.queries import replicating_region_count, replicators_of

bp = Blueprint("public", __name__, template_folder="templates")

RATE = "120 per minute"
# A public file may be cached briefly: withdrawing it takes effect within these seconds.
PUBLIC_FILE_MAX_AGE = 300
INVALID_CHOICE = _l("Choose one of the listed options.")


def stage_label(value: Any) -> str:
    labels = {
        "inisiatif": _l("Initiative"),
        "uji_coba": _l("Trial"),
        "penerapan": _l("Implementation"),
    }
    key = getattr(value, "value", value)
    return str(labels.get(key, key or "–"))


def kind_label(value: Any) -> str:
    labels = {"digital": _l("Digital"), "non_digital": _l("Non-digital")}
    key = getattr(value, "value", value)
    return str(labels.get(key, key or "–"))


def form_label(value: Any) -> str:
    labels = {
        "tata_kelola": _l("Regional governance"),
        "pelayanan_publik": _l("Public service"),
        "lainnya": _l("Other regional innovation"),
    }
    key = getattr(value, "value", value)
    return str(labels.get(key, key or "–"))


bp.add_app_template_filter(stage_label, "public_stage")
bp.add_app_template_filter(kind_label, "public_kind")
bp.add_app_template_filter(form_label, "public_form")


def _int_or_none(value: Any) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise ValueError("not an id")
    return int(text)


class CatalogueFilter(BaseForm):
    class Meta:
        csrf = False

    q = StringField(
        _l("Name"),
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
        validators=[Length(max=100, message=_l("Use at most %(max)d characters."))],
    )
    region = SelectField(_l("Region"), coerce=_int_or_none, invalid_choice_message=INVALID_CHOICE)
    stage = SelectField(_l("Stage"), invalid_choice_message=INVALID_CHOICE)
    kind = SelectField(_l("Kind"), invalid_choice_message=INVALID_CHOICE)
    form = SelectField(_l("Form"), invalid_choice_message=INVALID_CHOICE)
    affair = SelectField(_l("Urusan"), coerce=_int_or_none, invalid_choice_message=INVALID_CHOICE)

    def value(self, name: str) -> Any:
        field = self[name]
        return None if field.errors else (field.data or None)


def _filter_form() -> CatalogueFilter:
    form = CatalogueFilter(request.args)
    regions, affairs = queries.filter_choices()
    everything = SelectChoice("", _l("All"))
    form.region.choices = [everything, *(SelectChoice(str(i), n) for i, n in regions)]
    form.affair.choices = [everything, *(SelectChoice(str(i), n) for i, n in affairs)]
    form.stage.choices = [everything, *(SelectChoice(s.value, stage_label(s)) for s in Stage)]
    form.kind.choices = [
        everything,
        *(SelectChoice(k.value, kind_label(k)) for k in InnovationKind),
    ]
    form.form.choices = [
        everything,
        *(SelectChoice(f.value, form_label(f)) for f in InnovationForm),
    ]
    form.validate()
    return form


@bp.route("/katalog")
@limiter.limit(RATE)
@public
def catalogue() -> Any:
    form = _filter_form()
    filters = queries.Filters(
        region_id=form.value("region"),
        stage=Stage(form.value("stage")) if form.value("stage") else None,
        kind=InnovationKind(form.value("kind")) if form.value("kind") else None,
        form=InnovationForm(form.value("form")) if form.value("form") else None,
        affair_id=form.value("affair"),
        q=form.value("q"),
    )
    page_number = min(max(request.args.get("page", 1, type=int), 1), 10_000)
    page = queries.catalogue_page(filters, page_number)
    args = {
        name: form[name].data
        for name in ("q", "region", "stage", "kind", "form", "affair")
        if form.value(name) is not None
    }
    return render_template("public/catalogue.html", page=page, form=form, args=args)


@bp.route(f"/katalog/<int(max={MAX_ID}):innovation_id>")
@limiter.limit(RATE)
@public
def innovation(innovation_id: int) -> Any:
    item = queries.public_innovation(innovation_id)
    if item is None:
        abort(404)
    return render_template(
        "public/innovation.html",
        item=item,
        rows=replicators_of(innovation_id),
        region_count=replicating_region_count(innovation_id),
    )


@bp.route(f"/katalog/<int(max={MAX_ID}):innovation_id>/dokumen/<int(max={MAX_ID}):evidence_id>")
@limiter.limit(RATE)
@public
def document_file(innovation_id: int, evidence_id: int) -> Response:
    """The current file of a public document of a published innovation, as a download
    (downloads.stored_file_response), cached publicly for a while."""
    found = queries.public_file(innovation_id, evidence_id)
    if found is None:
        abort(404)
    name = download_name(found.original_name, found.content_type, found.evidence_id, found.number)
    return stored_file_response(
        found.storage_key, found.content_type, name, public_max_age=PUBLIC_FILE_MAX_AGE
    )

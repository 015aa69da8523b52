"""Self-assessment per innovation (SID claims), a region's SPD claims, and the region index panel
with its what-if. Thin: scoring.py reads and assembles, index.py computes, claim_services.py
writes; each request commits at most once, and the what-if never writes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from puja_indah.assessment import claim_services, index, scoring
from puja_indah.assessment.forms import (
    BLANK_WHAT_IF_ROWS,
    MAX_WHAT_IF_ROWS,
    RegionChoiceForm,
    WhatIfForm,
    claim_form_class,
    parse_levels,
    region_form_class,
)
from puja_indah.assessment.models import AssessmentYear, Indicator, YearStatus
from puja_indah.core import uploads
from puja_indah.core.models import Agency, Region
from puja_indah.core.permissions import (
    MAX_ID,
    can_edit_own_agency_content,
    can_manage_region,
    can_read_across_agencies,
    can_use_app,
    requires,
)
from puja_indah.core.registry import evidence_figures
from puja_indah.core.tenancy import current_scope
from puja_indah.evidence import services as evidence_services
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation
from puja_indah.reference.models import Affair
from puja_indah.reviews import queries as review_queries

bp = Blueprint("assessment", __name__, template_folder="templates")

INNOVATION_ID = f"<int(max={MAX_ID}):innovation_id>"
YEAR = "<int(min=2000,max=2200):year>"
# Room for the form's other fields (dozens of indicators) around the files of one save.
FORM_OVERHEAD = 1024 * 1024
UPLOAD_ENDPOINTS = {"assessment.self_assessment"}


def upload_limit() -> int:
    """The most one save of the self-assessment may send: the files chosen together may add up
    to the largest single file the evidence vault accepts (an MP4 video), plus the form."""
    return uploads.largest_cap(evidence_services.ALL_TYPES) + FORM_OVERHEAD


@bp.record_once
def _raise_body_limit_for_uploads(state: Any) -> None:
    """The self-assessment form carries new documents' files, more than the app's
    MAX_CONTENT_LENGTH; this runs before CSRF protection reads the form."""

    def allow_large_upload() -> None:
        if request.endpoint in UPLOAD_ENDPOINTS:
            request.max_content_length = upload_limit()

    state.app.before_request_funcs.setdefault(None, []).insert(0, allow_large_upload)


def _year_or_404(year: int) -> AssessmentYear:
    row = db.session.scalar(select(AssessmentYear).where(AssessmentYear.year == year))
    if row is None:
        abort(404)
    return row


def _innovation_or_404(innovation_id: int) -> Innovation:
    """An innovation the scope may read (agency-scoped: another agency's answers 404)."""
    innovation = db.session.get(Innovation, innovation_id)
    if innovation is None:
        abort(404)
    return innovation


def _years() -> list[AssessmentYear]:
    return list(db.session.scalars(select(AssessmentYear).order_by(AssessmentYear.year.desc())))


def _refused(error: claim_services.ServiceError, form: Any = None) -> None:
    """Undo whatever the refused save touched (stored files included) and show its message: beside
    the field of the indicator's row it is about, else at the top of the page."""
    db.session.rollback()
    if isinstance(error, claim_services.NotAllowed):
        abort(403)
    if isinstance(error, claim_services.ClaimError) and form is not None and error.field:
        number = db.session.scalar(
            select(Indicator.number).where(Indicator.id == error.indicator_id)
        )
        name = f"ind_{number}"
        if number is not None and name in form and error.field in form[name].form:
            target = form[name].form[error.field]
            target.errors = [*target.errors, error.message]
            flash(
                _(
                    "Nothing was saved: see the message at indicator %(number)s.",
                    number=number,
                ),
                "danger",
            )
            return
    flash(error.message, "danger")


def _upload_hints(rows: Any) -> dict[int, dict[str, Any]]:
    """Per indicator: the file types its new document's file may have, and their size caps."""
    hints: dict[int, dict[str, Any]] = {}
    for row in rows:
        allowed = row.indicator.file_type_list
        hints[row.indicator.id] = {
            "label": uploads.accepted_label(allowed),
            "accept": uploads.accept_attribute(allowed),
            "caps": [
                (uploads.KINDS[code].label, uploads.max_bytes(code) // (1024 * 1024))
                for code in uploads.normalise_types(allowed)
            ],
        }
    return hints


# --- self-assessment of one innovation -----------------------------------------------------------


@bp.route(f"/innovations/{INNOVATION_ID}/assessment/{YEAR}", methods=["GET", "POST"])
@requires(can_use_app)
def self_assessment(innovation_id: int, year: int) -> Any:
    """Officers and leads of the innovation's agency claim levels and attach evidence; monitors
    of the region, reviewers and administrators read."""
    innovation = _innovation_or_404(innovation_id)
    scope = current_scope()
    editable = can_edit_own_agency_content(scope) and scope.agency_id == innovation.agency_id
    if request.method == "POST" and not editable:
        abort(403)
    assessment_year = _year_or_404(year)
    writable = editable and assessment_year.status is not YearStatus.CLOSED
    state = scoring.self_assessment(assessment_year, innovation)
    documents = scoring.evidence_choices(innovation)
    form_class = claim_form_class([row.indicator.number for row in state.rows])
    form = form_class()
    choices = [SelectChoice(doc.id, _document_label(doc)) for doc in documents]
    hints = _upload_hints(state.rows)
    for row in state.rows:
        sub = form[f"ind_{row.indicator.number}"].form
        sub.evidence.choices = choices
        sub.doc_file.render_kw = {"accept": hints[row.indicator.id]["accept"]}
        if request.method == "GET":
            sub.level.data = row.level
            sub.note.data = row.claim.note if row.claim else ""
            sub.version.data = str(row.claim.version if row.claim else 0)
            sub.evidence.data = [doc.id for doc in row.evidence]
    if request.method == "POST" and not writable:
        flash(
            _("Assessment year %(year)s is closed: its claims can no longer change.", year=year),
            "danger",
        )
    elif request.method == "POST" and form.validate():
        rows = [(row, form[f"ind_{row.indicator.number}"].form) for row in state.rows]
        if form.preview.data:
            preview = {
                row.indicator.id: (sub.level.data, bool(sub.evidence.data) or sub.document_given())
                for row, sub in rows
            }
            state = scoring.self_assessment(assessment_year, innovation, preview)
            flash(_("Recalculated from the form: nothing was saved yet."), "info")
        else:
            inputs = [_claim_input(row.indicator.id, sub) for row, sub in rows]
            try:
                changed = claim_services.save_claims(
                    scope, assessment_year, innovation, inputs, getattr(current_user, "id", None)
                )
                db.session.commit()
            except (StaleDataError, IntegrityError):
                db.session.rollback()
                flash(
                    _(
                        "Someone saved these claims after you opened the form."
                        " Reload the page and try again."
                    ),
                    "danger",
                )
            except claim_services.ServiceError as error:
                _refused(error, form)
            else:
                flash(_("%(count)s claims saved.", count=changed), "success")
                return redirect(url_for(".self_assessment", innovation_id=innovation.id, year=year))
    return render_template(
        "assessment/self_assessment.html",
        state=state,
        form=form,
        editable=writable,
        documents=documents,
        years=_years(),
        detail_url=_innovation_url(innovation),
        upload_hints=hints,
        upload_limit_mb=upload_limit() // (1024 * 1024),
        # Service modules' figures beside the indicators they are evidence for.
        module_hints=_module_hints(innovation),
        # The national reviewer's current decision per indicator (read-only here; the scope's
        # criteria show the innovation's own agency's decisions only).
        review_decisions=review_queries.current_for(innovation.id, assessment_year.id),
    )


def _module_hints(innovation: Innovation) -> dict[int, list[Any]]:
    """Indicator number → the module metrics that are evidence for it (e-tracking: 28, 33)."""
    hints: dict[int, list[Any]] = {}
    for _module, metrics in evidence_figures(innovation.agency_id, innovation.id):
        for metric in metrics:
            if metric.indicator is not None:
                hints.setdefault(metric.indicator, []).append(metric)
    return hints


def _innovation_url(innovation: Innovation) -> str | None:
    """The innovation's profile page, when the innovations screens are installed."""
    try:
        return url_for("innovations.detail", innovation_id=innovation.id)
    except BuildError:
        return None


def _document_label(doc: Any) -> str:
    parts = [doc.document_number or doc.title, doc.subject]
    if doc.document_date:
        parts.append(doc.document_date.isoformat())
    return " · ".join(part for part in parts if part)


def _claim_input(indicator_id: int, sub: Any) -> claim_services.ClaimInput:
    new_document = None
    if sub.document_given():
        new_document = claim_services.NewDocument(
            document_number=sub.doc_number.data or "",
            document_date=sub.doc_date.data,
            subject=sub.doc_subject.data or "",
            link_url=sub.doc_link.data or "",
            upload=sub.upload(),
        )
    return claim_services.ClaimInput(
        indicator_id=indicator_id,
        level=sub.level.data,
        note=sub.note.data or "",
        version=sub.version.data,
        evidence_ids=list(sub.evidence.data or []),
        new_document=new_document,
    )


# --- the region: choosing it, its SPD claims -----------------------------------------------------


def _regions_with_agencies() -> list[Region]:
    return list(
        db.session.scalars(
            select(Region).where(Region.id.in_(select(Agency.region_id))).order_by(Region.code)
        )
    )


def _chosen_region() -> tuple[Region | None, RegionChoiceForm | None]:
    """A monitor works in its own region; reviewers and administrators choose one (`?region=`),
    by default the first region that has agencies."""
    scope = current_scope()
    if scope.kind == "region":
        return db.session.get(Region, scope.region_id), None
    regions = _regions_with_agencies()
    form = RegionChoiceForm(request.args)
    form.region.choices = [SelectChoice(r.id, f"{r.code} · {r.name}") for r in regions]
    chosen = form.region.data if form.validate() else None
    if form.region.errors:
        flash(_("Choose one of the listed regions."), "warning")
    by_id = {r.id: r for r in regions}
    region = by_id.get(chosen) if chosen is not None else (regions[0] if regions else None)
    if region is not None:
        form.region.data = region.id
    return region, form


@bp.route(f"/assessment/region/{YEAR}", methods=["GET", "POST"])
@requires(can_manage_region)
def region_claims(year: int) -> Any:
    """The region's SPD claims, kept by its monitor or an administrator."""
    assessment_year = _year_or_404(year)
    region, chooser = _chosen_region()
    if region is None:
        abort(404)
    rows = scoring.region_rows(assessment_year, region)
    form = region_form_class([row.indicator.number for row in rows])()
    writable = assessment_year.status is not YearStatus.CLOSED
    if request.method == "GET":
        for row in rows:
            sub = form[f"ind_{row.indicator.number}"].form
            claim = row.claim
            sub.level.data = claim.level if claim else 0
            sub.version.data = str(claim.version if claim else 0)
            if claim:
                sub.doc_number.data = claim.document_number
                sub.doc_date.data = claim.document_date
                sub.doc_subject.data = claim.subject
                sub.doc_link.data = claim.link_url
                sub.note.data = claim.note
    elif not writable:
        flash(
            _("Assessment year %(year)s is closed: its claims can no longer change.", year=year),
            "danger",
        )
    elif form.validate():
        inputs = []
        for row in rows:
            sub = form[f"ind_{row.indicator.number}"].form
            inputs.append(
                claim_services.RegionClaimInput(
                    indicator_id=row.indicator.id,
                    level=sub.level.data,
                    document_number=sub.doc_number.data or "",
                    document_date=sub.doc_date.data,
                    subject=sub.doc_subject.data or "",
                    link_url=sub.doc_link.data or "",
                    note=sub.note.data or "",
                    version=sub.version.data,
                )
            )
        try:
            changed = claim_services.save_region_claims(
                current_scope(), assessment_year, region, inputs, getattr(current_user, "id", None)
            )
            db.session.commit()
        except (StaleDataError, IntegrityError):
            db.session.rollback()
            flash(
                _(
                    "Someone saved these claims after you opened the form."
                    " Reload the page and try again."
                ),
                "danger",
            )
        except claim_services.ServiceError as error:
            _refused(error)
        else:
            flash(_("%(count)s claims saved.", count=changed), "success")
            return redirect(_region_url(".region_claims", year, region, chooser))
    return render_template(
        "assessment/region_claims.html",
        year=assessment_year,
        region=region,
        rows=rows,
        form=form,
        chooser=chooser,
        editable=writable,
        years=_years(),
        # The reviewers' decisions on the region's innovations (compact: counts per innovation).
        review_rows=review_queries.region_summaries(region.id, assessment_year.id),
    )


def _region_url(endpoint: str, year: int, region: Region, chooser: Any) -> str:
    if chooser is None:
        return url_for(endpoint, year=year)
    return url_for(endpoint, year=year, region=region.id)


# --- the index panel and its what-if -------------------------------------------------------------


@bp.route("/assessment/index")
@requires(can_read_across_agencies)
def latest_index() -> Response:
    """The panel of the most recent assessment year."""
    years = _years()
    if not years:
        abort(404)
    region = request.args.get("region", type=int)
    target = url_for(".region_index", year=years[0].year)
    if region is not None and 0 < region <= MAX_ID:
        target = url_for(".region_index", year=years[0].year, region=region)
    return redirect(target)


@bp.route(f"/assessment/index/{YEAR}", methods=["GET", "POST"])
@requires(can_read_across_agencies)
def region_index(year: int) -> Any:
    """SPD, SID, count score, IID and predicate of a region under the year's rules, what holds
    the index back, and a what-if computed from the form alone (nothing is saved)."""
    assessment_year = _year_or_404(year)
    region, chooser = _chosen_region()
    if region is None:
        abort(404)
    panel = scoring.region_panel(assessment_year, region)
    form = WhatIfForm()
    choices = _what_if_choices(form, panel)
    hypothetical: index.IndexResult | None = None
    labels: dict[Any, str] = {item.innovation.id: item.innovation.name for item in panel.counted}
    if request.method == "POST":
        if form.validate():
            try:
                hypothesis = _hypothesis(form, panel, labels)
                hypothetical = scoring.what_if(panel, hypothesis)
            except ValueError:
                flash(_("This what-if cannot be computed: check its rows."), "danger")
            else:
                if hypothesis.empty:
                    flash(_("The what-if changes nothing yet: add, remove or re-level."), "info")
        else:
            flash(_("Some rows of the what-if need attention."), "danger")
    _blank_rows(form, choices)
    return render_template(
        "assessment/region_index.html",
        panel=panel,
        result=panel.result,
        scores={score.id: score for score in panel.result.innovations},
        hypothetical=hypothetical,
        holding=_holding_back(panel, panel.result, labels),
        holding_what_if=_holding_back(panel, hypothetical, labels) if hypothetical else None,
        form=form,
        chooser=chooser,
        action=_region_url(".region_index", year, region, chooser),
        years=_years(),
        can_edit_region=can_manage_region(current_scope()),
    )


Choices = tuple[list[SelectChoice], list[SelectChoice], list[SelectChoice]]


def _what_if_choices(form: WhatIfForm, panel: scoring.Panel) -> Choices:
    counted = [SelectChoice(item.innovation.id, item.innovation.name) for item in panel.counted]
    form.remove.choices = counted
    affairs = db.session.scalars(
        select(Affair).where(Affair.active.is_(True)).order_by(Affair.sort_order, Affair.code)
    )
    affair_choices = [SelectChoice("", _("— none —"))] + [
        SelectChoice(a.id, f"{a.name}{' ★' if a.basic_service else ''}") for a in affairs
    ]
    indicators = [SelectChoice("", _("All indicators"))] + [
        SelectChoice(spec.number, f"{spec.number}. {spec.name}")
        for spec in panel.catalogue.of_aspect("SID")
    ]
    for entry in form.add:
        entry.form.affair.choices = affair_choices
    for entry in form.relevel:
        entry.form.innovation.choices = [SelectChoice("", _("— not used —")), *counted]
        entry.form.indicator.choices = indicators
    return affair_choices, counted, indicators


def _blank_rows(form: WhatIfForm, choices: Choices) -> None:
    """A few empty rows to fill in (the form carries its state; no JavaScript needed)."""
    affair_choices, counted, indicators = choices
    # Rows left empty are dropped: the form keeps what was filled in plus a few fresh rows.
    form.add.entries = [e for e in form.add.entries if e.form.used() or e.form.levels.data]
    form.relevel.entries = [e for e in form.relevel.entries if e.form.innovation.data is not None]
    for _n in range(BLANK_WHAT_IF_ROWS):
        if len(form.add) < MAX_WHAT_IF_ROWS:
            entry = form.add.append_entry()
            entry.form.affair.choices = affair_choices
        if counted and len(form.relevel) < MAX_WHAT_IF_ROWS:
            entry = form.relevel.append_entry()
            entry.form.innovation.choices = [SelectChoice("", _("— not used —")), *counted]
            entry.form.indicator.choices = indicators


def _hypothesis(
    form: WhatIfForm, panel: scoring.Panel, labels: dict[Any, str]
) -> scoring.Hypothesis:
    sid = scoring.sid_numbers(panel.catalogue)
    affair_codes = {
        a.id: a.code for a in db.session.scalars(select(Affair).where(Affair.active.is_(True)))
    }
    added = []
    for number, entry in enumerate(form.add, start=1):
        row = entry.form
        overrides = parse_levels(row.levels.data or "")
        if not row.name.data:
            continue
        unknown = sorted(set(overrides) - set(sid))
        if unknown:
            row.levels.errors = [
                *row.levels.errors,
                _("Not an innovation indicator of this year: %(numbers)s.", numbers=unknown),
            ]
            raise ValueError("unknown indicator")
        levels = scoring.all_at(panel.catalogue, row.level.data or 0, sid)
        levels.update(overrides)
        key = f"new-{number}"
        labels[key] = _("%(name)s (hypothetical)", name=row.name.data)
        added.append(index.Innovation(key, affair_codes.get(row.affair.data or 0), levels))
    relevel: dict[index.InnovationId, dict[int, int]] = {}
    for entry in form.relevel:
        row = entry.form
        if row.innovation.data is None:
            continue
        numbers = sid if row.indicator.data is None else [row.indicator.data]
        relevel.setdefault(row.innovation.data, {}).update(
            {number: row.level.data for number in numbers}
        )
    return scoring.Hypothesis(
        add=tuple(added), remove=tuple(form.remove.data or ()), relevel=relevel
    )


def _holding_back(
    panel: scoring.Panel, result: index.IndexResult | None, labels: dict[Any, str]
) -> list[str]:
    """What keeps the index down, in the user's language (built from the result's fields)."""
    if result is None:
        return []
    notes = [
        _("Cannot compute: the year's constant %(name)s is missing.", name=name)
        for name in result.missing_constants
    ]
    names = {spec.number: spec.name for spec in panel.catalogue.indicators}
    for score in result.innovations:
        for number in score.mandatory_at_zero:
            notes.append(
                _(
                    "%(innovation)s: mandatory indicator %(number)s (%(name)s) scores 0.",
                    innovation=labels.get(score.id, str(score.id)),
                    number=number,
                    name=names.get(number, ""),
                )
            )
    needed = panel.catalogue.basic_service_minimum or 0
    if needed and not result.count_rule_met:
        missing = [
            panel.affairs[code].name if code in panel.affairs else code
            for code in result.basic_services_missing
        ]
        notes.append(
            _(
                "%(covered)s of %(total)s basic-service affairs covered, %(needed)s needed for"
                " the count score; not covered: %(missing)s.",
                covered=len(result.basic_services_covered),
                total=len(panel.catalogue.basic_service_affairs),
                needed=needed,
                missing=", ".join(missing),
            )
        )
    minimum = panel.catalogue.divisor_minimum
    if minimum is not None and result.innovation_count < minimum:
        notes.append(
            _(
                "%(count)s innovations count: the sum is divided by %(divisor)s until there are"
                " at least %(minimum)s.",
                count=result.innovation_count,
                divisor=result.divisor,
                minimum=minimum,
            )
        )
    if result.iid is not None and result.predicate is None:
        notes.append(_("No predicate band of the year holds this index."))
    return notes

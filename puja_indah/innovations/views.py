"""Innovation profiles: list and search, detail, create and edit (draft or complete), stage
moves with their history, publication. Thin: policies from core.permissions, reads from
queries, writes from services; each request commits at most once."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from puja_indah.assessment import queries as assessment_queries
from puja_indah.core import dataversion, region_filter, staleness
from puja_indah.core.pagecache import kept_page
from puja_indah.core.permissions import (
    can_edit_innovation,
    can_edit_innovations,
    can_use_app,
    requires,
)
from puja_indah.core.registry import evidence_figures
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.innovations import queries, rules, services
from puja_indah.innovations.forms import (
    DESIGN_LABEL,
    FORM_LABELS,
    KIND_LABELS,
    ORIGIN_LABELS,
    PROFILE_FIELDS,
    STAGE_LABELS,
    STATUS_LABELS,
    YES_NO,
    FilterForm,
    ProfileForm,
    PublishForm,
    StageForm,
    label_of,
)
from puja_indah.innovations.models import DESIGN_MIN_WORDS, DESIGN_SECTIONS, Innovation, Stage
from puja_indah.reviews import queries as review_queries

bp = Blueprint("innovations", __name__, template_folder="templates")

MAX_ID = 2**31 - 1
INNOVATION_ID = f"<int(max={MAX_ID}):innovation_id>"
FILTER_NAMES = (
    *("q", "region", "agency", "stage", "form", "kind"),
    *("affair", "theme", "year", "status", "sort"),
)


def _innovation_or_404(innovation_id: int) -> Innovation:
    innovation = queries.get_innovation(innovation_id)
    if innovation is None:
        abort(404)
    return innovation


def _editable_or_404(innovation_id: int) -> Innovation:
    innovation = _innovation_or_404(innovation_id)
    if not can_edit_innovation(current_scope(), innovation):
        abort(403)
    return innovation


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


def _template_labels() -> dict[str, Any]:
    return {
        "stage_labels": {k.value: v for k, v in STAGE_LABELS.items()},
        "origin_labels": {k.value: v for k, v in ORIGIN_LABELS.items()},
        "kind_labels": {k.value: v for k, v in KIND_LABELS.items()},
        "form_labels": {k.value: v for k, v in FORM_LABELS.items()},
        "status_labels": STATUS_LABELS,
        "yes_no": YES_NO,
        "label_of": label_of,
        "design_sections": DESIGN_SECTIONS,
        "design_min_words": DESIGN_MIN_WORDS,
        "design_label": DESIGN_LABEL,
    }


# --- list ----------------------------------------------------------------------------------------


@bp.route("/innovations")
@requires(can_use_app)
@kept_page
def index() -> Any:
    scope = current_scope()
    form = FilterForm(request.args)
    if scope.kind == "agency":
        del form.region, form.agency
    elif scope.kind == "region":
        del form.region
        form.agency.choices = region_filter.agency_choices(scope.region_id, queries.NO_CHOICE)
    else:
        region_filter.region_then_agency(form.region, form.agency, queries.NO_CHOICE)
    # Reference lists and the results: read once per data version in each worker, the results
    # per scope (what it may read), filters, page and language.
    language = str(get_locale())
    form.affair.choices = dataversion.remember(
        "affair_filter", language, lambda: queries.affair_choices()
    )
    form.theme.choices = dataversion.remember(
        "theme_filter", language, queries.theme_filter_choices
    )
    form.validate()
    filters = queries.Filters(
        **{name: form.value(name) for name in FILTER_NAMES if name in form and name != "sort"},
        sort=form.value("sort") or "name",
    )
    page_number = request.args.get("page", 1, type=int)
    args = {
        name: form[name].data
        for name in FILTER_NAMES
        if name in form and form.value(name) is not None
    }
    key = (
        dataversion.scope_key(),
        filters,
        page_number,
        language,
        tuple(sorted((name, str(value)) for name, value in args.items())),
    )
    results = dataversion.remember(
        "innovation_list", key, lambda: _render_results(filters, page_number, args)
    )
    return render_template(
        "innovations/list.html",
        form=form,
        results=results,
        args=args,
        has_errors=bool(form.errors),
    )


def _render_results(filters: queries.Filters, page_number: int, args: dict[str, Any]) -> Markup:
    """The count, the table and the pager of one page of results."""
    page = queries.innovation_page(filters, page_number)
    html = render_template(
        "innovations/_list_results.html", page=page, args=args, **_template_labels()
    )
    return Markup(html)  # noqa: S704 - autoescaped template output


# --- detail --------------------------------------------------------------------------------------


@bp.route(f"/innovations/{INNOVATION_ID}")
@requires(can_use_app)
def detail(innovation_id: int) -> Any:
    innovation = _innovation_or_404(innovation_id)
    publish_form = PublishForm(formdata=None)
    publish_form.version.data = str(innovation.version)
    return render_template(
        "innovations/detail.html",
        innovation=innovation,
        publish_form=publish_form,
        words=innovation.design_word_count(),
        editable=can_edit_innovation(current_scope(), innovation),
        # Newest first: the self-assessment links of the years in the catalogue.
        assessment_years=[y.year for y in reversed(assessment_queries.years())],
        # Service modules' figures as evidence (e-tracking SLA analytics).
        module_figures=evidence_figures(innovation.agency_id, innovation.id),
        # Reviewers' current decisions per assessment year: n valid / m need revision.
        review_summary=review_queries.summary_by_year(innovation.id),
        **_template_labels(),
    )


# --- create and edit -----------------------------------------------------------------------------


def _profile_form(innovation: Innovation | None) -> ProfileForm:
    scope = current_scope()
    form = ProfileForm(obj=innovation if request.method == "GET" else None)
    if request.method == "GET" and innovation is not None:
        form.other_affair_ids.data = [link.affair_id for link in innovation.other_affairs]
        form.developed_further.data = (
            ""
            if innovation.developed_further is None
            else ("yes" if innovation.developed_further else "no")
        )
        for name in ("origin", "kind", "form"):
            value = getattr(innovation, name)
            form[name].data = value.value if value is not None else ""
    if request.method == "GET" and innovation is None:
        form.version.data = "0"
        origin = request.args.get("origin", "")
        if origin in ORIGIN_LABELS:
            form.origin.data = origin
        form.appointment_id.data = request.args.get("appointment", type=int)
        name = request.args.get("name", "")[:200]
        if name:
            form.name.data = " ".join(name.split())
    if innovation is not None:
        del form.stage
    stored = innovation
    form.appointment_id.choices = queries.appointment_choices(scope.agency_id)
    form.initiator_kind_id.choices = queries.initiator_choices(
        stored.initiator_kind_id if stored else None
    )
    form.theme_id.choices = queries.theme_choices(stored.theme_id if stored else None)
    kept = {link.affair_id for link in stored.other_affairs} if stored else set()
    if stored and stored.affair_id:
        kept.add(stored.affair_id)
    form.affair_id.choices = queries.affair_choices(kept)
    form.other_affair_ids.choices = queries.affair_choices(kept, blank=False)
    if stored is not None and stored.status.value == "complete":
        del form.save_draft
    return form


def _input(form: ProfileForm) -> services.ProfileInput:
    texts = {name: form[name].data or "" for name in services.TEXT_FIELDS}
    return services.ProfileInput(
        name=form.name.data or "",
        origin=form.origin.data or "",
        appointment_id=form.appointment_id.data,
        summary=texts.get("summary", ""),
        initiator_kind_id=form.initiator_kind_id.data,
        initiator_name=form.initiator_name.data or "",
        kind=form.kind.data or "",
        form=form.form.data or "",
        theme_id=form.theme_id.data,
        affair_id=form.affair_id.data,
        other_affair_ids=[i for i in (form.other_affair_ids.data or []) if i is not None],
        trial_date=form.trial_date.data,
        implementation_date=form.implementation_date.data,
        developed_further=form.developed_further.data or "",
        developed_note=form.developed_note.data or "",
        texts=texts,
        video_url=form.video_url.data or "",
        stage=(form.stage.data if "stage" in form else "") or Stage.INITIATIVE.value,
    )


def _attach(form: ProfileForm, problems: dict[str, list[Any]]) -> list[str]:
    """Put each problem beside its field; return those without a field (the rancang bangun)."""
    loose: list[str] = []
    for name, messages in problems.items():
        if name in form:
            form[name].errors = [*form[name].errors, *(str(m) for m in messages)]
        else:
            loose.extend(str(m) for m in messages)
    return loose


def _edit(innovation: Innovation | None) -> Any:
    scope = current_scope()
    form = _profile_form(innovation)
    if request.method == "GET" and innovation is not None:
        form.version.data = str(innovation.version)
        form.opened.data = staleness.encode_snapshot(services.snapshot(innovation))
    conflict: services.ConflictReport | None = None
    design_errors: list[str] = []
    status = 200
    if form.validate_on_submit():
        complete = "save_complete" in form and bool(form.save_complete.data)
        try:
            saved = services.save_profile(
                scope,
                innovation,
                _input(form),
                complete=complete,
                opened_version=staleness.parse_version(form.version.data),
                user_id=_user_id(),
            )
            db.session.commit()
        except services.Conflict:
            db.session.rollback()
            assert innovation is not None
            conflict = services.describe_conflict(
                innovation, services.decode_snapshot(form.opened.data)
            )
            # The user's input stays; saving again now knowingly applies it over the other's.
            form.version.data = str(conflict.version)
            form.opened.data = staleness.encode_snapshot(conflict.current)
            status = 409
        except services.Incomplete as incomplete:
            db.session.rollback()
            design_errors = _attach(form, incomplete.problems)
            flash(incomplete.message, "danger")
        except services.NotAllowed:
            db.session.rollback()
            abort(403)
        except services.ServiceError as error:
            db.session.rollback()
            if error.field and error.field in form:
                form[error.field].errors = [*form[error.field].errors, error.message]
            else:
                flash(error.message, "danger")
        else:
            if saved.status.value == "complete":
                flash(_("Profile of %(name)s saved as complete.", name=saved.name), "success")
            else:
                flash(_("Draft of %(name)s saved.", name=saved.name), "success")
            return redirect(url_for(".detail", innovation_id=saved.id))
    words = rules.word_count(form[name].data for name in DESIGN_SECTIONS)
    return render_template(
        "innovations/form.html",
        form=form,
        innovation=innovation,
        conflict=conflict,
        design_errors=design_errors,
        words=words,
        **_template_labels(),
    ), status


@bp.route("/innovations/new", methods=["GET", "POST"])
@requires(can_edit_innovations)
def new() -> Any:
    return _edit(None)


@bp.route(f"/innovations/{INNOVATION_ID}/edit", methods=["GET", "POST"])
@requires(can_edit_innovations)
def edit(innovation_id: int) -> Any:
    return _edit(_editable_or_404(innovation_id))


# --- stage moves ---------------------------------------------------------------------------------


@bp.route(f"/innovations/{INNOVATION_ID}/stage", methods=["GET", "POST"])
@requires(can_edit_innovations)
def move_stage(innovation_id: int) -> Any:
    scope = current_scope()
    innovation = _editable_or_404(innovation_id)
    form = StageForm()
    if request.method == "GET":
        form.version.data = str(innovation.version)
        form.opened.data = staleness.encode_snapshot(services.snapshot(innovation))
        form.changed_on.data = services.today_wita()
        following = [s for s in Stage if s.rank == innovation.stage.rank + 1]
        form.to_stage.data = following[0].value if following else ""
    conflict: services.ConflictReport | None = None
    status = 200
    if form.validate_on_submit():
        try:
            services.move_stage(
                scope,
                innovation,
                to_stage=form.to_stage.data or "",
                changed_on=form.changed_on.data,
                note=form.note.data or "",
                opened_version=staleness.parse_version(form.version.data),
                user_id=_user_id(),
            )
            db.session.commit()
        except services.Conflict:
            db.session.rollback()
            conflict = services.describe_conflict(
                innovation, services.decode_snapshot(form.opened.data)
            )
            form.version.data = str(conflict.version)
            form.opened.data = staleness.encode_snapshot(conflict.current)
            status = 409
        except services.NotAllowed:
            db.session.rollback()
            abort(403)
        except services.ServiceError as error:
            db.session.rollback()
            innovation = _innovation_or_404(innovation_id)
            if error.field and error.field in form:
                form[error.field].errors = [*form[error.field].errors, error.message]
            else:
                flash(error.message, "danger")
        else:
            flash(_("Stage change recorded."), "success")
            return redirect(url_for(".detail", innovation_id=innovation.id))
    return render_template(
        "innovations/stage_form.html",
        form=form,
        innovation=innovation,
        conflict=conflict,
        **_template_labels(),
    ), status


# --- publication ---------------------------------------------------------------------------------


@bp.route(f"/innovations/{INNOVATION_ID}/publish", methods=["POST"])
@requires(can_edit_innovations)
def publish(innovation_id: int) -> Any:
    innovation = _editable_or_404(innovation_id)
    form = PublishForm()
    back = redirect(url_for(".detail", innovation_id=innovation.id))
    if not form.validate_on_submit():
        flash(_("The form is incomplete or out of date. Reload the page and try again."), "danger")
        return back
    publishing = not bool(form.unpublish.data)
    try:
        services.set_published(
            current_scope(),
            innovation,
            publish=publishing,
            opened_version=staleness.parse_version(form.version.data),
            user_id=_user_id(),
        )
        db.session.commit()
    except services.Conflict:
        db.session.rollback()
        flash(
            _("Not changed: someone saved this innovation meanwhile. Check it and try again."),
            "warning",
        )
    except services.NotAllowed:
        db.session.rollback()
        abort(403)
    except services.ServiceError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(_("Published.") if publishing else _("Unpublished."), "success")
    return back


__all__ = ["PROFILE_FIELDS", "bp"]

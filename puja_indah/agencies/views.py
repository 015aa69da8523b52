"""Monitor screens for agencies (OPD), decrees (SK) and appointments; the agency's own profile;
decree import. Thin: policies come from core.permissions, writes from services/importer, and each
request commits at most once."""

from __future__ import annotations

import io
import re
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from puja_indah.agencies import importer, queries, services
from puja_indah.agencies.forms import (
    PROFILE_FIELDS,
    AgencyForm,
    AgencyProfileForm,
    AppointmentForm,
    DecreeForm,
    DeleteForm,
    ImportForm,
    ListFilterForm,
)
from puja_indah.agencies.models import Appointment, Decree
from puja_indah.agencies.storage import StorageKeyError, decree_files
from puja_indah.core import region_filter, staleness
from puja_indah.core.forms import BaseForm
from puja_indah.core.models import Agency, RegionManaged
from puja_indah.core.permissions import (
    can_edit_managed,
    can_edit_own_agency_content,
    can_manage_region,
    can_read_across_agencies,
    can_use_app,
    can_view_agency,
    get_managed_or_404,
    requires,
)
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db

bp = Blueprint("agencies", __name__, template_folder="templates")

# Ids beyond the database's integer range answer 404 instead of overflowing the driver.
MAX_ID = 2**31 - 1
AGENCY_ID = f"<int(max={MAX_ID}):agency_id>"
DECREE_ID = f"<int(max={MAX_ID}):decree_id>"
APPOINTMENT_ID = f"<int(max={MAX_ID}):appointment_id>"
M = TypeVar("M", bound=RegionManaged)


def _editable_or_404(model: type[M], object_id: int) -> M:
    """A row the scope may read (else 404) and may change (else 403)."""
    obj = get_managed_or_404(model, object_id)
    if not can_edit_managed(current_scope(), obj):
        abort(403)
    return obj


def _shown(obj: Any) -> Any:
    """The stored values fill a form only when it is opened: a POST is judged on what it sent
    (Flask-WTF would otherwise fall back to the stored values for an empty POST)."""
    return obj if request.method == "GET" else None


def _refused(form: BaseForm, error: services.ServiceError) -> None:
    """Undo whatever the refused change touched and show its message beside its field."""
    db.session.rollback()
    if isinstance(error, services.NotAllowed):
        abort(403)
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "danger")


def _region_field(form: DecreeForm) -> int | None:
    """A monitor works in its own region; a national administrator chooses one when creating."""
    scope = current_scope()
    if scope.kind == "region":
        del form.region_id
        return scope.region_id
    form.region_id.choices = [queries.NO_CHOICE, *queries.region_choices()]
    if request.method == "GET" and form.region_id.data is None:
        form.region_id.data = request.args.get("region", type=int)
    return None


def _agency_region_field(form: AgencyForm) -> int | None:
    """A monitor creates agencies in its own region (returned) and chooses among its agencies as
    parent. A national administrator chooses the region (`?region=` preselects it), then only
    that region's agencies are offered as parent — never every agency of the country."""
    scope = current_scope()
    if scope.kind == "region" and scope.region_id is not None:
        del form.region_id, form.show_agencies
        form.parent_id.choices = queries.parent_choices(scope.region_id)
        return scope.region_id
    if request.method == "GET" and form.region_id.data is None:
        form.region_id.data = request.args.get("region", type=int)
    region_filter.region_then_agency(
        form.region_id,
        form.parent_id,
        queries.NO_CHOICE,
        agencies=queries.parent_choices,
        every_region=True,  # the first agency of a region is created here
        hint=str(region_filter.FORM_HINT),
    )
    return None


def _list_filter(*, with_status: bool) -> ListFilterForm:
    form = ListFilterForm(request.args)
    if current_scope().kind == "region":
        del form.region
    else:
        form.region.choices = [SelectChoice("", _("All regions")), *queries.region_choices()]
    if not with_status:
        del form.status
    form.validate()
    return form


def _page() -> int:
    page = request.args.get("page", 1, type=int)
    return min(max(page, 1), 10_000)


# --- agencies ------------------------------------------------------------------------------------


@bp.route("/opd")
@requires(can_read_across_agencies)
def list_agencies() -> Any:
    form = _list_filter(with_status=True)
    region = form.value("region") if "region" in form else None
    page = queries.agency_page(
        current_scope(),
        q=form.value("q"),
        status=form.value("status"),
        region_id=region,
        page=_page(),
    )
    args = {k: v for k, v in (("q", form.value("q")), ("status", form.value("status"))) if v}
    if region:
        args["region"] = region
    return render_template("agencies/agency_list.html", page=page, form=form, args=args)


@bp.route("/opd/baru", methods=["GET", "POST"])
@requires(can_manage_region)
def new_agency() -> Any:
    scope = current_scope()
    form = AgencyForm()
    fixed_region = _agency_region_field(form)
    # "Show its agencies" brings the form back with the chosen region's agencies, nothing saved.
    showing = region_filter.showing_agencies(form, form.region_id, form.parent_id)
    if not showing and form.validate_on_submit():
        data = services.AgencyInput(
            code=form.code.data or "",
            name=form.name.data or "",
            short_name=form.short_name.data or "",
            parent_id=form.parent_id.data,
            active=bool(form.active.data),
            region_id=fixed_region if fixed_region is not None else form.region_id.data,
        )
        try:
            agency = services.save_agency(scope, None, data)
            db.session.commit()
        except services.ServiceError as error:
            _refused(form, error)
        else:
            flash(_("Agency %(name)s created.", name=agency.name), "success")
            return redirect(url_for(".agency_detail", agency_id=agency.id))
    return render_template("agencies/agency_form.html", form=form, agency=None)


@bp.route(f"/opd/{AGENCY_ID}")
@requires(can_use_app)
def agency_detail(agency_id: int) -> Any:
    """Monitors, reviewers and admins read any agency they may see; an agency's own officers
    read their own agency only (another agency answers 404, as if it did not exist)."""
    agency = get_managed_or_404(Agency, agency_id)
    if not can_view_agency(current_scope(), agency):
        abort(404)
    return render_template("agencies/agency_detail.html", detail=queries.agency_detail(agency))


@bp.route(f"/opd/{AGENCY_ID}/ubah", methods=["GET", "POST"])
@requires(can_manage_region)
def edit_agency(agency_id: int) -> Any:
    scope = current_scope()
    agency = _editable_or_404(Agency, agency_id)
    form = AgencyForm(obj=_shown(agency))
    del form.region_id, form.show_agencies
    exclude = {agency.id} | services.descendant_ids(agency.id, agency.region_id)
    form.parent_id.choices = queries.parent_choices(agency.region_id, exclude)
    if form.validate_on_submit():
        data = services.AgencyInput(
            code=form.code.data or "",
            name=form.name.data or "",
            short_name=form.short_name.data or "",
            parent_id=form.parent_id.data,
            active=bool(form.active.data),
        )
        try:
            services.save_agency(scope, agency, data)
            db.session.commit()
        except services.ServiceError as error:
            _refused(form, error)
        else:
            flash(_("Agency %(name)s saved.", name=agency.name), "success")
            return redirect(url_for(".agency_detail", agency_id=agency.id))
    return render_template("agencies/agency_form.html", form=form, agency=agency)


# --- decrees -------------------------------------------------------------------------------------


@bp.route("/sk")
@requires(can_read_across_agencies)
def list_decrees() -> Any:
    form = _list_filter(with_status=False)
    region = form.value("region") if "region" in form else None
    page = queries.decree_page(current_scope(), q=form.value("q"), region_id=region, page=_page())
    args = {"q": form.value("q")} if form.value("q") else {}
    if region:
        args["region"] = region
    return render_template("agencies/decree_list.html", page=page, form=form, args=args)


def _read_pdf(form: DecreeForm) -> bytes | None:
    upload = form.pdf.data
    if not upload:
        return None
    return bytes(upload.stream.read(services.MAX_PDF_BYTES + 1))


@bp.route("/sk/baru", methods=["GET", "POST"])
@requires(can_manage_region)
def new_decree() -> Any:
    scope = current_scope()
    form = DecreeForm()
    fixed_region = _region_field(form)
    if form.validate_on_submit():
        data = services.DecreeInput(
            number=form.number.data or "",
            title=form.title.data or "",
            signed_on=form.signed_on.data,
            pdf=_read_pdf(form),
            region_id=fixed_region if fixed_region is not None else form.region_id.data,
        )
        try:
            decree = services.save_decree(scope, None, data, decree_files())
            db.session.commit()
        except services.ServiceError as error:
            _refused(form, error)
        else:
            flash(_("Decree %(number)s created.", number=decree.number), "success")
            return redirect(url_for(".decree_detail", decree_id=decree.id))
    return render_template("agencies/decree_form.html", form=form, decree=None)


@bp.route(f"/sk/{DECREE_ID}")
@requires(can_read_across_agencies)
def decree_detail(decree_id: int) -> Any:
    decree = get_managed_or_404(Decree, decree_id)
    return render_template(
        "agencies/decree_detail.html",
        decree=decree,
        appointments=queries.decree_appointments(decree),
    )


@bp.route(f"/sk/{DECREE_ID}/ubah", methods=["GET", "POST"])
@requires(can_manage_region)
def edit_decree(decree_id: int) -> Any:
    scope = current_scope()
    decree = _editable_or_404(Decree, decree_id)
    form = DecreeForm(obj=_shown(decree))
    del form.region_id
    if form.validate_on_submit():
        data = services.DecreeInput(
            number=form.number.data or "",
            title=form.title.data or "",
            signed_on=form.signed_on.data,
            pdf=_read_pdf(form),
        )
        try:
            services.save_decree(scope, decree, data, decree_files())
            db.session.commit()
        except services.ServiceError as error:
            _refused(form, error)
        else:
            flash(_("Decree %(number)s saved.", number=decree.number), "success")
            return redirect(url_for(".decree_detail", decree_id=decree.id))
    return render_template("agencies/decree_form.html", form=form, decree=decree)


def _download_name(decree: Decree) -> str:
    safe = re.sub(r"[^A-Za-z0-9]+", "-", decree.number).strip("-") or str(decree.id)
    return f"SK-{safe[:60]}.pdf"


@bp.route(f"/sk/{DECREE_ID}/pdf")
@requires(can_read_across_agencies)
def decree_pdf(decree_id: int) -> Response:
    """The scanned decree, for anyone who may read the decree (the same policy as its page);
    always a download, never shown inline, so a crafted file cannot run in our origin. A decree
    without a stored file answers 404."""
    decree = get_managed_or_404(Decree, decree_id)
    if not decree.pdf_key:
        abort(404)
    try:
        data = decree_files().open(decree.pdf_key)
    except StorageKeyError:
        abort(404)
    response = send_file(
        io.BytesIO(data),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=_download_name(decree),
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- appointments --------------------------------------------------------------------------------


def _appointment_of(decree: Decree, appointment_id: int) -> Appointment:
    appointment = _editable_or_404(Appointment, appointment_id)
    if appointment.decree_id != decree.id:
        abort(404)
    return appointment


def _appointment_input(form: AppointmentForm) -> services.AppointmentInput:
    return services.AppointmentInput(
        agency_id=form.agency_id.data,
        innovation_name=form.innovation_name.data or "",
        innovation_description=form.innovation_description.data or "",
        must_implement=bool(form.must_implement.data),
        must_replicate=bool(form.must_replicate.data),
    )


@bp.route(f"/sk/{DECREE_ID}/penunjukan/baru", methods=["GET", "POST"])
@requires(can_manage_region)
def new_appointment(decree_id: int) -> Any:
    scope = current_scope()
    decree = _editable_or_404(Decree, decree_id)
    form = AppointmentForm()
    form.agency_id.choices = queries.appointment_choices(decree)
    if form.validate_on_submit():
        try:
            appointment = services.save_appointment(scope, decree, None, _appointment_input(form))
            db.session.commit()
        except services.ServiceError as error:
            _refused(form, error)
        else:
            flash(_("%(agency)s appointed.", agency=appointment.agency.name), "success")
            return redirect(url_for(".decree_detail", decree_id=decree.id))
    return render_template(
        "agencies/appointment_form.html", form=form, decree=decree, appointment=None
    )


@bp.route(f"/sk/{DECREE_ID}/penunjukan/{APPOINTMENT_ID}/ubah", methods=["GET", "POST"])
@requires(can_manage_region)
def edit_appointment(decree_id: int, appointment_id: int) -> Any:
    scope = current_scope()
    decree = _editable_or_404(Decree, decree_id)
    appointment = _appointment_of(decree, appointment_id)
    form = AppointmentForm(obj=_shown(appointment))
    form.agency_id.choices = queries.appointment_choices(decree, appointment.agency)
    if form.validate_on_submit():
        try:
            services.save_appointment(scope, decree, appointment, _appointment_input(form))
            db.session.commit()
        except services.ServiceError as error:
            _refused(form, error)
        else:
            flash(_("Appointment saved."), "success")
            return redirect(url_for(".decree_detail", decree_id=decree.id))
    return render_template(
        "agencies/appointment_form.html",
        form=form,
        decree=decree,
        appointment=appointment,
        delete_form=DeleteForm(formdata=None),
    )


@bp.route(f"/sk/{DECREE_ID}/penunjukan/{APPOINTMENT_ID}/hapus", methods=["POST"])
@requires(can_manage_region)
def delete_appointment(decree_id: int, appointment_id: int) -> Any:
    decree = _editable_or_404(Decree, decree_id)
    appointment = _appointment_of(decree, appointment_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        abort(400)
    name = appointment.agency.name
    try:
        services.delete_appointment(current_scope(), appointment)
        db.session.commit()
    except services.ServiceError as error:
        _refused(form, error)
        return redirect(url_for(".decree_detail", decree_id=decree.id))
    flash(_("%(agency)s removed from the decree.", agency=name), "success")
    return redirect(url_for(".decree_detail", decree_id=decree.id))


# --- import --------------------------------------------------------------------------------------


@bp.route(f"/sk/{DECREE_ID}/impor", methods=["GET", "POST"])
@requires(can_manage_region)
def import_decree(decree_id: int) -> Any:
    decree = _editable_or_404(Decree, decree_id)
    form = ImportForm()
    report: list[importer.RowError] | None = None
    if form.validate_on_submit():
        data = form.file.data.stream.read(importer.MAX_IMPORT_BYTES + 1)
        try:
            result = importer.import_file(
                current_scope(), decree, data, replace=bool(form.replace.data)
            )
            db.session.commit()
        except importer.ImportRejected as rejected:
            db.session.rollback()
            report = rejected.errors
        except services.ServiceError as error:
            _refused(form, error)
        else:
            flash(result.summary(), "success")
            if result.not_named:
                flash(
                    _(
                        "Still appointed but not named in the file: %(names)s.",
                        names=", ".join(result.not_named),
                    ),
                    "info",
                )
            return redirect(url_for(".decree_detail", decree_id=decree.id))
    return render_template(
        "agencies/decree_import.html",
        form=form,
        decree=decree,
        report=report,
        max_errors=importer.MAX_REPORTED_ERRORS,
        columns=importer.COLUMNS,
        max_rows=importer.MAX_ROWS,
        max_mb=importer.MAX_IMPORT_BYTES // (1024 * 1024),
    )


# --- the agency's own profile --------------------------------------------------------------------


@bp.route("/profil-opd", methods=["GET", "POST"])
@requires(can_edit_own_agency_content)
def own_profile() -> Any:
    scope = current_scope()
    if scope.agency_id is None:
        abort(404)
    agency = get_managed_or_404(Agency, scope.agency_id)
    profile = queries.own_profile(agency.id)
    form = AgencyProfileForm(obj=_shown(profile))
    if request.method == "GET":
        form.version.data = str(profile.version if profile is not None else 0)
        form.opened.data = staleness.encode_snapshot(services.profile_values(profile))
    conflict: services.ConflictReport | None = None
    if form.validate_on_submit():
        values = {name: form[name].data or "" for name in PROFILE_FIELDS}
        try:
            services.save_profile(
                scope, opened_version=staleness.parse_version(form.version.data), values=values
            )
            db.session.commit()
        except services.ProfileConflict:
            db.session.rollback()
            conflict = services.describe_conflict(
                agency.id, services.decode_snapshot(form.opened.data), values
            )
            # The user's input stays on screen; saving again now knowingly replaces the other's.
            form.version.data = str(conflict.version)
            form.opened.data = staleness.encode_snapshot(conflict.current)
        except services.ServiceError as error:
            _refused(form, error)
        else:
            flash(_("Office details saved."), "success")
            return redirect(url_for(".own_profile"))
    return render_template(
        "agencies/profile_form.html", form=form, agency=agency, profile=profile, conflict=conflict
    ), (409 if conflict else 200)

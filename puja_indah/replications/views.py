"""Screens of the replication log: the agency's list, log a replication (choosing a published
source of any region or naming an outside one), detail with its history and agreement documents,
edit, change status; who replicated an innovation; the lineage across regions. Thin: policies
come from core.permissions, writes from services, and each request commits at most once."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from puja_indah.core import staleness
from puja_indah.core.forms import BaseForm
from puja_indah.core.permissions import (
    MAX_ID,
    can_edit_own_agency_content,
    can_use_app,
    requires,
)
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.replications import queries, services
from puja_indah.replications.forms import (
    NEW_REPLICA,
    EditReplicationForm,
    LinkDocumentForm,
    NewDocumentForm,
    ReplicationForm,
    SourceSearchForm,
    StatusForm,
    UnlinkForm,
    mode_label,
    optional_int,
    status_label,
)
from puja_indah.replications.models import Replication, ReplicationStatus, allowed_next

bp = Blueprint("replications", __name__, template_folder="templates")
bp.add_app_template_filter(status_label, "replication_status")
bp.add_app_template_filter(mode_label, "replication_mode")

REPLICATION_ID = f"<int(max={MAX_ID}):replication_id>"
INNOVATION_ID = f"<int(max={MAX_ID}):innovation_id>"


def _page() -> int:
    page = request.args.get("page", 1, type=int)
    return min(max(page, 1), 10_000)


def _replication_or_404(replication_id: int) -> Replication:
    """A replication the scope may read; another agency's (or region's) answers 404."""
    replication = db.session.get(Replication, replication_id)
    if replication is None:
        abort(404)
    return replication


def _refused(form: BaseForm, error: services.ServiceError) -> None:
    db.session.rollback()
    if isinstance(error, services.NotAllowed):
        abort(403)
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "danger")


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


# --- list ----------------------------------------------------------------------------------------


@bp.route("/replications")
@requires(can_use_app)
def list_replications() -> Any:
    status = request.args.get("status", "")
    if status not in {s.value for s in ReplicationStatus}:
        status = ""
    page = queries.replication_page(status or None, _page())
    agencies = queries.agency_names({r.agency_id for r in page.items})
    return render_template(
        "replications/list.html",
        page=page,
        agencies=agencies,
        status=status,
        statuses=list(ReplicationStatus),
        args={"status": status} if status else {},
    )


# --- choosing a source and logging a replication -------------------------------------------------


@bp.route("/replications/sources")
@requires(can_edit_own_agency_content)
def search_sources() -> Any:
    form = SourceSearchForm(request.args)
    form.validate()
    q = None if form.q.errors else (form.q.data or None)
    results = queries.search_sources(current_scope().agency_id, q) if q is not None else []
    return render_template("replications/sources.html", form=form, results=results, searched=q)


def _replica_choices(form: ReplicationForm) -> None:
    form.replica_id.choices = [
        SelectChoice(NEW_REPLICA, _("A new draft innovation")),
        *(SelectChoice(str(i), name) for i, name in queries.free_replica_choices()),
    ]


@bp.route("/replications/new", methods=["GET", "POST"])
@requires(can_edit_own_agency_content)
def new_replication() -> Any:
    scope = current_scope()
    form = ReplicationForm()
    _replica_choices(form)
    if request.method == "GET":
        source_arg = request.args.get("source", "")
        form.source_innovation_id.data = source_arg if source_arg.isdigit() else ""
        form.started_on.data = services.today_wita()
    try:
        source_id = optional_int(form.source_innovation_id.data)
    except ValueError:
        source_id = None
        form.source_innovation_id.data = ""
    source = None
    if source_id is not None and source_id <= MAX_ID:
        source = queries.source_card(source_id, exclude_agency_id=scope.agency_id)
    if source_id is not None and source is None:
        if request.method == "GET":
            flash(_("Choose a published innovation of another agency as the source."), "warning")
        form.source_innovation_id.data = ""
    if form.validate_on_submit():
        replica = form.replica_id.data
        data = services.NewReplication(
            mode=form.mode.data or "",
            started_on=form.started_on.data,
            source_innovation_id=source.id if source is not None else None,
            source_name=form.source_name.data or "",
            source_region_name=form.source_region_name.data or "",
            source_agency_name=form.source_agency_name.data or "",
            source_url=form.source_url.data or "",
            replica_id=None if replica in (None, NEW_REPLICA) else int(replica),
            replica_name=form.replica_name.data or "",
            lessons=form.lessons.data or "",
        )
        try:
            replication = services.create_replication(scope, _user_id(), data)
            db.session.commit()
        except services.ServiceError as error:
            _refused(form, error)
        else:
            flash(_("Replication of %(name)s logged.", name=replication.source_name), "success")
            return redirect(url_for(".replication_detail", replication_id=replication.id))
    return render_template("replications/new.html", form=form, source=source)


# --- one replication -----------------------------------------------------------------------------


@bp.route(f"/replications/{REPLICATION_ID}")
@requires(can_use_app)
def replication_detail(replication_id: int) -> Any:
    replication = _replication_or_404(replication_id)
    agency = queries.agency_names({replication.agency_id}).get(replication.agency_id, "")
    return render_template(
        "replications/detail.html",
        replication=replication,
        agency=agency,
        next_statuses=allowed_next(replication.status),
    )


@bp.route(f"/replications/{REPLICATION_ID}/edit", methods=["GET", "POST"])
@requires(can_edit_own_agency_content)
def edit_replication(replication_id: int) -> Any:
    scope = current_scope()
    replication = _replication_or_404(replication_id)
    form = EditReplicationForm(obj=replication if request.method == "GET" else None)
    if replication.from_platform:
        for name in ("source_name", "source_region_name", "source_agency_name", "source_url"):
            delattr(form, name)
    if request.method == "GET":
        form.version.data = str(replication.version)
        form.opened.data = staleness.encode_snapshot(services.snapshot(replication))
    stale: services.StaleForm | None = None
    if form.validate_on_submit():
        data = services.EditReplication(
            mode=form.mode.data or "",
            lessons=form.lessons.data or "",
            **{
                name: form[name].data or ""
                for name in (
                    "source_name",
                    "source_region_name",
                    "source_agency_name",
                    "source_url",
                )
                if name in form
            },
        )
        try:
            services.update_replication(
                scope,
                replication,
                opened_version=staleness.parse_version(form.version.data),
                opened=services.decode_snapshot(form.opened.data),
                data=data,
            )
            db.session.commit()
        except services.StaleForm as error:
            db.session.rollback()
            stale = error
            current = _replication_or_404(replication_id)
            # The user's input stays on screen; saving again knowingly replaces the other change.
            form.version.data = str(current.version)
            form.opened.data = staleness.encode_snapshot(services.snapshot(current))
            replication = current
        except services.ServiceError as error:
            _refused(form, error)
        else:
            flash(_("Replication saved."), "success")
            return redirect(url_for(".replication_detail", replication_id=replication.id))
    return render_template(
        "replications/edit.html", form=form, replication=replication, stale=stale
    ), (409 if stale else 200)


@bp.route(f"/replications/{REPLICATION_ID}/status", methods=["GET", "POST"])
@requires(can_edit_own_agency_content)
def change_status(replication_id: int) -> Any:
    scope = current_scope()
    replication = _replication_or_404(replication_id)
    form = StatusForm()
    form.to_status.choices = [
        SelectChoice(s.value, status_label(s)) for s in allowed_next(replication.status)
    ]
    if request.method == "GET":
        form.version.data = str(replication.version)
        form.changed_on.data = services.today_wita()
    stale = False
    if form.validate_on_submit():
        try:
            services.change_status(
                scope,
                replication,
                _user_id(),
                opened_version=staleness.parse_version(form.version.data),
                to_status=form.to_status.data or "",
                changed_on=form.changed_on.data,
                note=form.note.data or "",
            )
            db.session.commit()
        except services.StaleForm:
            db.session.rollback()
            stale = True
            replication = _replication_or_404(replication_id)
            form.version.data = str(replication.version)
            form.to_status.choices = [
                SelectChoice(s.value, status_label(s)) for s in allowed_next(replication.status)
            ]
        except services.ServiceError as error:
            _refused(form, error)
            replication = _replication_or_404(replication_id)
        else:
            flash(
                _("Status changed to %(status)s.", status=status_label(replication.status)),
                "success",
            )
            return redirect(url_for(".replication_detail", replication_id=replication.id))
    return render_template(
        "replications/status.html", form=form, replication=replication, stale=stale
    ), (409 if stale else 200)


@bp.route(f"/replications/{REPLICATION_ID}/documents", methods=["GET", "POST"])
@requires(can_edit_own_agency_content)
def documents(replication_id: int) -> Any:
    """Link one of the agency's documents, add a link-only document, or remove a link: three
    small forms on one page, told apart by their submit button."""
    scope = current_scope()
    replication = _replication_or_404(replication_id)
    link_form = LinkDocumentForm(prefix="link")
    new_form = NewDocumentForm(prefix="new")
    unlink_form = UnlinkForm(prefix="unlink")
    link_form.evidence_id.choices = [
        SelectChoice("", "—"),
        *(
            SelectChoice(str(e.id), f"{e.title} {e.document_number}".strip())
            for e in queries.linkable_evidence(replication)
        ),
    ]
    done: str | None = None
    if request.method == "POST":
        try:
            if "link-submit_link" in request.form and link_form.validate():
                services.link_document(scope, replication, link_form.evidence_id.data)
                done = _("Document linked.")
            elif "new-submit_new" in request.form and new_form.validate():
                services.add_link_document(
                    scope,
                    replication,
                    services.LinkOnlyDocument(
                        title=new_form.title.data or "",
                        document_number=new_form.document_number.data or "",
                        document_date=new_form.document_date.data,
                        link_url=new_form.link_url.data or "",
                    ),
                )
                done = _("Document added and linked.")
            elif "unlink-submit_unlink" in request.form and unlink_form.validate():
                try:
                    link_id = optional_int(unlink_form.link_id.data)
                except ValueError:
                    link_id = None
                services.unlink_document(scope, replication, link_id)
                done = _("Link removed; the document stays among your documents.")
            if done:
                db.session.commit()
        except services.ServiceError as error:
            target = new_form if "new-submit_new" in request.form else link_form
            _refused(target, error)
            replication = _replication_or_404(replication_id)
        if done:
            flash(done, "success")
            return redirect(url_for(".documents", replication_id=replication.id))
    return render_template(
        "replications/documents.html",
        replication=replication,
        link_form=link_form,
        new_form=new_form,
        unlink_form=unlink_form,
    )


# --- who replicated an innovation, and the lineage -----------------------------------------------


def _source_header_or_404(innovation_id: int) -> dict[str, Any]:
    """The innovation's name, agency and region, for a viewer who may read it through the tenancy
    layer or because it is published; anything else answers 404 (and reveals nothing)."""
    innovation = queries.visible_innovation(innovation_id)
    if innovation is not None:
        return {
            "id": innovation.id,
            "name": innovation.name,
            "agency_name": innovation.agency.name,
            "region_name": innovation.region.name,
            "published": innovation.published,
        }
    card = queries.source_card(innovation_id)
    if card is None:
        abort(404)
    return {
        "id": card.id,
        "name": card.name,
        "agency_name": card.agency_name,
        "region_name": card.region_name,
        "published": True,
    }


@bp.route(f"/replications/of/{INNOVATION_ID}")
@requires(can_use_app)
def replicated_by(innovation_id: int) -> Any:
    source = _source_header_or_404(innovation_id)
    return render_template(
        "replications/replicated_by.html",
        source=source,
        rows=queries.replicators_of(innovation_id),
        region_count=queries.replicating_region_count(innovation_id),
    )


@bp.route(f"/replications/lineage/{INNOVATION_ID}")
@requires(can_use_app)
def lineage(innovation_id: int) -> Any:
    source = _source_header_or_404(innovation_id)
    found = queries.lineage(current_scope(), innovation_id)
    if found is None:
        abort(404)
    root, current_id = found
    return render_template(
        "replications/lineage.html",
        source=source,
        root=root,
        current_id=current_id,
        max_depth=queries.MAX_LINEAGE_DEPTH,
    )

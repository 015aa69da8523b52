"""Screens of the evidence vault: an innovation's documents, the agency-wide documents, adding,
editing, new versions, downloads, soft delete and publication. Thin: reads from queries, writes
from services, policies from core.permissions; each request commits at most once.

Every document screen has two addresses: under its innovation
(`/innovations/<id>/evidence/<evidence_id>/…`, where the document must belong to that innovation)
and agency-wide (`/evidence/<evidence_id>/…`, which reaches any document of the agency, and is the
address of documents tied to no innovation).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from puja_indah.core import staleness, uploads
from puja_indah.core.permissions import can_edit_own_agency_content, can_use_app, requires
from puja_indah.core.tenancy import current_scope
from puja_indah.evidence import queries, services
from puja_indah.evidence.downloads import stored_file_response
from puja_indah.evidence.forms import (
    METADATA_FIELDS,
    DeleteForm,
    EditDocumentForm,
    NewDocumentForm,
    PublicForm,
    VersionForm,
)
from puja_indah.evidence.models import Evidence, EvidenceFile
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation

bp = Blueprint("evidence", __name__, template_folder="templates")

MAX_ID = 2**31 - 1
INNOVATION = f"/innovations/<int(max={MAX_ID}):innovation_id>/evidence"
AGENCY = "/evidence"
EVIDENCE_ID = f"<int(max={MAX_ID}):evidence_id>"
FILE_ID = f"<int(max={MAX_ID}):file_id>"
NO_INNOVATION = {"innovation_id": None}
# Room for the form's other fields around the largest accepted file.
FORM_OVERHEAD = 1024 * 1024
UPLOAD_ENDPOINTS = {"evidence.new_document", "evidence.upload_version"}


@bp.record_once
def _raise_body_limit_for_uploads(state: Any) -> None:
    """The upload screens accept the largest file type's cap (an MP4 video), more than the app's
    MAX_CONTENT_LENGTH; this runs before CSRF protection reads the form."""

    def allow_large_upload() -> None:
        if request.endpoint in UPLOAD_ENDPOINTS:
            request.max_content_length = uploads.largest_cap(services.ALL_TYPES) + FORM_OVERHEAD

    state.app.before_request_funcs.setdefault(None, []).insert(0, allow_large_upload)


def _both(rule: str, **options: Any) -> Any:
    """Register a document view under its innovation's address and the agency-wide one."""

    def decorate(view: Any) -> Any:
        bp.add_url_rule(AGENCY + rule, view_func=view, defaults=NO_INNOVATION, **options)
        bp.add_url_rule(INNOVATION + rule, view_func=view, **options)
        return view

    return decorate


def _innovation_link(innovation: Innovation | None) -> str | None:
    """The innovation's own page, when the innovations feature is installed."""
    if innovation is None or "innovations.detail" not in current_app.view_functions:
        return None
    return url_for("innovations.detail", innovation_id=innovation.id)


def doc_url(endpoint: str, evidence: Evidence, **values: Any) -> str:
    """A document screen's address: under its innovation when it has one."""
    if evidence.innovation_id is not None:
        values["innovation_id"] = evidence.innovation_id
    return url_for(endpoint, evidence_id=evidence.id, **values)


# Templates (and macros imported without context) build document addresses the same way.
bp.add_app_template_global(doc_url, "evidence_url")


def _document(innovation_id: int | None, evidence_id: int) -> Evidence:
    if innovation_id is not None:
        queries.innovation_or_404(innovation_id)
    return queries.document_or_404(evidence_id, innovation_id)


def _refused(form: Any, error: services.ServiceError) -> None:
    """Undo whatever the refused change touched and show its message beside its field."""
    db.session.rollback()
    if isinstance(error, services.NotAllowed):
        abort(403)
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "danger")


def _page() -> int:
    return min(max(request.args.get("page", 1, type=int), 1), 10_000)


def _accepts() -> dict[str, Any]:
    return {
        "accepted": uploads.accepted_label(services.ALL_TYPES),
        "accept": uploads.accept_attribute(services.ALL_TYPES),
        "caps": [
            (uploads.KINDS[code].label, uploads.max_bytes(code) // (1024 * 1024))
            for code in uploads.normalise_types(services.ALL_TYPES)
        ],
    }


# --- lists ---------------------------------------------------------------------------------------


@bp.route(INNOVATION)
@requires(can_use_app)
def innovation_documents(innovation_id: int) -> Any:
    innovation = queries.innovation_or_404(innovation_id)
    return render_template(
        "evidence/innovation_documents.html",
        innovation=innovation,
        innovation_link=_innovation_link(innovation),
        documents=queries.innovation_documents(innovation),
    )


@bp.route(AGENCY)
@requires(can_use_app)
def agency_documents() -> Any:
    page = queries.agency_documents(_page())
    documents = list(page.items)
    return render_template(
        "evidence/agency_documents.html",
        page=page,
        documents=documents,
        agency_names=queries.agency_names(documents),
        show_agency=current_scope().kind != "agency",
    )


# --- add, show, edit -----------------------------------------------------------------------------


@_both("/new", endpoint="new_document", methods=["GET", "POST"])
@requires(can_edit_own_agency_content)
def new_document(innovation_id: int | None) -> Any:
    innovation = queries.innovation_or_404(innovation_id) if innovation_id is not None else None
    form = NewDocumentForm()
    form.file.render_kw = {"accept": uploads.accept_attribute(services.ALL_TYPES)}
    if form.validate_on_submit():
        try:
            evidence = services.create_document(
                innovation,
                form.title.data or "",
                document_number=form.document_number.data or "",
                document_date=form.document_date.data,
                subject=form.subject.data or "",
                link=form.link_url.data or "",
                upload=form.file.data or None,
                allowed_types=services.ALL_TYPES,
            )
            db.session.commit()
        except services.ServiceError as error:
            _refused(form, error)
        else:
            flash(_("Document %(title)s saved.", title=evidence.title), "success")
            return redirect(doc_url(".document", evidence))
    return render_template(
        "evidence/document_form.html",
        form=form,
        innovation=innovation,
        evidence=None,
        conflict=None,
        **_accepts(),
    )


@_both(f"/{EVIDENCE_ID}", endpoint="document")
@requires(can_use_app)
def document(innovation_id: int | None, evidence_id: int) -> Any:
    evidence = _document(innovation_id, evidence_id)
    return render_template(
        "evidence/document.html",
        evidence=evidence,
        innovation=evidence.innovation,
        innovation_link=_innovation_link(evidence.innovation),
        delete_form=DeleteForm(formdata=None),
        # The button sends the opposite of the current state.
        public_form=PublicForm(formdata=None, public="0" if evidence.public else "1"),
    )


@_both(f"/{EVIDENCE_ID}/edit", endpoint="edit_document", methods=["GET", "POST"])
@requires(can_edit_own_agency_content)
def edit_document(innovation_id: int | None, evidence_id: int) -> Any:
    evidence = _document(innovation_id, evidence_id)
    form = EditDocumentForm(obj=evidence if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(evidence.version)
        form.opened.data = staleness.encode_snapshot(services.metadata_values(evidence))
    conflict: services.ConflictReport | None = None
    if form.validate_on_submit():
        data = services.DocumentInput(
            title=form.title.data or "",
            document_number=form.document_number.data or "",
            document_date=form.document_date.data,
            subject=form.subject.data or "",
            link_url=form.link_url.data or "",
        )
        submitted = {
            name: (value.isoformat() if hasattr(value, "isoformat") else (value or ""))
            for name, value in data.values().items()
        }
        try:
            services.update_document(
                evidence, data, opened_version=staleness.parse_version(form.version.data)
            )
            db.session.commit()
        except services.StaleEdit:
            db.session.rollback()
            conflict = services.describe_conflict(
                queries.document_or_404(evidence_id, innovation_id),
                services.decode_snapshot(form.opened.data),
                submitted,
            )
            # The user's input stays on screen; saving again now knowingly replaces the other's.
            form.version.data = str(conflict.version)
            form.opened.data = staleness.encode_snapshot(conflict.current)
        except services.ServiceError as error:
            _refused(form, error)
        else:
            flash(_("Document %(title)s saved.", title=evidence.title), "success")
            return redirect(doc_url(".document", evidence))
    return render_template(
        "evidence/document_form.html",
        form=form,
        innovation=evidence.innovation,
        evidence=evidence,
        conflict=conflict,
        field_names=METADATA_FIELDS,
        **_accepts(),
    ), (409 if conflict else 200)


# --- versions ------------------------------------------------------------------------------------


@_both(f"/{EVIDENCE_ID}/versions/new", endpoint="upload_version", methods=["GET", "POST"])
@requires(can_edit_own_agency_content)
def upload_version(innovation_id: int | None, evidence_id: int) -> Any:
    evidence = _document(innovation_id, evidence_id)
    form = VersionForm()
    form.file.render_kw = {"accept": uploads.accept_attribute(services.ALL_TYPES)}
    if form.validate_on_submit():
        try:
            version = services.add_version(
                evidence, form.file.data, allowed_types=services.ALL_TYPES
            )
            db.session.commit()
        except services.ServiceError as error:
            _refused(form, error)
        else:
            flash(_("Version %(number)d uploaded.", number=version.number), "success")
            return redirect(doc_url(".document", evidence))
    return render_template(
        "evidence/version_form.html",
        form=form,
        evidence=evidence,
        innovation=evidence.innovation,
        **_accepts(),
    )


def download_name(version: EvidenceFile) -> str:
    """The uploader's (cleaned) name in safe characters, with the extension of its real type."""
    return services.download_name(
        version.original_name, version.content_type, version.evidence_id, version.number
    )


@_both(f"/{EVIDENCE_ID}/files/{FILE_ID}", endpoint="download")
@requires(can_use_app)
def download(innovation_id: int | None, evidence_id: int, file_id: int) -> Response:
    """A version's file, for whoever may see the document (downloads.stored_file_response)."""
    evidence = _document(innovation_id, evidence_id)
    version = queries.file_or_404(evidence, file_id)
    return stored_file_response(version.storage_key, version.content_type, download_name(version))


# --- delete and publish --------------------------------------------------------------------------


@_both(f"/{EVIDENCE_ID}/delete", endpoint="delete_document", methods=["POST"])
@requires(can_edit_own_agency_content)
def delete_document(innovation_id: int | None, evidence_id: int) -> Any:
    evidence = _document(innovation_id, evidence_id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    title = evidence.title
    owner = evidence.innovation_id
    try:
        services.delete_document(evidence)
        db.session.commit()
    except services.ServiceError as error:
        db.session.rollback()
        if isinstance(error, services.NotAllowed):
            abort(403)
        flash(error.message, "danger")
        return redirect(doc_url(".document", evidence))
    flash(_("Document %(title)s deleted.", title=title), "success")
    if owner is not None:
        return redirect(url_for(".innovation_documents", innovation_id=owner))
    return redirect(url_for(".agency_documents"))


@_both(f"/{EVIDENCE_ID}/public", endpoint="set_public", methods=["POST"])
@requires(can_edit_own_agency_content)
def set_public(innovation_id: int | None, evidence_id: int) -> Any:
    evidence = _document(innovation_id, evidence_id)
    form = PublicForm()
    if not form.validate_on_submit():
        abort(400)
    public = form.public.data == "1"
    try:
        services.set_public(evidence, public)
        db.session.commit()
    except services.ServiceError as error:
        db.session.rollback()
        if isinstance(error, services.NotAllowed):
            abort(403)
        flash(error.message, "danger")
    else:
        flash(
            _("The document is now public.") if public else _("The document is no longer public."),
            "success",
        )
    return redirect(doc_url(".document", evidence))

"""Writes of the evidence vault: documents, their file versions, soft delete and publication.

Other features attach evidence through `create_document` (self-assessment, milestones,
replications) and `add_version`; both check the upload with `core.uploads.upload_problem` against
the types the caller accepts, store the file last (under a random key, `core.storage`) and flush
but never commit. A refused upload raises `ServiceError` before anything is stored. Files saved in
a transaction that is then rolled back are removed again (`_forget_files_of_rollback`), so a
refused request leaves neither rows nor files behind.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import FileStorage

from puja_indah.core import staleness, uploads
from puja_indah.core.clock import today_wita
from puja_indah.core.db import utcnow
from puja_indah.core.storage import FileStore, file_store
from puja_indah.core.tenancy import Scope, current_scope
from puja_indah.evidence.forms import METADATA_FIELDS
from puja_indah.evidence.models import Evidence, EvidenceFile
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation

# What the vault accepts when the caller names nothing narrower (an indicator's `file_type_list`).
ALL_TYPES: tuple[str, ...] = ("pdf", "jpg", "jpeg", "png", "mp4", "xlsx", "docx")
LIMITS = {"title": 200, "document_number": 120, "subject": 300, "link_url": 500}
_PENDING = "evidence_files_saved"


class ServiceError(Exception):
    """A change refused with a message for the user; `field` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    """The scope may not make this change (the view answers 403)."""


class StaleEdit(Exception):
    """Someone saved the document after this form was opened."""


def evidence_files() -> FileStore:
    """The store for evidence files of the running app."""
    return file_store("evidence")


def _ensure_writable(scope: Scope, agency_id: int | None) -> None:
    """Officers and leads of the owning agency write; a named system scope (CLI, jobs) too."""
    if scope.kind == "system":
        return
    # The view's policy is `can_edit_own_agency_content`; the same rule on the scope alone, so a
    # caller without a request (a job in an agency's scope) is judged alike.
    if (
        scope.kind != "agency"
        or scope.read_only
        or (agency_id is not None and agency_id != scope.agency_id)
    ):
        raise NotAllowed(_("Your role does not allow this change."))


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


# --- files ---------------------------------------------------------------------------------------


def _size_of(stream: IO[bytes]) -> int | None:
    try:
        position = stream.tell()
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(position)
    except (OSError, AttributeError, ValueError):
        return None
    return size


def read_upload(upload: FileStorage, allowed_types: Iterable[str]) -> bytes:
    """The upload's bytes, once its size is known to fit the cap of the type its first bytes show;
    a file over the cap is refused from its size alone, before it is read (ServiceError)."""
    allowed = uploads.normalise_types(allowed_types)
    stream = upload.stream
    head = stream.read(uploads.HEAD_BYTES)
    code = uploads.detect_type(head) if head else None
    if code is None and head.startswith(b"PK\x03\x04"):
        code = "xlsx" if "xlsx" in allowed else "docx" if "docx" in allowed else None
    cap = uploads.max_bytes(code) if code in allowed and code else uploads.largest_cap(allowed)
    size = _size_of(stream)
    if size is not None and size > cap:
        raise ServiceError(_too_large(code, allowed), "file")
    data = head + stream.read(max(cap + 1 - len(head), 0))
    if len(data) > cap:
        raise ServiceError(_too_large(code, allowed), "file")
    return bytes(data)


def _too_large(code: str | None, allowed: list[str]) -> str:
    if code is not None and code in allowed:
        return uploads.too_large_message(code)
    return _(
        "The file is larger than %(size)d MB.",
        size=uploads.largest_cap(allowed) // (1024 * 1024),
    )


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str
    original_name: str
    sha256: str


def check_upload(upload: FileStorage, allowed_types: Iterable[str]) -> CheckedFile:
    """Read and check an upload; ServiceError (field `file`) with the reason when refused."""
    allowed = list(allowed_types)
    data = read_upload(upload, allowed)
    problem = uploads.upload_problem(data, upload.filename, allowed)
    if problem:
        raise ServiceError(problem, "file")
    code = uploads.detect_type(data)
    assert code is not None  # accepted above
    name = uploads.clean_filename(upload.filename) or f"bukti.{uploads.KINDS[code].extensions[0]}"
    return CheckedFile(
        data=data,
        content_type=uploads.KINDS[code].mimetype,
        original_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def download_name(original_name: str, content_type: str, evidence_id: int, number: int) -> str:
    """A version's download name: the uploader's (cleaned) name in safe characters, with the
    extension of its real type and the version number."""
    kind = next((k for k in uploads.KINDS.values() if k.mimetype == content_type), None)
    extension = kind.extensions[0] if kind else "bin"
    stem = original_name.rsplit(".", 1)[0] if "." in original_name else ""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")[:100]
    return f"{safe or f'bukti-{evidence_id}'}-v{number}.{extension}"


def _store(checked: CheckedFile) -> str:
    """Save the file and remember it, so that a rollback of this transaction removes it."""
    store = evidence_files()
    key = store.save(checked.data)
    db.session.info.setdefault(_PENDING, []).append((store, key))
    return key


def _new_version(evidence: Evidence, checked: CheckedFile, number: int) -> EvidenceFile:
    version = EvidenceFile(
        agency_id=evidence.agency_id,
        number=number,
        storage_key=_store(checked),
        sha256=checked.sha256,
        size=len(checked.data),
        content_type=checked.content_type,
        original_name=checked.original_name,
        uploaded_at=utcnow(),
        uploaded_by_id=_user_id(),
    )
    evidence.files.append(version)
    return version


def _forget_files_of_rollback(session: Session) -> None:
    for store, key in session.info.pop(_PENDING, []):
        store.delete(key)


def _keep_files_of_commit(session: Session) -> None:
    session.info.pop(_PENDING, None)


def install_file_cleanup(session_class: type[Session] = Session) -> None:
    """A stored file whose rows never reach the database is deleted (idempotent)."""
    for name, fn in (
        ("after_rollback", _forget_files_of_rollback),
        ("after_commit", _keep_files_of_commit),
    ):
        if not event.contains(session_class, name, fn):
            event.listen(session_class, name, fn)


install_file_cleanup()


# --- documents -----------------------------------------------------------------------------------


@dataclass
class DocumentInput:
    title: str
    document_number: str = ""
    document_date: date | None = None
    subject: str = ""
    link_url: str = ""

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in METADATA_FIELDS}


def _validate(data: DocumentInput) -> DocumentInput:
    cleaned = DocumentInput(
        title=" ".join((data.title or "").split()),
        document_number=" ".join((data.document_number or "").split()),
        document_date=data.document_date,
        subject=" ".join((data.subject or "").split()),
        link_url=(data.link_url or "").strip(),
    )
    if not cleaned.title:
        raise ServiceError(_("Fill in this field."), "title")
    for name, limit in LIMITS.items():
        if len(getattr(cleaned, name)) > limit:
            raise ServiceError(_("Use at most %(max)d characters.", max=limit), name)
    if cleaned.link_url and not cleaned.link_url.lower().startswith(("http://", "https://")):
        raise ServiceError(_("Start the address with https:// or http://."), "link_url")
    if cleaned.document_date is not None and cleaned.document_date > today_wita():
        raise ServiceError(_("The document date cannot be in the future."), "document_date")
    return cleaned


def create_document(
    innovation: Innovation | None,
    title: str,
    *,
    document_number: str = "",
    document_date: date | None = None,
    subject: str = "",
    link: str = "",
    upload: FileStorage | None = None,
    allowed_types: Iterable[str] = ALL_TYPES,
    scope: Scope | None = None,
) -> Evidence:
    """Add a document (with its first file version when `upload` is given) to `innovation`, or an
    agency-wide one when `innovation` is None. A file or a link is required. Flushes, never
    commits; raises ServiceError (with the form field it is about) when refused."""
    scope = scope if scope is not None else current_scope()
    agency_id = innovation.agency_id if innovation is not None else scope.agency_id
    _ensure_writable(scope, agency_id)
    if agency_id is None:
        raise NotAllowed(_("Your role does not allow this change."))
    data = _validate(
        DocumentInput(title, document_number, document_date, subject, link_url=link or "")
    )
    has_file = upload is not None and bool(upload.filename)
    if not has_file and not data.link_url:
        raise ServiceError(_("Attach a file or give a link to the document."), "file")
    checked = check_upload(upload, allowed_types) if has_file and upload is not None else None

    evidence = Evidence(
        agency_id=agency_id,
        innovation_id=innovation.id if innovation is not None else None,
        **data.values(),
    )
    db.session.add(evidence)
    if checked is not None:
        _new_version(evidence, checked, 1)
    db.session.flush()
    return evidence


def add_version(
    evidence: Evidence,
    upload: FileStorage | None,
    *,
    allowed_types: Iterable[str] = ALL_TYPES,
    scope: Scope | None = None,
) -> EvidenceFile:
    """Upload a new version of the document's file; earlier versions are kept and numbered."""
    scope = scope if scope is not None else current_scope()
    _ensure_writable(scope, evidence.agency_id)
    if evidence.deleted_at is not None:
        raise ServiceError(_("This document has been deleted."))
    if upload is None or not upload.filename:
        raise ServiceError(_("Choose a file."), "file")
    checked = check_upload(upload, allowed_types)
    last = db.session.scalar(
        select(func.max(EvidenceFile.number)).where(EvidenceFile.evidence_id == evidence.id)
    )
    version = _new_version(evidence, checked, (last or 0) + 1)
    try:
        db.session.flush()
    except IntegrityError:
        # Two uploads at once took the same number: the other one won.
        raise ServiceError(
            _("Someone uploaded a version at the same moment. Reload and try again."), "file"
        ) from None
    return version


def metadata_values(evidence: Evidence) -> dict[str, str]:
    """The edit form's fields as text (the stale-form snapshot)."""
    values: dict[str, str] = {}
    for name in METADATA_FIELDS:
        value = getattr(evidence, name)
        values[name] = value.isoformat() if isinstance(value, date) else (value or "")
    return values


def decode_snapshot(text: str | None) -> dict[str, str] | None:
    return staleness.decode_snapshot(text, METADATA_FIELDS)


def update_document(
    evidence: Evidence,
    data: DocumentInput,
    *,
    opened_version: int | None,
    scope: Scope | None = None,
) -> Evidence:
    """Change the document's description. `opened_version` is the version the form showed; a
    different one (someone saved in between) raises StaleEdit and changes nothing."""
    scope = scope if scope is not None else current_scope()
    _ensure_writable(scope, evidence.agency_id)
    if evidence.deleted_at is not None:
        raise ServiceError(_("This document has been deleted."))
    cleaned = _validate(data)
    if opened_version is None or opened_version != evidence.version:
        raise StaleEdit()
    if not cleaned.link_url and not evidence.files:
        raise ServiceError(_("Attach a file or give a link to the document."), "link_url")
    for name, value in cleaned.values().items():
        if getattr(evidence, name) != value:
            setattr(evidence, name, value)
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleEdit() from None
    return evidence


@dataclass(frozen=True)
class ConflictReport:
    changes: list[tuple[str, str]]  # (field name, the other person's value)
    version: int
    current: dict[str, str]


def describe_conflict(
    evidence: Evidence, opened: dict[str, str] | None, submitted: dict[str, str]
) -> ConflictReport:
    """What the other person changed: fields whose stored value differs from what the form was
    opened with (or, when that is unknown, from what this user submitted)."""
    db.session.refresh(evidence)
    current = metadata_values(evidence)
    basis = opened if opened is not None else submitted
    changes = [(n, current[n]) for n in METADATA_FIELDS if current[n] != basis.get(n, "")]
    return ConflictReport(changes=changes, version=evidence.version, current=current)


def delete_document(evidence: Evidence, *, scope: Scope | None = None) -> None:
    """Soft delete: the document disappears from lists; its rows and files stay (audited)."""
    scope = scope if scope is not None else current_scope()
    _ensure_writable(scope, evidence.agency_id)
    if evidence.deleted_at is not None:
        return
    evidence.deleted_at = utcnow()
    evidence.deleted_by_id = _user_id()
    evidence.public = False
    db.session.flush()


def set_public(evidence: Evidence, public: bool, *, scope: Scope | None = None) -> None:
    """Mark the document public (the public catalogue may show it) or not public."""
    scope = scope if scope is not None else current_scope()
    _ensure_writable(scope, evidence.agency_id)
    if evidence.deleted_at is not None:
        raise ServiceError(_("This document has been deleted."))
    if evidence.public != public:
        evidence.public = public
        db.session.flush()

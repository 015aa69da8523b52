"""Export routes: ask (POST /exports from any screen's export menu), follow a job, download it.

Thin: validation and writing live in services, the job in tasks. A job is its asker's only —
anyone else asking for it gets 404, as if it did not exist; an expired download answers 410.
"""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from puja_indah.core.db import utcnow
from puja_indah.core.i18n import current_language, format_local_datetime
from puja_indah.core.permissions import MAX_ID, can_export, requires
from puja_indah.core.storage import StorageKeyError
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.reports import queries, services, tasks
from puja_indah.reports.forms import ExportForm
from puja_indah.reports.models import ExportJob, JobStatus

bp = Blueprint("reports", __name__, template_folder="templates")

JOB_ID = f"<int(max={MAX_ID}):job_id>"


def _labels() -> dict[str, Any]:
    return {
        "kind_labels": services.KIND_LABELS,
        "format_labels": services.FORMAT_LABELS,
        "status_label": lambda status: {
            JobStatus.QUEUED: _("Waiting in the queue"),
            JobStatus.RUNNING: _("Being made"),
            JobStatus.DONE: _("Ready"),
            JobStatus.FAILED: _("Failed"),
        }[JobStatus(status)],
    }


def _own_job_or_404(job_id: int) -> ExportJob:
    job = queries.own_job(current_user.id, job_id)
    if job is None:
        abort(404)
    return job


@bp.route("/exports", methods=["GET", "POST"])
@requires(can_export)
def exports_index() -> Any:
    if request.method == "GET":
        return render_template(
            "reports/list.html", jobs=queries.own_jobs(current_user.id), now=utcnow(), **_labels()
        )
    return _ask()


def _ask() -> Any:
    scope = current_scope()
    form = ExportForm()
    refused = None
    if not form.validate():
        refused = _("The export request is not valid.")
    else:
        try:
            asked = services.validate(
                scope,
                {
                    "kind": form.kind.data,
                    "format": form.format.data,
                    "region_id": form.region_id.data,
                    "year": form.year.data,
                    "innovation_id": form.innovation_id.data,
                },
            )
        except services.ExportRefused as error:
            refused = error.message
    if refused is not None:
        db.session.rollback()
        return render_template(
            "reports/list.html",
            jobs=queries.own_jobs(current_user.id),
            now=utcnow(),
            refused=refused,
            **_labels(),
        ), 400
    rows = services.estimate_rows(asked)
    if services.inline_allowed(asked, rows):
        services.record_export(scope, asked)
        db.session.commit()
        return _inline(asked)
    job = services.create_job(scope, current_user.id, asked, rows)
    job.params = {**job.params, "lang": current_language()}
    db.session.commit()
    job_id = job.id
    try:
        tasks.enqueue(job)
    except Exception:  # a queue outage: the job is recorded as failed, not a 500
        db.session.rollback()
        tasks.mark_failed(job_id, _("The job queue is not available. Please try again later."))
    return redirect(url_for("reports.job_status", job_id=job_id))


def _inline(asked: services.ExportRequest) -> Response:
    """A small export written now, in this request's scope, by the same code as a job."""
    buffer = io.BytesIO()  # small by definition (EXPORT_INLINE_MAX_ROWS)
    services.produce(asked, buffer)
    db.session.rollback()
    buffer.seek(0)
    _extension, mimetype = services.result_format(asked)
    response = send_file(
        buffer,
        mimetype=mimetype,
        as_attachment=True,
        download_name=services.download_name(asked),
        max_age=0,
        conditional=False,
        etag=False,
        last_modified=None,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _state(job: ExportJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": job.status.value,
        "status_label": _labels()["status_label"](job.status),
        "done": job.progress_done,
        "total": job.progress_total,
        "percent": job.percent,
        "error": job.error,
        "finished": job.status.finished,
        "download_url": (
            url_for("reports.download", job_id=job.id)
            if job.status is JobStatus.DONE and not job.expired()
            else None
        ),
        "expires_at": format_local_datetime(job.expires_at),
    }


@bp.route(f"/exports/{JOB_ID}")
@requires(can_export)
def job_status(job_id: int) -> Any:
    job = _own_job_or_404(job_id)
    return render_template(
        "reports/job.html", job=job, state=_state(job), expired=job.expired(), **_labels()
    )


@bp.route(f"/exports/{JOB_ID}.json")
@requires(can_export)
def job_json(job_id: int) -> Any:
    response = jsonify(_state(_own_job_or_404(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route(f"/exports/{JOB_ID}/download")
@requires(can_export)
def download(job_id: int) -> Any:
    job = _own_job_or_404(job_id)
    if job.expired():
        return _gone()
    if job.status is not JobStatus.DONE or not job.result_key:
        return redirect(url_for("reports.job_status", job_id=job.id))
    try:
        stream = tasks.exports_store().stream(job.result_key)
    except StorageKeyError:
        return _gone()
    response = send_file(
        stream,
        mimetype=job.mimetype or "application/octet-stream",
        as_attachment=True,
        download_name=job.filename or f"export-{job.id}",
        max_age=0,
        conditional=False,
        etag=False,
        last_modified=None,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _gone() -> Any:
    return render_template(
        "errors/error.html",
        code=410,
        title=_("Download expired"),
        text=_(
            "This export's file has expired and was removed. Ask for the export again from"
            " the screen that shows the data."
        ),
    ), 410

"""Sending a stored evidence file: the one way both the signed-in and the public download do it."""

from __future__ import annotations

from flask import Response, abort, send_file

from puja_indah.core import uploads
from puja_indah.core.storage import StorageKeyError
from puja_indah.evidence.services import evidence_files


def stored_file_response(
    storage_key: str, content_type: str, download_name: str, *, public_max_age: int = 0
) -> Response:
    """Always a download (never shown inline, so a crafted file cannot run in our origin), with
    the type found at upload — anything else goes out as octet-stream. Private files are never
    cached; public ones for `public_max_age` seconds. A file missing from storage is a 404."""
    known = {kind.mimetype for kind in uploads.KINDS.values()}
    mimetype = content_type if content_type in known else "application/octet-stream"
    try:
        stream = evidence_files().stream(storage_key)
    except StorageKeyError:
        abort(404)
    response = send_file(
        stream,
        mimetype=mimetype,
        as_attachment=True,
        download_name=download_name,
        max_age=public_max_age,
        conditional=False,
        etag=False,
        last_modified=None,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = (
        f"public, max-age={public_max_age}" if public_max_age else "private, no-store"
    )
    return response

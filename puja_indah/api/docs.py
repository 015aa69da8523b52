"""The OpenAPI document and its interactive page. Swagger UI comes from the `swagger-ui-bundle`
PyPI package at install time and is served from our own origin (no CDN); the page's script is
our static file, so the CSP needs no exception."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import swagger_ui_bundle
from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _

from puja_indah.api.access import api_public
from puja_indah.api.problems import Problem
from puja_indah.api.spec import API_PREFIX

bp = Blueprint("api_docs", __name__, url_prefix=API_PREFIX, template_folder="templates")
SWAGGER_UI_DIR = Path(swagger_ui_bundle.swagger_ui_path)
# Only what the page loads; the bundle's own index.html (inline script) is not served.
SWAGGER_UI_FILES = frozenset({"swagger-ui-bundle.js", "swagger-ui.css"})


def openapi_document() -> dict[str, Any]:
    """The generated document (also `flask openapi print`)."""
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    return api.spec.to_dict()


@bp.route("/openapi.json")
@api_public
def openapi_json() -> Any:
    return jsonify(openapi_document())


@bp.route("/docs")
@api_public
def docs() -> Any:
    return render_template("api/docs.html")


@functools.cache
def _asset_bytes(filename: str) -> bytes:
    return (SWAGGER_UI_DIR / filename).read_bytes()


@bp.route("/docs/assets/<string:filename>")
@api_public
def swagger_asset(filename: str) -> Any:
    """Read once per worker and answered from memory, with an ETag for the browser's cache."""
    if filename not in SWAGGER_UI_FILES:
        raise Problem(404, "not_found", _("No such file."))
    mimetype = "text/css" if filename.endswith(".css") else "text/javascript"
    response = Response(_asset_bytes(filename), mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    response.add_etag()
    return response.make_conditional(request)

"""The OpenAPI document and its interactive page. Swagger UI comes from the `swagger-ui-bundle`
PyPI package at install time and is served from our own origin (no CDN); the page's script is
our static file, so the CSP needs no exception."""

from __future__ import annotations

import copy
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


def _tag_title(blueprint_name: str) -> str:
    """flask-smorest tags operations with the blueprint's name ("api_open_data"); readers see
    "Open data"."""
    words = blueprint_name.removeprefix("api_").replace("_", " ")
    return words[:1].upper() + words[1:]


def openapi_document() -> dict[str, Any]:
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    # A copy: apispec hands out its own nested dicts, which must stay as registered.
    document: dict[str, Any] = copy.deepcopy(api.spec.to_dict())
    # flask-smorest registers its own pagination schema; our lists use PageMeta instead.
    document.get("components", {}).get("schemas", {}).pop("PaginationMetadata", None)
    for tag in document.get("tags", []):
        tag["name"] = _tag_title(tag["name"])
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "tags" in operation:
                operation["tags"] = [_tag_title(name) for name in operation["tags"]]
    return document


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

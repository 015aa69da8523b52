"""The flask-smorest `Api`: it generates the OpenAPI 3 document from the blueprints, their
marshmallow schemas and docstrings. Two changes to its defaults:

- it registers no app-wide error handler — the web pages keep their HTML error pages and web.py
  hands errors under `/api/` to `problems.problem_response`;
- error responses are documented as `application/problem+json` (`ProblemSchema`), which is what
  the API sends, so a spec-driven client (and the schemathesis run) can hold us to it.
"""

from __future__ import annotations

import http
from typing import Any

from flask_smorest import Api
from flask_smorest.utils import prepare_response

from puja_indah.api.problems import PROBLEM_MIMETYPE, ProblemSchema

API_PREFIX = "/api/v1"
OPEN_DATA_LICENCE = "CC-BY-4.0"  # its SPDX identifier
OPEN_DATA_LICENCE_NAME = "CC BY 4.0"
OPEN_DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
# What a re-user credits (CC BY 4.0 §3(a)); the same words in every language, as sources are cited.
OPEN_DATA_ATTRIBUTION = (
    "PUJA INDAH — Pusat Jejaring Inovasi Daerah, Kabupaten Bombana; "
    "data inovasi yang dipublikasikan oleh perangkat daerah masing-masing."
)


def tag_title(blueprint_name: str) -> str:
    words = blueprint_name.removeprefix("api_").replace("_", " ")
    return words[:1].upper() + words[1:]


class PujaApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        """As flask-smorest's, but operations are grouped under a readable tag ("Open data")
        instead of the blueprint's name ("api_open_data"), which stays the endpoint prefix."""
        # A blueprint may name its group itself (`bp.tag = "E-tracking"`).
        title = getattr(blp, "tag", None) or tag_title(options.get("name", blp.name))
        for endpoint_doc in blp._docs.values():
            for method, operation in endpoint_doc.items():
                if method != "parameters" and operation.get("tags") is None:
                    operation["tags"] = [title]
        blp_name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][blp_name] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=blp_name, parameters=parameters)
        self.spec.tag({"name": title, "description": blp.description})

    def _register_error_handlers(self) -> None:
        """Errors are turned into problem documents by web.py for `/api/` paths only."""

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Problem details (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)


def api_config() -> dict[str, Any]:
    """flask-smorest settings (read from app.config). No OPENAPI_URL_PREFIX: docs.py serves the
    document and the interactive page itself, under our policies and CSP."""
    return {
        "API_TITLE": "PUJA INDAH API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "API_SPEC_OPTIONS": {
            "info": {
                "description": (
                    "Pusat Jejaring Inovasi Daerah — innovations, replications, evidence, "
                    "e-tracking files and progress figures of the regional-innovation network. "
                    "Authenticate with a personal access token (Akun → Token API): "
                    "`Authorization: Bearer pi_…`. Lists page with `page` and `per_page`, sort "
                    "with `sort` (a leading `-` sorts descending). Writes need `If-Match` with "
                    "the ETag last read. Errors are RFC 9457 problem details. Open data "
                    f"(`/api/v1/open/…`) needs no token and is licensed {OPEN_DATA_LICENCE_NAME}."
                ),
                "license": {
                    "name": f"Open data: {OPEN_DATA_LICENCE}",
                    "url": OPEN_DATA_LICENCE_URL,
                },
            },
            "components": {
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A personal access token (pi_…), scope read or write.",
                    },
                    "cookieAuth": {
                        "type": "apiKey",
                        "in": "cookie",
                        "name": "session",
                        "description": "The signed-in browser; writes also need X-CSRFToken.",
                    },
                }
            },
            "security": [{"bearerAuth": []}, {"cookieAuth": []}],
        },
    }

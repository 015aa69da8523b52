"""Errors of the API as problem details (RFC 9457): `application/problem+json` with `type`,
`title`, `status`, `detail`, `instance`, a stable machine-readable `code`, and for invalid input
`errors` — one entry per field that failed, naming where it was (`json`, `query`, `headers`).

Every HTTP error under `/api/` is turned into one here (web.py hands them over), so a client
never receives an HTML page from the API."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from http import HTTPStatus
from typing import Any

from flask import Response, json, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

PROBLEM_MIMETYPE = "application/problem+json"


class Problem(HTTPException):
    """Raise to answer with a problem document: `raise Problem(409, "stale_version", detail)`."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(description=detail)
        self.code = status
        self.problem_code = code
        self.errors = errors or []
        self.extra_headers = dict(headers or {})
        self.extra = dict(extra or {})


class FieldErrorSchema(Schema):
    field = fields.String(required=True, metadata={"description": "the field that failed"})
    location = fields.String(
        required=True, metadata={"description": "json, query, headers or path"}
    )
    message = fields.String(required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details, with our `code` and the per-field `errors`."""

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String(required=True)
    code = fields.String(required=True, metadata={"description": "stable reason, e.g. validation"})
    errors = fields.List(fields.Nested(FieldErrorSchema), required=True)
    # Extension member of 412 stale_version: the version (ETag value) now current.
    current_version = fields.Integer(
        metadata={"description": "412 stale_version only: the record's current version"}
    )


def _title(status: int) -> str:
    titles = {
        400: _("Bad request"),
        401: _("Not signed in"),
        403: _("Access denied"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        410: _("Gone"),
        412: _("Precondition failed"),
        413: _("Request too large"),
        415: _("Unsupported media type"),
        422: _("Invalid input"),
        428: _("Precondition required"),
        429: _("Too many requests"),
        500: _("Something went wrong"),
    }
    if status in titles:
        return titles[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return _("Error")


def _flatten(messages: Any, location: str, path: str = "") -> Iterator[dict[str, str]]:
    """webargs/marshmallow messages ({"field": ["msg"], "nested": {"0": {...}}}) as a flat list."""
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = str(key) if not path else f"{path}.{key}"
            if key == "_schema":
                name = path or "_body"
            yield from _flatten(value, location, name)
    elif isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, Mapping | list | tuple):
                yield from _flatten(item, location, path)
            else:
                yield {"field": path or "_body", "location": location, "message": str(item)}
    else:
        yield {"field": path or "_body", "location": location, "message": str(messages)}


def validation_errors(data: Mapping[str, Any]) -> list[dict[str, str]]:
    """The per-field errors webargs attaches to its 422 (`data["messages"][location]`)."""
    messages = data.get("messages") or {}
    errors: list[dict[str, str]] = []
    for location, per_field in messages.items():
        errors.extend(_flatten(per_field, str(location)))
    return errors


DEFAULT_DETAIL = {
    400: _l("The request could not be understood."),
    401: _l("Send a valid personal access token: Authorization: Bearer pi_…."),
    403: _l("Your role does not allow this."),
    404: _l("The resource does not exist or is not yours to see."),
    405: _l("This address does not accept that method."),
    413: _l("The request body is larger than the API accepts."),
    422: _l("Some fields are invalid; see errors."),
    429: _l("Too many requests; wait a moment."),
    500: _l("The error has been recorded. Please try again later."),
}

DEFAULT_CODE = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation",
    429: "rate_limited",
    500: "server_error",
}


def problem_response(error: HTTPException) -> Response:
    """Any HTTP error as a problem document; `Problem` keeps its own code, detail and errors."""
    status = error.code or 500
    headers: dict[str, str] = {}
    errors: list[dict[str, str]] = []
    extra: dict[str, Any] = {}
    if isinstance(error, Problem):
        code, detail = error.problem_code, str(error.description)
        errors, headers, extra = error.errors, error.extra_headers, error.extra
    else:
        code = DEFAULT_CODE.get(status, "error")
        detail = str(DEFAULT_DETAIL.get(status, _l("The request failed.")))
        data = getattr(error, "data", None) or {}
        if status in (400, 422) and data.get("messages"):
            errors = validation_errors(data)
            if status == 400:
                code, detail = "malformed_body", _("The request body is not valid JSON.")
        headers.update(data.get("headers") or {})
        if status == 400 and "CSRF" in str(error.description):
            code = "csrf"
            detail = _(
                "A signed-in browser must send its CSRF token (X-CSRFToken) to change data;"
                " other clients use a personal access token."
            )
        if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
    body = {
        "type": "about:blank",
        "title": _title(status),
        "status": status,
        "detail": detail,
        "instance": request.path,
        "code": code,
        "errors": errors,
        **extra,
    }
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in headers.items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="puja-indah"'
    return response


def invalid(message: str, field: str | None = None, location: str = "json") -> Problem:
    """A feature service's refusal (`ServiceError(message, field)`) as a 422 validation problem,
    the field named in `errors` when the service named one."""
    errors = [{"field": field, "location": location, "message": message}] if field else []
    return Problem(422, "validation", message, errors=errors)

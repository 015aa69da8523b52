"""The one way an API write runs a feature's service: call it, commit once, or roll back and
answer its refusal as a problem — the feature's stale-version error as 412 (with the version now
current), its "not allowed" as 403, its input error as 422 naming the field (every field, when
the error carries a `problems` map like the innovation profile's "incomplete")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from puja_indah.api.etags import stale
from puja_indah.api.problems import Problem, invalid
from puja_indah.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Refusals:
    """A feature's service exceptions: `conflict` (stale version), `not_allowed`, and `invalid`
    (the base error with `.message` and `.field`)."""

    conflict: type[Exception]
    not_allowed: type[Exception]
    invalid: type[Exception]


def commit(
    change: Callable[[], T], refusals: Refusals, current_version: Callable[[], int] | None = None
) -> T:
    try:
        result = change()
        db.session.commit()
    except refusals.conflict:
        db.session.rollback()
        raise stale(current_version() if current_version is not None else 0) from None
    except refusals.not_allowed as error:
        db.session.rollback()
        raise Problem(403, "forbidden", str(getattr(error, "message", error))) from None
    except refusals.invalid as error:
        db.session.rollback()
        problems = getattr(error, "problems", None)
        if problems:
            errors = [
                {"field": field, "location": "json", "message": str(message)}
                for field, messages in problems.items()
                for message in messages
            ]
            raise Problem(422, "validation", str(error.message), errors=errors) from None  # type: ignore[attr-defined]
        raise invalid(
            str(getattr(error, "message", error)), getattr(error, "field", None)
        ) from None
    return result


def etag_header(what: str) -> dict[str, Any]:
    """The documented ETag header of an answer: `what`'s version."""
    return {"ETag": {"schema": {"type": "string"}, "description": f"the {what}'s version"}}


def created_headers(what: str) -> dict[str, Any]:
    """The documented headers of a 201: the new `what`'s ETag and address."""
    return {
        **etag_header(what),
        "Location": {"schema": {"type": "string"}, "description": f"the new {what}'s address"},
    }

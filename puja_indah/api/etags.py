"""ETags from a row's version column (the same counter the web forms' conflict check uses):
a read answers `ETag: "<version>"`; a write must send `If-Match` with it. A missing header is
428 and a stale one 412 with the current version, so a client never overwrites a newer record
it has not seen."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from puja_indah.api.problems import Problem


def etag_of(version: int) -> str:
    return f'"{version}"'


def require_if_match(current_version: int) -> None:
    sent = request.headers.get("If-Match")
    # "*" would match any version: the blind overwrite this check exists to prevent.
    if sent is None or sent.strip() == "*":
        raise Problem(
            428,
            "if_match_required",
            _("Send If-Match with the ETag you last read, so a newer change is not overwritten."),
        )
    wanted = {tag.strip().removeprefix("W/") for tag in sent.split(",")}
    if etag_of(current_version) in wanted:
        return
    raise stale(current_version)


def stale(current_version: int) -> Problem:
    """412 with the current ETag: an old If-Match, or a write that lost the race after its
    If-Match was checked (the feature service's conflict)."""
    return Problem(
        412,
        "stale_version",
        _("Someone changed this record after you read it. Read it again and re-apply your change."),
        headers={"ETag": etag_of(current_version)},
        extra={"current_version": current_version},
    )
